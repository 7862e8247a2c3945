/* aimeter serve: the UI and the store's JSON API (docs/http-api.md) until SIGINT or SIGTERM;
 * read-only unless --allow-import. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Not 10425, the agent's: both run on one machine (docs/decisions.md). */
#define SERVE_PORT 10426

static const char serve_usage[] =
    "Usage: aimeter serve [--listen [ADDR:]PORT] [--db STORE] [--web-config FILE]\n"
    "                     [--allow-import]\n"
    "\n"
    "Serves the store's runs to a browser (the UI at /) and as a JSON API (/api/...,\n"
    "docs/http-api.md) until SIGINT or SIGTERM, and prints the UI's URL. Read-only unless\n"
    "--allow-import.\n"
    "      --listen [ADDR:]PORT  where to listen (default 127.0.0.1:10426); an address\n"
    "                            other than loopback needs --web-config with credentials\n"
    "      --db STORE            store to read (default: the default store)\n"
    "      --web-config FILE     TLS and credentials (docs/cli.md, as for --prometheus)\n"
    "      --allow-import        open the store read-write and let POST /api/profiles\n"
    "                            store imported profiles\n"
    "  -h, --help                this help\n"
    "\n"
    "Exit: 0 after SIGINT or SIGTERM, 64 usage, 65 a bad web-config file, 66 no store or\n"
    "web-config file, 69 the port cannot be served.\n";

static volatile sig_atomic_t stop;

static void on_stop(int sig) {
    (void)sig;
    stop = 1;
}

int cmd_serve(int argc, char **argv) {
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' }, { "db", required_argument, NULL, 'd' },
        { "web-config", required_argument, NULL, 'w' }, { "help", no_argument, NULL, 'h' },
        { "allow-import", no_argument, NULL, 'i' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *web_config = NULL;
    char addr[64] = "127.0.0.1";
    unsigned port = SERVE_PORT, flags = 0;
    int c, code;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if ((code = cli_listen_parse("--listen", optarg, addr, sizeof addr, &port)) != 0)
                return code;
            break;
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'w': web_config = optarg; break;
        case 'i': flags |= AIM_API_SERVER_ALLOW_IMPORT; break;
        case 'h': fputs(serve_usage, stdout); return 0;
        default: return cli_bad_option("serve", argv);
        }
    }
    if (optind < argc) {
        cli_error("serve: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if ((code = cli_http_check("--listen", addr, web_config)) != 0)
        return code;
    cli_stop_signals(on_stop);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old); /* until sigsuspend: no signal lost in between */
    aim_api_server *srv;
    aim_error e;
    int r = aim_api_server_start(db, addr, port, web_config, flags, &e, &srv);
    if (r < 0) {
        cli_error("serve: %s", e.message);
        return r == -EADDRINUSE || r == -EACCES || r == -EOPNOTSUPP ? AIM_EXIT_UNAVAILABLE
               : r == -ENOENT                                    ? AIM_EXIT_NOINPUT
               /* the store's name: an unknown scheme, a password in a URL; its server down */
               : r == -EPROTONOSUPPORT || r == -EINVAL || r == -ECONNREFUSED
                   ? cli_store_open_exit_code(r)
                   : AIM_EXIT_DATAERR;
    }
    int tls = 0;
    if (web_config)
        aim_web_config_check(web_config, NULL, &tls, NULL);
    int v6 = strchr(addr, ':') != NULL;
    printf("aimeter serve: %s://%s%s%s:%u/\n", tls ? "https" : "http", v6 ? "[" : "",
           addr, v6 ? "]" : "", port);
    fflush(stdout);
    while (!stop)
        sigsuspend(&old); /* the server answers in its own thread */
    aim_api_server_stop(srv);
    return 0;
}
