/* aimeter agent: one session for as long as the node runs (docs/agent.md). It samples at its
 * interval, stores one run, serves /metrics and takes the node's jobs' phases, marks and
 * records on a control socket every local user can reach, until SIGTERM or SIGINT ends the
 * run cleanly. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/session_opts.h"

static const char agent_usage[] =
    "Usage: aimeter agent [OPTIONS]\n"
    "\n"
    "Runs until SIGTERM or SIGINT: samples this node at its interval into one stored run,\n"
    "serves /metrics, and takes phases, markers and records from the node's jobs on a control\n"
    "socket, each kept under its job (SLURM_JOB_ID, PBS_JOBID, JOB_ID or AIMETER_JOB of the\n"
    "sender). `aimeter run` on the node then joins the agent instead of sampling twice.\n"
    "\n"
    "  -i, --interval DURATION  sampling interval (default 1s; at least 1ms)\n"
    "  -n, --name NAME          name of the agent's run (default: agent)\n"
    "      --db PATH            store (default $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db)\n"
    "      --spool PATH         with a postgresql:// store: the local file the run is written\n"
    "                           to and uploaded from (default $STATE_DIRECTORY/spool.db under\n"
    "                           systemd, else $XDG_DATA_HOME/aimeter/spool.db)\n"
    "      --upload-interval DURATION  time between uploads to the server (default 5s)\n"
    "      --listen [ADDR:]PORT  serve /metrics there (default 10425, on 127.0.0.1 unless ADDR;\n"
    "                           another than loopback needs credentials from --web-config)\n"
    "      --web-config FILE    TLS and credentials for --listen: exporter-toolkit's\n"
    "                           web-config file (bcrypt hashes; docs/cli.md)\n"
    "      --no-listen          do not serve /metrics\n"
    "      --socket PATH        the control socket (default $AIMETER_AGENT_SOCKET, else\n"
    "                           /run/aimeter/agent.sock when /run/aimeter is writable, else\n"
    "                           $XDG_RUNTIME_DIR/aimeter/agent.sock)\n"
    "      --sources LIST       comma-separated sources (default: all; see aimeter devices)\n"
    "      --gpus LIST          GPUs to measure: indices or UUIDs (default: all)\n"
    "      --metrics SET        GPU metrics: basic, full, or a list of metric keys\n"
    "      --dcgm-host ADDR     use a running nv-hostengine (host[:port] or socket path)\n"
    "      --zone CODE, --cloud PROVIDER:REGION, --intensity G, --intensity-file FILE,\n"
    "      --pue X, --price PRICE, --currency C, --price-file FILE, --provider P,\n"
    "      --provider-region R, --lat X --lon Y, --marginal\n"
    "                           carbon and cost, as for aimeter run\n"
    "      --retain DURATION    delete samples older than DURATION (7d, 12h) as the agent\n"
    "                           runs; totals stay exact (docs/retention.md; default: keep all)\n"
    "      --downsample-after DURATION  keep samples older than DURATION as means, one per\n"
    "                           --downsample-step (default 1m); default 1h when --retain\n"
    "                           is longer, off: never\n"
    "  -t, --tag KEY=VALUE      tag the agent's run (repeatable)\n"
    "  -q, --quiet              no start and stop lines (-qq: no warnings either)\n"
    "  -h, --help               this help\n"
    "\n"
    "Exit: 0 after SIGTERM or SIGINT, 64 usage, 69 another agent answers on the socket or the\n"
    "port cannot be bound, 73 the socket cannot be created. See docs/agent.md.\n";

enum { OPT_LISTEN = 1200, OPT_NO_LISTEN, OPT_SOCKET, OPT_WEB_CONFIG };

#define AGENT_PORT 10425 /* aimeter's port (docs/cli.md, "Live metrics") */

typedef struct agent_opts {
    const char *db;
    const char *socket;
    const char *web_config; /* --web-config: TLS and credentials for --listen; NULL: none */
    char addr[64];
    unsigned port;        /* 0: --no-listen */
    int quiet;
    cli_carbon_opts carbon;
    cli_retention retention; /* --retain, --downsample-after, --downsample-step */
} agent_opts;

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
    (void)sig;
    stop_requested = 1;
}

static int parse_options(int argc, char **argv, aim_config *cfg, agent_opts *o) {
    static const struct option longopts[] = {
        CLI_SESSION_LONGOPTS,
        { "listen", required_argument, NULL, OPT_LISTEN },
        { "no-listen", no_argument, NULL, OPT_NO_LISTEN },
        { "socket", required_argument, NULL, OPT_SOCKET },
        { "web-config", required_argument, NULL, OPT_WEB_CONFIG },
        CLI_RETENTION_LONGOPTS,
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+i:n:t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            if (cli_listen_parse("--listen", optarg, o->addr, sizeof o->addr, &o->port))
                return AIM_EXIT_USAGE;
            break;
        case OPT_WEB_CONFIG: o->web_config = optarg; break;
        case OPT_NO_LISTEN: o->port = 0; break;
        case OPT_SOCKET:
            if (!*optarg || strlen(optarg) >= sizeof ((struct sockaddr_un *)0)->sun_path) {
                cli_error("bad --socket '%s': a path of 1 to 107 bytes", optarg);
                return AIM_EXIT_USAGE;
            }
            o->socket = optarg;
            break;
        case 'q': o->quiet++; break;
        case 'h': fputs(agent_usage, stdout); return -1;
        default: {
            if (cli_retention_option(c, optarg, &o->retention))
                break;
            int r = cli_session_option("agent", c, optarg, argv[optind - 1], cfg, &o->carbon,
                                       &o->db);
            if (r)
                return r;
            break;
        }
        }
    }
    if (optind < argc) {
        cli_error("agent: unexpected argument '%s' (see aimeter agent --help)", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if (o->web_config && !o->port) {
        cli_error("agent: --web-config is for --listen, and --no-listen is given");
        return AIM_EXIT_USAGE;
    }
    /* the file and the address are checked before anything is sampled */
    int code = o->port ? cli_http_check("--listen", o->addr, o->web_config) : 0;
    if (code || (code = cli_retention_apply(cfg, &o->retention)))
        return code;
    return cli_carbon_apply(&o->carbon, cfg);
}

/* Makes the socket's place ready: its directory (the last component only, mode 0755 so that
 * every local user can reach the socket in it), and no stale socket of a dead agent in the
 * way. 0, or an exit code (said). */
static int claim_socket(const char *path) {
    char dir[108];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            cli_error("agent: cannot create %s for the control socket: %s", dir, strerror(errno));
            return AIM_EXIT_CANTCREAT;
        }
    }
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        cli_error("agent: %s exists and is not a socket; not removing it", path);
        return AIM_EXIT_CANTCREAT;
    }
    int r = aim_control_send(path, "ping", NULL, 0);
    if (r == 0 || r == -EBADMSG || r == -EPROTO) {
        cli_error("agent: another agent answers on %s (stop it first, or give --socket)", path);
        return AIM_EXIT_UNAVAILABLE;
    }
    if (unlink(path) < 0) { /* nobody listens: a dead agent's socket */
        cli_error("agent: cannot remove the stale socket %s: %s", path, strerror(errno));
        return AIM_EXIT_CANTCREAT;
    }
    return 0;
}

int cmd_agent(int argc, char **argv) {
    aim_config *cfg;
    if (aim_config_new(&cfg) < 0) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    /* An always-on agent: a second is what node exporters sample at; --interval for more. */
    aim_config_set_interval(cfg, 1000000000LL);
    aim_config_set_name(cfg, "agent");
    agent_opts o = { .port = AGENT_PORT };
    snprintf(o.addr, sizeof o.addr, "127.0.0.1");
    int code = parse_options(argc, argv, cfg, &o);
    if (code) {
        aim_config_free(cfg);
        return code < 0 ? 0 : code;
    }
    char sock[108];
    if (o.socket) {
        snprintf(sock, sizeof sock, "%s", o.socket);
    } else if (aim_agent_socket_path(1, sock, sizeof sock) < 0) {
        cli_error("agent: no place for the control socket: /run/aimeter is not writable and "
                  "XDG_RUNTIME_DIR is not set (give --socket PATH)");
        aim_config_free(cfg);
        return AIM_EXIT_USAGE;
    }
    cli_install_log(o.quiet);
    if ((code = claim_socket(sock)) != 0) {
        aim_config_free(cfg);
        return code;
    }
    char *cmd[] = { "aimeter agent", NULL };
    aim_config_set_command(cfg, cmd);
    aim_config_set_agent(cfg, 1);
    aim_config_set_control_socket(cfg, sock);

    cli_stop_signals(on_stop);

    aim_session *s;
    int r = cli_session_open(cfg, "agent", &s);
    if (r)
        return r;
    aim_metrics_server *metrics = NULL;
    int served = o.port ? cli_start_http(s, "--listen", o.addr, o.port, o.web_config, &metrics) : 0;
    if (served) {
        aim_session_stop(s, AIM_RUN_FAILED, 0);
        aim_session_free(s);
        return served;
    }
    if (!o.quiet) {
        char where[160] = "";
        if (o.port)
            snprintf(where, sizeof where, ", /metrics on http://%s%s%s:%u/metrics",
                     strchr(o.addr, ':') ? "[" : "", o.addr, strchr(o.addr, ':') ? "]" : "",
                     o.port);
        fprintf(stderr, "aimeter agent: run %s, control socket %s%s\n", aim_session_run_id(s),
                sock, where);
    }
    /* The session samples and publishes on its own threads (an agent's snapshot is kept
     * fresh for its jobs by the writer); this thread only waits for SIGTERM or SIGINT. */
    while (!stop_requested) {
        struct timespec ts = { 0, 250000000L };
        nanosleep(&ts, NULL);
    }
    r = aim_session_stop(s, AIM_RUN_COMPLETED, 0);
    aim_metrics_server_stop(metrics);
    if (r < 0)
        cli_error("agent: %s", aim_session_errmsg(s));
    else if (!o.quiet)
        fprintf(stderr, "aimeter agent: stopped; run %s stored\n", aim_session_run_id(s));
    aim_session_free(s);
    return r < 0 ? AIM_EXIT_IOERR : 0;
}
