/* ISO 8601 times, the one helper: the proleptic Gregorian calendar, a strict parser and the
 * formatters, all in UTC and without the C library's time-zone machinery (the answer must not
 * depend on TZ), every field range-checked so that "2026-02-30" is an error rather than the
 * 2nd of March. Thread-safe (no static buffers). */
#ifndef AIM_UTIL_ISO8601_H
#define AIM_UTIL_ISO8601_H

#include <stddef.h>
#include <stdint.h>

/* 1900-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the times the parser accepts. */
#define AIM_ISO8601_MIN_MS (-2208988800000LL)
#define AIM_ISO8601_MAX_MS 253402300799999LL

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1-12, d 1-31). */
int64_t aim__iso8601_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Days in month m (1-12) of year y. */
unsigned aim__iso8601_days_in_month(int64_t y, unsigned m);

/* Strict ISO 8601 over exactly len bytes: YYYY-MM-DD, optionally followed by T (or a
 * space) hh:mm[:ss[.fraction]] and Z, ±hh:mm, ±hhmm or ±hh; no zone means UTC. The time
 * must be within AIM_ISO8601_MIN_MS..MAX_MS (in UTC). Returns 0 or -EINVAL; *ret_ms
 * untouched on error. */
int aim__iso8601_parse(const char *s, size_t len, int64_t *ret_ms);

/* "2026-11-21T10:00:00Z" (with_seconds) or "2026-11-21T10:00Z"; times outside 1900-9999 are
 * clamped to them. Returns the length written (NUL excluded; truncated to size - 1). */
size_t aim__iso8601_format(int64_t ms, int with_seconds, char *buf, size_t size);

/* UTC wall time from ns since the epoch, milliseconds floored (times before 1970 too).
 * iso: "2026-11-21T14:03:12.345Z"; human: "2026-11-21 14:03:12". out must hold 32 bytes. */
void aim__fmt_time_iso(char *out, size_t len, int64_t unix_ns);
void aim__fmt_time_human(char *out, size_t len, int64_t unix_ns);

#endif
