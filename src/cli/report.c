/* aimeter report [RUN]: the report of a stored run, as text, JSON or Markdown. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char report_usage[] =
    "Usage: aimeter report [RUN] [--format text|json|markdown] [--db PATH] [-o FILE]\n"
    "\n"
    "Prints the report of RUN (an id, a unique prefix, or 'last', the default).\n"
    "  -f, --format FMT  text (default), json (schema in docs/report-json.md) or markdown\n"
    "  -o, --output FILE write it to FILE instead of standard output\n"
    "      --db PATH     store to read\n"
    "  -h, --help        this help\n";

int cmd_report(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *format_name = "text", *output = "-";
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
        case 'h': fputs(report_usage, stdout); return 0;
        default:
            return cli_bad_option("report", argv);
        }
    }
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON, AIM_FORMAT_MARKDOWN };
    aim_format format;
    if (cli_parse_format("report", format_name, formats, 3, &format))
        return AIM_EXIT_USAGE;
    const char *ref;
    if (cli_run_operand("report", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    if (cli_check_output(db, "-o", output))
        return AIM_EXIT_USAGE;
    aim_store *store;
    char *id = NULL;
    int code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    if (!code)
        code = cli_render_to(store, id, format, output);
    free(id);
    aim_store_free(store);
    return code;
}
