/* aimeter forecast [RUN] --epochs N: energy, time and carbon to N epochs, extrapolated by
 * least squares from the run's completed epochs, with prediction intervals; --live follows a
 * running run and refreshes the forecast as epochs complete. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static const char forecast_usage[] =
    "Usage: aimeter forecast [RUN] --epochs N [--phase NAME] [--skip K] [--live] [--json]\n"
    "       aimeter forecast [RUN] --until 'phase NAME ends' --count N ...\n"
    "\n"
    "Fits a straight line (least squares) to the energy and the duration of RUN's completed\n"
    "epochs against their number, and extrapolates energy, time, carbon and cost to N epochs,\n"
    "with 95 % prediction intervals. Epochs are the instances of phase NAME (default 'epoch'):\n"
    "phases named 'epoch 1', 'epoch 2', ... (numbered), or every instance of a phase called\n"
    "'epoch' in order. RUN defaults to the last run; it may still be running.\n"
    "\n"
    "  -e, --epochs N      forecast to the end of the N-th instance\n"
    "  -p, --phase NAME    the repeated phase (default: epoch)\n"
    "      --until 'phase NAME ends'  the same as --phase NAME, with --count N: when the N-th\n"
    "                      instance of NAME ends\n"
    "  -c, --count N       the same as --epochs N\n"
    "      --skip K        leave the first K completed instances out of the fit (warm-up)\n"
    "      --live          follow a running run: a new forecast each time an instance\n"
    "                      completes (checked every --every, default 2s) until the run ends\n"
    "      --every DURATION  how often --live looks (default 2s)\n"
    "  -f, --format FMT    text (default) or json (schema aimeter.forecast/1)\n"
    "      --json          the same as --format json\n"
    "      --db PATH       store to read\n"
    "  -h, --help          this help\n";

enum { OPT_UNTIL = 1000, OPT_SKIP, OPT_LIVE, OPT_EVERY };

static int parse_count(const char *s, uint64_t *ret) {
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+')
        return -EINVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s)
        return -EINVAL;
    *ret = v;
    return 0;
}

/* "phase NAME ends" -> NAME (quotes around NAME allowed). The name is copied into out. */
static int parse_until(const char *s, char *out, size_t len) {
    const char *pre = "phase ", *post = " ends";
    size_t n = strlen(s), pl = strlen(pre), sl = strlen(post);
    if (n <= pl + sl || strncmp(s, pre, pl) != 0 || strcmp(s + n - sl, post) != 0)
        return -EINVAL;
    const char *name = s + pl;
    size_t nl = n - pl - sl;
    if (nl >= 2 && (name[0] == '\'' || name[0] == '"') && name[nl - 1] == name[0]) {
        name++;
        nl -= 2;
    }
    if (nl == 0 || nl >= len)
        return -EINVAL;
    memcpy(out, name, nl);
    out[nl] = '\0';
    return 0;
}

static int exit_code_of(int r) {
    switch (-r) {
    case EINVAL:
    case ERANGE: return AIM_EXIT_USAGE;
    case ENOENT: return AIM_EXIT_NOINPUT;
    case ENODATA:
    case EBADMSG: return AIM_EXIT_DATAERR;
    default: return cli_store_exit_code(r);
    }
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int cmd_forecast(int argc, char **argv) {
    static const struct option longopts[] = {
        { "epochs", required_argument, NULL, 'e' }, { "count", required_argument, NULL, 'c' },
        { "phase", required_argument, NULL, 'p' },  { "until", required_argument, NULL, OPT_UNTIL },
        { "skip", required_argument, NULL, OPT_SKIP }, { "live", no_argument, NULL, OPT_LIVE },
        { "every", required_argument, NULL, OPT_EVERY },
        { "format", required_argument, NULL, 'f' }, { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },     { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL;
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON };
    aim_format format = AIM_FORMAT_TEXT;
    char until[160] = "";
    aim_forecast_request req = { 0 };
    int live = 0, c;
    int64_t every_ns = 2000000000;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "e:c:p:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
        case 'c':
            if (parse_count(optarg, &req.target) < 0 || req.target < 1) {
                cli_error("forecast: bad --%s '%s': a positive whole number",
                          c == 'e' ? "epochs" : "count", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'p': req.phase = optarg; break;
        case OPT_UNTIL:
            if (parse_until(optarg, until, sizeof until) < 0) {
                cli_error("forecast: bad --until '%s': write it 'phase NAME ends'", optarg);
                return AIM_EXIT_USAGE;
            }
            req.phase = until;
            break;
        case OPT_SKIP:
            if (parse_count(optarg, &req.skip) < 0) {
                cli_error("forecast: bad --skip '%s': a whole number", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case OPT_LIVE: live = 1; break;
        case OPT_EVERY:
            if (aim_parse_duration(optarg, &every_ns) < 0 || every_ns < 100000000) {
                cli_error("forecast: bad --every '%s': a duration of at least 100ms", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'f':
            if (cli_parse_format("forecast", optarg, formats, 2, &format))
                return AIM_EXIT_USAGE;
            break;
        case 'j': format = AIM_FORMAT_JSON; break;
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'h': fputs(forecast_usage, stdout); return 0;
        default:
            return cli_bad_option("forecast", argv);
        }
    }
    const char *ref;
    if (cli_run_operand("forecast", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    if (req.target == 0) {
        cli_error(until[0] ? "forecast: --until needs --count N: after how many instances of "
                             "the phase it ends"
                           : "forecast: say how far: --epochs N");
        return AIM_EXIT_USAGE;
    }
    aim_store *store;
    char *id = NULL;
    int code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    char *last = NULL;
    int waiting_said = 0;
    while (!code) {
        char *text = NULL;
        int running = 0;
        int r = aim_forecast_render(store, id, &req, format, &text, &running);
        if (r == 0) {
            /* Live: print when the forecast changed (an instance completed), not every tick. */
            if (!last || strcmp(last, text) != 0) {
                if (last)
                    fputs(format != AIM_FORMAT_JSON ? "\n" : "", stdout);
                code = cli_write_file("-", text);
                free(last);
                last = text;
                text = NULL;
            }
            free(text);
        } else if (live && r == -ENODATA && running) {
            if (!waiting_said)
                cli_warning("forecast: %s; waiting for more", aim_store_errmsg(store));
            waiting_said = 1;
        } else {
            cli_error("forecast: %s", aim_store_errmsg(store));
            code = exit_code_of(r);
            break;
        }
        if (!live || !running)
            break;
        sleep_ns(every_ns);
    }
    free(last);
    free(id);
    aim_store_free(store);
    return code;
}
