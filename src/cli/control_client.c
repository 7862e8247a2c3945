/* aimeter mark / phase / record: the shell side of the control socket that `aimeter run`
 * exports to the command it measures (AIMETER_CONTROL). One line out, one reply line back
 * (docs/control.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char control_usage[] =
    "Usage: aimeter mark [--job ID] TEXT...\n"
    "       aimeter phase [--job ID] begin NAME...\n"
    "       aimeter phase [--job ID] end [NAME...]\n"
    "       aimeter record [--job ID] KEY VALUE [counter|gauge]\n"
    "\n"
    "Tells the `aimeter run` that measures this process: a marker, the start or end of a\n"
    "named phase (nestable), or a number from the workload (tokens, samples, loss, ...).\n"
    "Counters add up (tokens, samples, requests, ..._total); gauges are values (loss).\n"
    "Works from any process of the measured command, through $AIMETER_CONTROL; elsewhere,\n"
    "through the node's agent (aimeter agent), which keeps it under the job: --job ID, else\n"
    "$AIMETER_JOB, $SLURM_JOB_ID, $PBS_JOBID or $JOB_ID.\n"
    "Exit: 0 accepted, 65 refused (the reason is printed), 69 not inside aimeter run and no\n"
    "agent, or the run has ended, 64 usage.\n";

/* Sends one line through the library's client, as job (NULL: none), and says what came
 * back; returns an exit code. The run's socket (AIMETER_CONTROL) first, else the node's
 * agent's. */
static int send_line(const char *line, const char *job) {
    const char *path = getenv("AIMETER_CONTROL");
    char agent[108];
    int via_agent = (!path || !*path) && aim_agent_socket_path(0, agent, sizeof agent) == 0;
    if (via_agent)
        path = agent;
    if (!path || !*path) {
        cli_error("not inside `aimeter run` (AIMETER_CONTROL is not set) and no agent on this "
                  "node");
        return AIM_EXIT_UNAVAILABLE;
    }
    char reply[256];
    aim_control_client *c = NULL;
    int r = aim_control_client_new(path, &c);
    if (r == 0 && job && aim_control_client_set_job(c, job) < 0) {
        aim_control_client_free(c);
        cli_error("bad job id '%s': 1 to 64 of A-Z a-z 0-9 _ . - : @ + [ ]", job);
        return AIM_EXIT_USAGE;
    }
    if (r == 0)
        r = aim_control_client_send(c, line, reply, sizeof reply);
    aim_control_client_free(c);
    switch (r) {
    case 0:
        return AIM_EXIT_OK;
    case -EBADMSG:
        cli_error("%s", reply);
        return AIM_EXIT_DATAERR;
    case -ENAMETOOLONG:
        cli_error("AIMETER_CONTROL is too long for a socket path: %s", path);
        return AIM_EXIT_UNAVAILABLE;
    case -EPROTO:
        cli_error("no answer from the run at %s", path);
        return AIM_EXIT_UNAVAILABLE;
    default:
        if (via_agent)
            cli_error("not inside `aimeter run` (AIMETER_CONTROL is not set) and no agent "
                      "answers at %s (%s)", path, strerror(-r));
        else
            cli_error("cannot reach the run at %s (%s): has it ended?", path, strerror(-r));
        return AIM_EXIT_UNAVAILABLE;
    }
}

/* The words argv[from..] joined by spaces into buf; -1 when they do not fit. */
static int join(char *buf, size_t size, const char *head, int argc, char **argv, int from) {
    size_t o = (size_t)snprintf(buf, size, "%s", head);
    for (int i = from; i < argc; i++) {
        int w = snprintf(buf + o, size - o, " %s", argv[i]);
        if (w < 0 || (size_t)w >= size - o)
            return -1;
        o += (size_t)w;
    }
    return 0;
}

static int wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

static int run_control(const char *what, int argc, char **argv, int min_words) {
    if (wants_help(argc, argv)) {
        fputs(control_usage, stdout);
        return 0;
    }
    const char *job = aim_job_from_env();
    if (argc >= 2 && strcmp(argv[1], "--job") == 0) {
        if (argc < 3 || !*argv[2]) {
            cli_error("%s: --job needs an id", what);
            return AIM_EXIT_USAGE;
        }
        job = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc - 1 < min_words) {
        cli_error("%s: missing arguments (see aimeter %s --help)", what, what);
        return AIM_EXIT_USAGE;
    }
    char line[1024];
    if (join(line, sizeof line, what, argc, argv, 1) < 0) {
        cli_error("%s: the message is too long", what);
        return AIM_EXIT_USAGE;
    }
    int code = send_line(line, job);
    return code;
}

int cmd_mark(int argc, char **argv) { return run_control("mark", argc, argv, 1); }
int cmd_phase(int argc, char **argv) { return run_control("phase", argc, argv, 1); }
int cmd_record(int argc, char **argv) { return run_control("record", argc, argv, 2); }
