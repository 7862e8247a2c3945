/* Shared pieces of the aimeter command. The CLI owns every user-facing message; it uses
 * only the public API in aimeter.h. */
#ifndef AIM_CLI_H
#define AIM_CLI_H

#include <stdio.h>

#include "aimeter.h"
#include "util/strbuf.h"

/* aimeter's own exit codes (docs/cli.md). `run` otherwise exits with the command's status,
 * or 128+N when the command was killed by signal N. The values follow sysexits.h and the
 * shell's 126/127 so scripts can tell aimeter's failures from the command's. */
enum {
    AIM_EXIT_OK = 0,
    AIM_EXIT_USAGE = 64,       /* bad option, bad duration, unknown zone/source/format */
    AIM_EXIT_DATAERR = 65,     /* the store is not an aimeter store, or is from a newer aimeter */
    AIM_EXIT_NOINPUT = 66,     /* no such run, or no store yet */
    AIM_EXIT_UNAVAILABLE = 69, /* nothing can be measured here */
    AIM_EXIT_SOFTWARE = 70,    /* internal error */
    AIM_EXIT_CANTCREAT = 73,   /* cannot write the store, --csv or --json file */
    AIM_EXIT_IOERR = 74,       /* writing an output failed */
    AIM_EXIT_TEMPFAIL = 75,    /* the store stayed locked */
    AIM_EXIT_NOEXEC = 126,     /* command found but not executable */
    AIM_EXIT_NOTFOUND = 127,   /* command not found */
};

/* --prometheus [ADDR:]PORT: ADDR an IPv4 address, [IPv6] or localhost (default 127.0.0.1),
 * only loopback ones (a command without --web-config). 0 with addr and *ret_port set, or
 * AIM_EXIT_USAGE after printing the error (listen.c). */
int cli_listen_option(const char *opt, const char *text, char *addr, size_t addr_size,
                      unsigned *ret_port);
/* The same, any address: the command checks it with cli_http_check once --web-config is
 * known. */
int cli_listen_parse(const char *opt, const char *text, char *addr, size_t addr_size,
                     unsigned *ret_port);
/* Before serving on addr (from cli_listen_parse) with web_config (--web-config FILE, may be
 * NULL): the file is read and checked (AIM_EXIT_NOINPUT when it cannot be read,
 * AIM_EXIT_DATAERR for its content, naming file and line), and an address other than
 * loopback is refused (AIM_EXIT_USAGE) unless the file asks for credentials. 0 or the exit
 * code, the error printed (listen.c). */
int cli_http_check(const char *opt, const char *addr, const char *web_config);
/* cli_http_check, then aim_metrics_server_start_with: 0 with *ret, or an exit code after
 * printing one line (AIM_EXIT_UNAVAILABLE when the port cannot be served). */
int cli_start_http(aim_session *s, const char *opt, const char *addr, unsigned port,
                   const char *web_config, aim_metrics_server **ret);

/* --retain D, --downsample-after D|off, --downsample-step D (docs/retention.md), as given
 * (NULL: not given); --downsample-after defaults to 1h when the retention is longer. Applies
 * them with aim_config_set_retention: 0, or AIM_EXIT_USAGE after printing the error
 * (retention.c). Nothing given: 0 and cfg unchanged. */
typedef struct cli_retention {
    const char *retain, *downsample_after, *downsample_step;
} cli_retention;
int cli_retention_apply(aim_config *cfg, const cli_retention *opts);
/* Their getopt_long entries (`run` and `agent`), and the parser's side: 1 when c is one of
 * them (recorded in opts), 0 otherwise. */
enum { CLI_OPT_RETAIN = 1050, CLI_OPT_DOWNSAMPLE_AFTER, CLI_OPT_DOWNSAMPLE_STEP };
#define CLI_RETENTION_LONGOPTS                                                               \
    { "retain", required_argument, NULL, CLI_OPT_RETAIN },                                   \
    { "downsample-after", required_argument, NULL, CLI_OPT_DOWNSAMPLE_AFTER },               \
    { "downsample-step", required_argument, NULL, CLI_OPT_DOWNSAMPLE_STEP }
int cli_retention_option(int c, const char *arg, cli_retention *opts);

/* "aimeter: <message>" on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --db PATH as given: an empty PATH is a usage error (it would name no store, and the run
 * would be stored elsewhere than its report is looked for). Returns 0 with *ret_db = arg
 * (ret_db may be NULL), or AIM_EXIT_USAGE after printing the error (paths.c). */
int cli_db_option(const char *arg, const char **ret_db);

/* Refuses an output path (a command's `option`, e.g. "--csv") that is the store db (NULL:
 * the default store) or its -wal, -shm or -journal file: the same inode when the file exists,
 * else the same resolved path. "-" (standard output) passes. Called before anything is
 * opened or measured. Returns 0 or AIM_EXIT_USAGE after printing the error (paths.c). */
int cli_check_output(const char *db, const char *option, const char *path);
/* The same for a CSV output and the column list written beside it (NAME.columns.csv). */
int cli_check_csv_output(const char *db, const char *option, const char *csv);
/* Refuses outputs of one command that would mix or overwrite each other: two of paths[n]
 * (NULL: not asked for) naming one file (the same inode, or the same resolved path when
 * neither exists yet), or more than one "-" (standard output). options[i] names paths[i] in
 * the message. Returns 0 or AIM_EXIT_USAGE after printing one error line (paths.c). */
int cli_check_distinct_outputs(const char *command, size_t n, const char *const options[],
                               const char *const paths[]);

/* Maps a library error from opening or writing the store to an exit code. */
int cli_store_exit_code(int err);
/* The same for an error of opening a store (aim_store_open, a session's start): there, and
 * only there, -EINVAL is the store location's refusal (a password in a URL) and a usage
 * error (64). */
int cli_store_open_exit_code(int err);

/* Opens the store for reading commands: "no store at PATH" → AIM_EXIT_NOINPUT etc.
 * Returns 0 and sets *ret_store, or an exit code after printing the error. */
int cli_open_store(const char *db_path, aim_store **ret_store);
/* As cli_open_store, but for writing (rm, gc): a file store that is not there is "no store"
 * (66), never created. */
int cli_open_store_rw(const char *db_path, aim_store **ret_store);

/* Resolves RUN ("last" when NULL) and prints the error when it fails. Returns 0 or an
 * exit code. Caller frees *ret_id. */
int cli_resolve_run(aim_store *store, const char *ref, char **ret_id);

/* An option getopt_long refused (argv[optind - 1]): "CMD: unknown or incomplete option
 * 'OPT' (see aimeter CMD --help)". Returns AIM_EXIT_USAGE. */
int cli_bad_option(const char *cmd, char **argv);

/* The RUN operand of a command that reads one run (report, corr, export, forecast,
 * whatif): *ret_ref is it, or NULL ("last") when there is none. More than one: "CMD: one
 * RUN at most" and AIM_EXIT_USAGE. Returns 0 or that exit code. */
int cli_run_operand(const char *cmd, int argc, char **argv, const char **ret_ref);

/* A store call that failed with r: prints the store's message and returns the exit code
 * (no such run: AIM_EXIT_NOINPUT; else cli_store_exit_code). */
int cli_store_failed(aim_store *store, int r);

/* Both: opens the store at db_path and resolves ref in it. Returns 0 with *ret_store and
 * *ret_id (the caller frees both), or an exit code after printing the error (nothing to
 * free). */
int cli_open_run(const char *db_path, const char *ref, aim_store **ret_store, char **ret_id);

/* aimeter zones CODE --years: CODE's figure for every year it has, as a table or JSON,
 * appended to b. Returns the number of years (0: CODE has none; nothing written but "[]"
 * for JSON). */
int cli_zones_years(aim_strbuf *b, const char *code, int json);

/* Renders run_id's report in format and writes it to path ("-" = stdout). Returns 0 or an
 * exit code after printing the error. */
int cli_render_to(aim_store *store, const char *run_id, aim_format format, const char *path);

/* -f NAME of command `cmd`: the format (aim_format_parse) when it is one of the n in
 * `allowed`, else "CMD: unknown format 'NAME' (text, json or markdown)", the allowed ones in
 * their order. Returns 0 with *ret set, or AIM_EXIT_USAGE after printing the error. */
int cli_parse_format(const char *cmd, const char *name, const aim_format *allowed, size_t n,
                     aim_format *ret);

/* How messages name an output path: "standard output" for "-", else the path. */
const char *cli_output_name(const char *path);
/* An aim_write_fn writing to a FILE * (file): the exports' output for the CLI. */
int cli_fwrite_cb(void *file, const void *data, size_t len);

/* The column list of a CSV (aim_export_csv_columns) beside csv_path: NAME.columns.csv for
 * NAME.csv (csv_columns.c). Nothing for "-". Returns 0 or an exit code after printing. */
int cli_write_csv_columns(aim_store *store, const char *run_id, const char *csv_path);
/* The same to path ("-" = stdout). */
int cli_write_columns_to(aim_store *store, const char *run_id, const char *path);
/* The sidecar's path for csv_path into out; -1 for "-" or a path too long. */
int cli_csv_columns_path(const char *csv_path, char *out, size_t size);

/* An output opened before the work starts (output.c): path ("-" = stdout) opened for
 * writing without truncating it; *created says whether this call made the file. NULL with
 * errno set when it cannot be written. */
FILE *cli_output_open(const char *path, int *created);
/* The work is going ahead: the output's old content may go now. */
void cli_output_truncate(FILE *f);
/* The work did not happen: closes the output, removing it if cli_output_open made it. */
void cli_output_discard(FILE *f, const char *path, int created);
/* Closes an output after the work; a failure is reported unless one already was
 * (reported). Returns 0 or AIM_EXIT_IOERR. */
int cli_output_close(FILE *f, const char *path, int reported);

/* Writes text to path ("-" = stdout). Returns 0 or an exit code after printing. */
int cli_write_file(const char *path, const char *text);

/* SIGTERM and SIGINT call on_stop (no SA_RESTART), SIGPIPE is ignored: the commands that
 * serve until stopped (agent, serve). */
void cli_stop_signals(void (*on_stop)(int));
/* Installs the library log callback printing warnings to stderr. */
void cli_install_log(int quiet);
/* Clears the live status line before a message is printed over it. */
void cli_status_clear(void);
void cli_status_show(const char *line);

/* The carbon-method options of `run` and `whatif` (carbon_opts.c): long-option values,
 * collected while parsing, applied together. */
enum {
    CLI_OPT_INTENSITY_FILE = 1000,
    CLI_OPT_PUE,
    CLI_OPT_PRICE,
    CLI_OPT_CURRENCY,
    CLI_OPT_PRICE_FILE,
    CLI_OPT_PROVIDER,
    CLI_OPT_PROVIDER_REGION,
    CLI_OPT_LAT,
    CLI_OPT_LON,
    CLI_OPT_MARGINAL,
    CLI_OPT_ZONE,
};
typedef struct cli_carbon_opts {
    const char *intensity_file, *pue, *price, *currency, *price_file;
    /* run only: --zone/--cloud (checked once a --provider is known: it may be the
     * provider's own zone), --provider, --provider-region, --lat, --lon, --marginal */
    const char *zone, *provider, *provider_region, *lat, *lon;
    int marginal;
} cli_carbon_opts;
/* 1 when c is one of these options (recorded), 0 otherwise. */
int cli_carbon_option(int c, const char *arg, cli_carbon_opts *o);
/* Checks them and sets them in cfg. 0, or an exit code after printing the error. */
int cli_carbon_apply(const cli_carbon_opts *o, aim_config *cfg);
/* Prints the error for a --pue aim_config_set_pue() refused with err; returns the exit code. */
int cli_carbon_pue_error(const char *spec, int err);

int cmd_run(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_zones(int argc, char **argv);
int cmd_estimate(int argc, char **argv);
int cmd_intensity(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_corr(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_mark(int argc, char **argv);
int cmd_phase(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_hash_password(int argc, char **argv);

#endif
