#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void aim__text_one_line(char *s) {
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

int aim__text_invalid(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        aim__text_one_line(err);
    }
    return -EINVAL;
}
