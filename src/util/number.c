/* Locale-independent decimal parsing (number.h). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "util/number.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

/* Created once and kept for the process: newlocale per call cost more than the parse. */
static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

static size_t digits(const char *p, const char *end) {
    size_t n = 0;
    while (p + n < end && p[n] >= '0' && p[n] <= '9')
        n++;
    return n;
}

int aim__parse_decimal(const char *text, size_t len, int allow_sign, double *ret) {
    const char *p = text, *end = text + len;
    if (p < end && (*p == '+' || *p == '-')) {
        if (!allow_sign)
            return -EINVAL;
        p++;
    }
    size_t mant = digits(p, end);
    p += mant;
    if (p < end && *p == '.') {
        size_t frac = digits(p + 1, end);
        p += 1 + frac;
        mant += frac;
    }
    if (mant == 0)
        return -EINVAL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        size_t exp = digits(p, end);
        if (exp == 0)
            return -EINVAL;
        p += exp;
    }
    char buf[128];
    if (p != end || len >= sizeof buf)
        return -EINVAL;
    pthread_once(&c_locale_once, make_c_locale);
    if (c_locale == (locale_t)0)
        return -ENOMEM;
    memcpy(buf, text, len);
    buf[len] = '\0';
    double v = strtod_l(buf, NULL, c_locale);
    if (!isfinite(v))
        return -ERANGE; /* "1e999": the right shape, but no double holds it */
    *ret = v;
    return 0;
}

int aim_parse_number(const char *text, size_t len, double *ret) {
    /* Digits and one '.' only: an option value such as "1e3" hours is more likely a typo
     * than a wish, and is refused rather than read as 1000. */
    for (size_t i = 0; text && i < len; i++)
        if ((text[i] < '0' || text[i] > '9') && text[i] != '.')
            return -EINVAL;
    return text ? aim__parse_decimal(text, len, 0, ret) : -EINVAL;
}

int aim__hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
