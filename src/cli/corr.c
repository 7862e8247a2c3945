/* aimeter corr [RUN]: the correlation between a run's metrics, as findings or the matrix. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char corr_usage[] =
    "Usage: aimeter corr [RUN] [--matrix] [--format text|csv|json] [--min-abs R] [--top N]\n"
    "                    [--phase NAME] [--recompute] [--db PATH] [-o FILE]\n"
    "\n"
    "Pearson correlation between every pair of RUN's metrics on one time grid (the run's\n"
    "sampling ticks; slower metrics held, counters as their rate). Prints the most positively\n"
    "and negatively correlated pairs, the pairs that are the same quantity (r >= +0.9999,\n"
    "listed once as identical), the derived pairs (one computed from the other by aimeter's\n"
    "own estimate), the constant metrics and the nearly constant ones (fewer than 3 values\n"
    "away from the most common: in no finding); --matrix prints every pair.\n"
    "RUN defaults to the last run. The run's stored matrix is read; a run without one (still\n"
    "running, killed) is recomputed from its samples.\n"
    "\n"
    "      --matrix        the full matrix instead of the findings\n"
    "  -f, --format FMT    text (default), csv or json (schemas in docs/cli.md)\n"
    "      --min-abs R     leave out pairs with |r| below R (0 to 1; matrix: empty cells)\n"
    "      --top N         pairs per sign (default 10; 0 = all)\n"
    "      --recompute     replay the stored samples even when the run stored its matrix\n"
    "      --phase NAME    only while phase NAME was open (every instance of it)\n"
    "  -o, --output FILE   write to FILE instead of standard output\n"
    "      --db PATH       store to read\n"
    "  -h, --help          this help\n";

enum { OPT_MATRIX = 1000, OPT_MIN_ABS, OPT_TOP, OPT_RECOMPUTE, OPT_PHASE };

/* A decimal from 0 to 1 ("0.5", ".8", "1"; aim_parse_number). */
static int parse_unit_interval(const char *s, double *ret) {
    double v;
    if (aim_parse_number(s, strlen(s), &v) < 0 || v > 1)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int parse_count(const char *s, size_t *ret) {
    size_t v = 0;
    if (!*s || strlen(s) > 9)
        return -EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        v = v * 10 + (size_t)(*p - '0');
    }
    *ret = v;
    return 0;
}

int cmd_corr(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "matrix", no_argument, NULL, OPT_MATRIX },
        { "min-abs", required_argument, NULL, OPT_MIN_ABS },
        { "top", required_argument, NULL, OPT_TOP },
        { "recompute", no_argument, NULL, OPT_RECOMPUTE },
        { "phase", required_argument, NULL, OPT_PHASE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *format_name = "text", *output = "-", *phase = NULL;
    int matrix = 0;
    unsigned flags = 0;
    double min_abs = 0;
    size_t top = 10;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'f': format_name = optarg; break;
        case 'o': output = optarg; break;
        case OPT_MATRIX: matrix = 1; break;
        case OPT_RECOMPUTE: flags |= AIM_CORR_RECOMPUTE; break;
        case OPT_PHASE: phase = optarg; break;
        case OPT_MIN_ABS:
            if (parse_unit_interval(optarg, &min_abs) < 0) {
                cli_error("corr: bad --min-abs '%s': a number from 0 to 1", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case OPT_TOP:
            if (parse_count(optarg, &top) < 0) {
                cli_error("corr: bad --top '%s': a whole number (0 = all)", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'h': fputs(corr_usage, stdout); return 0;
        default:
            return cli_bad_option("corr", argv);
        }
    }
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_CSV, AIM_FORMAT_JSON };
    aim_format format;
    if (cli_parse_format("corr", format_name, formats, 3, &format))
        return AIM_EXIT_USAGE;
    const char *ref;
    if (cli_run_operand("corr", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    if (cli_check_output(db, "-o", output))
        return AIM_EXIT_USAGE;
    aim_store *store;
    char *id = NULL;
    int code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    aim_corr_result *res = NULL;
    if (!code) {
        aim_time_range *ranges = NULL;
        size_t n_ranges = 0;
        int r = phase ? aim_store_phase_ranges(store, id, phase, &ranges, &n_ranges) : 0;
        if (r == 0)
            r = aim_corr_compute(store, id, ranges, n_ranges, flags, &res);
        free(ranges);
        if (r < 0)
            code = cli_store_failed(store, r);
    }
    if (!code) {
        char *text = NULL;
        int r = aim_corr_render(res, format, matrix, min_abs, top, &text);
        if (r < 0) {
            cli_error("corr: %s", aim_strerror(r));
            code = AIM_EXIT_SOFTWARE;
        } else {
            code = cli_write_file(output, text);
        }
        free(text);
    }
    aim_corr_result_free(res);
    free(id);
    aim_store_free(store);
    return code;
}
