/* aimeter plot [RUN...] [-m METRICS] -o FILE [--kind KIND]: a chart of stored runs
 * (aim_plot_render). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char plot_usage[] =
    "Usage: aimeter plot [RUN...] [-m METRIC[,METRIC...]] -o FILE.png|FILE.svg|FILE.pdf\n"
    "                    [--kind KIND] [--layout LAYOUT] [--zones LIST] [--smooth DURATION]\n"
    "                    [--from S] [--to S] [--phase NAME] [--size WxH] [--dpi N]\n"
    "                    [--title TEXT] [--db PATH]\n"
    "\n"
    "Draws a chart of RUN into FILE (the extension is the format). The default kind, a time\n"
    "series, draws RUN's metrics over time: metrics are named as the columns of `aimeter\n"
    "export` without their unit (gpu0.power, host.cpu.util; `aimeter export --columns` lists\n"
    "them). Two units get two y-axes (left, right; the right one's lines thinner); phases are\n"
    "shaded and labelled. A metric with more than two samples per pixel is drawn as the\n"
    "minimum and maximum of each pixel, so peaks stay, and the chart says so. Gaps in the\n"
    "samples are left open. RUN defaults to the last run; several RUNs share the time axis\n"
    "(seconds since each one's start).\n"
    "\n"
    "  -m, --metrics LIST  metrics to draw, separated by commas (8 at most, 2 units at most)\n"
    "  -o, --output FILE   the chart: .png, .svg or .pdf\n"
    "      --kind KIND     timeseries (default); phases: per-phase activity bars with the\n"
    "                      bottleneck hints; scatter: two metrics (-m A,B) against each\n"
    "                      other with r; corr: heat-map of the correlations; cumulative:\n"
    "                      energy (kWh) and carbon (g CO2e) over time; zones: the run's\n"
    "                      carbon in the zones of --zones\n"
    "      --layout L      single (default) or categories: stacked panels Energy, Compute,\n"
    "                      Memory, Communication\n"
    "      --zones LIST    zones for --kind zones, as whatif --zones (CA-SK,CA-MB,FR)\n"
    "      --smooth D      a centred moving mean over duration D (5s, 500ms) before drawing\n"
    "      --from S        start of the window, seconds since the run's start\n"
    "      --to S          end of the window, seconds since the run's start\n"
    "      --phase NAME    the window from phase NAME's first start to its last end\n"
    "      --size WxH      picture size in pixels (default 1200x600)\n"
    "      --dpi N         resolution; the text scales with it (default 100)\n"
    "      --title TEXT    the chart's title (default: the run's name, else its id)\n"
    "      --db PATH       store to read\n"
    "  -h, --help          this help\n";

enum { OPT_FROM = 1000, OPT_TO, OPT_PHASE, OPT_SIZE, OPT_DPI, OPT_TITLE, OPT_KIND, OPT_LAYOUT,
       OPT_ZONES, OPT_SMOOTH };

/* A whole number from 1, at most 5 digits ("1200"); 0 would mean the default to the library. */
static int parse_pixels(const char *s, size_t len, int *ret) {
    double v;
    if (len == 0 || len > 5 || aim_parse_number(s, len, &v) < 0 || v != floor(v) || v < 1)
        return -EINVAL;
    *ret = (int)v;
    return 0;
}

static int parse_seconds(const char *opt, const char *s, double *ret) {
    if (aim_parse_number(s, strlen(s), ret) < 0 || !isfinite(*ret)) {
        cli_error("plot: bad %s '%s': seconds since the run's start (e.g. 12.5)", opt, s);
        return AIM_EXIT_USAGE;
    }
    return 0;
}

/* The exit code of a failed aim_plot_render (docs/cli.md). */
static int plot_failed(aim_store *store, int r) {
    if (r == -ENODATA) {   /* --kind phases of a run without phases */
        cli_error("plot: %s", aim_store_errmsg(store));
        return AIM_EXIT_DATAERR;
    }
    if (r == -EINVAL || r == -EOPNOTSUPP) {
        cli_error("plot: %s", aim_store_errmsg(store));
        return AIM_EXIT_USAGE;
    }
    if (r == -EIO) {
        cli_error("plot: %s", aim_store_errmsg(store));
        return AIM_EXIT_CANTCREAT;
    }
    return cli_store_failed(store, r);
}

int cmd_plot(int argc, char **argv) {
    static const struct option longopts[] = {
        { "metrics", required_argument, NULL, 'm' },
        { "output", required_argument, NULL, 'o' },
        { "from", required_argument, NULL, OPT_FROM },
        { "to", required_argument, NULL, OPT_TO },
        { "phase", required_argument, NULL, OPT_PHASE },
        { "size", required_argument, NULL, OPT_SIZE },
        { "dpi", required_argument, NULL, OPT_DPI },
        { "title", required_argument, NULL, OPT_TITLE },
        { "kind", required_argument, NULL, OPT_KIND },
        { "layout", required_argument, NULL, OPT_LAYOUT },
        { "zones", required_argument, NULL, OPT_ZONES },
        { "smooth", required_argument, NULL, OPT_SMOOTH },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    aim_plot_request req = { 0 };
    const char *db = NULL;
    int c, code;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'm': req.metrics = optarg; break;
        case 'o': req.output = optarg; break;
        case OPT_PHASE: req.phase = optarg; break;
        case OPT_TITLE: req.title = optarg; break;
        case OPT_KIND: req.kind = optarg; break;
        case OPT_LAYOUT: req.layout = optarg; break;
        case OPT_ZONES: req.zones = optarg; break;
        case OPT_SMOOTH: {
            int64_t ns;
            if (aim_parse_duration(optarg, &ns) < 0 || ns <= 0) {
                cli_error("plot: bad --smooth '%s': a duration such as 5s or 500ms", optarg);
                return AIM_EXIT_USAGE;
            }
            req.smooth_s = (double)ns / 1e9;
            break;
        }
        case OPT_FROM:
            if ((code = parse_seconds("--from", optarg, &req.from_s)))
                return code;
            req.has_from = 1;
            break;
        case OPT_TO:
            if ((code = parse_seconds("--to", optarg, &req.to_s)))
                return code;
            req.has_to = 1;
            break;
        case OPT_SIZE: {
            const char *x = strchr(optarg, 'x');
            if (!x || parse_pixels(optarg, (size_t)(x - optarg), &req.width) < 0 ||
                parse_pixels(x + 1, strlen(x + 1), &req.height) < 0) {
                cli_error("plot: bad --size '%s': WIDTHxHEIGHT in pixels (e.g. 1200x600)",
                          optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        }
        case OPT_DPI:
            if (parse_pixels(optarg, strlen(optarg), &req.dpi) < 0) {
                cli_error("plot: bad --dpi '%s': a whole number (e.g. 100)", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'h': fputs(plot_usage, stdout); return 0;
        default:
            return cli_bad_option("plot", argv);
        }
    }
    /* the library checks the kind; only the time series and scatter need metrics */
    int needs_metrics = ((!req.kind || strcmp(req.kind, "timeseries") == 0) &&
                         !(req.layout && strcmp(req.layout, "categories") == 0)) ||
                        (req.kind && strcmp(req.kind, "scatter") == 0);
    if ((needs_metrics && !req.metrics) || !req.output) {
        cli_error("plot: %s is required (see aimeter plot --help)",
                  req.output ? "-m METRIC" : "-o FILE");
        return AIM_EXIT_USAGE;
    }
    const char *ref = optind < argc ? argv[optind] : NULL;
    if (cli_check_output(db, "-o", req.output))
        return AIM_EXIT_USAGE;
    aim_store *store;
    char *id = NULL;
    code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    /* further RUNs share the time axis: each resolved as the first one */
    int n_more = argc - optind > 1 ? argc - optind - 1 : 0;
    char **more = n_more ? calloc((size_t)n_more, sizeof *more) : NULL;
    if (n_more && !more) {
        cli_error("plot: out of memory");
        code = AIM_EXIT_SOFTWARE;
    }
    for (int i = 0; i < n_more && code == 0; i++)
        code = cli_resolve_run(store, argv[optind + 1 + i], &more[i]);
    if (code == 0) {
        req.more_runs = (const char *const *)more;
        req.n_more_runs = (size_t)n_more;
        int r = aim_plot_render(store, id, &req);
        if (r < 0)
            code = plot_failed(store, r);
    }
    for (int i = 0; i < n_more && more; i++)
        free(more[i]);
    free(more);
    free(id);
    aim_store_free(store);
    return code;
}
