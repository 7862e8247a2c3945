/* The JSON fields of aimeter's own types (tags, run status); the JSON plumbing itself is
 * util/json.h, included here for the renderers. */
#ifndef AIM_REPORT_JSONUTIL_H
#define AIM_REPORT_JSONUTIL_H

#include "aimeter.h"
#include "util/json.h"

/* A run's tags as an object {"key": "value", ...} ({} when none). */
struct aim_run_tag;
json_t *aim__json_tags(const struct aim_run_tag *tags, size_t n);

/* The stored status: "running", "completed", "failed", "interrupted". */
const char *aim__json_status(aim_run_status s);

#endif
