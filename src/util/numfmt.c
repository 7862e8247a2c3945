/* Locale-free numbers, times and durations (numfmt.h). */
#include "util/numfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void aim__bprintf(char *buf, size_t len, const char *fmt, ...) {
    if (!len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

void aim__bappendf(char *buf, size_t len, const char *fmt, ...) {
    size_t used = strnlen(buf, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
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

char *aim__fmt_fixed(char *out, double v, int decimals) {
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

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
                                    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17 };
#define MAX_DECIMALS 17

/* Enough decimals that every multiple of the resolution prints exactly (the stored value is
 * q x resolution): 2 for 0.01 W, 6 for 1 µW, 10 for 1 MiB in GiB (2^-10). Four decimals of
 * GiB cut a 3 MiB RSS by 1 %. */
int aim__fmt_decimals_for(double resolution) {
    if (!(resolution > 0) || !isfinite(resolution))
        return 6;
    for (int d = 0; d < MAX_DECIMALS; d++) {
        double x = resolution * pow10_tab[d];
        if (fabs(x - nearbyint(x)) <= 1e-9 * x)
            return d;
    }
    return MAX_DECIMALS;
}

/* Writes an unsigned integer, zero-padded to width digits; returns the length. */
static int put_uint(char *out, unsigned long long v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void aim__fmt_exact(char *out, double v, int decimals) {
    if (isnan(v)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "inf" : "-inf");
        return;
    }
    decimals = decimals < 0 ? 0 : decimals > MAX_DECIMALS ? MAX_DECIMALS : decimals;
    while (decimals > 0 && fabs(v) * pow10_tab[decimals] >= 9e18)
        decimals--;
    if (fabs(v) >= 9e18) {
        /* Beyond int64: %e's only locale-dependent character is the decimal point. */
        char tmp[AIM_NUM_MAX];
        snprintf(tmp, sizeof tmp, "%.17e", v);
        normalise(tmp, out, AIM_NUM_MAX);
        return;
    }
    long long n = llround(v * pow10_tab[decimals]);
    int len = 0;
    unsigned long long mag = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
    if (n < 0)
        out[len++] = '-';
    unsigned long long scale = (unsigned long long)pow10_tab[decimals];
    len += put_uint(out + len, mag / scale, 1);
    if (decimals > 0) {
        unsigned long long frac = mag % scale;
        int width = decimals;
        while (width > 0 && frac % 10 == 0) {
            frac /= 10;
            width--;
        }
        if (width > 0) {
            out[len++] = '.';
            len += put_uint(out + len, frac, width);
        }
    }
    out[len] = '\0';
}

void aim__fmt_seconds_us(char *out, int64_t ns) {
    int len = 0;
    uint64_t mag = ns < 0 ? 0ull - (uint64_t)ns : (uint64_t)ns;
    uint64_t us = (mag + 500) / 1000;
    if (ns < 0 && us)
        out[len++] = '-';
    len += put_uint(out + len, us / 1000000, 1);
    out[len++] = '.';
    len += put_uint(out + len, us % 1000000, 6);
    out[len] = '\0';
}

char *aim__fmt_sig(char *out, double v, int sig, int min_decimals) {
    int dec = min_decimals;
    if (isfinite(v) && v != 0.0) {
        int mag = (int)floor(log10(fabs(v)));
        if (sig - 1 - mag > dec)
            dec = sig - 1 - mag;
    }
    return aim__fmt_fixed(out, v, dec > 9 ? 9 : dec);
}

char *aim__fmt_trim_zeros(char *num) {
    if (strchr(num, '.') && !strchr(num, 'e')) {
        size_t n = strlen(num);
        while (n > 0 && num[n - 1] == '0')
            num[--n] = '\0';
        if (n > 0 && num[n - 1] == '.')
            num[--n] = '\0';
    }
    return num;
}

char *aim__fmt_trim(char *out, double v, int decimals) {
    return aim__fmt_trim_zeros(aim__fmt_fixed(out, v, decimals));
}

char *aim__fmt_g(char *out, double v, int digits) {
    if (!isfinite(v)) {
        strcpy(out, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return out;
    }
    char tmp[AIM_NUM_MAX];
    snprintf(tmp, sizeof tmp, "%.*g", digits < 1 ? 1 : digits > 17 ? 17 : digits, v);
    normalise(tmp, out, AIM_NUM_MAX);
    return out;
}

void aim__fmt_duration(char *out, size_t len, int64_t ns) {
    if (ns < 0)
        ns = 0;
    if (ns < 60 * (int64_t)1000000000) {
        char num[AIM_NUM_MAX];
        aim__bprintf(out, len, "%s s", aim__fmt_fixed(num, (double)ns / 1e9, 1));
        return;
    }
    int64_t s = ns / 1000000000;
    if (s < 3600)
        aim__bprintf(out, len, "%d min %02d s", (int)(s / 60), (int)(s % 60));
    else
        aim__bprintf(out, len, "%lld h %02d min %02d s", (long long)(s / 3600),
                    (int)(s % 3600 / 60), (int)(s % 60));
}

/* Scales v by powers of 1000 through the given unit names; 3 significant-ish digits. */
static void fmt_scaled(char *out, size_t len, double v, const char *const *units, int n_units) {
    if (!isfinite(v)) {
        aim__bprintf(out, len, "-");
        return;
    }
    int u = 0;
    while (u + 1 < n_units && fabs(v) >= 999.95) { /* 999.96 would print as "1000.0" */
        v /= 1000.0;
        u++;
    }
    char num[AIM_NUM_MAX];
    if (fabs(v) >= 100.0)
        aim__fmt_fixed(num, v, 1);
    else
        aim__fmt_sig(num, v, 2, 2); /* 0.00035 g, not 0.00 g, for a short run */
    aim__bprintf(out, len, "%s %s", num, units[u]);
}

void aim__fmt_energy_short(char *out, size_t len, double joules) {
    static const char *const units[] = { "J", "kJ", "MJ", "GJ", "TJ" };
    fmt_scaled(out, len, joules, units, 5);
}

void aim__fmt_carbon_short(char *out, size_t len, double grams) {
    static const char *const units[] = { "g", "kg", "t", "kt" };
    fmt_scaled(out, len, grams, units, 4);
}
