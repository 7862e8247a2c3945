/* Renderers of `aimeter estimate` (api/estimate.c): the estimate with its inputs, sources,
 * formula and substituted numbers, as text or one JSON object; and the accelerator table of
 * --list-gpus. Each returns a string the caller frees; -ENOMEM. */
#ifndef AIM_REPORT_ESTIMATE_RENDER_H
#define AIM_REPORT_ESTIMATE_RENDER_H

#include <stddef.h>

#include "aimeter.h"
#include "processing/footprint_estimate.h"

int aim__render_estimate_text(const aim_estimate_result *e, char **ret_text);
int aim__render_estimate_json(const aim_estimate_result *e, char **ret_text);

/* rows: the table's rows in order (aim_gpu_get). */
int aim__render_gpu_table_text(const aim_gpu_info *const *rows, size_t n, char **ret_text);
int aim__render_gpu_table_json(const aim_gpu_info *const *rows, size_t n, char **ret_text);

#endif
