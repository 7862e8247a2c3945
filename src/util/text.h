/* Messages of one line: whatever a message quotes (a typed item, a file name, a provider's
 * answer), a caller that writes each message as a line must not be made to write two. */
#ifndef AIM_TEXT_H
#define AIM_TEXT_H

#include <stddef.h>

/* Replaces every control character of s (below 0x20, and DEL) with '?'. */
void aim__text_one_line(char *s);

/* Formats a one-line message into err (errlen bytes; nothing when err is NULL) and returns
 * -EINVAL: the error of a parser that says what was wrong with its input. */
int aim__text_invalid(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
