/* Number, time and duration formatting, locale-independent: the library never calls
 * setlocale(), but the program it runs in may, and a report must read "6348.88" whatever
 * LC_NUMERIC says. Thread-safe (no static buffers). */
#ifndef AIM_UTIL_NUMFMT_H
#define AIM_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest output of aim_fmt_fixed, NUL included. */
#define AIM_NUM_MAX 48

/* v with `decimals` digits after a '.', whatever the locale; "n/a" for NaN/inf. Magnitudes
 * of 1e12 and above switch to scientific notation so a corrupt value cannot blow a column
 * up. out must hold AIM_NUM_MAX bytes. Returns out. */
char *aim_fmt_fixed(char *out, double v, int decimals);

/* As aim_fmt_fixed with at least min_decimals, and more while needed to show `sig`
 * significant digits (at most 9 decimals): a 2-second run's 0.000351 g of CO2e must not
 * read "0.000". */
char *aim_fmt_sig(char *out, double v, int sig, int min_decimals);

/* As aim_fmt_fixed, then trailing zeros (and a bare '.') removed: "475", "56.3". */
char *aim_fmt_trim(char *out, double v, int decimals);

/* snprintf that never warns about truncation at the call site; always NUL-terminates. */
void aim_bprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* UTC wall time. iso: "2026-11-21T14:03:12.345Z"; human: "2026-11-21 14:03:12". out must
 * hold 32 bytes. */
void aim_fmt_time_iso(char *out, size_t len, int64_t unix_ns);
void aim_fmt_time_human(char *out, size_t len, int64_t unix_ns);

/* "1 h 02 min 03 s", "2 min 05 s", "43.0 s": long durations in the overall block and
 * `aimeter ls`. */
void aim_fmt_duration(char *out, size_t len, int64_t ns);

/* "15.66 kJ", "388.7 J", "2.07 MJ"; "12.3 g", "1.24 kg", "3.10 t": compact figures for
 * `aimeter ls`. "-" for non-finite values. */
void aim_fmt_energy_short(char *out, size_t len, double joules);
void aim_fmt_carbon_short(char *out, size_t len, double grams);

#endif
