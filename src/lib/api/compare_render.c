/* aimeter compare: runs side by side, or groups of runs by a tag (aim_compare_render in
 * aimeter.h). The table is built in processing/compare.c from the same summaries the reports
 * read; this file loads them and lays the table out as text, Markdown, JSON or CSV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/compare.h"
#include "model/run_tags.h"
#include "report/format.h"
#include "report/jsonutil.h"
#include "report/model.h"
#include "util/csv.h"
#include "util/strbuf.h"
#include "report/table.h"
#include "store/db.h"
#include "api/store_error.h"
#include "store/sqlite/tags_store.h"

/* Enough for a sweep; a table wider than this is not read by anyone. */
#define MAX_COMPARE 256

typedef struct cmp_group {
    char value[AIM_TAG_VALUE_SIZE];
    int has;                 /* 0: the runs without the tag */
    size_t n_runs;
} cmp_group;

typedef struct cmp_req {
    aim_run_summary *runs;
    size_t n;
    size_t baseline;         /* run index */
    const char *by;
    size_t *group_of;        /* per run */
    cmp_group *groups;
    size_t n_groups;
    aim_cmp_table table;     /* per run, or per group with by */
} cmp_req;

static const aim_run_tag *find_tag(const aim_run_summary *run, const char *key) {
    for (size_t i = 0; i < run->n_tags; i++)
        if (strcmp(run->tags[i].key, key) == 0)
            return &run->tags[i];
    return NULL;
}

static void col_name(char *out, size_t len, size_t i) {
    if (i < 26)
        aim_bprintf(out, len, "%c", (char)('A' + i));
    else
        aim_bprintf(out, len, "#%zu", i + 1);
}

static void group_label(char *out, size_t len, const cmp_req *q, size_t g) {
    if (q->groups[g].has)
        aim_bprintf(out, len, "%s=%s", q->by, q->groups[g].value);
    else
        aim_bprintf(out, len, "%s unset", q->by);
}

static void column_label(char *out, size_t len, const cmp_req *q, size_t c) {
    if (q->by)
        group_label(out, len, q, c);
    else
        col_name(out, len, c);
}

static size_t base_col(const cmp_req *q) {
    return q->by ? q->group_of[q->baseline] : q->baseline;
}

static int make_groups(cmp_req *q) {
    q->group_of = calloc(q->n, sizeof *q->group_of);
    q->groups = calloc(q->n, sizeof *q->groups);
    if (!q->group_of || !q->groups)
        return -ENOMEM;
    for (size_t i = 0; i < q->n; i++) {
        const aim_run_tag *t = find_tag(&q->runs[i], q->by);
        size_t g = 0;
        while (g < q->n_groups && !(q->groups[g].has == (t != NULL) &&
                                    (!t || strcmp(q->groups[g].value, t->value) == 0)))
            g++;
        if (g == q->n_groups) {
            q->groups[g].has = t != NULL;
            if (t)
                memcpy(q->groups[g].value, t->value, sizeof q->groups[g].value);
            q->n_groups++;
        }
        q->groups[g].n_runs++;
        q->group_of[i] = g;
    }
    return 0;
}

/* ------------------------------------------------------------------ text and Markdown */

static void cell_text(char *out, size_t len, const cmp_req *q, const aim_cmp_row *r, size_t c) {
    char v[AIM_NUM_MAX], sd[AIM_NUM_MAX], ra[AIM_NUM_MAX];
    if (isnan(r->value[c])) {
        aim_bprintf(out, len, "-");
        return;
    }
    aim_fmt_sig(v, r->value[c], 4, 0);
    size_t o = 0;
    aim_bprintf(out, len, "%s", v);
    o = strlen(out);
    if (q->by) {
        if (!isnan(r->sd[c]))
            aim_bprintf(out + o, len - o, " ± %s", aim_fmt_sig(sd, r->sd[c], 2, 0));
        o = strlen(out);
        if (r->n[c] != q->groups[c].n_runs)
            aim_bprintf(out + o, len - o, " [n=%llu]", (unsigned long long)r->n[c]);
        o = strlen(out);
    }
    if (c != base_col(q) && !isnan(r->ratio[c]))
        aim_bprintf(out + o, len - o, " ×%s", aim_fmt_sig(ra, r->ratio[c], 3, 2));
    o = strlen(out);
    /* Every cell ends in two columns, " *" or blanks, so right-aligned figures line up. */
    aim_bprintf(out + o, len - o, r->best == (long)c ? " *" : "  ");
}

static void fill_table(aim_table *t, const cmp_req *q) {
    const aim_cmp_table *ct = &q->table;
    aim_table_init(t, 2 + ct->n_cols);
    for (size_t c = 0; c < ct->n_cols; c++)
        aim_table_align_right(t, 2 + c);
    aim_table_row(t);
    aim_table_set(t, 0, "Figure");
    aim_table_set(t, 1, "Unit");
    for (size_t c = 0; c < ct->n_cols; c++) {
        char label[AIM_TAG_VALUE_SIZE + 96];
        column_label(label, sizeof label, q, c);
        size_t l = strlen(label);
        if (q->by)
            aim_bprintf(label + l, sizeof label - l, " (n=%zu)", q->groups[c].n_runs);
        l = strlen(label);
        if (c == base_col(q))
            aim_bprintf(label + l, sizeof label - l, " (baseline)");
        aim_table_set(t, 2 + c, "%s", label);
    }
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        aim_table_row(t);
        aim_table_set(t, 0, "%s", r->label);
        aim_table_set(t, 1, "%s", r->unit);
        for (size_t c = 0; c < ct->n_cols; c++) {
            char cell[3 * AIM_NUM_MAX + 32];
            cell_text(cell, sizeof cell, q, r, c);
            aim_table_set(t, 2 + c, "%s", cell);
        }
    }
}

static void run_line(aim_strbuf *b, const cmp_req *q, size_t i, int markdown) {
    const aim_run_summary *run = &q->runs[i];
    char col[16], when[32];
    col_name(col, sizeof col, i);
    aim_fmt_time_human(when, sizeof when, run->start_wall_ns);
    aim_strbuf_printf(b, markdown ? "- **%s** `" : "  %s  ", col);
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    aim_strbuf_append(b, markdown ? "`" : "");
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_printf(b, "  %s  %s", when, aim_report_status_word(run));
    if (run->n_tags) {
        aim_strbuf_append(b, "  tags:");
        for (size_t k = 0; k < run->n_tags; k++) {
            aim_strbuf_printf(b, " %s=", run->tags[k].key);
            aim_strbuf_append_clean(b, run->tags[k].value, sizeof run->tags[k].value);
        }
    }
    if (i == q->baseline)
        aim_strbuf_append(b, "  (baseline)");
    aim_strbuf_endline(b);
}

static void text_doc(aim_strbuf *b, const cmp_req *q, int markdown) {
    char label[AIM_TAG_VALUE_SIZE + 64];
    if (markdown)
        aim_strbuf_append(b, "# aimeter compare\n\n");
    else
        aim_strbuf_append(b, "aimeter compare  ");
    aim_strbuf_printf(b, "%zu run%s", q->n, q->n == 1 ? "" : "s");
    if (q->by)
        aim_strbuf_printf(b, " in %zu group%s by tag %s", q->n_groups,
                          q->n_groups == 1 ? "" : "s", q->by);
    aim_strbuf_append(b, markdown ? "\n\n" : "\n");
    for (size_t i = 0; i < q->n; i++) {
        run_line(b, q, i, markdown);
        if (q->by) {
            group_label(label, sizeof label, q, q->group_of[i]);
            aim_strbuf_append(b, markdown ? "  - group " : "      group ");
            aim_strbuf_append(b, label);
            aim_strbuf_endline(b);
        }
    }
    aim_strbuf_append(b, "\n");
    aim_table t;
    fill_table(&t, q);
    if (markdown)
        aim_table_markdown(&t, b);
    else
        aim_table_text(&t, b, "", 0);
    aim_table_free(&t);
    aim_strbuf_append(b, "\n");
    column_label(label, sizeof label, q, base_col(q));
    if (q->by)
        aim_strbuf_append(b, "Each cell: the group's mean ± its sample standard deviation "
                             "(n - 1); [n=k] when only k of its runs have the figure.\n");
    aim_strbuf_printf(b, "×: ratio to the baseline (%s). *: the lowest in its row; records and "
                         "mean power have no best.\n", label);
    aim_strbuf_append(b, "Energy is IT energy (devices counted in the total); carbon and cost "
                         "include each run's PUE.\n");
}

/* ------------------------------------------------------------------ JSON and CSV */

static json_t *num_array(const double *v, size_t n, int *err) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        aim_json_push(a, aim_json_num(v[i]), err);
    return a;
}

static int json_doc(const cmp_req *q, char **ret_text) {
    int err = 0;
    json_t *root = json_object();
    aim_json_put(root, "schema", json_string("aimeter.compare/1"), &err);
    const aim_run_summary *base = &q->runs[q->baseline];
    aim_json_put(root, "baseline", aim_json_str(base->id, sizeof base->id), &err);
    aim_json_put(root, "by", q->by ? json_string(q->by) : json_null(), &err);
    json_t *runs = json_array();
    for (size_t i = 0; i < q->n; i++) {
        const aim_run_summary *r = &q->runs[i];
        char col[16];
        col_name(col, sizeof col, i);
        json_t *o = json_object();
        aim_json_put(o, "column", json_string(col), &err);
        aim_json_put(o, "id", aim_json_str(r->id, sizeof r->id), &err);
        aim_json_put(o, "name", aim_json_str(r->name, sizeof r->name), &err);
        aim_json_put(o, "status", json_string(aim_json_status(r->status)), &err);
        aim_json_put(o, "start_time", aim_json_time(r->start_wall_ns), &err);
        aim_json_put(o, "tags", aim_json_tags(r->tags, r->n_tags), &err);
        if (q->by)
            aim_json_put(o, "group", json_integer((json_int_t)q->group_of[i]), &err);
        aim_json_push(runs, o, &err);
    }
    aim_json_put(root, "runs", runs, &err);
    if (q->by) {
        json_t *groups = json_array();
        for (size_t g = 0; g < q->n_groups; g++) {
            char label[AIM_TAG_VALUE_SIZE + 64];
            group_label(label, sizeof label, q, g);
            json_t *o = json_object();
            aim_json_put(o, "label", aim_json_str(label, sizeof label), &err);
            aim_json_put(o, "value", q->groups[g].has
                                         ? aim_json_str(q->groups[g].value, sizeof q->groups[g].value)
                                         : json_null(), &err);
            aim_json_put(o, "n", aim_json_count(q->groups[g].n_runs), &err);
            aim_json_put(o, "baseline", json_boolean(g == base_col(q)), &err);
            json_t *ids = json_array();
            for (size_t i = 0; i < q->n; i++)
                if (q->group_of[i] == g)
                    aim_json_push(ids, aim_json_str(q->runs[i].id, sizeof q->runs[i].id), &err);
            aim_json_put(o, "runs", ids, &err);
            aim_json_push(groups, o, &err);
        }
        aim_json_put(root, "groups", groups, &err);
    }
    aim_json_put(root, "baseline_column", json_integer((json_int_t)base_col(q)), &err);
    aim_json_put(root, "stddev", q->by ? json_string("sample (n - 1)") : json_null(), &err);
    json_t *rows = json_array();
    const aim_cmp_table *ct = &q->table;
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        json_t *o = json_object();
        aim_json_put(o, "key", aim_json_str(r->key, sizeof r->key), &err);
        aim_json_put(o, "label", aim_json_str(r->label, sizeof r->label), &err);
        aim_json_put(o, "unit", aim_json_str(r->unit, sizeof r->unit), &err);
        aim_json_put(o, "better", r->lower_better ? json_string("lower") : json_null(), &err);
        aim_json_put(o, q->by ? "mean" : "values", num_array(r->value, ct->n_cols, &err), &err);
        if (q->by) {
            aim_json_put(o, "stddev", num_array(r->sd, ct->n_cols, &err), &err);
            json_t *n = json_array();
            for (size_t c = 0; c < ct->n_cols; c++)
                aim_json_push(n, aim_json_count(r->n[c]), &err);
            aim_json_put(o, "n", n, &err);
        }
        aim_json_put(o, "ratios", num_array(r->ratio, ct->n_cols, &err), &err);
        aim_json_put(o, "best", r->best >= 0 ? json_integer(r->best) : json_null(), &err);
        aim_json_push(rows, o, &err);
    }
    aim_json_put(root, "rows", rows, &err);
    int rc = err ? -ENOMEM : aim_json_dump(root, ret_text);
    json_decref(root);
    return rc;
}

static void csv_num(aim_strbuf *b, double v) {
    char n[AIM_NUM_MAX];
    aim_strbuf_putc(b, ',');
    if (isnan(v) || !isfinite(v))
        return;
    aim_strbuf_append(b, aim_fmt_trim_zeros(aim_fmt_sig(n, v, 10, 0))); /* 10 significant digits */
}

static void csv_doc(aim_strbuf *b, const cmp_req *q) {
    const aim_cmp_table *ct = &q->table;
    aim_strbuf_append(b, q->by ? "row,label,unit,group,n,mean,stddev,ratio,best\n"
                               : "row,label,unit,run,name,value,ratio,best\n");
    for (size_t i = 0; i < ct->n_rows; i++) {
        const aim_cmp_row *r = &ct->rows[i];
        for (size_t c = 0; c < ct->n_cols; c++) {
            aim_csv_field(b, r->key, sizeof r->key);
            aim_strbuf_putc(b, ',');
            aim_csv_field(b, r->label, sizeof r->label);
            aim_strbuf_putc(b, ',');
            aim_csv_field(b, r->unit, sizeof r->unit);
            aim_strbuf_putc(b, ',');
            if (q->by) {
                char label[AIM_TAG_VALUE_SIZE + 64];
                group_label(label, sizeof label, q, c);
                aim_csv_field(b, label, sizeof label);
                aim_strbuf_printf(b, ",%llu", (unsigned long long)r->n[c]);
                csv_num(b, r->value[c]);
                csv_num(b, r->sd[c]);
            } else {
                aim_csv_field(b, q->runs[c].id, sizeof q->runs[c].id);
                aim_strbuf_putc(b, ',');
                aim_csv_field(b, q->runs[c].name, sizeof q->runs[c].name);
                csv_num(b, r->value[c]);
            }
            csv_num(b, r->ratio[c]);
            aim_strbuf_append(b, r->best == (long)c ? ",1\n" : ",0\n");
        }
    }
}

/* ------------------------------------------------------------------ entry point */

static int load_run(aim_db *db, aim_store *store, const char *id, aim_run_summary *run) {
    int r = aim_db_load_summary(db, id, run);
    if (r >= 0)
        r = aim_db_workload_load(db, id, run->n_devices, &run->workload);
    if (r >= 0)
        r = aim_db_run_tags_load(db, id, &run->tags, &run->n_tags);
    if (r < 0)
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
    return r < 0 ? r : 0;
}

static int known_format(const char *f) {
    return strcmp(f, "text") == 0 || strcmp(f, "markdown") == 0 || strcmp(f, "json") == 0 ||
           strcmp(f, "csv") == 0;
}

int aim_compare_render(aim_store *store, const char *const *run_ids, size_t n_runs,
                       const char *baseline, const char *by_tag, const char *format,
                       char **ret_text) {
    aim_db *db = aim_store_db(store);
    if (!db || !format || !ret_text || (n_runs && !run_ids)) {
        if (store)
            aim_store_set_error(store, db ? "no runs or no output given" : "store not open");
        return -EINVAL;
    }
    if (!known_format(format)) {
        aim_store_set_error(store, "unknown format '%s' (text, markdown, json or csv)", format);
        return -EINVAL;
    }
    if (by_tag && !aim_tag_key_valid(by_tag)) {
        aim_store_set_error(store, "bad tag key '%s': 1-63 of A-Z a-z 0-9 _ . -, starting with "
                            "a letter", by_tag);
        return -EINVAL;
    }
    /* The list of ids: as given, the baseline first when it is not among them, or every run
     * with the tag. */
    char (*tagged)[40] = NULL;
    size_t n_tagged = 0;
    if (n_runs == 0 && by_tag) {
        int r = aim_db_runs_with_tag(db, by_tag, &tagged, &n_tagged);
        if (r < 0) {
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
            return r;
        }
        if (n_tagged == 0) {
            aim_store_set_error(store, "no run has the tag '%s' (aimeter run --tag %s=VALUE)",
                                by_tag, by_tag);
            free(tagged);
            return -ENOENT;
        }
    }
    size_t n_given = n_runs ? n_runs : n_tagged;
    if (n_given == 0) {
        aim_store_set_error(store, "no runs to compare");
        return -EINVAL;
    }
    const char **ids = calloc(n_given + 1, sizeof *ids);
    cmp_req q = { .by = by_tag };
    int r = ids ? 0 : -ENOMEM;
    size_t n = 0;
    if (r == 0 && baseline) {
        int found = 0;
        for (size_t i = 0; i < n_given; i++)
            found |= strcmp(n_runs ? run_ids[i] : tagged[i], baseline) == 0;
        if (!found)
            ids[n++] = baseline;
    }
    for (size_t i = 0; r == 0 && i < n_given; i++) {
        const char *id = n_runs ? run_ids[i] : tagged[i];
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(ids[k], id) == 0;
        if (!dup)
            ids[n++] = id;
    }
    if (r == 0 && n > MAX_COMPARE) {
        aim_store_set_error(store, "at most %d runs at a time", MAX_COMPARE);
        r = -EINVAL;
    }
    if (r == 0) {
        q.runs = calloc(n, sizeof *q.runs);
        if (!q.runs)
            r = -ENOMEM;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = load_run(db, store, ids[i], &q.runs[i]);
        q.n = i + 1;
        if (baseline && strcmp(ids[i], baseline) == 0)
            q.baseline = i;
    }
    if (r == 0 && by_tag)
        r = make_groups(&q);
    if (r == 0) {
        const aim_run_summary **ptrs = calloc(q.n, sizeof *ptrs);
        if (!ptrs) {
            r = -ENOMEM;
        } else {
            for (size_t i = 0; i < q.n; i++)
                ptrs[i] = &q.runs[i];
            aim_cmp_table per_run;
            r = aim_cmp_build(ptrs, q.n, &per_run);
            if (r == 0 && by_tag) {
                r = aim_cmp_group(&per_run, q.group_of, q.n_groups, &q.table);
                aim_cmp_free(&per_run);
            } else if (r == 0) {
                q.table = per_run;
            }
            free(ptrs);
        }
    }
    if (r == 0) {
        aim_cmp_finish(&q.table, base_col(&q));
        if (strcmp(format, "json") == 0) {
            r = json_doc(&q, ret_text);
        } else {
            aim_strbuf b = AIM_STRBUF_INIT;
            if (strcmp(format, "csv") == 0)
                csv_doc(&b, &q);
            else
                text_doc(&b, &q, strcmp(format, "markdown") == 0);
            r = aim_strbuf_steal(&b, ret_text);
        }
    }
    if (r == -ENOMEM)
        aim_store_set_error(store, "out of memory");
    aim_cmp_free(&q.table);
    for (size_t i = 0; i < q.n; i++)
        aim_run_summary_clear(&q.runs[i]);
    free(q.runs);
    free(q.group_of);
    free(q.groups);
    free(ids);
    free(tagged);
    return r;
}
