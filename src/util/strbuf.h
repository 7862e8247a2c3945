/* A growable string for building reports. Errors are sticky: after a failed allocation
 * every append is a no-op and aim__strbuf_steal() returns -ENOMEM, so renderers check once
 * at the end instead of after every line. Not for the sampling path (it allocates). */
#ifndef AIM_STRBUF_H
#define AIM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct aim_strbuf {
    char *data;   /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    int err;      /* 0 or -ENOMEM, sticky */
} aim_strbuf;

#define AIM_STRBUF_INIT { NULL, 0, 0, 0 }

void aim__strbuf_free(aim_strbuf *b);

/* Hands the text to the caller (free with free(); "" for an empty buffer) and resets b.
 * -ENOMEM if any append failed (the buffer is freed then). */
int aim__strbuf_steal(aim_strbuf *b, char **ret_text);

void aim__strbuf_appendn(aim_strbuf *b, const char *s, size_t n);
void aim__strbuf_append(aim_strbuf *b, const char *s);
void aim__strbuf_putc(aim_strbuf *b, char c);
void aim__strbuf_repeat(aim_strbuf *b, char c, size_t n);
void aim__strbuf_printf(aim_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void aim__strbuf_vprintf(aim_strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Drops trailing spaces and ends the line: padded columns never leave trailing blanks. */
void aim__strbuf_endline(aim_strbuf *b);

/* Appends s (at most n bytes) padded with spaces to `width` display columns, on the left
 * (right-aligned) or right (left-aligned). */
void aim__strbuf_pad_left(aim_strbuf *b, const char *s, size_t width);
void aim__strbuf_pad_right(aim_strbuf *b, const char *s, size_t width);

/* Appends at most n bytes of s with control characters replaced by '?': stored names,
 * commands and warnings must not move the cursor or inject escape sequences. */
void aim__strbuf_append_clean(aim_strbuf *b, const char *s, size_t n);

/* Appends at most n bytes of s with every invalid UTF-8 sequence replaced by U+FFFD
 * (JSON strings must be valid UTF-8; argv and sysfs text need not be). */
void aim__strbuf_append_utf8(aim_strbuf *b, const char *s, size_t n);

/* Display columns of a UTF-8 string (code points; every code point counts as one). */
size_t aim__utf8_width(const char *s);

#endif
