/* aimeter compare RUN RUN...: runs side by side, with ratios to a baseline and the best run
 * per row; --by KEY groups repeated runs by a tag and shows mean ± standard deviation. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char compare_usage[] =
    "Usage: aimeter compare RUN RUN... [--baseline RUN] [--by KEY] [--format FMT] [--db PATH]\n"
    "       aimeter compare --by KEY [--baseline RUN] ...   (every run tagged KEY)\n"
    "\n"
    "Puts runs side by side: time, energy per device and in total, mean power, carbon, cost,\n"
    "energy per unit of each counter the workloads recorded (J per token, per sample), and the\n"
    "records themselves. Every figure gets its ratio to the baseline (x0.85) and the lowest\n"
    "time, energy, carbon, cost and J per unit is marked with '*'.\n"
    "\n"
    "  -b, --baseline RUN  the run the ratios are to (default: the first; added when not listed)\n"
    "      --by KEY        group the runs by the value of tag KEY (aimeter run --tag KEY=VALUE):\n"
    "                      n, mean and sample standard deviation (n - 1) of every figure per\n"
    "                      group; without RUNs, every run that has the tag\n"
    "  -f, --format FMT    text (default), markdown, json or csv (docs/report-json.md)\n"
    "  -o, --output FILE   write to FILE instead of standard output\n"
    "      --db PATH       store to read\n"
    "  -h, --help          this help\n";

enum { OPT_BY = 1000 };

int cmd_compare(int argc, char **argv) {
    static const struct option longopts[] = {
        { "baseline", required_argument, NULL, 'b' }, { "by", required_argument, NULL, OPT_BY },
        { "format", required_argument, NULL, 'f' },   { "output", required_argument, NULL, 'o' },
        { "db", required_argument, NULL, 'd' },       { "help", no_argument, NULL, 'h' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *baseline = NULL, *by = NULL, *output = "-";
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_MARKDOWN, AIM_FORMAT_JSON,
                                          AIM_FORMAT_CSV };
    aim_format format = AIM_FORMAT_TEXT;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "b:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': baseline = optarg; break;
        case OPT_BY: by = optarg; break;
        case 'f':
            if (cli_parse_format("compare", optarg, formats, 4, &format))
                return AIM_EXIT_USAGE;
            break;
        case 'j': format = AIM_FORMAT_JSON; break;
        case 'o': output = optarg; break;
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'h': fputs(compare_usage, stdout); return 0;
        default:
            return cli_bad_option("compare", argv);
        }
    }
    int n = argc - optind;
    if (n < 1 && !by) {
        cli_error("compare: give the runs to compare (aimeter compare RUN RUN...), or --by KEY");
        return AIM_EXIT_USAGE;
    }
    if (n == 1 && !by && !baseline) {
        cli_error("compare: one run is no comparison: give two or more, or --baseline RUN");
        return AIM_EXIT_USAGE;
    }
    if (cli_check_output(db, "-o", output))
        return AIM_EXIT_USAGE;
    aim_store *store;
    int code = cli_open_store(db, &store);
    if (code)
        return code;
    char **ids = calloc((size_t)n + 1, sizeof *ids);
    char *base_id = NULL;
    if (!ids) {
        cli_error("out of memory");
        code = AIM_EXIT_SOFTWARE;
    }
    for (int i = 0; !code && i < n; i++)
        code = cli_resolve_run(store, argv[optind + i], &ids[i]);
    if (!code && baseline)
        code = cli_resolve_run(store, baseline, &base_id);
    if (!code) {
        char *text = NULL;
        int r = aim_compare_render(store, (const char *const *)ids, (size_t)n, base_id, by,
                                   format, &text);
        if (r == 0) {
            code = cli_write_file(output, text);
            free(text);
        } else {
            cli_error("compare: %s", aim_store_errmsg(store));
            code = r == -EINVAL ? AIM_EXIT_USAGE
                 : r == -ENOENT ? AIM_EXIT_NOINPUT
                 : cli_store_exit_code(r);
        }
    }
    for (int i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
    free(base_id);
    aim_store_free(store);
    return code;
}
