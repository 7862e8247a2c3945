/* aimeter compare rendered from its result (processing/compare.h): text, Markdown, JSON
 * (schema "aimeter.compare/1") and CSV. Nothing here reads the store. */
#include "report/compare_report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "processing/report_words.h"
#include "report/jsonutil.h"
#include "processing/report_model.h"
#include "report/table.h"
#include "util/csv.h"

static void col_name(char *out, size_t len, size_t i) {
    if (i < 26)
        aim__bprintf(out, len, "%c", (char)('A' + i));
    else
        aim__bprintf(out, len, "#%zu", i + 1);
}

static void group_label(char *out, size_t len, const aim_compare_result *q, size_t g) {
    if (q->groups[g].has)
        aim__bprintf(out, len, "%s=%s", q->by, q->groups[g].value);
    else
        aim__bprintf(out, len, "%s unset", q->by);
}

static void column_label(char *out, size_t len, const aim_compare_result *q, size_t c) {
    if (q->by)
        group_label(out, len, q, c);
    else
        col_name(out, len, c);
}

/* ------------------------------------------------------------------ text and Markdown */

static void cell_text(char *out, size_t len, const aim_compare_result *q, const aim_cmp_row *r, size_t c) {
    char v[AIM_NUM_MAX], sd[AIM_NUM_MAX], ra[AIM_NUM_MAX];
    if (isnan(r->value[c])) {
        aim__bprintf(out, len, "-");
        return;
    }
    aim__fmt_sig(v, r->value[c], 4, 0);
    size_t o = 0;
    aim__bprintf(out, len, "%s", v);
    o = strlen(out);
    if (q->by) {
        if (!isnan(r->sd[c]))
            aim__bprintf(out + o, len - o, " ± %s", aim__fmt_sig(sd, r->sd[c], 2, 0));
        o = strlen(out);
        if (r->n[c] != q->groups[c].n_runs)
            aim__bprintf(out + o, len - o, " [n=%llu]", (unsigned long long)r->n[c]);
        o = strlen(out);
    }
    if (c != aim__compare_base_col(q) && !isnan(r->ratio[c]))
        aim__bprintf(out + o, len - o, " ×%s", aim__fmt_sig(ra, r->ratio[c], 3, 2));
    o = strlen(out);
    /* Every cell ends in two columns, " *" or blanks, so right-aligned figures line up. */
    aim__bprintf(out + o, len - o, r->best == (long)c ? " *" : "  ");
}

static void fill_table(aim_table *t, const aim_compare_result *q) {
    const aim_cmp_table *ct = &q->table;
    aim__table_init(t, 2 + ct->n_cols);
    for (size_t c = 0; c < ct->n_cols; c++)
        aim__table_align_right(t, 2 + c);
    aim__table_row(t);
    aim__table_set(t, 0, "Figure");
    aim__table_set(t, 1, "Unit");
    for (size_t c = 0; c < ct->n_cols; c++) {
        char label[AIM_TAG_VALUE_SIZE + 96];
        column_label(label, sizeof label, q, c);
        size_t l = strlen(label);
        if (q->by)
            aim__bprintf(label + l, sizeof label - l, " (n=%zu)", q->groups[c].n_runs);
        l = strlen(label);
        if (c == aim__compare_base_col(q))
            aim__bprintf(label + l, sizeof label - l, " (baseline)");
        aim__table_set(t, 2 + c, "%s", label);
    }
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        aim__table_row(t);
        aim__table_set(t, 0, "%s", r->label);
        aim__table_set(t, 1, "%s", r->unit);
        for (size_t c = 0; c < ct->n_cols; c++) {
            char cell[3 * AIM_NUM_MAX + 32];
            cell_text(cell, sizeof cell, q, r, c);
            aim__table_set(t, 2 + c, "%s", cell);
        }
    }
}

static void run_line(aim_strbuf *b, const aim_compare_result *q, size_t i, int markdown) {
    const aim_run_summary *run = &q->runs[i];
    char col[16], when[32];
    col_name(col, sizeof col, i);
    aim__fmt_time_human(when, sizeof when, run->start_wall_ns);
    aim__strbuf_printf(b, markdown ? "- **%s** `" : "  %s  ", col);
    aim__strbuf_append_clean(b, run->id, sizeof run->id);
    aim__strbuf_append(b, markdown ? "`" : "");
    if (strnlen(run->name, sizeof run->name)) {
        aim__strbuf_append(b, "  \"");
        aim__strbuf_append_clean(b, run->name, sizeof run->name);
        aim__strbuf_append(b, "\"");
    }
    aim__strbuf_printf(b, "  %s  %s", when, aim__report_status_word(run));
    if (run->n_tags) {
        aim__strbuf_append(b, "  tags:");
        for (size_t k = 0; k < run->n_tags; k++) {
            aim__strbuf_printf(b, " %s=", run->tags[k].key);
            aim__strbuf_append_clean(b, run->tags[k].value, sizeof run->tags[k].value);
        }
    }
    if (i == q->baseline)
        aim__strbuf_append(b, "  (baseline)");
    aim__strbuf_endline(b);
}

void aim__compare_text(aim_strbuf *b, const aim_compare_result *q, int markdown) {
    char label[AIM_TAG_VALUE_SIZE + 64];
    if (markdown)
        aim__strbuf_append(b, "# aimeter compare\n\n");
    else
        aim__strbuf_append(b, "aimeter compare  ");
    aim__strbuf_printf(b, "%zu run%s", q->n, q->n == 1 ? "" : "s");
    if (q->by)
        aim__strbuf_printf(b, " in %zu group%s by tag %s", q->n_groups,
                          q->n_groups == 1 ? "" : "s", q->by);
    aim__strbuf_append(b, markdown ? "\n\n" : "\n");
    for (size_t i = 0; i < q->n; i++) {
        run_line(b, q, i, markdown);
        if (q->by) {
            group_label(label, sizeof label, q, q->group_of[i]);
            aim__strbuf_append(b, markdown ? "  - group " : "      group ");
            aim__strbuf_append(b, label);
            aim__strbuf_endline(b);
        }
    }
    aim__strbuf_append(b, "\n");
    aim_table t;
    fill_table(&t, q);
    if (markdown)
        aim__table_markdown(&t, b);
    else
        aim__table_text(&t, b, "", 0);
    aim__table_free(&t);
    aim__strbuf_append(b, "\n");
    column_label(label, sizeof label, q, aim__compare_base_col(q));
    if (q->by)
        aim__strbuf_append(b, "Each cell: the group's mean ± its sample standard deviation "
                             "(n - 1); [n=k] when only k of its runs have the figure.\n");
    aim__strbuf_printf(b, "×: ratio to the baseline (%s). *: the lowest in its row; records and "
                         "mean power have no best.\n", label);
    aim__strbuf_append(b, "Energy is IT energy (devices counted in the total); carbon and cost "
                         "include each run's PUE.\n");
}

/* ------------------------------------------------------------------ JSON and CSV */

static json_t *num_array(const double *v, size_t n, int *err) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        aim__json_push(a, aim__json_num(v[i]), err);
    return a;
}

int aim__compare_json(const aim_compare_result *q, char **ret_text) {
    int err = 0;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.compare/1"), &err);
    const aim_run_summary *base = &q->runs[q->baseline];
    aim__json_put(root, "baseline", aim__json_str(base->id, sizeof base->id), &err);
    aim__json_put(root, "by", q->by ? json_string(q->by) : json_null(), &err);
    json_t *runs = json_array();
    for (size_t i = 0; i < q->n; i++) {
        const aim_run_summary *r = &q->runs[i];
        char col[16];
        col_name(col, sizeof col, i);
        json_t *o = json_object();
        aim__json_put(o, "column", json_string(col), &err);
        aim__json_put(o, "id", aim__json_str(r->id, sizeof r->id), &err);
        aim__json_put(o, "name", aim__json_str(r->name, sizeof r->name), &err);
        aim__json_put(o, "status", json_string(aim__json_status(r->status)), &err);
        aim__json_put(o, "start_time", aim__json_time(r->start_wall_ns), &err);
        aim__json_put(o, "tags", aim__json_tags(r->tags, r->n_tags), &err);
        if (q->by)
            aim__json_put(o, "group", json_integer((json_int_t)q->group_of[i]), &err);
        aim__json_push(runs, o, &err);
    }
    aim__json_put(root, "runs", runs, &err);
    if (q->by) {
        json_t *groups = json_array();
        for (size_t g = 0; g < q->n_groups; g++) {
            char label[AIM_TAG_VALUE_SIZE + 64];
            group_label(label, sizeof label, q, g);
            json_t *o = json_object();
            aim__json_put(o, "label", aim__json_str(label, sizeof label), &err);
            aim__json_put(o, "value", q->groups[g].has
                                         ? aim__json_str(q->groups[g].value, sizeof q->groups[g].value)
                                         : json_null(), &err);
            aim__json_put(o, "n", aim__json_count(q->groups[g].n_runs), &err);
            aim__json_put(o, "baseline", json_boolean(g == aim__compare_base_col(q)), &err);
            json_t *ids = json_array();
            for (size_t i = 0; i < q->n; i++)
                if (q->group_of[i] == g)
                    aim__json_push(ids, aim__json_str(q->runs[i].id, sizeof q->runs[i].id), &err);
            aim__json_put(o, "runs", ids, &err);
            aim__json_push(groups, o, &err);
        }
        aim__json_put(root, "groups", groups, &err);
    }
    aim__json_put(root, "baseline_column", json_integer((json_int_t)aim__compare_base_col(q)), &err);
    aim__json_put(root, "stddev", q->by ? json_string("sample (n - 1)") : json_null(), &err);
    json_t *rows = json_array();
    const aim_cmp_table *ct = &q->table;
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        json_t *o = json_object();
        aim__json_put(o, "key", aim__json_str(r->key, sizeof r->key), &err);
        aim__json_put(o, "label", aim__json_str(r->label, sizeof r->label), &err);
        aim__json_put(o, "unit", aim__json_str(r->unit, sizeof r->unit), &err);
        aim__json_put(o, "better", r->lower_better ? json_string("lower") : json_null(), &err);
        aim__json_put(o, q->by ? "mean" : "values", num_array(r->value, ct->n_cols, &err), &err);
        if (q->by) {
            aim__json_put(o, "stddev", num_array(r->sd, ct->n_cols, &err), &err);
            json_t *n = json_array();
            for (size_t c = 0; c < ct->n_cols; c++)
                aim__json_push(n, aim__json_count(r->n[c]), &err);
            aim__json_put(o, "n", n, &err);
        }
        aim__json_put(o, "ratios", num_array(r->ratio, ct->n_cols, &err), &err);
        aim__json_put(o, "best", r->best >= 0 ? json_integer(r->best) : json_null(), &err);
        aim__json_push(rows, o, &err);
    }
    aim__json_put(root, "rows", rows, &err);
    int rc = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return rc;
}

static void csv_num(aim_strbuf *b, double v) {
    char n[AIM_NUM_MAX];
    aim__strbuf_putc(b, ',');
    if (isnan(v) || !isfinite(v))
        return;
    aim__strbuf_append(b, aim__fmt_trim_zeros(aim__fmt_sig(n, v, 10, 0))); /* 10 significant digits */
}

void aim__compare_csv(aim_strbuf *b, const aim_compare_result *q) {
    const aim_cmp_table *ct = &q->table;
    aim__strbuf_append(b, q->by ? "row,label,unit,group,n,mean,stddev,ratio,best\n"
                               : "row,label,unit,run,name,value,ratio,best\n");
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        for (size_t c = 0; c < ct->n_cols; c++) {
            aim__csv_field(b, r->key, sizeof r->key);
            aim__strbuf_putc(b, ',');
            aim__csv_field(b, r->label, sizeof r->label);
            aim__strbuf_putc(b, ',');
            aim__csv_field(b, r->unit, sizeof r->unit);
            aim__strbuf_putc(b, ',');
            if (q->by) {
                char label[AIM_TAG_VALUE_SIZE + 64];
                group_label(label, sizeof label, q, c);
                aim__csv_field(b, label, sizeof label);
                aim__strbuf_printf(b, ",%llu", (unsigned long long)r->n[c]);
                csv_num(b, r->value[c]);
                csv_num(b, r->sd[c]);
            } else {
                aim__csv_field(b, q->runs[c].id, sizeof q->runs[c].id);
                aim__strbuf_putc(b, ',');
                aim__csv_field(b, q->runs[c].name, sizeof q->runs[c].name);
                csv_num(b, r->value[c]);
            }
            csv_num(b, r->ratio[c]);
            aim__strbuf_append(b, r->best == (long)c ? ",1\n" : ",0\n");
        }
    }
}

