/* UTF-8 validation (utf8.h). */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

size_t aim__utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int aim__utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    while (n > 0) {
        size_t k = aim__utf8_seq(p, n);
        if (k == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

size_t aim__utf8_prefix(const char *s, size_t n, size_t max) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = aim__utf8_seq(p + i, n - i);
        k = k ? k : 1;
        if (i + k > max)
            break;
        i += k;
    }
    return i;
}

int aim__utf8_shorten(char *out, size_t size, const char *s) {
    static const char dots[] = "...";
    if (size == 0)
        return 1;
    size_t n = strlen(s);
    if (n < size) {
        memcpy(out, s, n + 1);
        return 0;
    }
    size_t room = size - 1, d = sizeof dots - 1 < room ? sizeof dots - 1 : room;
    size_t keep = aim__utf8_prefix(s, n, room - d);
    memcpy(out, s, keep);
    memcpy(out + keep, dots, d);
    out[keep + d] = 0;
    return 1;
}
