/* The first line of the one-run outputs (whatif, whatif --hardware, forecast): the command,
 * the run's id and its name when it has one. */
#ifndef AIM_REPORT_RUN_TITLE_H
#define AIM_REPORT_RUN_TITLE_H

#include "processing/summary.h"
#include "util/strbuf.h"

/* Appends `COMMAND  run ID  "NAME"` (no line end; control characters cleaned). */
void aim__report_run_title(aim_strbuf *b, const char *command, const aim_run_summary *run);

#endif
