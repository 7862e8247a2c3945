/* aimeter: dispatch to one subcommand per file. */
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage: aimeter COMMAND [OPTIONS]\n"
    "\n"
    "Measure the energy, power and carbon of any command, store it, report it.\n"
    "\n"
    "Commands:\n"
    "  run [OPTIONS] -- CMD [ARGS...]  run CMD, sample while it runs, print the report\n"
    "  ls [--name N] [--tag K=V] ...   runs in the store, newest first (filtered; -q: ids only)\n"
    "  report [RUN]                    the report of a run again (default: last)\n"
    "  export [RUN] --csv FILE         the time series as CSV (--json FILE: the summary)\n"
    "  corr [RUN] [--matrix]           which metrics move together (Pearson r), or the matrix\n"
    "  plot [RUN] -m M,M -o FILE.png   metrics over time as a chart (PNG, SVG or PDF)\n"
    "  devices                         what can be measured here, and why the rest cannot\n"
    "  whatif RUN --zones A,B          RUN's stored energy re-priced in other grid zones\n"
    "  whatif RUN --hardware A100,L4   RUN's GPU energy rescaled to other accelerators\n"
    "  compare RUN RUN... [--by KEY]   runs side by side, ratios to a baseline, groups by tag\n"
    "  forecast [RUN] --epochs N       energy, time and carbon to N epochs (least squares)\n"
    "  zones [QUERY]                   the built-in grid intensity table and cloud regions\n"
    "  estimate --gpu NAME --hours H   energy and carbon of a run that was not measured\n"
    "  intensity --provider P          the grid's carbon intensity now, from a live provider\n"
    "  top [ADDR:PORT]                 live view of a run serving --prometheus: power, carbon\n"
    "  hash-password < FILE            a bcrypt hash of a password for --web-config\n"
    "  mark TEXT | phase begin|end NAME | record KEY VALUE\n"
    "                                  from inside `aimeter run`: markers, phases, numbers\n"
    "  agent [--listen [ADDR:]PORT]    sample this node until stopped: /metrics, jobs' phases\n"
    "  serve [--listen [ADDR:]PORT]    the store's runs as a read-only JSON API over HTTP\n"
    "  push --to DEST [RUN...]         copy runs into another store (PostgreSQL), idempotently\n"
    "  jobs [--user U] [--since 7d]    batch jobs across nodes, one line each (report --job ID)\n"
    "  rm RUN... [--dry-run]           remove runs from the store, with all recorded about them\n"
    "  gc [--dry-run]                  remove runs a dead aimeter left running; reclaim space\n"
    "\n"
    "RUN is a run id, a unique prefix of one, a run's name (its newest run), or 'last'.\n"
    "Every command takes --help.\n"
    "  -h, --help     this help\n"
    "  -V, --version  print the version\n"
    "\n"
    "Store: --db PATH, else $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db.\n"
    "Exit codes and the full manual: docs/cli.md.\n";

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return AIM_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("aimeter %s\n", aim_version());
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {
        { "run", cmd_run },         { "ls", cmd_ls },           { "report", cmd_report },
        { "export", cmd_export },   { "devices", cmd_devices },
        { "zones", cmd_zones },
        { "estimate", cmd_estimate },
        { "whatif", cmd_whatif },
        { "intensity", cmd_intensity },
        { "corr", cmd_corr },
        { "plot", cmd_plot },
        { "mark", cmd_mark },
        { "phase", cmd_phase },
        { "record", cmd_record },
        { "agent", cmd_agent },
        { "compare", cmd_compare },
        { "forecast", cmd_forecast },
        { "top", cmd_top },
        { "serve", cmd_serve },
        { "push", cmd_push },
        { "jobs", cmd_jobs },
        { "rm", cmd_rm },
        { "gc", cmd_gc },
        { "hash-password", cmd_hash_password },
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    cli_error("unknown command '%s' (see aimeter --help)", cmd);
    return AIM_EXIT_USAGE;
}
