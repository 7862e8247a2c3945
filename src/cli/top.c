/* aimeter top: fetches a serving aimeter's GET /api/live every interval and shows it, in
 * curses on a terminal, else as plain blocks of lines (top.h). */
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

/* run --prometheus's port (docs/cli.md, "Live metrics"). */
#define TOP_DEFAULT_URL "http://127.0.0.1:10425/api/live"

static const char top_usage[] =
    "Usage: aimeter top [ADDR:PORT | PORT | URL] [--interval DUR] [--sort KEY] [--plain | --once]\n"
    "\n"
    "A live view of a running `aimeter run --prometheus` (its GET /api/live): each device's\n"
    "power with its history, energy so far, carbon and its rate, the busiest metrics, the\n"
    "runs in progress. Default: 127.0.0.1:10425. It never reads the hardware itself.\n"
    "  -i, --interval DUR  refresh every DUR (default 1s; 100ms to 1h)\n"
    "      --sort KEY      devices by power (default), energy or name\n"
    "      --plain         plain lines, one block per refresh (also when standard output\n"
    "                      is not a terminal)\n"
    "      --once          one block of plain lines, then exit\n"
    "  -h, --help          this help\n"
    "\n"
    "Keys: d devices, m metrics, r runs (Tab: the next view), s sort, p pause, ? help, q quit.\n"
    "Exit: 0; 64 bad option; 69 the endpoint cannot be reached or sends no live snapshot\n"
    "(the terminal view shows the error and retries instead).\n";

typedef struct top_source {
    char url[512];
    int failed; /* the last fetch failed */
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

/* One fetch into m; "" in status or what failed. */
static void fetch(void *ctx, top_model *m, char *status, size_t status_len) {
    top_source *src = ctx;
    char *body = NULL, err[256];
    aim_error e;
    int r = aim_live_fetch(src->url, 3000000000LL, &body, &e);
    if (r == 0) {
        r = top_model_update(m, body, strlen(body), err, sizeof err);
        if (r < 0)
            snprintf(status, status_len, "%s: %s", src->url, err);
        free(body);
    } else {
        snprintf(status, status_len, "%s", e.message);
    }
    src->failed = r < 0;
    if (r == 0)
        status[0] = '\0';
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
        fetch(src, m, status, sizeof status);
        if (src->failed) {
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

int cmd_top(int argc, char **argv) {
    enum { OPT_PLAIN = 256, OPT_ONCE, OPT_SORT };
    static const struct option longopts[] = {
        { "interval", required_argument, NULL, 'i' }, { "plain", no_argument, NULL, OPT_PLAIN },
        { "once", no_argument, NULL, OPT_ONCE }, { "sort", required_argument, NULL, OPT_SORT },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int64_t interval_ns = 1000000000LL;
    int plain = 0, once = 0, c;
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
        case 'h': fputs(top_usage, stdout); return 0;
        default: return cli_bad_option("top", argv);
        }
    }
    if (argc - optind > 1) {
        cli_error("top: one address at most");
        return AIM_EXIT_USAGE;
    }
    top_source src = { .failed = 0 };
    int code = source_url(optind < argc ? argv[optind] : NULL, src.url, sizeof src.url);
    if (code)
        return code;
    s.source = src.url;
    s.utf8 = utf8_locale();
    top_model m = { .have = 0 };
    if (!plain && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
        s.status = "";
        int r = top_curses_run(fetch, &src, &m, &s, (int)(interval_ns / 1000000));
        if (r == 0) {
            top_model_clear(&m);
            return 0;
        }
        /* No usable terminal description: plain lines instead. */
    }
    code = plain_loop(&src, &m, &s, interval_ns, once);
    top_model_clear(&m);
    return code;
}
