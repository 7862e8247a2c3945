/* aimeter ls: runs in the store, newest first. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char ls_usage[] =
    "Usage: aimeter ls [--db PATH] [--format text|json] [-n N]\n"
    "\n"
    "Lists the runs in the store, newest first: id, name, start, duration, status, energy, carbon.\n"
    "  -n, --limit N  at most N runs (default: all)\n"
    "  -f, --format F text (default) or json (an array; docs/report-json.md); --json = -f json\n"
    "      --db PATH  store to read\n"
    "  -h, --help     this help\n";

int cmd_ls(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' }, { "format", required_argument, NULL, 'f' },
        { "limit", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL;
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON };
    aim_format format = AIM_FORMAT_TEXT;
    long limit = 0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "n:f:h", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'j': format = AIM_FORMAT_JSON; break;
        case 'f':
            if (cli_parse_format("ls", optarg, formats, 2, &format))
                return AIM_EXIT_USAGE;
            break;
        case 'n':
            limit = strtol(optarg, &end, 10);
            if (*end || end == optarg || limit < 1) {
                cli_error("ls: bad limit '%s': a positive number", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case 'h': fputs(ls_usage, stdout); return 0;
        default:
            return cli_bad_option("ls", argv);
        }
    }
    if (optind < argc) {
        cli_error("ls: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    aim_store *store;
    int code = cli_open_store(db, &store);
    if (code)
        return code;
    char *text = NULL;
    int r = aim_store_list_runs(store, format, (size_t)limit, &text);
    if (r < 0) {
        cli_error("%s", aim_store_errmsg(store));
        code = cli_store_exit_code(r);
    } else {
        code = cli_write_file("-", text);
    }
    free(text);
    aim_store_free(store);
    return code;
}
