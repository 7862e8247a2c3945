/* Text and Markdown tables (table.h). */
#include "report/table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

void aim__table_init(aim_table *t, size_t cols) {
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->right = calloc(cols ? cols : 1, 1);
    if (!t->right)
        t->err = -ENOMEM;
}

void aim__table_free(aim_table *t) {
    if (t->cells)
        for (size_t i = 0; i < t->rows * t->cols; i++)
            free(t->cells[i]);
    free(t->cells);
    free(t->right);
    memset(t, 0, sizeof *t);
}

void aim__table_align_right(aim_table *t, size_t col) {
    if (!t->err && col < t->cols)
        t->right[col] = 1;
}

void aim__table_row(aim_table *t) {
    if (t->err)
        return;
    if (t->rows == t->cap) {
        size_t cap = aim__array_next_cap(t->cap, t->rows + 1, 8);
        if (cap == 0 || aim__array_resize(&t->cells, cap, t->cols * sizeof *t->cells) < 0) {
            t->err = -ENOMEM;
            return;
        }
        t->cap = cap;
    }
    memset(&t->cells[t->rows * t->cols], 0, t->cols * sizeof *t->cells);
    t->rows++;
}

void aim__table_set(aim_table *t, size_t col, const char *fmt, ...) {
    if (t->err || t->rows == 0 || col >= t->cols)
        return;
    va_list ap;
    va_start(ap, fmt);
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *raw = NULL;
    if (aim__strbuf_steal(&b, &raw) < 0) {
        t->err = -ENOMEM;
        return;
    }
    for (char *p = raw; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    char **cell = &t->cells[(t->rows - 1) * t->cols + col];
    free(*cell);
    *cell = raw;
}

static const char *cell_at(const aim_table *t, size_t r, size_t c) {
    const char *s = t->cells[r * t->cols + c];
    return s ? s : "";
}

void aim__table_text(const aim_table *t, aim_strbuf *b, const char *indent, int rule) {
    if (t->err) {
        b->err = -ENOMEM;
        return;
    }
    size_t *w = calloc(t->cols ? t->cols : 1, sizeof *w);
    if (!w) {
        b->err = -ENOMEM;
        return;
    }
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++) {
            size_t cw = aim__utf8_width(cell_at(t, r, c));
            if (cw > w[c])
                w[c] = cw;
        }
    for (size_t r = 0; r < t->rows; r++) {
        aim__strbuf_append(b, indent ? indent : "");
        for (size_t c = 0; c < t->cols; c++) {
            if (c)
                aim__strbuf_append(b, "  ");
            if (t->right[c])
                aim__strbuf_pad_left(b, cell_at(t, r, c), w[c]);
            else
                aim__strbuf_pad_right(b, cell_at(t, r, c), w[c]);
        }
        aim__strbuf_endline(b);
        if (r == 0 && rule) {
            aim__strbuf_append(b, indent ? indent : "");
            size_t total = 0;
            for (size_t c = 0; c < t->cols; c++)
                total += w[c] + (c ? 2 : 0);
            aim__strbuf_repeat(b, '-', total);
            aim__strbuf_endline(b);
        }
    }
    free(w);
}

static void md_cell(aim_strbuf *b, const char *s) {
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') /* the text layout's padding */
        n--;
    aim__strbuf_putc(b, ' ');
    for (const char *end = s + n; s < end; s++) {
        if (*s == '|')
            aim__strbuf_putc(b, '\\');
        aim__strbuf_putc(b, *s);
    }
    aim__strbuf_append(b, " |");
}

void aim__table_markdown(const aim_table *t, aim_strbuf *b) {
    if (t->err) {
        b->err = -ENOMEM;
        return;
    }
    for (size_t r = 0; r < t->rows; r++) {
        aim__strbuf_putc(b, '|');
        for (size_t c = 0; c < t->cols; c++)
            md_cell(b, cell_at(t, r, c));
        aim__strbuf_putc(b, '\n');
        if (r == 0) {
            aim__strbuf_putc(b, '|');
            for (size_t c = 0; c < t->cols; c++)
                aim__strbuf_append(b, t->right[c] ? "---:|" : "---|");
            aim__strbuf_putc(b, '\n');
        }
    }
}
