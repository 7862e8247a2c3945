/* Helpers shared by the JSON renderers (report and `aimeter ls`). Builders record a failed
 * allocation in *err and carry on, so the caller checks once: json_object_set_new() and
 * json_array_append_new() accept a NULL value or container, fail and release the value. */
#ifndef AIM_REPORT_JSONUTIL_H
#define AIM_REPORT_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aimeter.h"

void aim_json_put(json_t *obj, const char *key, json_t *v, int *err);
void aim_json_push(json_t *arr, json_t *v, int *err);

/* A string from at most n bytes of s; invalid UTF-8 (argv and sysfs hold any bytes) is
 * replaced by U+FFFD rather than the field being dropped. NULL on allocation failure. */
json_t *aim_json_str(const char *s, size_t n);
/* As aim_json_str, but null for an empty field (no model, no zone). */
json_t *aim_json_str_or_null(const char *s, size_t n);
/* A real, or null for NaN/inf (JSON has neither). */
json_t *aim_json_num(double v);
/* An integer, clamped to JSON's signed 64-bit range. */
json_t *aim_json_count(uint64_t v);
/* "2026-11-21T14:03:12.345Z". */
json_t *aim_json_time(int64_t unix_ns);

/* A run's tags as an object {"key": "value", ...} ({} when none). */
struct aim_run_tag;
json_t *aim_json_tags(const struct aim_run_tag *tags, size_t n);

/* The stored status: "running", "completed", "failed", "interrupted". */
const char *aim_json_status(aim_run_status s);

/* Serialises root as every aimeter JSON output looks (2-space indent, 15 significant
 * digits, trailing newline) into a string the caller frees with free(). -ENOMEM. */
int aim_json_dump(json_t *root, char **ret_text);

#endif
