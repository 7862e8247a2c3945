/* aimeter export [RUN] --csv FILE | --json FILE | --profile FILE: a run's time series, summary
 * or energy profile. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char export_usage[] =
    "Usage: aimeter export [RUN] [--csv FILE] [--columns FILE] [--json FILE] [--profile FILE]\n"
    "                      [--db PATH]\n"
    "\n"
    "Writes RUN's time series as CSV (one row per sample, one column per series) and/or its\n"
    "summary as JSON. FILE may be - for standard output. RUN defaults to the last run.\n"
    "\n"
    "      --csv FILE   the time series (columns: time_s, wall_time, then device.metric [unit]);\n"
    "                   NAME.csv gets NAME.columns.csv beside it: each column's method\n"
    "      --columns FILE  that column list (method, and the model or source of the energy)\n"
    "      --json FILE  the summary (schema in docs/report-json.md)\n"
    "      --profile FILE  the energy profile: totals and each epoch's energy, to compare or\n"
    "                   share (schema aimeter.profile/1 in docs/report-json.md)\n"
    "      --db PATH    store to read\n"
    "  -h, --help       this help\n";

int cmd_export(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "csv", required_argument, NULL, 'c' },
        { "json", required_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
        { "columns", required_argument, NULL, 'k' },
        { "profile", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *csv = NULL, *json = NULL, *columns = NULL, *profile = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 'c': csv = optarg; break;
        case 'j': json = optarg; break;
        case 'k': columns = optarg; break;
        case 'p': profile = optarg; break;
        case 'h': fputs(export_usage, stdout); return 0;
        default:
            return cli_bad_option("export", argv);
        }
    }
    if (!csv && !json && !columns && !profile) {
        cli_error("export: say what to write: --csv FILE, --columns FILE, --json FILE and/or "
                  "--profile FILE");
        return AIM_EXIT_USAGE;
    }
    const char *ref;
    if (cli_run_operand("export", argc, argv, &ref))
        return AIM_EXIT_USAGE;
    if (cli_check_csv_output(db, "--csv", csv) || cli_check_output(db, "--json", json) ||
        cli_check_output(db, "--columns", columns) || cli_check_output(db, "--profile", profile))
        return AIM_EXIT_USAGE;
    /* as run's outputs: two of them on one file (or both on standard output) would mix */
    char beside[4096];
    int has_beside = csv && cli_csv_columns_path(csv, beside, sizeof beside) == 0;
    const char *const out_opts[] = { "--csv", "--csv's column list", "--json", "--columns",
                                     "--profile" };
    const char *const out_paths[] = { csv, has_beside ? beside : NULL, json, columns, profile };
    if (cli_check_distinct_outputs("export", 5, out_opts, out_paths))
        return AIM_EXIT_USAGE;
    aim_store *store;
    char *id = NULL;
    int code = cli_open_run(db, ref, &store, &id);
    if (code)
        return code;
    if (!code && csv) {
        FILE *f = strcmp(csv, "-") == 0 ? stdout : fopen(csv, "w");
        if (!f) {
            cli_error("cannot write %s: %s", cli_output_name(csv), strerror(errno));
            code = AIM_EXIT_CANTCREAT;
        } else {
            int r = aim_export_csv(store, id, cli_fwrite_cb, f);
            int bad = f == stdout ? fflush(f) != 0 : fclose(f) != 0;
            if (r == -EBADMSG || r == -EPROTO) { /* the store's data, not the output */
                cli_error("%s", aim_store_errmsg(store));
                code = AIM_EXIT_DATAERR;
            } else if (r < 0 || bad) {
                cli_error("writing %s: %s", cli_output_name(csv),
                          r < 0 ? aim_store_errmsg(store) : strerror(errno));
                code = AIM_EXIT_IOERR;
            }
        }
        if (!code)
            code = cli_write_csv_columns(store, id, csv);
    }
    if (!code && columns)
        code = cli_write_columns_to(store, id, columns);
    if (!code && json)
        code = cli_render_to(store, id, AIM_FORMAT_JSON, json);
    if (!code && profile) {
        char *text = NULL;
        int r = aim_profile_render(store, id, &text);
        code = r < 0 ? cli_store_failed(store, r) : cli_write_file(profile, text);
        free(text);
    }
    free(id);
    aim_store_free(store);
    return code;
}
