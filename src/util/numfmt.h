/* Number, time and duration formatting, locale-independent: the library never calls
 * setlocale(), but the program it runs in may, and a report must read "6348.88" whatever
 * LC_NUMERIC says. Thread-safe (no static buffers). */
#ifndef AIM_UTIL_NUMFMT_H
#define AIM_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* aim__fmt_time_iso() and aim__fmt_time_human() live with the calendar. */
#include "util/iso8601.h"

/* Longest output of aim__fmt_fixed, NUL included. */
#define AIM_NUM_MAX 48

/* v with `decimals` digits after a '.', whatever the locale; "n/a" for NaN/inf. Magnitudes
 * of 1e12 and above switch to scientific notation so a corrupt value cannot blow a column
 * up. out must hold AIM_NUM_MAX bytes. Returns out. */
char *aim__fmt_fixed(char *out, double v, int decimals);

/* As aim__fmt_fixed with at least min_decimals, and more while needed to show `sig`
 * significant digits (at most 9 decimals): a 2-second run's 0.000351 g of CO2e must not
 * read "0.000". */
char *aim__fmt_sig(char *out, double v, int sig, int min_decimals);

/* As aim__fmt_fixed, then trailing zeros (and a bare '.') removed: "475", "56.3". */
char *aim__fmt_trim(char *out, double v, int decimals);

/* Trailing zeros after a '.' (and a bare '.') removed from a formatted number in place,
 * exponent forms left alone: "56.300" -> "56.3", "475.0" -> "475". Returns num. */
char *aim__fmt_trim_zeros(char *num);

/* v as printf's "%.*g" with `digits` significant digits, but with a '.' whatever the locale.
 * "nan"/"inf"/"-inf" for non-finite values. out must hold AIM_NUM_MAX bytes. Returns out. */
char *aim__fmt_g(char *out, double v, int digits);

/* Data output (CSV): v rounded to `decimals` places (0-17), trailing zeros dropped: "12.3",
 * "-0.5", "1200"; "nan", "inf", "-inf"; beyond 9e18, 18 significant digits in exponent form.
 * Written digit by digit (no printf: this is the export's inner loop). out must hold
 * AIM_NUM_MAX bytes. */
void aim__fmt_exact(char *out, double v, int decimals);
/* Decimals enough that every multiple of `resolution` prints exactly with aim__fmt_exact: 2
 * for 0.01, 6 for 1e-6, 10 for 2^-10; 6 for a resolution that is not positive and finite. */
int aim__fmt_decimals_for(double resolution);
/* ns as seconds with microseconds, rounded: "12.300014", "-0.000001". out must hold
 * AIM_NUM_MAX bytes. */
void aim__fmt_seconds_us(char *out, int64_t ns);

/* snprintf that never warns about truncation at the call site; always NUL-terminates. */
void aim__bprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same appended to the NUL-terminated text already in buf (cut at len - 1 bytes; nothing
 * once buf is full): labels and notes built piece by piece in a caller's array. For text of
 * any length, util/strbuf.h. */
void aim__bappendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "1 h 02 min 03 s", "2 min 05 s", "43.0 s": long durations in the overall block and
 * `aimeter ls`. */
void aim__fmt_duration(char *out, size_t len, int64_t ns);

/* "15.66 kJ", "388.7 J", "2.07 MJ"; "12.3 g", "1.24 kg", "3.10 t": compact figures for
 * `aimeter ls`. "-" for non-finite values. */
void aim__fmt_energy_short(char *out, size_t len, double joules);
void aim__fmt_carbon_short(char *out, size_t len, double grams);

#endif
