/* A small grid of text cells rendered as an aligned text table or a Markdown table: the
 * compare, forecast and hardware what-if outputs, whose column count depends on the runs or
 * alternatives given. Row 0 is the header. Errors are sticky like aim_strbuf's. */
#ifndef AIM_REPORT_TABLE_H
#define AIM_REPORT_TABLE_H

#include <stddef.h>

#include "util/strbuf.h"

typedef struct aim_table {
    size_t cols, rows, cap;
    char **cells;             /* rows × cols, owned; NULL = empty */
    unsigned char *right;     /* per column: 1 right-aligned (figures) */
    int err;                  /* -ENOMEM, sticky */
} aim_table;

/* An empty table of `cols` columns, all left-aligned. */
void aim__table_init(aim_table *t, size_t cols);
void aim__table_free(aim_table *t);
void aim__table_align_right(aim_table *t, size_t col);
/* Starts a new row (every cell empty). */
void aim__table_row(aim_table *t);
/* Sets a cell of the latest row (control characters become '?'). */
void aim__table_set(aim_table *t, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Columns separated by two spaces, each line after `indent`; the header is underlined when
 * `rule` is set. */
void aim__table_text(const aim_table *t, aim_strbuf *b, const char *indent, int rule);
/* | a | b | with a |---| line after the header; '|' in a cell is escaped. */
void aim__table_markdown(const aim_table *t, aim_strbuf *b);

#endif
