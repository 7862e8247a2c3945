/* Text inside Markdown (md_text.h). */
#include "report/md_text.h"

#include <string.h>

void aim__md_text(aim_strbuf *b, const char *s, size_t n) {
    static const char special[] = "\\`*_[]<>|~&#!";
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            aim__strbuf_putc(b, ' ');
            continue;
        }
        if (strchr(special, c))
            aim__strbuf_putc(b, '\\');
        aim__strbuf_putc(b, (char)c);
    }
}
