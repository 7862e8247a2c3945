/* The one JSON module: every JSON aimeter writes, library and CLI, is built with jansson
 * through these helpers, so there is one rule for strings (invalid UTF-8 becomes U+FFFD, the
 * field is never dropped), one escaper (jansson's) and one rule for numbers (NaN and inf are
 * null). Builders record a failed allocation in *err and carry on, so the caller checks
 * once: json_object_set_new() and json_array_append_new() accept a NULL value or container,
 * fail and release the value. */
#ifndef AIM_UTIL_JSON_H
#define AIM_UTIL_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

void aim__json_put(json_t *obj, const char *key, json_t *v, int *err);
void aim__json_push(json_t *arr, json_t *v, int *err);

/* A string from at most n bytes of s (up to a NUL); invalid UTF-8 (argv and sysfs hold any
 * bytes) is replaced by U+FFFD rather than the field being dropped. NULL on allocation
 * failure. */
json_t *aim__json_str(const char *s, size_t n);
/* As aim__json_str, but null for an empty field (no model, no zone). */
json_t *aim__json_str_or_null(const char *s, size_t n);
/* A real, or null for NaN/inf (JSON has neither). */
json_t *aim__json_num(double v);
/* An integer, clamped to JSON's signed 64-bit range. */
json_t *aim__json_count(uint64_t v);
/* "2026-11-21T14:03:12.345Z". */
json_t *aim__json_time(int64_t unix_ns);

/* The report style: 2-space indent, keys in insertion order, 15 significant digits (beyond
 * any sensor's precision, and 0.1 stays "0.1" instead of "0.10000000000000001"). */
#define AIM_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Serialises root as every aimeter JSON output looks (AIM_JSON_FLAGS, trailing newline)
 * into a string the caller frees with free(). -ENOMEM. */
int aim__json_dump(json_t *root, char **ret_text);
/* The same with other jansson flags, and a trailing newline only when newline is 1: for the
 * outputs whose layout predates the report style (docs/decisions.md) and the cache files. */
int aim__json_dump_flags(json_t *root, size_t flags, int newline, char **ret_text);

/* Parses len bytes of JSON text from outside (a provider's answer, a cache file), duplicate
 * keys rejected (a second value must not silently win). NULL when it is not JSON, with
 * "malformed JSON (line N: what)" in err when err is not NULL. */
json_t *aim__json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Hand-laid JSON (the CLI's one-object-per-line listings): s (at most n bytes, up to a NUL;
 * NULL as "") as a quoted JSON string, escaped by jansson with the same UTF-8 rule as
 * aim__json_str. */
void aim__json_append_str(aim_strbuf *b, const char *s, size_t n);
/* v with `digits` significant digits, locale-free ("%.*g" in the C locale), null for NaN and
 * inf. digits 0: the shorter of 15 and 17 digits that reads back as v (0.1 stays "0.1"). */
void aim__json_append_real(aim_strbuf *b, double v, int digits);

#endif
