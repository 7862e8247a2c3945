/* Labels and words of the report, shared by its model (report_model.h) and the renderers in
 * report/ (numbers and times: util/numfmt.h). */
#ifndef AIM_REPORT_WORDS_H
#define AIM_REPORT_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"
#include "util/numfmt.h"

/* Decimals used for a value in this unit: 2 as in the paper's Table 4, 3 for V, A and GiB
 * (a 10 MiB process would read 0.00 GiB). */
int aim__unit_decimals(const char *unit);

/* "measured", "derived", "estimated". */
const char *aim__method_word(aim_method m);

/* "CPU", "DRAM", "GPU", "Platform", "Other", "Host", "Process". */
const char *aim__device_kind_label(aim_device_kind kind);

/* "running", "completed", "failed", "interrupted"; "incomplete" when the run says running
 * but the aimeter process that recorded it is gone (stale). */
const char *aim__report_status_word(const aim_run_summary *run);

/* Header status: "completed (exit 0)", "running (in progress)",
 * "running — aimeter process gone (incomplete)". */
void aim__report_status_text(char *out, size_t len, const aim_run_summary *run);

/* Walks the run's comma-separated source list ("procfs,rapl", as stored): each call gives
 * the next name (borrowed from run, not NUL-terminated, blanks around it trimmed, empty
 * entries skipped) and returns 1; returns 0 at the end. *pos starts at 0 and is the walk's
 * only state. */
int aim__report_next_source(const aim_run_summary *run, size_t *pos, const char **ret_name,
                           size_t *ret_len);

/* "<method>: <detail>" for an energy figure, without repeating a method word the detail
 * already starts with ("estimate: TDP 65 W ..."). */
void aim__report_method_text(char *out, size_t len, aim_method m, const char *detail,
                            size_t detail_len);

#endif
