#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aim__strbuf_free(aim_strbuf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

int aim__strbuf_steal(aim_strbuf *b, char **ret_text) {
    if (!b->err && !b->data) {
        b->data = strdup("");
        if (!b->data)
            b->err = -ENOMEM;
    }
    if (b->err) {
        int r = b->err;
        aim__strbuf_free(b);
        return r;
    }
    *ret_text = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return 0;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int reserve(aim_strbuf *b, size_t extra) {
    if (b->err)
        return -1;
    if (extra > SIZE_MAX / 2 - b->len - 1) {
        b->err = -ENOMEM;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    if (aim__array_reserve(&b->data, &b->cap, need, 1, 256) < 0) {
        b->err = -ENOMEM;
        return -1;
    }
    return 0;
}

void aim__strbuf_appendn(aim_strbuf *b, const char *s, size_t n) {
    if (reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void aim__strbuf_append(aim_strbuf *b, const char *s) { aim__strbuf_appendn(b, s, strlen(s)); }

void aim__strbuf_putc(aim_strbuf *b, char c) { aim__strbuf_appendn(b, &c, 1); }

void aim__strbuf_repeat(aim_strbuf *b, char c, size_t n) {
    if (reserve(b, n) < 0)
        return;
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void aim__strbuf_vprintf(aim_strbuf *b, const char *fmt, va_list ap) {
    if (b->err)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->err = -EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        aim__strbuf_appendn(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) < 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void aim__strbuf_printf(aim_strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    aim__strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void aim__strbuf_endline(aim_strbuf *b) {
    if (b->err)
        return;
    while (b->len > 0 && b->data[b->len - 1] == ' ')
        b->len--;
    if (b->data)
        b->data[b->len] = '\0';
    aim__strbuf_putc(b, '\n');
}

size_t aim__utf8_width(const char *s) {
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

void aim__strbuf_pad_left(aim_strbuf *b, const char *s, size_t width) {
    size_t w = aim__utf8_width(s);
    if (w < width)
        aim__strbuf_repeat(b, ' ', width - w);
    aim__strbuf_append(b, s);
}

void aim__strbuf_pad_right(aim_strbuf *b, const char *s, size_t width) {
    size_t w = aim__utf8_width(s);
    aim__strbuf_append(b, s);
    if (w < width)
        aim__strbuf_repeat(b, ' ', width - w);
}

void aim__strbuf_append_clean(aim_strbuf *b, const char *s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            aim__strbuf_appendn(b, s + start, i - start);
            aim__strbuf_putc(b, '?');
            start = i + 1;
        }
    }
    aim__strbuf_appendn(b, s + start, strnlen(s + start, n - start));
}

void aim__strbuf_append_utf8(aim_strbuf *b, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    n = strnlen(s, n);
    size_t i = 0, start = 0;
    while (i < n) {
        size_t len = aim__utf8_seq(u + i, n - i);
        if (len) {
            i += len;
            continue;
        }
        aim__strbuf_appendn(b, s + start, i - start);
        aim__strbuf_append(b, "\xEF\xBF\xBD");
        start = ++i;
    }
    aim__strbuf_appendn(b, s + start, n - start);
}
