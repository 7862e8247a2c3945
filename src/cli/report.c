/* aimeter report [RUN]: the report of a stored run, as text, JSON, Markdown or HTML. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char report_usage[] =
    "Usage: aimeter report [RUN] [--format text|json|markdown|html] [--db PATH] [-o FILE]\n"
    "       aimeter report --job ID [--format text|json|markdown|html] [--db S] [-o FILE]\n"
    "\n"
    "Prints the report of RUN (an id, a unique prefix, or 'last', the default).\n"
    "  -j, --job ID      the report of batch job ID across its nodes (runs tagged job=ID):\n"
    "                    per node and total, phases aligned, stragglers, json aimeter.job/1\n"
    "  -f, --format FMT  text (default), json (schema in docs/report-json.md), markdown, or\n"
    "                    html: one self-contained page with interactive charts, the tables\n"
    "                    and the run priced in other zones; it opens offline\n"
    "  -o, --output FILE write it to FILE instead of standard output\n"
    "      --zones LIST  html: also price the run in these zones (as aimeter whatif\n"
    "                    --zones takes them), besides its own and a default set\n"
    "      --buckets N   html: the charts' time buckets, each a series' min and max\n"
    "                    (and its gaps; default 2000, 10 to 1000000): more detail, a\n"
    "                    larger file\n"
    "      --db PATH     store to read\n"
    "  -h, --help        this help\n";

/* The report rendered and written to out (opened before anything else). */
static int render_into(aim_store *store, const char *id, const char *job, aim_format format,
                       const char *zones, unsigned buckets, FILE *out, const char *output) {
    char *text = NULL;
    int r = job ? aim_job_report_render(store, job, format, &text)
            : format == AIM_FORMAT_HTML ? aim_report_render_html(store, id, zones, buckets, &text)
                                        : aim_report_render(store, id, format, &text);
    if (r < 0) {
        cli_error("%s", aim_store_errmsg(store));
        /* -ENOTRECOVERABLE (a broken build: the web assets) is internal: 70 */
        return r == -EINVAL ? AIM_EXIT_USAGE : r == -ENOENT ? AIM_EXIT_NOINPUT
               : r == -ENOTRECOVERABLE ? AIM_EXIT_SOFTWARE : cli_store_exit_code(r);
    }
    cli_output_truncate(out);
    int code = 0;
    errno = 0;
    if (fputs(text, out) < 0 || fflush(out) != 0) {
        cli_error("writing %s: %s", cli_output_name(output), strerror(errno ? errno : EIO));
        code = AIM_EXIT_IOERR;
    }
    free(text);
    return code;
}

int cmd_report(int argc, char **argv) {
    enum { OPT_ZONES = 1, OPT_BUCKETS };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' }, { "zones", required_argument, NULL, OPT_ZONES },
        { "buckets", required_argument, NULL, OPT_BUCKETS }, { "help", no_argument, NULL, 'h' },
        { "job", required_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *format_name = "text", *output = "-", *zones = NULL;
    const char *buckets_arg = NULL, *job = NULL;
    unsigned buckets = 0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:o:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'f': format_name = optarg; break;
        case 'o': output = optarg; break;
        case 'j': job = optarg; break;
        case OPT_ZONES: zones = optarg; break;
        case OPT_BUCKETS: {
            double v;
            buckets_arg = optarg;
            if (aim_parse_number(optarg, strlen(optarg), &v) < 0 || v != floor(v) || v < 10 ||
                v > 1000000) {
                cli_error("report: bad --buckets '%s': a whole number from 10 to 1000000", optarg);
                return AIM_EXIT_USAGE;
            }
            buckets = (unsigned)v;
            break;
        }
        case 'h': fputs(report_usage, stdout); return 0;
        default:
            return cli_bad_option("report", argv);
        }
    }
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON, AIM_FORMAT_MARKDOWN,
                                          AIM_FORMAT_HTML };
    aim_format format;
    if (cli_parse_format("report", format_name, formats, 4, &format))
        return AIM_EXIT_USAGE;
    if ((zones || buckets_arg) && format != AIM_FORMAT_HTML) {
        cli_error("report: %s is for --format html", zones ? "--zones" : "--buckets");
        return AIM_EXIT_USAGE;
    }
    if (job && (zones || buckets_arg)) {
        cli_error("report: %s is for a run's report, not --job", zones ? "--zones" : "--buckets");
        return AIM_EXIT_USAGE;
    }
    if (job && optind < argc) {
        cli_error("report: --job takes no RUN ('%s')", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    const char *ref = NULL;
    if (!job && cli_run_operand("report", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    if (cli_check_output(db, "-o", output))
        return AIM_EXIT_USAGE;
    /* Opened first: a path that cannot be written fails before the store is read. */
    int created = 0;
    FILE *out = cli_output_open(output, &created);
    if (!out) {
        cli_error("cannot write %s: %s", output, strerror(errno));
        return AIM_EXIT_CANTCREAT;
    }
    aim_store *store;
    char *id = NULL;
    int code = job ? cli_open_store(db, &store) : cli_open_run(db, ref, &store, &id);
    if (!code) {
        code = render_into(store, id, job, format, zones, buckets, out, output);
        free(id);
        aim_store_free(store);
    }
    if (code && code != AIM_EXIT_IOERR) {
        cli_output_discard(out, output, created);
        return code;
    }
    int closed = cli_output_close(out, output, code != 0);
    return code ? code : closed;
}
