/* `aimeter run` on a node with an agent (agent_join.h): the command becomes a job of the
 * agent, whose figures over the command's time are the run's report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/agent_join.h"
#include "util/numlist.h"
#include "util/utf8.h"

int cli_agent_find(char *sock, size_t size) {
    if (aim_agent_socket_path(0, sock, size) < 0)
        return 0;
    return aim_control_send(sock, "ping", NULL, 0) == 0;
}

static int ask(cli_join *jn, const char *line, char *reply, size_t size) {
    int r = aim_control_client_send(jn->client, line, reply, size);
    if (r == -EBADMSG)
        cli_warning("the agent refused '%s': %s", line, reply);
    return r;
}

int cli_join_begin(cli_join *jn, const char *sock, const char *name) {
    memset(jn, 0, sizeof *jn);
    snprintf(jn->sock, sizeof jn->sock, "%s", sock);
    const char *env_job = aim_job_from_env();
    if (env_job)
        snprintf(jn->job, sizeof jn->job, "%s", env_job);
    else /* not in a batch job: the run is a job of its own */
        snprintf(jn->job, sizeof jn->job, "run-%ld", (long)getpid());
    /* "JOB: NAME" is at most 128 bytes on the agent: NAME cut on a character's boundary (the
     * agent refuses a line that is not UTF-8), and at most 100 bytes. */
    size_t room = 126 - strlen(jn->job), len = strlen(name);
    size_t cut = aim__utf8_prefix(name, len, room < 100 ? room : 100);
    snprintf(jn->name, sizeof jn->name, "%.*s", (int)cut, name);
    char reply[512];
    if (aim_control_client_new(sock, &jn->client) < 0)
        return -1;
    /* "job ID" by hand, not set_job: its reply says whether this run made the job. */
    char line[160];
    snprintf(line, sizeof line, "job %s", jn->job);
    /* `job hold`: the job ends when its last joined run leaves (several runs of one batch
     * job share it), and the node's figures now, from which this run takes its own. */
    if (aim_control_client_send(jn->client, line, reply, sizeof reply) < 0 ||
        aim_control_client_send(jn->client, "job hold", jn->start, sizeof jn->start) < 0) {
        aim_control_client_free(jn->client);
        jn->client = NULL;
        return -1;
    }
    aim_control_client_set_job(jn->client, jn->job); /* should the agent drop the connection */
    if (aim_control_client_send(jn->client, "run", reply, sizeof reply) == 0)
        snprintf(jn->run, sizeof jn->run, "%s", reply);
    snprintf(line, sizeof line, "phase begin %s", jn->name);
    ask(jn, line, reply, sizeof reply);
    /* The command's own clients (aimeter mark, the Python package) reach the agent as this
     * job. */
    setenv("AIMETER_CONTROL", sock, 1);
    setenv("AIMETER_JOB", jn->job, 1);
    return 0;
}

void cli_join_end(cli_join *jn, int quiet) {
    if (!jn->client)
        return;
    char reply[512], line[160], end[512];
    snprintf(line, sizeof line, "phase end %s", jn->name);
    ask(jn, line, reply, sizeof reply);
    int r = aim_control_client_send(jn->client, "job node", end, sizeof end);
    /* Leaves the job: the last one out ends it, but never a job the batch system holds
     * (`job info`: its own `job end` does). An agent older than `job leave` gets `job end`. */
    if (aim_control_client_send(jn->client, "job leave", reply, sizeof reply) == -EBADMSG)
        ask(jn, "job end", reply, sizeof reply);
    aim_control_client_free(jn->client);
    jn->client = NULL;
    /* `job hold` / `job node`: "INSTANCE SECONDS JOULES GRAMS DEVICE=JOULES..." of the node
     * (docs/control.md); the same INSTANCE, else the agent restarted during the command. */
    const char *sa = strchr(jn->start, ' '), *sb = strchr(end, ' ');
    if (r == 0 && sa && sb &&
        (sa - jn->start != sb - end || strncmp(jn->start, end, (size_t)(sa - jn->start)) != 0)) {
        if (quiet < 2)
            cli_warning("the agent at %s restarted while the command ran: it has no figures "
                        "for the whole command (job %s)", jn->sock, jn->job);
        return;
    }
    aim_numlist a, b;
    if (r < 0 || !sa || !sb || aim__numlist_parse(sa + 1, 3, &a) < 0 ||
        aim__numlist_parse(sb + 1, 3, &b) < 0) {
        if (quiet < 2)
            cli_warning("the agent at %s did not give the job's figures%s%s", jn->sock,
                        r == -EBADMSG ? ": " : "", r == -EBADMSG ? end : "");
        return;
    }
    if (quiet >= 2)
        return;
    /* The agent's run is "RUN_ID STORE_PATH". */
    char run_id[64] = "?";
    const char *store = strchr(jn->run, ' ');
    snprintf(run_id, sizeof run_id, "%.*s", store ? (int)(store - jn->run) : 63, jn->run);
    fprintf(stderr, "aimeter: measured by the agent at %s (run %s in %s), job %s\n", jn->sock,
            run_id, store ? store + 1 : "?", jn->job);
    fprintf(stderr, "  %s: %.1f s, node energy %.1f J, carbon %.3f g CO2e\n", jn->name,
            b.head[0] - a.head[0], b.head[1] - a.head[1], b.head[2] - a.head[2]);
    for (int i = 0; i < b.n_pairs; i++) {
        double before = 0;
        for (int k = 0; k < a.n_pairs; k++)
            if (strcmp(a.name[k], b.name[i]) == 0)
                before = a.value[k];
        fprintf(stderr, "  %-8s %.1f J\n", b.name[i], b.value[i] - before);
    }
    /* The agent's store is usually its own (the systemd unit's is: docs/agent.md): point
     * at it only when this user can read it. */
    if (store && access(store + 1, R_OK) == 0)
        fprintf(stderr, "  the phase '%s: %s' of that run has the details: aimeter report %s\n",
                jn->job, jn->name, run_id);
    else
        fprintf(stderr, "  the phase '%s: %s' is in the agent's store, which only the agent's "
                        "user reads; /metrics shows the job's figures\n", jn->job, jn->name);
}
