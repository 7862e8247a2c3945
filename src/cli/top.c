/* aimeter top: fetches a serving aimeter's GET /api/live every interval and shows it, in
 * curses on a terminal, else as plain blocks of lines (top.h). */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/top.h"
#include "util/fileio.h"

/* run --prometheus's port (docs/cli.md, "Live metrics"). */
#define TOP_DEFAULT_URL "http://127.0.0.1:10425/api/live"

/* A request that takes longer fails (and the terminal view retries): long enough for a
 * TLS handshake across a slow link; keys never wait for it (top_curses.c). */
#define TOP_FETCH_TIMEOUT_NS 10000000000LL

static const char top_usage[] =
    "Usage: aimeter top [ADDR:PORT | PORT | URL] [--interval DUR] [--sort KEY] [--plain | --once]\n"
    "                   [--bearer-file FILE | --user NAME --password-file FILE] [--cacert FILE]\n"
    "\n"
    "A live view of a running `aimeter run --prometheus` or `aimeter agent` (its GET\n"
    "/api/live): each device's power with its history, energy so far, carbon and its rate,\n"
    "the busiest metrics, the runs in progress. Default: 127.0.0.1:10425. It never reads the\n"
    "hardware itself. Plain http only to a loopback address; https to any host.\n"
    "  -i, --interval DUR     refresh every DUR (default 1s; 100ms to 1h)\n"
    "      --sort KEY         devices by power (default), energy or name\n"
    "      --plain            plain lines, one block per refresh (also when standard output\n"
    "                         is not a terminal)\n"
    "      --once             one block of plain lines, then exit\n"
    "      --bearer-file FILE send the bearer token in FILE (a server with --web-config)\n"
    "      --user NAME        HTTP basic auth as NAME, with the password in\n"
    "      --password-file FILE\n"
    "      --cacert FILE      verify the https server with the PEM certificates in FILE (a\n"
    "                         self-signed one) instead of the system's\n"
    "  -h, --help             this help\n"
    "\n"
    "Keys: d devices, m metrics, r runs (Tab: the next view), s sort, p pause, ? help, q quit.\n"
    "Exit: 0 (q); 64 bad option; 65 a secret file that is not one line; 66 a file that cannot\n"
    "be read; 69 the endpoint cannot be reached, refuses the credentials or sends no live\n"
    "snapshot (the terminal view shows the error and retries instead); 128+N after signal N\n"
    "(SIGINT 130, SIGTERM 143, SIGHUP 129), the terminal restored.\n";

typedef struct top_source {
    char url[512];
    char token[4097], user[256], password[1025]; /* "" when not given; wiped at the end */
    const char *cacert;
} top_source;

/* [ADDR:PORT | PORT | URL] -> the URL of /api/live. */
static int source_url(const char *arg, char *url, size_t size) {
    int n;
    if (!arg)
        n = snprintf(url, size, "%s", TOP_DEFAULT_URL);
    else if (strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) == 0)
        n = snprintf(url, size, "%s%s", arg, strchr(strstr(arg, "://") + 3, '/') ? "" : "/api/live");
    else if (*arg && strspn(arg, "0123456789") == strlen(arg))
        n = snprintf(url, size, "http://127.0.0.1:%s/api/live", arg);
    else if (*arg && !strpbrk(arg, "/?# "))
        n = snprintf(url, size, "http://%s/api/live", arg);
    else
        n = -1;
    if (n < 0 || (size_t)n >= size) {
        cli_error("top: bad address '%s': ADDR:PORT, PORT or an http(s) URL", arg ? arg : "");
        return AIM_EXIT_USAGE;
    }
    return 0;
}

/* One GET of the snapshot (top_fetch_fn). */
static int fetch(void *ctx, const atomic_int *cancel, char **ret_body, char *status,
                 size_t status_len) {
    const top_source *src = ctx;
    aim_error e;
    aim_live_fetch_options o = {
        .url = src->url, .timeout_ns = TOP_FETCH_TIMEOUT_NS,
        .bearer_token = src->token[0] ? src->token : NULL,
        .username = src->user[0] ? src->user : NULL, .password = src->password,
        .ca_file = src->cacert, .cancel = (const int *)cancel,
    };
    int r = aim_live_fetch_with(&o, ret_body, &e);
    if (r < 0)
        snprintf(status, status_len, "%s", e.message);
    return r;
}

/* A secret from a file (never from the command line, where `ps` shows it): its one line,
 * the trailing newline left out. 0, or the exit code after one line on stderr. */
static int read_secret(const char *opt, const char *path, char *buf, size_t size) {
    int n = aim__read_text(path, buf, size);
    if (n == -ENOBUFS) {
        cli_error("top: %s '%s': longer than %zu bytes", opt, path, size - 1);
        return AIM_EXIT_DATAERR;
    }
    if (n < 0) {
        cli_error("top: %s '%s': %s", opt, path, strerror(-n));
        return AIM_EXIT_NOINPUT;
    }
    for (int i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
            cli_error("top: %s '%s': not one line of text", opt, path);
            return AIM_EXIT_DATAERR;
        }
    if (n == 0) {
        cli_error("top: %s '%s': empty", opt, path);
        return AIM_EXIT_DATAERR;
    }
    return 0;
}

static int utf8_locale(void) {
    /* LC_CTYPE only: numbers stay in the C locale (docs/decisions.md). */
    setlocale(LC_CTYPE, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static int plain_loop(top_source *src, top_model *m, top_screen *s, int64_t interval_ns,
                      int once) {
    char status[512];
    for (;;) {
        char *body = NULL;
        int r = fetch(src, NULL, &body, status, sizeof status);
        if (r == 0)
            r = top_model_apply(m, src->url, body, status, sizeof status);
        if (r < 0) {
            cli_error("top: %s", status);
            return AIM_EXIT_UNAVAILABLE;
        }
        aim_strbuf b = AIM_STRBUF_INIT;
        top_layout_plain(m, s, &b);
        if (b.err) {
            aim__strbuf_free(&b);
            cli_error("top: out of memory");
            return AIM_EXIT_SOFTWARE;
        }
        fwrite(b.data, 1, b.len, stdout);
        aim__strbuf_free(&b);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("top: cannot write to standard output");
            return AIM_EXIT_IOERR;
        }
        if (once)
            return 0;
        struct timespec ts = { (time_t)(interval_ns / 1000000000),
                               (long)(interval_ns % 1000000000) };
        nanosleep(&ts, NULL);
    }
}

/* The view until q or a signal (curses), or the plain blocks: the exit code. */
static int top_main(top_source *src, top_screen *s, int64_t interval_ns, int plain, int once) {
    s->source = src->url;
    s->utf8 = utf8_locale();
    top_model m = { .have = 0 };
    if (!plain && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
        s->status = "";
        int sig = 0;
        int r = top_curses_run(fetch, src, &m, s, (int)(interval_ns / 1000000), &sig);
        if (r == 0) {
            top_model_clear(&m);
            return sig ? 128 + sig : 0; /* as a shell reports a command a signal ended */
        }
        /* No usable terminal description: plain lines instead. */
    }
    int code = plain_loop(src, &m, s, interval_ns, once);
    top_model_clear(&m);
    return code;
}

int cmd_top(int argc, char **argv) {
    enum { OPT_PLAIN = 256, OPT_ONCE, OPT_SORT, OPT_BEARER, OPT_USER, OPT_PASSWORD, OPT_CACERT };
    static const struct option longopts[] = {
        { "interval", required_argument, NULL, 'i' }, { "plain", no_argument, NULL, OPT_PLAIN },
        { "once", no_argument, NULL, OPT_ONCE }, { "sort", required_argument, NULL, OPT_SORT },
        { "bearer-file", required_argument, NULL, OPT_BEARER },
        { "user", required_argument, NULL, OPT_USER },
        { "password-file", required_argument, NULL, OPT_PASSWORD },
        { "cacert", required_argument, NULL, OPT_CACERT },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int64_t interval_ns = 1000000000LL;
    int plain = 0, once = 0, c;
    const char *bearer_file = NULL, *password_file = NULL, *user = NULL, *cacert = NULL;
    top_screen s = { .sort = TOP_SORT_POWER };
    opterr = 0;
    while ((c = getopt_long(argc, argv, "i:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (aim_parse_duration(optarg, &interval_ns) < 0 || interval_ns < 100000000LL ||
                interval_ns > 3600000000000LL) {
                cli_error("top: bad --interval '%s': a duration from 100ms to 1h", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case OPT_PLAIN: plain = 1; break;
        case OPT_ONCE: once = plain = 1; break;
        case OPT_SORT: {
            int found = 0;
            for (int k = 0; k < TOP_SORT__COUNT && !found; k++)
                if (strcmp(optarg, top_sort_name((top_sort)k)) == 0) {
                    s.sort = (top_sort)k;
                    found = 1;
                }
            if (!found) {
                cli_error("top: bad --sort '%s': power, energy or name", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        }
        case OPT_BEARER: bearer_file = optarg; break;
        case OPT_USER: user = optarg; break;
        case OPT_PASSWORD: password_file = optarg; break;
        case OPT_CACERT: cacert = optarg; break;
        case 'h': fputs(top_usage, stdout); return 0;
        default: return cli_bad_option("top", argv);
        }
    }
    if (argc - optind > 1) {
        cli_error("top: one address at most");
        return AIM_EXIT_USAGE;
    }
    if (!user != !password_file) {
        cli_error("top: --user and --password-file go together");
        return AIM_EXIT_USAGE;
    }
    if (user && bearer_file) {
        cli_error("top: --bearer-file or --user, not both");
        return AIM_EXIT_USAGE;
    }
    if (user && (!*user || strlen(user) >= 256 || strpbrk(user, ":\r\n"))) {
        cli_error("top: bad --user: 1-255 characters, no ':'");
        return AIM_EXIT_USAGE;
    }
    static top_source src; /* static: the secrets stay off the stack's reused pages */
    memset(&src, 0, sizeof src);
    int code = source_url(optind < argc ? argv[optind] : NULL, src.url, sizeof src.url);
    if (!code && cacert && access(cacert, R_OK) != 0) {
        cli_error("top: --cacert '%s': %s", cacert, strerror(errno));
        code = AIM_EXIT_NOINPUT;
    }
    src.cacert = cacert;
    if (!code && bearer_file)
        code = read_secret("--bearer-file", bearer_file, src.token, sizeof src.token);
    if (!code && password_file)
        code = read_secret("--password-file", password_file, src.password, sizeof src.password);
    if (!code && user)
        snprintf(src.user, sizeof src.user, "%s", user);
    if (!code)
        code = top_main(&src, &s, interval_ns, plain, once);
    explicit_bzero(&src, sizeof src);
    return code;
}
