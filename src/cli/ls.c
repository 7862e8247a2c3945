/* aimeter ls: runs in the store, newest first; filtered by what users know of them (a name,
 * a tag, a time, a host, a status), or only their ids for the shell (-q). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/store_cmds.h"

static const char ls_usage[] =
    "Usage: aimeter ls [--db PATH] [--format text|json|csv] [-n N] [-q] [--name PATTERN]\n"
    "                  [--tag KEY[=VALUE]]... [--since WHEN] [--until WHEN] [--host HOST]\n"
    "                  [--status S[,S...]]\n"
    "\n"
    "Lists the runs in the store, newest first: id, name, start, duration, status, energy, carbon.\n"
    "  -n, --limit N        at most N runs, the newest that match (default: all)\n"
    "  -f, --format F       text (default), json (an array; docs/report-json.md) or csv;\n"
    "                       --json = -f json\n"
    "  -q, --quiet          only the runs' ids, one a line, for the shell:\n"
    "                       aimeter ls -q --status failed | xargs -r aimeter rm\n"
    "      --db PATH        store to read\n"
    "Filters (every one given must hold):\n"
    "      --name PATTERN   the run's name, exactly, or a shell pattern ('train-*')\n"
    "      --tag KEY[=VALUE] the run has tag KEY (with that VALUE); repeat for more tags\n"
    "      --since WHEN     started at or after WHEN: a duration back from now (7d, 12h)\n"
    "                       or a date (2026-12-01, 2026-12-01T08:00Z)\n"
    "      --until WHEN     started before WHEN (the same forms)\n"
    "      --host HOST      recorded on HOST\n"
    "      --status S,...   running, completed, failed, interrupted or incomplete\n"
    "  -h, --help           this help\n";

enum { OPT_NAME = 1100, OPT_TAG, OPT_SINCE, OPT_UNTIL, OPT_HOST, OPT_STATUS };

int cmd_ls(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
        { "format", required_argument, NULL, 'f' }, { "limit", required_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' }, { "name", required_argument, NULL, OPT_NAME },
        { "tag", required_argument, NULL, OPT_TAG }, { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL }, { "host", required_argument, NULL, OPT_HOST },
        { "status", required_argument, NULL, OPT_STATUS }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL;
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON, AIM_FORMAT_CSV };
    aim_format format = AIM_FORMAT_TEXT;
    int format_given = 0, ids_only = 0;
    aim_run_query q = { 0 };
    /* --tag may be given once per argument: they are argv's own strings. */
    const char **tags = calloc((size_t)argc + 1, sizeof *tags);
    if (!tags) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    int c, code = 0;
    opterr = 0;
    while (code == 0 && (c = getopt_long(argc, argv, "n:f:qh", longopts, NULL)) != -1) {
        char *end;
        long limit;
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                code = AIM_EXIT_USAGE;
            break;
        case 'j':
            format = AIM_FORMAT_JSON;
            format_given = 1;
            break;
        case 'f':
            code = cli_parse_format("ls", optarg, formats, 3, &format);
            format_given = 1;
            break;
        case 'n':
            limit = strtol(optarg, &end, 10);
            if (*end || end == optarg || limit < 1) {
                cli_error("ls: bad limit '%s': a positive number", optarg);
                code = AIM_EXIT_USAGE;
            }
            q.limit = (size_t)limit;
            break;
        case 'q': ids_only = 1; break;
        case OPT_NAME: q.name = optarg; break;
        case OPT_TAG: tags[q.n_tags++] = optarg; break;
        case OPT_SINCE: code = cli_parse_when("ls", "--since", optarg, &q.since_wall_ns); break;
        case OPT_UNTIL: code = cli_parse_when("ls", "--until", optarg, &q.until_wall_ns); break;
        case OPT_HOST: q.host = optarg; break;
        case OPT_STATUS: code = cli_parse_statuses("ls", optarg, &q.statuses); break;
        case 'h':
            fputs(ls_usage, stdout);
            free(tags);
            return 0;
        default:
            code = cli_bad_option("ls", argv);
        }
    }
    if (code == 0 && optind < argc) {
        cli_error("ls: unexpected argument '%s'", argv[optind]);
        code = AIM_EXIT_USAGE;
    }
    if (code == 0 && ids_only && format_given) {
        cli_error("ls: -q prints the ids alone: no --format or --json with it");
        code = AIM_EXIT_USAGE;
    }
    q.tags = tags;
    aim_store *store = NULL;
    if (code == 0)
        code = cli_open_store(db, &store);
    if (code) {
        free(tags);
        return code;
    }
    int r;
    aim_strbuf out = AIM_STRBUF_INIT;
    char *text = NULL;
    if (ids_only) {
        aim_run_entry *runs = NULL;
        size_t n = 0;
        r = aim_store_find_runs(store, &q, &runs, &n);
        for (size_t i = 0; r == 0 && i < n; i++)
            aim__strbuf_printf(&out, "%s\n", runs[i].id);
        free(runs);
        if (r == 0 && aim__strbuf_steal(&out, &text) < 0)
            r = -ENOMEM;
    } else {
        r = aim_store_list_runs_where(store, &q, format, &text);
    }
    if (r == -EINVAL || r == -EOPNOTSUPP) {
        /* a bad --tag, or a format this aimeter's list of runs does not have: the command
         * as given, not the store */
        cli_error("ls: %s", aim_store_errmsg(store));
        code = AIM_EXIT_USAGE;
    } else if (r < 0) {
        cli_error("%s", aim_store_errmsg(store));
        code = cli_store_exit_code(r);
    } else {
        code = cli_write_file("-", text ? text : "");
    }
    aim__strbuf_free(&out);
    free(text);
    free(tags);
    aim_store_free(store);
    return code;
}
