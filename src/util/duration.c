/* Duration parsing: "100ms", "0.5s", "2s", "1m", "250us", "1h", "7d"; a bare number is seconds. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "aimeter.h"

int aim_parse_duration(const char *text, int64_t *ret_ns) {
    if (!text || !*text)
        return -EINVAL;
    /* Parse by hand: strtod would accept locales' decimal commas, hex and "inf". */
    const char *p = text;
    double whole = 0, frac = 0, scale = 1;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        whole = whole * 10 + (*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            scale /= 10;
            frac += (*p++ - '0') * scale;
            digits++;
        }
    }
    if (digits == 0)
        return -EINVAL;
    static const struct { const char *suffix; double ns; } units[] = {
        { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
        { "", 1e9 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(p, units[i].suffix) != 0)
            continue;
        double ns = (whole + frac) * units[i].ns;
        if (!(ns >= 1.0) || ns > 9.2e18)
            return -ERANGE;
        *ret_ns = (int64_t)llround(ns);
        return 0;
    }
    return -EINVAL;
}
