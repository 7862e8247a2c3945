/* ISO 8601 times (iso8601.h). */
#include "util/iso8601.h"

#include <errno.h>
#include <stdio.h>

#include "util/numfmt.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t aim__iso8601_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned aim__iso8601_days_in_month(int64_t y, unsigned m) {
    static const unsigned dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* n decimal digits at s[*i] (all of them must be there). */
static int digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *ret) {
    unsigned v = 0;
    for (unsigned k = 0; k < n; k++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -EINVAL;
        v = v * 10 + (unsigned)(s[*i] - '0');
        (*i)++;
    }
    *ret = v;
    return 0;
}

static int expect(const char *s, size_t len, size_t *i, char c) {
    if (*i >= len || s[*i] != c)
        return -EINVAL;
    (*i)++;
    return 0;
}

int aim__iso8601_parse(const char *s, size_t len, int64_t *ret_ms) {
    size_t i = 0;
    unsigned year, mon, day, hh = 0, mm = 0, ss = 0, ms = 0;
    if (!s || digits(s, len, &i, 4, &year) || expect(s, len, &i, '-') ||
        digits(s, len, &i, 2, &mon) || expect(s, len, &i, '-') || digits(s, len, &i, 2, &day))
        return -EINVAL;
    if (year < 1900 || mon < 1 || mon > 12 || day < 1 || day > aim__iso8601_days_in_month(year, mon))
        return -EINVAL;
    int64_t offset_min = 0;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -EINVAL;
        i++;
        if (digits(s, len, &i, 2, &hh) || expect(s, len, &i, ':') || digits(s, len, &i, 2, &mm))
            return -EINVAL;
        if (i < len && s[i] == ':') {
            i++;
            if (digits(s, len, &i, 2, &ss))
                return -EINVAL;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                unsigned nd = 0, scale = 100;
                while (i < len && s[i] >= '0' && s[i] <= '9') {
                    if (nd < 3) {
                        ms += (unsigned)(s[i] - '0') * scale;
                        scale /= 10;
                    }
                    nd++;
                    i++;
                }
                if (nd == 0 || nd > 9)
                    return -EINVAL;
            }
        }
        if (hh > 23 || mm > 59 || ss > 59)
            return -EINVAL;
        if (i < len) {
            if (s[i] == 'Z' || s[i] == 'z') {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                int sign = s[i] == '-' ? -1 : 1;
                unsigned oh, om = 0;
                i++;
                if (digits(s, len, &i, 2, &oh))
                    return -EINVAL;
                if (i < len && s[i] == ':')
                    i++;
                if (i < len && digits(s, len, &i, 2, &om))
                    return -EINVAL;
                if (oh > 14 || om > 59)
                    return -EINVAL;
                offset_min = sign * (int64_t)(oh * 60 + om);
            } else {
                return -EINVAL;
            }
        }
    }
    if (i != len)
        return -EINVAL;
    int64_t days = aim__iso8601_days_from_civil(year, mon, day);
    int64_t secs = days * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss - offset_min * 60;
    int64_t t = secs * 1000 + ms;
    if (t < AIM_ISO8601_MIN_MS || t > AIM_ISO8601_MAX_MS)
        return -EINVAL; /* an offset pushed it out of range */
    *ret_ms = t;
    return 0;
}

size_t aim__iso8601_format(int64_t ms, int with_seconds, char *buf, size_t size) {
    /* Clamped to the parser's years, so that no input can overflow the arithmetic below. */
    if (ms < AIM_ISO8601_MIN_MS)
        ms = AIM_ISO8601_MIN_MS;
    if (ms > AIM_ISO8601_MAX_MS)
        ms = AIM_ISO8601_MAX_MS;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n = with_seconds
                ? snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
                           (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60))
                : snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02uZ", (long long)y, m, d,
                           (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60));
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

/* Splits ns since the epoch into a UTC date, seconds of the day and milliseconds; floor
 * division so that times before 1970 (a badly set clock) still print a consistent date. */
static void split_ns(int64_t unix_ns, int64_t *y, unsigned *m, unsigned *d, int64_t *sod,
                     int *ms) {
    int64_t s = unix_ns / 1000000000, rem = unix_ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        s--;
    }
    int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    *sod = s - days * 86400;
    civil_from_days(days, y, m, d);
    *ms = (int)(rem / 1000000);
}

/* iso 1: "2026-11-21T14:03:12.345Z"; 0: "2026-11-21 14:03:12". */
static void fmt_ns(char *out, size_t len, int64_t unix_ns, int iso) {
    int64_t y, sod;
    unsigned m, d;
    int ms;
    split_ns(unix_ns, &y, &m, &d, &sod, &ms);
    unsigned hh = (unsigned)(sod / 3600), mi = (unsigned)(sod / 60 % 60);
    unsigned ss = (unsigned)(sod % 60);
    if (iso)
        aim__bprintf(out, len, "%04lld-%02u-%02uT%02u:%02u:%02u.%03dZ", (long long)y, m, d, hh, mi,
                    ss, ms);
    else
        aim__bprintf(out, len, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)y, m, d, hh, mi, ss);
}

void aim__fmt_time_iso(char *out, size_t len, int64_t unix_ns) { fmt_ns(out, len, unix_ns, 1); }

void aim__fmt_time_human(char *out, size_t len, int64_t unix_ns) { fmt_ns(out, len, unix_ns, 0); }
