/* aimeter jobs: the store's batch jobs (runs tagged job=ID), one line each, like sacct. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static const char jobs_usage[] =
    "Usage: aimeter jobs [--db S] [--user U] [--since 7d|DATE] [--format text|csv|json]\n"
    "\n"
    "Lists the jobs in the store (runs tagged job=ID, one per node), newest first: job, user,\n"
    "nodes, start, end, duration, energy, carbon, state, warnings. `aimeter report --job ID`\n"
    "gives one job in full.\n"
    "  -u, --user U      the jobs of user U (the runs' user tag)\n"
    "  -s, --since WHEN  the jobs that ended after WHEN: a duration back from now (7d, 12h)\n"
    "                    or a date (2026-12-01, 2026-12-01T08:00Z)\n"
    "  -f, --format F    text (default), csv, or json (schema aimeter.jobs/1)\n"
    "      --db S        store to read (a path or postgresql://...)\n"
    "  -h, --help        this help\n";

int cmd_jobs(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },     { "user", required_argument, NULL, 'u' },
        { "since", required_argument, NULL, 's' },  { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *user = NULL;
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_CSV, AIM_FORMAT_JSON };
    aim_format format = AIM_FORMAT_TEXT;
    int64_t since = 0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "u:s:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'u': user = optarg; break;
        case 's': {
            int64_t ago;
            if (aim_parse_duration(optarg, &ago) == 0) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                since = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - ago;
            } else if (aim_parse_wall_time(optarg, &since) < 0) {
                cli_error("jobs: bad --since '%s': a duration (7d, 12h) or a date (2026-12-01)",
                          optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        }
        case 'f':
            if (cli_parse_format("jobs", optarg, formats, 3, &format))
                return AIM_EXIT_USAGE;
            break;
        case 'h': fputs(jobs_usage, stdout); return 0;
        default:
            return cli_bad_option("jobs", argv);
        }
    }
    if (optind < argc) {
        cli_error("jobs: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    aim_store *store;
    int code = cli_open_store(db, &store);
    if (code)
        return code;
    char *text = NULL;
    int r = aim_jobs_render(store, user, since, format, &text);
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
