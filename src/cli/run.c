/* aimeter run: start a command, sample while it runs, store and report.
 *
 * The child is forked first and held on a pipe until sampling has started, so its pid is
 * known to the process-tree source and its first instruction is measured. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/number.h"
#include "util/numfmt.h"
#include "cli/control_dirs.h"
#include "cli/session_opts.h"
#include "cli/agent_join.h"

/* In two parts: one literal would pass the 4095 bytes ISO C guarantees. */
static const char run_usage[] =
    "Usage: aimeter run [OPTIONS] [--] COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND, samples this machine's energy and activity until it exits, stores the run\n"
    "and prints its report on stderr. Exits with COMMAND's status (128+N if killed by signal N).\n"
    "\n"
    "  -i, --interval DURATION  sampling interval: 100ms (default), 0.5s, 2s, 10ms; at least 1ms\n"
    "  -n, --name NAME          name of the run (default: the command's name)\n"
    "      --db PATH            store (default $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db)\n"
    "      --spool PATH         with a postgresql:// store: the local file the run is written\n"
    "                           to and uploaded from (default $XDG_DATA_HOME/aimeter/spool.db)\n"
    "      --upload-interval DURATION  time between uploads to the server (default 5s)\n"
    "      --csv FILE           also write the time series as CSV (- for stdout); NAME.csv\n"
    "                           gets NAME.columns.csv: each column's method\n"
    "      --json FILE          also write the summary as JSON (- for stdout)\n"
    "      --html FILE          also write the HTML report: charts, tables, what-if (- for\n"
    "                           stdout; aimeter report --format html)\n"
    "      --sources LIST       comma-separated sources (default: all; see aimeter devices)\n"
    "      --intensity G        grid carbon intensity in g CO2e/kWh (overrides --zone)\n"
    "      --intensity-file FILE  intensity over time: CSV timestamp,g_per_kwh[,signal]\n"
    "                           (ISO 8601 with a zone, or Unix seconds; overrides --zone)\n"
    "      --pue X|aws|gcp|azure  power usage effectiveness of the facility (default 1.0):\n"
    "                           carbon and cost are of IT energy x PUE\n"
    "      --price PRICE        electricity price per kWh with its currency: 0.21EUR\n"
    "                           (or --price 0.21 --currency EUR); the report adds the cost\n"
    "      --price-file FILE    time-of-use tariff: CSV timestamp,price_per_kwh (--currency)\n"
    "      --zone CODE          grid zone from the built-in table, e.g. FR, US-CA, CA-SK\n"
    "                           (aimeter zones lists them); CODE@marginal, the built-in\n"
    "                           marginal table (national for a sub-national zone, and\n"
    "                           said so); CODE@YEAR, that year's average\n"
    ;
static const char run_usage_more[] =
    "      --cloud PROVIDER:REGION  the zone of a cloud region, e.g. aws:us-east-1 (same as\n"
    "                           --zone; aimeter zones --cloud lists them)\n"
    "      --provider P         live grid intensity from electricitymaps, watttime or ukgrid\n"
    "                           (keys: docs/providers.md), asked for --provider-region, else\n"
    "                           --lat/--lon or the --cloud region's position, else --zone;\n"
    "                           polled during the run, history back-filled at the end; the\n"
    "                           --zone table value (or the next input) when it cannot answer\n"
    "      --provider-region R  the provider's own zone/region: DE, CAISO_NORTH, GB, 12, RG10\n"
    "      --lat X --lon Y      the machine's position, for --provider\n"
    "      --marginal           the marginal signal: WattTime's with --provider, else the\n"
    "                           built-in marginal table (= --zone CODE@marginal)\n"
    "      --gpus LIST          GPUs to measure: indices or UUIDs, e.g. 0,2 (default: all, or\n"
    "                           those of CUDA_VISIBLE_DEVICES)\n"
    "      --dcgm-host ADDR     use a running nv-hostengine (host[:port] or socket path)\n"
    "      --idle DURATION      first measure the machine idle that long (a run of its own);\n"
    "                           the report shows total, idle and net energy and carbon\n"
    "      --idle-baseline RUN  use a stored run as the idle baseline instead\n"
    "      --embodied           also show the devices' manufacturing carbon, amortised\n"
    "  -t, --tag KEY=VALUE      tag the run (repeatable), e.g. --tag batch=32; aimeter compare\n"
    "                           --by KEY groups runs by it (SLURM_JOB_ID gives slurm_job)\n"
    "      --keep-credentials   let COMMAND see the providers' keys (ELECTRICITYMAPS_API_KEY,\n"
    "                           WATTTIME_USERNAME, WATTTIME_PASSWORD), removed by default\n"
    "      --metrics SET        GPU metrics: basic (NVML, nvidia-smi class), full (adds DCGM\n"
    "                           profiling), or a list of metric keys (default: all available\n"
    "                           at the interval)\n"
    "      --prometheus [ADDR:]PORT  serve /metrics (Prometheus, OpenMetrics) while COMMAND\n"
    "                           runs, on 127.0.0.1 unless ADDR is given (another than\n"
    "                           loopback needs credentials from --web-config)\n"
    "      --web-config FILE    TLS and credentials for --prometheus: exporter-toolkit's\n"
    "                           web-config file (bcrypt hashes; docs/cli.md)\n"
    "      --no-agent           sample here even when the node's agent answers (by default\n"
    "                           COMMAND becomes a job of the agent, which measures it)\n"
    "      --retain DURATION    for a long COMMAND: delete samples older than DURATION (7d,\n"
    "                           12h) while it runs; totals stay exact (docs/retention.md)\n"
    "      --downsample-after DURATION  keep samples older than DURATION as means, one per\n"
    "                           --downsample-step (default 1m); default 1h when --retain\n"
    "                           is longer, off: never\n"
    "  -q, --quiet              no live status line (-qq: no warnings and no report either)\n"
    "  -h, --help               this help\n"
    "\n"
    "Ctrl-C, SIGTERM, SIGHUP and SIGQUIT are passed to COMMAND; the run is kept as\n"
    "'interrupted'. SIGUSR1 and SIGUSR2 are passed on too; the run ends as COMMAND does.\n"
    "A second Ctrl-C kills COMMAND. See docs/cli.md for exit codes.\n";

enum { OPT_HTML = 1100, OPT_PROMETHEUS, OPT_WEB_CONFIG, OPT_NO_AGENT }; /* after the carbon options (cli.h) */

typedef struct run_opts {
    const char *db, *csv, *json, *html;
    int quiet;                    /* -q: no status line; -qq: no warnings, no report */
    int keep_credentials;         /* --keep-credentials: the command sees the providers' keys */
    int64_t idle_ns;              /* --idle: measure the idle baseline first, 0: no */
    char prom_addr[64];           /* --prometheus: where /metrics is served */
    unsigned prom_port;           /* 0: not served */
    const char *web_config;       /* --web-config: TLS and credentials for it; NULL: none */
    int no_agent;                 /* --no-agent: sample here even beside an agent */
    char own_opt[40];             /* the first option given that only a run of this aimeter's
                                   * own uses ("--db"): refused when the agent measures */
    const char *name;             /* --name */
    cli_carbon_opts carbon;
    cli_retention retention;      /* --retain, --downsample-after, --downsample-step */
} run_opts;

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t interrupts; /* signals asking the run to end */
static volatile sig_atomic_t sigints;    /* of which SIGINT */

/* The signals forwarded to the command. The first four ask it to end: the run is then kept
 * as 'interrupted'. SIGUSR1 and SIGUSR2 are notices (a batch scheduler's "time is nearly
 * up"): the command decides what they mean, and the run's status is what it then does.
 * docs/decisions.md, "Signals of aimeter run". */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define N_FORWARDED (sizeof forwarded / sizeof forwarded[0])

/* SIGPIPE and SIGXFSZ are ignored by aimeter, so that a closed pipe or a file-size limit
 * is a write error (EPIPE, EFBIG) reported for that output, not the end of aimeter with
 * the run left 'running' and the command orphaned. The command gets back the dispositions
 * aimeter was started with. */
static const int ignored[] = { SIGPIPE, SIGXFSZ };
#define N_IGNORED (sizeof ignored / sizeof ignored[0])
static struct sigaction ignored_before[N_IGNORED];

/* A signal sent by another process (kill, systemd) is forwarded; one generated by the
 * terminal already reached the child through the foreground process group. The second
 * SIGINT (not any second signal: a SIGTERM then a Ctrl-C are one request each) ends the
 * child hard. */
static void on_signal(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    int saved_errno = errno; /* the interrupted code may be about to read errno */
    if (sig != SIGUSR1 && sig != SIGUSR2)
        interrupts++;
    if (sig == SIGINT)
        sigints++;
    pid_t pid = child_pid;
    if (pid > 0) {
        if (sig == SIGINT && sigints >= 2)
            kill(pid, SIGKILL);
        else if (info->si_code <= 0)
            kill(pid, sig);
    }
    errno = saved_errno;
}

static void install_signals(void) {
    static int installed;
    if (installed)
        return;
    installed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction(forwarded[i], &sa, NULL);
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    for (size_t i = 0; i < N_IGNORED; i++)
        sigaction(ignored[i], &ign, &ignored_before[i]);
}

/* The command's environment: aimeter's, without the providers' credentials unless
 * keep_credentials (--keep-credentials). The keys aimeter prices the run with are none of
 * the measured program's business, and programs log their environment (crash reports,
 * experiment trackers). Pointers into environ, which stays as it is until exec. */
static char **child_environment(int keep_credentials) {
    extern char **environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    const char *const *secret = aim_credential_env_names();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int drop = 0;
        for (size_t j = 0; !keep_credentials && secret[j] && !drop; j++) {
            size_t len = strlen(secret[j]);
            drop = strncmp(environ[i], secret[j], len) == 0 && environ[i][len] == '=';
        }
        if (!drop)
            env[k++] = environ[i];
    }
    return env;
}

/* PATH lookup done here, before anything is measured, so "not found" is reported cleanly. */
static int find_command(const char *name, char *out, size_t size) {
    if (strchr(name, '/')) {
        if (access(name, F_OK) != 0)
            return AIM_EXIT_NOTFOUND;
        struct stat st;
        if (stat(name, &st) != 0 || S_ISDIR(st.st_mode) || access(name, X_OK) != 0)
            return AIM_EXIT_NOEXEC;
        snprintf(out, size, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    int found_noexec = 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        int len = snprintf(out, size, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", name);
        struct stat st;
        if (len > 0 && (size_t)len < size && stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
            if (access(out, X_OK) == 0)
                return 0;
            found_noexec = 1;
        }
        p += n;
        if (*p == ':')
            p++;
    }
    return found_noexec ? AIM_EXIT_NOEXEC : AIM_EXIT_NOTFOUND;
}

/* Forks the child, which waits on `go` before exec; exec failure comes back on `err`.
 * The forwarded signals are blocked across fork: the held child must not run aimeter's
 * handler (it would swallow a SIGTERM and run the command anyway), and a signal arriving
 * before child_pid is known must still reach the child once it is. */
static pid_t spawn_held(const char *path, char **argv, char **envp, int *ret_go_fd,
                        int *ret_err_fd) {
    int go[2], err[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) < 0) {
        close(go[0]);
        close(go[1]);
        return -1;
    }
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaddset(&block, forwarded[i]);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(go[1]);
        close(err[0]);
        for (size_t i = 0; i < N_FORWARDED; i++)
            signal(forwarded[i], SIG_DFL);
        for (size_t i = 0; i < N_IGNORED; i++)
            sigaction(ignored[i], &ignored_before[i], NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(AIM_EXIT_SOFTWARE); /* aimeter gave up before starting us */
        execve(path, argv, envp);
        int e = errno;
        if (write(err[1], &e, sizeof e) < 0)
            _exit(AIM_EXIT_NOEXEC);
        _exit(e == ENOENT ? AIM_EXIT_NOTFOUND : AIM_EXIT_NOEXEC);
    }
    close(go[0]);
    close(err[1]);
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    *ret_go_fd = go[1];
    *ret_err_fd = err[0];
    return pid;
}

/* Lets the held child exec. A child already ended by a forwarded signal has closed its end:
 * that is EPIPE, not a reason for SIGPIPE to kill aimeter before the run is stored. */
static void release_child(pid_t pid, int go_fd) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n = write(go_fd, "g", 1);
    if (n < 0 && errno == EPIPE) {
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &zero); /* discard the pending SIGPIPE */
    } else if (n != 1) {
        kill(pid, SIGKILL);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(go_fd);
}

/* Releases the held child, then learns whether exec worked (said when it did not). */
static void start_child(pid_t pid, int go_fd, int err_fd, const char *name) {
    release_child(pid, go_fd);
    int exec_errno = 0;
    ssize_t n = read(err_fd, &exec_errno, sizeof exec_errno);
    close(err_fd);
    if (n == (ssize_t)sizeof exec_errno)
        cli_error("cannot run %s: %s", name, strerror(exec_errno));
}

static void format_energy(double j, char *buf, size_t size) {
    if (j >= 1e6)
        snprintf(buf, size, "%.2f MJ", j / 1e6);
    else if (j >= 1e3)
        snprintf(buf, size, "%.2f kJ", j / 1e3);
    else
        snprintf(buf, size, "%.1f J", j);
}

static void show_status(const aim_session *s) {
    aim_live l;
    aim_session_live(s, &l);
    char e[32], line[160];
    format_energy(l.energy_j, e, sizeof e);
    snprintf(line, sizeof line, "aimeter: %.1f s  %.1f W  %s  %llu samples%s",
             (double)l.elapsed_ns * 1e-9, l.power_w, e, (unsigned long long)l.samples,
             l.missed_deadlines ? "  (late)" : "");
    cli_status_show(line);
}

/* Waits until the child has exited, refreshing the status line a few times a second, but
 * does not reap it: as a zombie its /proc entry still holds its CPU time and that of the
 * children it reaped, which the session's last sample must see. Returns the wait status. */
static int wait_child_exit(pid_t pid, const aim_session *s, int live) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = -1;
    for (;;) {
        if (live)
            show_status(s);
        if (pidfd >= 0) {
            /* Without a status line there is nothing to do until the child exits. */
            struct pollfd p = { .fd = pidfd, .events = POLLIN };
            poll(&p, 1, live ? 250 : -1);
        }
        siginfo_t info;
        memset(&info, 0, sizeof info);
        int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT | (pidfd >= 0 ? WNOHANG : 0));
        if (r == 0 && info.si_pid == pid) {
            if (info.si_code == CLD_EXITED)
                status = W_EXITCODE(info.si_status, 0);
            else
                status = W_EXITCODE(0, info.si_status) | (info.si_code == CLD_DUMPED ? WCOREFLAG : 0);
            break;
        }
        if (r < 0 && errno != EINTR)
            break;
    }
    if (pidfd >= 0)
        close(pidfd);
    if (live)
        cli_status_clear();
    return status;
}

/* The report of the run in format (AIM_FORMAT_JSON, AIM_FORMAT_HTML) written to out. */
static int write_report(aim_store *store, const char *run_id, aim_format format, FILE *out,
                        const char *path) {
    char *text = NULL;
    int code = 0;
    int r = aim_report_render(store, run_id, format, &text);
    if (r < 0) {
        cli_error("could not render the %s report: %s", format == AIM_FORMAT_HTML ? "HTML" : "JSON",
                  aim_store_errmsg(store));
        code = AIM_EXIT_SOFTWARE;
    } else if (fputs(text, out) < 0 || fflush(out) != 0) {
        cli_error("writing %s: %s", cli_output_name(path), strerror(errno ? errno : EIO));
        code = AIM_EXIT_IOERR;
    }
    free(text);
    return code;
}

/* After the run: report on stderr, then --csv, --json and --html. */
static int finish_outputs(const char *run_id, const run_opts *o, FILE *csv, FILE *json,
                          FILE *html) {
    aim_store *store;
    int code = cli_open_store(o->db, &store);
    if (code)
        return code;
    char *text = NULL;
    int r = o->quiet >= 2 ? 0 : aim_report_render(store, run_id, AIM_FORMAT_TEXT, &text);
    if (r == 0) {
        if (text) /* -qq: the run is in the store, `aimeter report` shows it */
            fputs(text, stderr);
        free(text);
    } else {
        cli_error("could not render the report: %s", aim_store_errmsg(store));
        code = AIM_EXIT_SOFTWARE;
    }
    if (csv) {
        r = aim_export_csv(store, run_id, cli_fwrite_cb, csv);
        if (r < 0) {
            cli_error("writing %s: %s", cli_output_name(o->csv), aim_store_errmsg(store));
            code = AIM_EXIT_IOERR;
        } else if (cli_write_csv_columns(store, run_id, o->csv)) {
            code = AIM_EXIT_IOERR;
        }
    }
    int wrote = json ? write_report(store, run_id, AIM_FORMAT_JSON, json, o->json) : 0;
    code = wrote ? wrote : code;
    wrote = html ? write_report(store, run_id, AIM_FORMAT_HTML, html, o->html) : 0;
    code = wrote ? wrote : code;
    aim_store_free(store);
    return code;
}

static int parse_options(int argc, char **argv, aim_config *cfg, run_opts *o) {
    static const struct option longopts[] = {
        CLI_SESSION_LONGOPTS,
        { "csv", required_argument, NULL, 'c' },      { "json", required_argument, NULL, 'j' },
        { "html", required_argument, NULL, OPT_HTML },
        { "prometheus", required_argument, NULL, OPT_PROMETHEUS },
        { "web-config", required_argument, NULL, OPT_WEB_CONFIG },
        CLI_RETENTION_LONGOPTS,
        { "quiet", no_argument, NULL, 'q' },          { "help", no_argument, NULL, 'h' },
        { "idle", required_argument, NULL, 'W' },
        { "idle-baseline", required_argument, NULL, 'B' },
        { "embodied", no_argument, NULL, 'E' },
        { "keep-credentials", no_argument, NULL, 'K' },
        { "no-agent", no_argument, NULL, OPT_NO_AGENT },
        { NULL, 0, NULL, 0 },
    };
    int c;
    opterr = 0;
    /* The batch system's job id, unless --tag gives the tag itself (added later, it wins):
     * Slurm, PBS, Grid Engine. The first bad one is warned about. */
    static const char *const job_vars[][2] = {
        { "SLURM_JOB_ID", "slurm_job" }, { "PBS_JOBID", "pbs_job" }, { "JOB_ID", "sge_job" },
    };
    const char *job = NULL, *job_var = NULL;
    int bad_job = 0;
    for (size_t k = 0; k < sizeof job_vars / sizeof job_vars[0]; k++) {
        const char *v = getenv(job_vars[k][0]);
        if (v && *v && aim_config_add_tag(cfg, job_vars[k][1], v) < 0 && !bad_job) {
            bad_job = 1;
            job = v;
            job_var = job_vars[k][0];
        }
    }
    /* The job's coordinates (job, node, ranks, user): --tag, added after, wins. */
    aim_config_add_job_tags(cfg, "run");
    int li = -1;
    while ((c = getopt_long(argc, argv, "+i:n:t:qh", longopts, &li)) != -1) {
        /* Everything but the phase's name, -q, -K and --no-agent configures sampling here. */
        if (!o->own_opt[0] && c != 'n' && c != 'q' && c != 'K' && c != 'h' &&
            c != OPT_NO_AGENT && c != '?' && c != ':') {
            if (li >= 0)
                snprintf(o->own_opt, sizeof o->own_opt, "--%s", longopts[li].name);
            else
                snprintf(o->own_opt, sizeof o->own_opt, "-%c", c);
        }
        li = -1;
        switch (c) {
        case 'c': o->csv = optarg; break;
        case 'j': o->json = optarg; break;
        case OPT_HTML: o->html = optarg; break;
        case OPT_PROMETHEUS:
            if (cli_listen_parse("--prometheus", optarg, o->prom_addr, sizeof o->prom_addr,
                                 &o->prom_port))
                return AIM_EXIT_USAGE;
            break;
        case OPT_WEB_CONFIG: o->web_config = optarg; break;
        case 'W':
            if (aim_parse_duration(optarg, &o->idle_ns) < 0) {
                cli_error("bad --idle '%s': a duration such as 10s", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'B':
            if (aim_config_set_idle_baseline(cfg, optarg) < 0) {
                cli_error("bad --idle-baseline '%s': a run id, a prefix of one, or last", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'E': aim_config_set_embodied(cfg, 1); break;
        case 'q': o->quiet++; break;
        case 'K': o->keep_credentials = 1; break;
        case OPT_NO_AGENT: o->no_agent = 1; break;
        case 'h':
            fputs(run_usage, stdout);
            fputs(run_usage_more, stdout);
            return -1;
        default: {
            if (cli_retention_option(c, optarg, &o->retention))
                break;
            if (c == 'n')
                o->name = optarg;
            int r = cli_session_option("run", c, optarg, argv[optind - 1], cfg, &o->carbon,
                                       &o->db);
            if (r)
                return r;
            break;
        }
        }
    }
    if (cli_check_csv_output(o->db, "--csv", o->csv) || cli_check_output(o->db, "--json", o->json) ||
        cli_check_output(o->db, "--html", o->html))
        return AIM_EXIT_USAGE;
    /* NAME.csv's column list (NAME.columns.csv) is an output too */
    char columns[4096];
    int has_columns = o->csv && cli_csv_columns_path(o->csv, columns, sizeof columns) == 0;
    const char *const out_opts[] = { "--csv", "--csv's column list", "--json", "--html" };
    const char *const out_paths[] = { o->csv, has_columns ? columns : NULL, o->json, o->html };
    if (cli_check_distinct_outputs("run", 4, out_opts, out_paths))
        return AIM_EXIT_USAGE;
    if (bad_job && o->quiet < 2) /* said once -q is known */
        cli_warning("%s '%s' is not a valid tag value: not recorded", job_var, job);
    if (o->web_config && !o->prom_port) {
        cli_error("run: --web-config is for --prometheus, which is not given");
        return AIM_EXIT_USAGE;
    }
    int code = o->prom_port ? cli_http_check("--prometheus", o->prom_addr, o->web_config) : 0;
    if (code)
        return code;
    if (optind >= argc) {
        cli_error("run: no command given (usage: aimeter run [OPTIONS] -- COMMAND [ARGS...])");
        return AIM_EXIT_USAGE;
    }
    int bad = cli_retention_apply(cfg, &o->retention);
    return bad ? bad : cli_carbon_apply(&o->carbon, cfg);
}

/* A directory only this user can enter, for the control socket the command gets as
 * AIMETER_CONTROL (docs/control.md): $XDG_RUNTIME_DIR, else /tmp. Returns 0 and fills dir and
 * sock; -1 (with a warning) when none can be made: the run goes on without phases. */
/* --idle: the machine measured with nothing running for idle_ns, as a run of its own named
 * "idle baseline", before the command starts; its id becomes cfg's idle baseline. Returns 0
 * or an exit code (the error said). */
static int measure_idle(aim_config *cfg, int64_t idle_ns, int quiet) {
    aim_config *idle = NULL;
    aim_session *s = NULL;
    char *argv[] = { "(idle baseline)", NULL };
    if (aim_config_dup(cfg, &idle) < 0) {
        cli_error("idle baseline: out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    aim_config_set_name(idle, "idle baseline");
    aim_config_set_command(idle, argv);
    aim_config_set_target_pid(idle, 0);
    aim_config_set_control_socket(idle, NULL);
    aim_config_set_idle_baseline(idle, NULL);
    aim_config_set_embodied(idle, 0);
    aim_config_clear_tags(idle); /* the baseline is no member of the command's groups */
    int r = cli_session_open(idle, "idle baseline", &s);
    if (r)
        return r;
    if (!quiet)
        cli_warning("measuring the idle baseline for %.1f s (run %s) before the command",
                    (double)idle_ns / 1e9, aim_session_run_id(s));
    struct timespec ts = { (time_t)(idle_ns / 1000000000), (long)(idle_ns % 1000000000) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupts)
        ;
    int interrupted = interrupts > 0;
    r = aim_session_stop(s, interrupted ? AIM_RUN_INTERRUPTED : AIM_RUN_COMPLETED, 0);
    if (r == 0 && !interrupted)
        aim_config_set_idle_baseline(cfg, aim_session_run_id(s));
    if (r < 0)
        cli_error("idle baseline: %s", aim_session_errmsg(s));
    aim_session_free(s);
    if (interrupted)
        return 130; /* Ctrl-C before the command started: nothing to run */
    return r < 0 ? cli_session_exit_code(r) : 0;
}

static int make_control_path(char *dir, size_t dirsize, char *sock, size_t socksize) {
    /* A socket path has 107 bytes at most: a runtime directory too deep for one is passed
     * over for /tmp, and said when /tmp fails too. */
    const char *bases[] = { getenv("XDG_RUNTIME_DIR"), "/tmp" };
    char why[256] = "";
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        const char *base = bases[i];
        if (!base || !*base)
            continue;
        /* The PID in the name is what lets a later run tell a stale directory (control_dirs.c). */
        int n = snprintf(dir, dirsize, "%s/aimeter-%ld-XXXXXX", base, (long)getpid());
        if (n < 0 || (size_t)n >= dirsize || (size_t)n + strlen("/control") >= socksize) {
            aim__bappendf(why, sizeof why, "%s%.100s%s is too long for a "
                     "socket path (%zu bytes at most)", *why ? "; " : "", base,
                     strlen(base) > 100 ? "..." : "",
                     socksize - 1 - (size_t)(n - (int)strlen(base)) - strlen("/control"));
            continue;
        }
        cli_clean_stale_control_dirs(base); /* what runs killed with SIGKILL left there */
        if (!mkdtemp(dir)) {
            aim__bappendf(why, sizeof why, "%scannot create a directory "
                     "in %.100s: %s", *why ? "; " : "", base, strerror(errno));
            continue;
        }
        if (snprintf(sock, socksize, "%s/control", dir) >= (int)socksize) {
            rmdir(dir); /* cannot happen: the length was checked above */
            continue;
        }
        return 0;
    }
    cli_warning("no control socket (%s): phases, markers and records are not available", why);
    dir[0] = '\0';
    return -1;
}

/* The options only this aimeter's own run uses (outputs, the store, sources, sampling,
 * carbon, tags, retention): refused when the agent measures, none is silently ignored. */
static int refuse_when_joined(const run_opts *o) {
    if (!o->own_opt[0])
        return 0;
    cli_error("run: %s needs a run of this aimeter's own, but the node's agent measures this "
              "node; add --no-agent to sample here as well (docs/agent.md)", o->own_opt);
    return AIM_EXIT_USAGE;
}

/* COMMAND as a job of the node's agent, joined already (cli_join_begin): no sampling here,
 * the agent's figures over its time at the end (agent_join.h). Returns COMMAND's status. */
static int run_joined(cli_join *j, const char *path, char **child_argv, const run_opts *o) {
    cli_join jn = *j;
    int go_fd, err_fd;
    char **child_env = child_environment(o->keep_credentials);
    install_signals();
    pid_t pid = child_env ? spawn_held(path, child_argv, child_env, &go_fd, &err_fd) : -1;
    free(child_env);
    if (pid < 0) {
        cli_error("cannot start %s: %s", child_argv[0], strerror(errno));
        cli_join_end(&jn, 2);
        return AIM_EXIT_SOFTWARE;
    }
    start_child(pid, go_fd, err_fd, child_argv[0]);
    int status = wait_child_exit(pid, NULL, 0);
    waitpid(pid, NULL, 0);
    child_pid = 0;
    cli_join_end(&jn, o->quiet);
    if (status >= 0 && WIFEXITED(status))
        return WEXITSTATUS(status);
    if (status >= 0 && WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return AIM_EXIT_SOFTWARE;
}

int cmd_run(int argc, char **argv) {
    aim_config *cfg;
    if (aim_config_new(&cfg) < 0) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    run_opts o = { 0 };
    int code = parse_options(argc, argv, cfg, &o);
    if (code) {
        aim_config_free(cfg);
        return code < 0 ? 0 : code;
    }
    char **child_argv = argv + optind;
    char path[PATH_MAX];
    code = find_command(child_argv[0], path, sizeof path);
    if (code) {
        cli_error("%s: %s", child_argv[0],
                  code == AIM_EXIT_NOTFOUND ? "command not found" : "not executable");
        aim_config_free(cfg);
        return code;
    }
    char agent_sock[108];
    if (!o.no_agent && cli_agent_find(agent_sock, sizeof agent_sock)) {
        code = refuse_when_joined(&o);
        if (code) {
            aim_config_free(cfg);
            return code;
        }
        cli_join jn;
        const char *base = strrchr(child_argv[0], '/');
        if (cli_join_begin(&jn, agent_sock,
                           o.name ? o.name : base ? base + 1 : child_argv[0]) == 0) {
            aim_config_free(cfg); /* the agent's own settings apply */
            return run_joined(&jn, path, child_argv, &o);
        }
        /* It answered the ping, then not (stopping, restarting): the command still runs,
         * measured here (review of issue 14, finding 11). */
        if (o.quiet < 2)
            cli_warning("the agent at %s stopped answering; this run samples the node itself",
                        agent_sock);
    }
    /* Outputs are opened before anything runs: a typo in a path must not cost a training run. */
    FILE *csv = NULL, *json = NULL, *html = NULL;
    int csv_created = 0, json_created = 0, html_created = 0;
    if ((o.csv && !(csv = cli_output_open(o.csv, &csv_created))) ||
        (o.json && !(json = cli_output_open(o.json, &json_created))) ||
        (o.html && !(html = cli_output_open(o.html, &html_created)))) {
        cli_error("cannot write %s: %s",
                  o.csv && !csv ? o.csv : o.json && !json ? o.json : o.html, strerror(errno));
        cli_output_discard(csv, o.csv, csv_created);
        cli_output_discard(json, o.json, json_created);
        aim_config_free(cfg);
        return AIM_EXIT_CANTCREAT;
    }
    cli_install_log(o.quiet);
    if (o.idle_ns > 0) {
        install_signals(); /* Ctrl-C during the baseline stops it cleanly */
        int idle_code = measure_idle(cfg, o.idle_ns, o.quiet);
        if (idle_code) {
            cli_output_discard(csv, o.csv, csv_created);
            cli_output_discard(json, o.json, json_created);
            cli_output_discard(html, o.html, html_created);
            aim_config_free(cfg);
            return idle_code;
        }
    }
    aim_config_set_command(cfg, child_argv);
    char control_dir[108], control_sock[108];
    if (make_control_path(control_dir, sizeof control_dir, control_sock, sizeof control_sock) == 0 &&
        aim_config_set_control_socket(cfg, control_sock) == 0)
        setenv("AIMETER_CONTROL", control_sock, 1); /* inherited by the command */
    else
        unsetenv("AIMETER_CONTROL"); /* an outer run's socket is not this run's */

    int go_fd, err_fd;
    char **child_env = child_environment(o.keep_credentials);
    install_signals();
    pid_t pid = child_env ? spawn_held(path, child_argv, child_env, &go_fd, &err_fd) : -1;
    free(child_env); /* the child has its copy, or there is none */
    if (pid < 0) {
        cli_error("cannot start %s: %s", child_argv[0], strerror(errno));
        if (control_dir[0])
            rmdir(control_dir);
        cli_output_discard(csv, o.csv, csv_created);
        cli_output_discard(json, o.json, json_created);
        cli_output_discard(html, o.html, html_created);
        aim_config_free(cfg);
        return AIM_EXIT_SOFTWARE;
    }
    aim_config_set_target_pid(cfg, pid);

    aim_session *s;
    int r = cli_session_open(cfg, NULL, &s);
    /* /metrics before the command starts, so a scraper sees the whole run. */
    aim_metrics_server *metrics = NULL;
    int metrics_err = r == 0 && o.prom_port ?
        cli_start_http(s, "--prometheus", o.prom_addr, o.prom_port, o.web_config, &metrics) : 0;
    if (r || metrics_err) {
        close(go_fd); /* the held child exits without running the command */
        close(err_fd);
        waitpid(pid, NULL, 0);
        aim_session_free(s);
        if (control_dir[0])
            rmdir(control_dir);
        cli_output_discard(csv, o.csv, csv_created);
        cli_output_discard(json, o.json, json_created);
        cli_output_discard(html, o.html, html_created);
        return r ? r : metrics_err;
    }
    cli_output_truncate(csv);
    cli_output_truncate(json);
    cli_output_truncate(html);

    start_child(pid, go_fd, err_fd, child_argv[0]);

    int live = o.quiet == 0 && isatty(STDERR_FILENO);
    int status = wait_child_exit(pid, s, live);

    int exit_code;
    aim_run_status run_status;
    if (status >= 0 && WIFEXITED(status)) {
        exit_code = WEXITSTATUS(status);
        run_status = exit_code == 0 ? AIM_RUN_COMPLETED : AIM_RUN_FAILED;
    } else if (status >= 0 && WIFSIGNALED(status)) {
        exit_code = 128 + WTERMSIG(status);
        run_status = AIM_RUN_FAILED;
    } else {
        exit_code = AIM_EXIT_SOFTWARE;
        run_status = AIM_RUN_FAILED;
    }
    if (interrupts)
        run_status = AIM_RUN_INTERRUPTED;

    r = aim_session_stop(s, run_status, exit_code);
    if (r < 0)
        cli_error("%s", aim_session_errmsg(s));
    aim_metrics_server_stop(metrics); /* it served the final figures until now */
    /* Measured, but the store does not hold all of it: scripts must not take the stored run
     * for the whole one (the report says what is missing and COMMAND's own status). */
    int store_incomplete = r < 0;
    waitpid(pid, NULL, 0); /* reap only now: the last sample has read the zombie */
    child_pid = 0;
    char run_id[64];
    snprintf(run_id, sizeof run_id, "%s", aim_session_run_id(s));
    /* A server that could not be reached: the run is in the spool (a warning said so), and
     * the report is read from there. */
    char spooled[4096] = "";
    if (aim_session_spool_pending(s))
        snprintf(spooled, sizeof spooled, "%s", aim_session_spool_pending(s));
    if (spooled[0])
        o.db = spooled;
    aim_session_free(s);
    if (control_dir[0])
        rmdir(control_dir); /* the socket in it went with the session */

    int out = finish_outputs(run_id, &o, csv, json, html);
    out |= cli_output_close(csv, o.csv, out != 0);
    out |= cli_output_close(json, o.json, out != 0);
    out |= cli_output_close(html, o.html, out != 0);
    (void)out; /* output problems were reported; the command's status is what scripts need */
    return store_incomplete ? AIM_EXIT_IOERR : exit_code;
}
