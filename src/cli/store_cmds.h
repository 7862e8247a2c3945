/* What `aimeter ls`, `rm` and `gc` share (store_cmds.c): a store opened for removing runs,
 * times given as "7d ago" or a date, and the status words `ls` shows. */
#ifndef AIM_CLI_STORE_CMDS_H
#define AIM_CLI_STORE_CMDS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

/* WHEN of option `opt` of command `cmd`: a duration back from now (7d, 12h) or a date
 * (2026-12-01, 2026-12-01T08:00Z), into Unix ns. 0, or AIM_EXIT_USAGE after printing
 * "CMD: bad OPT 'WHEN': ...". */
int cli_parse_when(const char *cmd, const char *opt, const char *text, int64_t *ret_ns);

/* A duration of option `opt` ("0" too): 0 with *ret_ns, or AIM_EXIT_USAGE after printing. */
int cli_parse_age(const char *cmd, const char *opt, const char *text, int64_t *ret_ns);

/* The word `ls` shows for one AIM_RUNS_* bit ("running", ..., "incomplete"). */
const char *cli_run_status_word(unsigned bit);
/* "failed,interrupted": the AIM_RUNS_* bits. 0, or AIM_EXIT_USAGE after printing. */
int cli_parse_statuses(const char *cmd, const char *text, unsigned *ret);

/* ns since the epoch as "2026-12-07 08:31:54 UTC" (ls's start column, with the zone). */
void cli_format_utc(char *buf, size_t size, int64_t unix_ns);

#endif
