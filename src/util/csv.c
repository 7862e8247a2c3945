/* The one CSV writer (csv.h). */
#include "util/csv.h"

#include <string.h>

void aim__csv_field(aim_strbuf *b, const char *s, size_t n) {
    if (!s)
        return;
    size_t len = strnlen(s, n);
    size_t plain = strcspn(s, ",\"\r\n");
    if (plain >= len) {
        aim__strbuf_appendn(b, s, len);
        return;
    }
    aim__strbuf_putc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"')
            continue;
        aim__strbuf_appendn(b, s + start, i + 1 - start); /* through the quote, then again */
        start = i;
    }
    aim__strbuf_appendn(b, s + start, len - start);
    aim__strbuf_putc(b, '"');
}

void aim__csv_row(aim_strbuf *b, const char *const *fields, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i)
            aim__strbuf_putc(b, ',');
        aim__csv_field(b, fields[i], (size_t)-1);
    }
    aim__strbuf_putc(b, '\n');
}
