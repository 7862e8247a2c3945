/* aimeter's SPANK plugin (docs/slurm.md): tells the node's `aimeter agent` when a job starts
 * and ends on the node, so that every job gets its energy without the user changing
 * anything, and lets `srun/sbatch --aimeter=...` through. It speaks only the public control
 * protocol (docs/control.md) on the agent's socket, as root:
 *   task_init_privileged (slurmstepd, each task, root): `job ID`, then
 *       `job info uid=U user=NAME cgroup=PATH node=N node_rank=R ranks=RANK gpus=LIST
 *       tag=K=V...` (the agent gathers the ranks of the node's tasks)
 *   user_init (slurmstepd, as the user): AIMETER_JOB (and AIMETER_AGENT_SOCKET when the
 *       socket is not the default one) for the tasks, so `aimeter run` and the Python
 *       package inside join the agent as this job
 *   job_epilog (slurmd, once per job and node, root): `job ID`, `job end`
 * It never blocks or fails a job: an agent that is absent or does not answer a line in full
 * within two seconds (the whole exchange, monotonic clock) makes every hook a no-op, said at
 * SLURM's debug level. Options:
 *   --aimeter=off            the job is not told to the agent (no job run; its own
 *                            `aimeter` calls still work)
 *   --aimeter=tag:K=V[,...]  tags for the job's runs (at most 8)
 *   --aimeter=on             the default
 * plugstack.conf arguments: socket=PATH (default /run/aimeter/agent.sock). */
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <slurm/spank.h>

SPANK_PLUGIN(aimeter, 1)

#define DEFAULT_SOCKET "/run/aimeter/agent.sock"
#define LINE 512

static char sock_path[108] = DEFAULT_SOCKET;
static int opt_off;
static char opt_tags[LINE]; /* " tag=K=V tag=K=V" */

static int take_option(int val, const char *arg, int remote);

static struct spank_option aimeter_option = {
    "aimeter", "off|on|tag:K=V[,tag:K=V]",
    "aimeter energy measurement of this job: off skips it, tag:K=V tags its runs "
    "(docs/slurm.md)",
    1, 0, take_option,
};

/* One protocol word of a tag: A-Z a-z 0-9 _ . - (what the agent's parser accepts for a key;
 * values may also have = , / : @ +). */
static int tag_ok(const char *kv) {
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || eq - kv > 63 || strlen(eq + 1) > 63)
        return 0;
    if (!((kv[0] >= 'a' && kv[0] <= 'z') || (kv[0] >= 'A' && kv[0] <= 'Z')))
        return 0;
    for (const char *p = kv; *p; p++) {
        int word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || strchr("_.-", *p);
        if (!word && !(p > eq && strchr("=/:@+", *p)) && p != eq)
            return 0;
    }
    return 1;
}

/* The job run's own tags, which say whose and which run it is: a user's tag must not file it
 * under another job or user, nor win the double-measurement choice. The agent refuses them
 * too (src/lib/model/job_info.c aim__job_info_tag_reserved, the same list). */
static const char *reserved_key(const char *kv) {
    static const char *const keys[] = { "job",  "node",        "node_rank", "ranks",
                                        "user", "measured_by", "agent_run", "cgroup" };
    size_t n = strcspn(kv, "=");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == n && strncmp(kv, keys[i], n) == 0)
            return keys[i];
    return NULL;
}

static int take_option(int val, const char *arg, int remote) {
    (void)val;
    (void)remote;
    opt_off = 0;
    opt_tags[0] = '\0';
    if (!arg || strcmp(arg, "on") == 0)
        return 0;
    if (strcmp(arg, "off") == 0) {
        opt_off = 1;
        return 0;
    }
    char copy[LINE];
    snprintf(copy, sizeof copy, "%s", arg);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char *own = strncmp(t, "tag:", 4) == 0 ? reserved_key(t + 4) : NULL;
        if (own) {
            slurm_error("aimeter: --aimeter=%s: tag:%s is aimeter's own (job node node_rank "
                        "ranks user measured_by agent_run cgroup are set by the agent)", arg,
                        own);
            return -1;
        }
        if (strncmp(t, "tag:", 4) != 0 || !tag_ok(t + 4) || ++n > 8) {
            slurm_error("aimeter: --aimeter=%s: off, on, or tag:KEY=VALUE (at most 8, "
                        "separated by commas; KEY: A-Z a-z 0-9 _ . - from a letter)", arg);
            return -1;
        }
        size_t used = strlen(opt_tags);
        snprintf(opt_tags + used, sizeof opt_tags - used, " tag=%s", t + 4);
    }
    return 0;
}

/* plugstack.conf's arguments: every hook gets them (slurmd's prolog and epilog do not call
 * slurm_spank_init first). */
static void take_args(int ac, char **av, int say) {
    for (int i = 0; i < ac; i++) {
        if (strncmp(av[i], "socket=", 7) == 0 && strlen(av[i] + 7) < sizeof sock_path)
            snprintf(sock_path, sizeof sock_path, "%s", av[i] + 7);
        else if (say)
            slurm_error("aimeter: unknown plugstack.conf argument '%s' (socket=PATH)", av[i]);
    }
}

int slurm_spank_init(spank_t sp, int ac, char **av) {
    take_args(ac, av, 1);
    return spank_option_register(sp, &aimeter_option) == ESPANK_SUCCESS ? 0 : -1;
}

/* The option as this context sees it (remote and prolog/epilog contexts read it here). */
static void read_option(spank_t sp) {
    char *arg = NULL;
    if (spank_option_getopt(sp, &aimeter_option, &arg) == ESPANK_SUCCESS)
        take_option(0, arg, 1);
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC ns), 0 when past. */
static int left_ms(int64_t deadline) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t left = deadline - ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* Sends each of lines (each ending in '\n') and reads one reply line for each; 0 when every
 * reply is "ok...", -1 otherwise (said at debug level). Each exchange (a line and its reply)
 * has EXCHANGE_MS in all, however slowly a peer trickles its bytes: the deadline is the
 * monotonic clock's, and every wait polls for what is left of it. */
#define EXCHANGE_MS 2000
static int talk(const char *const *lines, int n) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = { EXCHANGE_MS / 1000, 0 }; /* connect and send: one exchange's time */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        slurm_debug("aimeter: no agent at %s (%s); the job is not measured by it", sock_path,
                    strerror(errno));
        close(fd);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t deadline = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec +
                           (int64_t)EXCHANGE_MS * 1000000LL;
        size_t len = strlen(lines[i]);
        char reply[LINE];
        size_t got = 0;
        if (send(fd, lines[i], len, MSG_NOSIGNAL) != (ssize_t)len) {
            rc = -1;
            break;
        }
        int done = 0;
        while (!done && got + 1 < sizeof reply) {
            struct pollfd p = { .fd = fd, .events = POLLIN };
            int ms = left_ms(deadline);
            if (ms == 0 || poll(&p, 1, ms) <= 0) {
                if (ms > 0 && errno == EINTR)
                    continue;
                rc = -1; /* the exchange's time is up */
                break;
            }
            ssize_t r = recv(fd, reply + got, 1, MSG_DONTWAIT);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r <= 0 || reply[got] == '\n')
                done = 1;
            else
                got++;
        }
        reply[got] = '\0';
        if (rc == 0 && strncmp(reply, "ok", 2) != 0)
            rc = -1;
        if (rc < 0)
            slurm_debug("aimeter: the agent at %s answered '%s' to %.*s%s", sock_path, reply,
                        (int)(len - 1), lines[i], done ? "" : " (no whole line in time)");
    }
    close(fd);
    return rc;
}

static int job_id(spank_t sp, uint32_t *id) {
    return spank_get_item(sp, S_JOB_ID, id) == ESPANK_SUCCESS ? 0 : -1;
}

/* The job's cgroup v2 path from this task's /proc/self/cgroup ("0::/PATH"): the ancestor
 * named job_N when there is one (proctrack/cgroup puts each step under it), else the path
 * itself; "" at the root (no cgroup of its own, e.g. proctrack/linuxproc). */
static void job_cgroup(uint32_t id, char *out, size_t size) {
    out[0] = '\0';
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return;
    char line[1024], want[32];
    snprintf(want, sizeof want, "/job_%u", id);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *path = line + 3, *job = strstr(path, want);
        if (job && (job[strlen(want)] == '/' || !job[strlen(want)]))
            job[strlen(want)] = '\0';
        size_t n = strlen(path);
        if (strcmp(path, "/") != 0 && !strchr(path, ' ') && n < size)
            memcpy(out, path, n + 1);
    }
    fclose(f);
}

/* A job environment value of at most size-1 bytes made of set, else "". */
static void env_word(spank_t sp, const char *name, const char *set, char *out, int size) {
    if (spank_getenv(sp, name, out, size) != ESPANK_SUCCESS || strspn(out, set) != strlen(out))
        out[0] = '\0';
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av) {
    take_args(ac, av, 0);
    read_option(sp);
    uint32_t id, node_rank = 0;
    uid_t uid = 0;
    if (opt_off || job_id(sp, &id) < 0)
        return 0;
    spank_get_item(sp, S_JOB_UID, &uid);
    spank_get_item(sp, S_JOB_NODEID, &node_rank);
    char cgroup[300], node[65], ranks[128], gpus[64], user[40] = "";
    job_cgroup(id, cgroup, sizeof cgroup);
    static const char name_set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
    env_word(sp, "SLURMD_NODENAME", name_set, node, sizeof node);
    if (!node[0] && gethostname(node, sizeof node) == 0)
        node[strspn(node, name_set)] = '\0';
    /* This task's global rank: the agent gathers those of the node's tasks (their union is
     * the job's `ranks` tag); SLURM_GTIDS when the item is not there. */
    uint32_t rank;
    if (spank_get_item(sp, S_TASK_GLOBAL_ID, &rank) == ESPANK_SUCCESS)
        snprintf(ranks, sizeof ranks, "%u", rank);
    else
        env_word(sp, "SLURM_GTIDS", "0123456789,-", ranks, sizeof ranks);
    env_word(sp, "SLURM_JOB_GPUS", "0123456789,-", gpus, sizeof gpus);
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        strspn(res->pw_name, name_set) == strlen(res->pw_name) && strlen(res->pw_name) < 33)
        snprintf(user, sizeof user, "%s", res->pw_name);
    char first[64], info[LINE + 256];
    snprintf(first, sizeof first, "job %u\n", id);
    int n = snprintf(info, sizeof info, "job info uid=%u node_rank=%u", (unsigned)uid, node_rank);
#define ADD(key, v) \
    if ((v)[0] && n > 0 && (size_t)n < sizeof info) \
        n += snprintf(info + n, sizeof info - (size_t)n, " " key "=%s", (v))
    ADD("user", user);
    ADD("cgroup", cgroup);
    ADD("node", node);
    ADD("ranks", ranks);
    ADD("gpus", gpus);
#undef ADD
    if (n > 0 && (size_t)n < sizeof info)
        n += snprintf(info + n, sizeof info - (size_t)n, "%s\n", opt_tags);
    if (n <= 0 || n >= LINE) { /* the protocol's line: without the tags then */
        slurm_debug("aimeter: job %u: the job info line is too long; sent without tags", id);
        char *t = strstr(info, " tag=");
        if (t)
            snprintf(t, sizeof info - (size_t)(t - info), "\n");
    }
    const char *lines[] = { first, info };
    talk(lines, 2);
    return 0;
}

int slurm_spank_user_init(spank_t sp, int ac, char **av) {
    take_args(ac, av, 0);
    read_option(sp);
    uint32_t id;
    struct stat st;
    if (opt_off || job_id(sp, &id) < 0 || stat(sock_path, &st) < 0 || !S_ISSOCK(st.st_mode))
        return 0;
    char v[32];
    snprintf(v, sizeof v, "%u", id);
    spank_setenv(sp, "AIMETER_JOB", v, 0); /* one the user gave (a job of their own) wins */
    /* The node's agent is where this node's plugstack.conf says, whatever the environment
     * brought from the submitting host. */
    if (strcmp(sock_path, DEFAULT_SOCKET) != 0)
        spank_setenv(sp, "AIMETER_AGENT_SOCKET", sock_path, 1);
    return 0;
}

int slurm_spank_job_epilog(spank_t sp, int ac, char **av) {
    take_args(ac, av, 0);
    read_option(sp);
    uint32_t id;
    if (opt_off || job_id(sp, &id) < 0)
        return 0;
    char first[64];
    snprintf(first, sizeof first, "job %u\n", id);
    const char *lines[] = { first, "job end\n" };
    talk(lines, 2);
    return 0;
}
