/* The options `aimeter run` and `aimeter agent` share: what is sampled, how often, where it
 * is stored and how its carbon is priced (session_opts.c). */
#ifndef AIM_CLI_SESSION_OPTS_H
#define AIM_CLI_SESSION_OPTS_H

#include <getopt.h>

#include "cli/cli.h"

/* getopt_long entries, for a command's table (values: the short letters, CLI_OPT_*). */
#define CLI_SESSION_LONGOPTS                                                                   \
    { "interval", required_argument, NULL, 'i' }, { "name", required_argument, NULL, 'n' },    \
    { "db", required_argument, NULL, 'd' }, { "sources", required_argument, NULL, 's' },      \
    { "intensity", required_argument, NULL, 'I' }, { "zone", required_argument, NULL, 'z' },  \
    { "cloud", required_argument, NULL, 'z' }, /* an alias: the lookup takes "aws:..." */     \
    { "gpus", required_argument, NULL, 'G' }, { "dcgm-host", required_argument, NULL, 'H' },  \
    { "metrics", required_argument, NULL, 'M' }, { "tag", required_argument, NULL, 't' },     \
    { "intensity-file", required_argument, NULL, CLI_OPT_INTENSITY_FILE },                    \
    { "pue", required_argument, NULL, CLI_OPT_PUE },                                          \
    { "price", required_argument, NULL, CLI_OPT_PRICE },                                      \
    { "currency", required_argument, NULL, CLI_OPT_CURRENCY },                                \
    { "price-file", required_argument, NULL, CLI_OPT_PRICE_FILE },                            \
    { "provider", required_argument, NULL, CLI_OPT_PROVIDER },                                \
    { "provider-region", required_argument, NULL, CLI_OPT_PROVIDER_REGION },                  \
    { "lat", required_argument, NULL, CLI_OPT_LAT },                                          \
    { "lon", required_argument, NULL, CLI_OPT_LON },                                          \
    { "marginal", no_argument, NULL, CLI_OPT_MARGINAL },                                      \
    { "spool", required_argument, NULL, CLI_OPT_SPOOL },                                      \
    { "upload-interval", required_argument, NULL, CLI_OPT_UPLOAD_INTERVAL }

/* A server store's spool (docs/store.md, "When the server is unreachable: the spool"). */
enum { CLI_OPT_SPOOL = 1070, CLI_OPT_UPLOAD_INTERVAL };

/* Option c (getopt's value) of command cmd ("run") with its argument into cfg (the store
 * path into *ret_db, the carbon options into carbon). 0 when taken; AIM_EXIT_USAGE (said)
 * when bad, or when c is none of these options: an unknown or incomplete one, given as the
 * word `given` on the command line. */
int cli_session_option(const char *cmd, int c, const char *arg, const char *given,
                       aim_config *cfg, cli_carbon_opts *carbon, const char **ret_db);

/* The exit code of a session that could not start (aim_session_start's -errno): nothing to
 * measure or the control socket taken 69, an --idle-baseline naming no run 66, out of memory
 * 70, the store's codes otherwise (cli_store_exit_code). */
int cli_session_exit_code(int err);

/* aim_session_new from cfg (freed here in every case), then aim_session_start: 0 with *ret
 * sampling; else *ret NULL, one line on stderr ("PREFIX: reason"; no prefix when NULL) and
 * the exit code (cli_session_exit_code). */
int cli_session_open(aim_config *cfg, const char *prefix, aim_session **ret);

#endif
