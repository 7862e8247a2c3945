/* Locale-free numbers, times and durations (numfmt.h). */
#include "util/numfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void aim_bprintf(char *buf, size_t len, const char *fmt, ...) {
    if (!len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* printf's %f/%e write the locale's radix character, which may be ',' or a multi-byte
 * sequence. Digits, signs and the exponent letter are the same in every locale, so every
 * run of other bytes is the radix and becomes '.'. This never touches the global locale
 * (uselocale() would be thread-local, but is not needed). */
static void normalise(const char *in, char *out, size_t len) {
    size_t o = 0;
    int in_radix = 0;
    for (const char *p = in; *p && o + 1 < len; p++) {
        char c = *p;
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
            out[o++] = c;
            in_radix = 0;
        } else if (!in_radix) {
            out[o++] = '.';
            in_radix = 1;
        }
    }
    out[o] = '\0';
}

char *aim_fmt_fixed(char *out, double v, int decimals) {
    if (!isfinite(v)) {
        strcpy(out, "n/a");
        return out;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    char tmp[AIM_NUM_MAX];
    if (fabs(v) >= 1e12)
        snprintf(tmp, sizeof tmp, "%.3e", v);
    else
        snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    normalise(tmp, out, AIM_NUM_MAX);
    /* "-0.00" (a tiny negative rounded away, or -0.0) reads as a sign error: drop it. */
    if (out[0] == '-' && strspn(out + 1, "0.") == strlen(out + 1))
        memmove(out, out + 1, strlen(out));
    return out;
}

char *aim_fmt_sig(char *out, double v, int sig, int min_decimals) {
    int dec = min_decimals;
    if (isfinite(v) && v != 0.0) {
        int mag = (int)floor(log10(fabs(v)));
        if (sig - 1 - mag > dec)
            dec = sig - 1 - mag;
    }
    return aim_fmt_fixed(out, v, dec > 9 ? 9 : dec);
}

char *aim_fmt_trim(char *out, double v, int decimals) {
    aim_fmt_fixed(out, v, decimals);
    if (strchr(out, '.') && !strchr(out, 'e')) {
        size_t n = strlen(out);
        while (n > 0 && out[n - 1] == '0')
            out[--n] = '\0';
        if (n > 0 && out[n - 1] == '.')
            out[--n] = '\0';
    }
    return out;
}

/* Splits ns since the epoch into broken-down UTC and milliseconds; floor division so times
 * before 1970 (a badly set clock) still print a consistent date. */
static int split_time(int64_t unix_ns, struct tm *tm, int *ms) {
    int64_t s = unix_ns / 1000000000;
    int64_t rem = unix_ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        s--;
    }
    time_t t = (time_t)s;
    if (!gmtime_r(&t, tm))
        return -1;
    *ms = (int)(rem / 1000000);
    return 0;
}

void aim_fmt_time_iso(char *out, size_t len, int64_t unix_ns) {
    struct tm tm;
    int ms;
    if (split_time(unix_ns, &tm, &ms) < 0) {
        aim_bprintf(out, len, "?");
        return;
    }
    aim_bprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void aim_fmt_time_human(char *out, size_t len, int64_t unix_ns) {
    struct tm tm;
    int ms;
    if (split_time(unix_ns, &tm, &ms) < 0) {
        aim_bprintf(out, len, "?");
        return;
    }
    aim_bprintf(out, len, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void aim_fmt_duration(char *out, size_t len, int64_t ns) {
    if (ns < 0)
        ns = 0;
    if (ns < 60 * (int64_t)1000000000) {
        char num[AIM_NUM_MAX];
        aim_bprintf(out, len, "%s s", aim_fmt_fixed(num, (double)ns / 1e9, 1));
        return;
    }
    int64_t s = ns / 1000000000;
    if (s < 3600)
        aim_bprintf(out, len, "%d min %02d s", (int)(s / 60), (int)(s % 60));
    else
        aim_bprintf(out, len, "%lld h %02d min %02d s", (long long)(s / 3600),
                    (int)(s % 3600 / 60), (int)(s % 60));
}

/* Scales v by powers of 1000 through the given unit names; 3 significant-ish digits. */
static void fmt_scaled(char *out, size_t len, double v, const char *const *units, int n_units) {
    if (!isfinite(v)) {
        aim_bprintf(out, len, "-");
        return;
    }
    int u = 0;
    while (u + 1 < n_units && fabs(v) >= 999.95) { /* 999.96 would print as "1000.0" */
        v /= 1000.0;
        u++;
    }
    char num[AIM_NUM_MAX];
    if (fabs(v) >= 100.0)
        aim_fmt_fixed(num, v, 1);
    else
        aim_fmt_sig(num, v, 2, 2); /* 0.00035 g, not 0.00 g, for a short run */
    aim_bprintf(out, len, "%s %s", num, units[u]);
}

void aim_fmt_energy_short(char *out, size_t len, double joules) {
    static const char *const units[] = { "J", "kJ", "MJ", "GJ", "TJ" };
    fmt_scaled(out, len, joules, units, 5);
}

void aim_fmt_carbon_short(char *out, size_t len, double grams) {
    static const char *const units[] = { "g", "kg", "t", "kt" };
    fmt_scaled(out, len, grams, units, 4);
}
