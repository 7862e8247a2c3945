/* Text inside Markdown: the one escaper of the Markdown renderers. */
#ifndef AIM_REPORT_MD_TEXT_H
#define AIM_REPORT_MD_TEXT_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends s (at most n bytes, up to a NUL) with the ASCII punctuation GFM would read as
 * markup, table syntax or HTML backslash-escaped; control characters become spaces (a
 * newline would end a table row). */
void aim__md_text(aim_strbuf *b, const char *s, size_t n);

#endif
