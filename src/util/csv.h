/* The one CSV writer: every CSV aimeter writes (export, corr, compare, the column lists)
 * quotes its fields with this rule, RFC 4180: a field that holds a comma, a double quote, a
 * CR or a LF is enclosed in double quotes with each double quote doubled; every other field,
 * and every byte, is written as it is (docs/decisions.md: CSV is data, a reader must get the
 * name back exactly). Numbers: util/numfmt.h. */
#ifndef AIM_UTIL_CSV_H
#define AIM_UTIL_CSV_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends at most n bytes of s (up to a NUL; NULL as "") as one field. */
void aim__csv_field(aim_strbuf *b, const char *s, size_t n);

/* A row of n fields (NULL as ""), separated by commas and ended by "\n". */
void aim__csv_row(aim_strbuf *b, const char *const *fields, size_t n);

#endif
