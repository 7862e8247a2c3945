/* Correlation output: `aimeter corr` as text, CSV or JSON (findings or the full matrix), and
 * the report's "Correlations" section in text, Markdown and JSON, built from the same pieces
 * so a pair reads the same everywhere. Numbers are formatted without printf's locale. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/md_text.h"
#include "report/corr_report.h"
#include "processing/report_words.h"
#include "report/jsonutil.h"
#include "util/csv.h"

#define PUT(obj, key, value) aim__json_put((obj), (key), (value), err)
#define PUSH(arr, value) aim__json_push((arr), (value), err)

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

/* "+0.973", "-0.844". out holds AIM_NUM_MAX + 1. */
static char *fmt_r(char *out, double r, int decimals) {
    if (!isfinite(r)) {
        strcpy(out, "n/a");
        return out;
    }
    char num[AIM_NUM_MAX];
    aim__fmt_fixed(num, fabs(r), decimals);
    aim__bprintf(out, AIM_NUM_MAX + 1, "%c%s", r < 0 ? '-' : '+', num);
    return out;
}

static void fmt_count(char *out, size_t len, uint64_t n) {
    aim__bprintf(out, len, "%llu", (unsigned long long)n);
}

static void grid_text(char *out, size_t len, const aim_corr_info *in) {
    char iv[AIM_NUM_MAX];
    aim__bprintf(out, len, "Pearson r over %llu ticks of the %s ms grid",
                (unsigned long long)in->ticks, aim__fmt_trim(iv, (double)in->interval_ns / 1e6, 3));
}

/* Up to top pairs of a kind (0 = all); the caller frees *ret. Returns how many, or -ENOMEM. */
static long get_pairs(const aim_corr_result *c, aim_corr_kind kind, double min_abs, size_t top,
                      aim_corr_pair **ret) {
    size_t total = aim__corr_res_pairs(c, kind, min_abs, NULL, 0);
    if (total == (size_t)-1)
        return -ENOMEM;
    size_t want = top && top < total ? top : total;
    *ret = calloc(want + 1, sizeof **ret);
    if (!*ret)
        return -ENOMEM;
    if (want && aim__corr_res_pairs(c, kind, min_abs, *ret, want) == (size_t)-1) {
        free(*ret);
        *ret = NULL;
        return -ENOMEM;
    }
    return (long)want;
}

static const char *label_of(const aim_corr_result *c, size_t i) {
    aim_corr_series_info in;
    return aim__corr_res_series(c, i, &in) == 0 ? in.label : "?";
}

static const char *name_of(const aim_corr_result *c, size_t i) {
    aim_corr_series_info in;
    return aim__corr_res_series(c, i, &in) == 0 ? in.name : "?";
}

/* Why a derived pair is one: which model computes which series (aim__corr_model_role). */
static const char *derived_why(const aim_corr_result *c, size_t a, size_t b) {
    int role = aim__corr_res_derived_role(c, a, b);
    return role == 1   ? "aimeter estimates CPU power as a straight line in CPU use"
           : role == 2 ? "aimeter estimates DRAM power in proportion to the memory in use"
                       : "computed one from the other by aimeter's model";
}

/* ------------------------------------------------------------------ text */

typedef struct text_rows {
    aim_corr_pair *pos, *neg, *same, *der;
    long n_pos, n_neg, n_same, n_der;
} text_rows;

static void rows_free(text_rows *t) {
    free(t->pos);
    free(t->neg);
    free(t->same);
    free(t->der);
}

static int rows_get(const aim_corr_result *c, double min_abs, size_t top, text_rows *t) {
    memset(t, 0, sizeof *t);
    t->n_pos = get_pairs(c, AIM_CORR_POSITIVE, min_abs, top, &t->pos);
    t->n_neg = get_pairs(c, AIM_CORR_NEGATIVE, min_abs, top, &t->neg);
    t->n_same = get_pairs(c, AIM_CORR_IDENTICAL, 0, 0, &t->same);
    t->n_der = get_pairs(c, AIM_CORR_DERIVED, 0, 0, &t->der);
    if (t->n_pos < 0 || t->n_neg < 0 || t->n_same < 0 || t->n_der < 0) {
        rows_free(t);
        return -ENOMEM;
    }
    return 0;
}

static void pair_rows(aim_strbuf *b, const aim_corr_result *c, const char *title,
                      const aim_corr_pair *p, long n, size_t wa, size_t wb, const char *indent) {
    aim__strbuf_printf(b, "%s%s", indent, title);
    aim__strbuf_endline(b);
    for (long k = 0; k < n; k++) {
        char r[AIM_NUM_MAX + 1], cnt[24];
        aim__strbuf_printf(b, "%s  ", indent);
        aim__strbuf_pad_right(b, label_of(c, p[k].a), wa);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_right(b, label_of(c, p[k].b), wb);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_left(b, fmt_r(r, p[k].r, 3), 6);
        aim__strbuf_append(b, "  ");
        fmt_count(cnt, sizeof cnt, p[k].n);
        aim__strbuf_pad_left(b, cnt, 7);
        aim__strbuf_endline(b);
    }
}

/* "Title: label, label" for the series of one status; nothing when there are none. */
static void status_list_text(aim_strbuf *b, const aim_corr_result *c, aim_corr_status status,
                             const char *title, const char *indent) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    int first = 1;
    for (size_t i = 0; i < in.n_series; i++) {
        aim_corr_series_info si;
        if (aim__corr_res_series(c, i, &si) == 0 && si.status == status) {
            if (first)
                aim__strbuf_printf(b, "%s%s", indent, title);
            aim__strbuf_printf(b, "%s%s", first ? "" : ", ", si.label);
            first = 0;
        }
    }
    if (!first)
        aim__strbuf_endline(b);
}

/* The findings: strongest pairs of each sign, then identical, derived, constant and nearly
 * constant series. */
static void findings_text(aim_strbuf *b, const aim_corr_result *c, const text_rows *t,
                          double min_abs, const char *indent) {
    size_t wa = strlen("Metric A"), wb = strlen("Metric B");
    for (long k = 0; k < t->n_pos; k++) {
        wa = max_size(wa, aim__utf8_width(label_of(c, t->pos[k].a)));
        wb = max_size(wb, aim__utf8_width(label_of(c, t->pos[k].b)));
    }
    for (long k = 0; k < t->n_neg; k++) {
        wa = max_size(wa, aim__utf8_width(label_of(c, t->neg[k].a)));
        wb = max_size(wb, aim__utf8_width(label_of(c, t->neg[k].b)));
    }
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    if (t->n_pos + t->n_neg > 0) {
        aim__strbuf_printf(b, "%s  ", indent);
        aim__strbuf_pad_right(b, "Metric A", wa);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_right(b, "Metric B", wb);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_left(b, "r", 6);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_left(b, "n", 7);
        aim__strbuf_endline(b);
        if (t->n_pos)
            pair_rows(b, c, "Positive", t->pos, t->n_pos, wa, wb, indent);
        if (t->n_neg)
            pair_rows(b, c, "Negative", t->neg, t->n_neg, wa, wb, indent);
    } else {
        char num[AIM_NUM_MAX];
        aim__strbuf_printf(b, "%s  no pair of varying series with at least %llu common ticks",
                          indent, (unsigned long long)in.min_n);
        if (min_abs > 0)
            aim__strbuf_printf(b, " and |r| >= %s", aim__fmt_trim(num, min_abs, 4));
        aim__strbuf_endline(b);
    }
    if (t->n_same) {
        aim__strbuf_printf(b, "%sIdentical (the same quantity; only the first takes part above):",
                          indent);
        aim__strbuf_endline(b);
        for (long k = 0; k < t->n_same; k++) {
            char r[AIM_NUM_MAX + 1];
            aim__strbuf_printf(b, "%s  %s = %s  (r %s)", indent, label_of(c, t->same[k].a),
                              label_of(c, t->same[k].b), fmt_r(r, t->same[k].r, 4));
            aim__strbuf_endline(b);
        }
    }
    if (t->n_der) {
        aim__strbuf_printf(b, "%sDerived (one computed from the other by aimeter's own model: "
                          "the model's correlation, not a finding):", indent);
        aim__strbuf_endline(b);
        for (long k = 0; k < t->n_der; k++) {
            char r[AIM_NUM_MAX + 1];
            aim__strbuf_printf(b, "%s  %s ~ %s  (r %s; %s)", indent, label_of(c, t->der[k].a),
                              label_of(c, t->der[k].b), fmt_r(r, t->der[k].r, 4),
                              derived_why(c, t->der[k].a, t->der[k].b));
            aim__strbuf_endline(b);
        }
    }
    status_list_text(b, c, AIM_CORR_CONSTANT, "Constant (no correlation defined): ", indent);
    char head[160];
    aim__bprintf(head, sizeof head, "Nearly constant (fewer than %llu values away from the most "
                "common one: in no finding): ", (unsigned long long)in.min_spread);
    status_list_text(b, c, AIM_CORR_SPARSE, head, indent);
}

static void matrix_text(aim_strbuf *b, const aim_corr_result *c, double min_abs) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    size_t n = in.n_series;
    char cell[AIM_NUM_MAX + 8];
    aim__strbuf_append(b, "     ");
    for (size_t j = 0; j < n; j++) {
        aim__bprintf(cell, sizeof cell, "#%zu", j + 1);
        aim__strbuf_pad_left(b, cell, 7);
    }
    aim__strbuf_endline(b);
    for (size_t i = 0; i < n; i++) {
        aim__bprintf(cell, sizeof cell, "#%zu", i + 1);
        aim__strbuf_pad_right(b, cell, 5);
        for (size_t j = 0; j < n; j++) {
            double r = aim__corr_res_r(c, i, j, NULL);
            if (!isfinite(r))
                strcpy(cell, ".");
            else if (fabs(r) < min_abs)
                cell[0] = '\0';
            else
                fmt_r(cell, r, 2);
            aim__strbuf_pad_left(b, cell, 7);
        }
        aim__strbuf_printf(b, "  %s", label_of(c, i));
        aim__strbuf_endline(b);
    }
    aim__strbuf_append(b, ". undefined (a constant series, or too few common ticks)\n");
}

static void info_lines(aim_strbuf *b, const aim_corr_result *c) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    char grid[160];
    grid_text(grid, sizeof grid, &in);
    aim__strbuf_printf(b, "Correlations: %s (%s)\n", grid,
                      in.recomputed ? "recomputed from the samples" : "stored with the run");
    aim__strbuf_printf(b, "%zu series: %zu constant, %zu nearly constant, %zu identical to "
                         "another, %zu with fewer than %llu values; %zu derived pairs\n",
                      in.n_series, in.n_constant, in.n_sparse, in.n_identical, in.n_no_data,
                      (unsigned long long)in.min_n, in.n_derived);
    if (!in.exact)
        aim__strbuf_append(b, "note: a rate group stalled during the run; this matrix may differ "
                             "slightly from a replay (--recompute)\n");
}

/* ------------------------------------------------------------------ CSV */


static void csv_r(aim_strbuf *b, double r) {
    char num[AIM_NUM_MAX];
    if (!isfinite(r))
        return;
    aim__fmt_fixed(num, fabs(r), 6);
    if (r < 0)
        aim__strbuf_putc(b, '-');
    aim__strbuf_append(b, num);
}

static void csv_pairs(aim_strbuf *b, const aim_corr_result *c, const char *kind,
                      const aim_corr_pair *p, long n) {
    for (long k = 0; k < n; k++) {
        char cnt[24];
        aim__strbuf_printf(b, "%s,", kind);
        aim__csv_field(b, name_of(c, p[k].a), (size_t)-1);
        aim__strbuf_putc(b, ',');
        aim__csv_field(b, name_of(c, p[k].b), (size_t)-1);
        aim__strbuf_putc(b, ',');
        csv_r(b, p[k].r);
        fmt_count(cnt, sizeof cnt, p[k].n);
        aim__strbuf_printf(b, ",%s\n", cnt);
    }
}

static void findings_csv(aim_strbuf *b, const aim_corr_result *c, const text_rows *t) {
    aim__strbuf_append(b, "kind,a,b,r,n\n");
    csv_pairs(b, c, "positive", t->pos, t->n_pos);
    csv_pairs(b, c, "negative", t->neg, t->n_neg);
    csv_pairs(b, c, "identical", t->same, t->n_same);
    csv_pairs(b, c, "derived", t->der, t->n_der);
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    for (size_t i = 0; i < in.n_series; i++) {
        aim_corr_series_info si;
        if (aim__corr_res_series(c, i, &si) < 0 ||
            (si.status != AIM_CORR_CONSTANT && si.status != AIM_CORR_SPARSE))
            continue;
        char cnt[24];
        aim__strbuf_append(b, si.status == AIM_CORR_CONSTANT ? "constant," : "sparse,");
        aim__csv_field(b, si.name, (size_t)-1);
        fmt_count(cnt, sizeof cnt, si.n);
        aim__strbuf_printf(b, ",,,%s\n", cnt);
    }
}

static void matrix_csv(aim_strbuf *b, const aim_corr_result *c, double min_abs) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    aim__strbuf_append(b, "series");
    for (size_t j = 0; j < in.n_series; j++) {
        aim__strbuf_putc(b, ',');
        aim__csv_field(b, name_of(c, j), (size_t)-1);
    }
    aim__strbuf_putc(b, '\n');
    for (size_t i = 0; i < in.n_series; i++) {
        aim__csv_field(b, name_of(c, i), (size_t)-1);
        for (size_t j = 0; j < in.n_series; j++) {
            aim__strbuf_putc(b, ',');
            double r = aim__corr_res_r(c, i, j, NULL);
            if (fabs(r) >= min_abs)
                csv_r(b, r);
        }
        aim__strbuf_putc(b, '\n');
    }
}

/* ------------------------------------------------------------------ JSON */

static const char *status_word(aim_corr_status s) {
    return s == AIM_CORR_CONSTANT ? "constant" : s == AIM_CORR_NO_DATA ? "no data"
           : s == AIM_CORR_SPARSE ? "sparse" : "varying";
}

static json_t *series_array(const aim_corr_result *c, int *err) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    json_t *arr = json_array();
    for (size_t i = 0; i < in.n_series; i++) {
        aim_corr_series_info si;
        if (aim__corr_res_series(c, i, &si) < 0)
            continue;
        json_t *o = json_object();
        PUT(o, "index", json_integer((json_int_t)i));
        PUT(o, "name", aim__json_str(si.name, strlen(si.name)));
        PUT(o, "device", aim__json_str(si.device, strlen(si.device)));
        PUT(o, "key", aim__json_str(si.metric_key, strlen(si.metric_key)));
        PUT(o, "instance", si.instance >= 0 ? json_integer(si.instance) : json_null());
        PUT(o, "rate", json_boolean(si.rate));
        PUT(o, "label", aim__json_str(si.label, strlen(si.label)));
        PUT(o, "unit", aim__json_str(si.unit, strlen(si.unit)));
        PUT(o, "n", aim__json_count(si.n));
        PUT(o, "status", json_string(status_word(si.status)));
        PUT(o, "same_as", si.same_as != i ? json_integer((json_int_t)si.same_as) : json_null());
        PUSH(arr, o);
    }
    return arr;
}

static json_t *pairs_array(const aim_corr_result *c, const aim_corr_pair *p, long n, int derived,
                           int *err) {
    json_t *arr = json_array();
    for (long k = 0; k < n; k++) {
        json_t *o = json_object();
        PUT(o, "a", json_integer((json_int_t)p[k].a));
        PUT(o, "b", json_integer((json_int_t)p[k].b));
        const char *an = name_of(c, p[k].a), *bn = name_of(c, p[k].b);
        PUT(o, "a_name", aim__json_str(an, strlen(an)));
        PUT(o, "b_name", aim__json_str(bn, strlen(bn)));
        PUT(o, "r", aim__json_num(p[k].r));
        PUT(o, "n", aim__json_count(p[k].n));
        if (derived)
            PUT(o, "why", json_string(derived_why(c, p[k].a, p[k].b)));
        PUSH(arr, o);
    }
    return arr;
}

/* The indices of the series of one status. */
static json_t *status_indices(const aim_corr_result *c, aim_corr_status status, int *err) {
    json_t *arr = json_array();
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    for (size_t i = 0; i < in.n_series; i++) {
        aim_corr_series_info si;
        if (aim__corr_res_series(c, i, &si) == 0 && si.status == status)
            PUSH(arr, json_integer((json_int_t)i));
    }
    return arr;
}

static json_t *header_object(const aim_corr_result *c, const char *schema, int *err) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    json_t *o = json_object();
    if (schema)
        PUT(o, "schema", json_string(schema));
    PUT(o, "ticks", aim__json_count(in.ticks));
    PUT(o, "interval_s", aim__json_num((double)in.interval_ns / 1e9));
    PUT(o, "recomputed", json_boolean(in.recomputed));
    PUT(o, "exact", json_boolean(in.exact));
    PUT(o, "min_n", aim__json_count(in.min_n));
    PUT(o, "identical_r", aim__json_num(in.identical_r));
    PUT(o, "defined_r", aim__json_num(AIM_CORR_DEFINED_R));
    PUT(o, "n_series", aim__json_count(in.n_series));
    PUT(o, "n_constant", aim__json_count(in.n_constant));
    PUT(o, "n_identical", aim__json_count(in.n_identical));
    PUT(o, "n_no_data", aim__json_count(in.n_no_data));
    PUT(o, "min_spread", aim__json_count(in.min_spread));
    PUT(o, "n_sparse", aim__json_count(in.n_sparse));
    PUT(o, "n_derived", aim__json_count(in.n_derived));
    PUT(o, "series", series_array(c, err));
    return o;
}

static json_t *findings_json(const aim_corr_result *c, const text_rows *t, const char *schema,
                             int *err) {
    json_t *o = header_object(c, schema, err);
    PUT(o, "n_positive", aim__json_count(aim__corr_res_pairs(c, AIM_CORR_POSITIVE, 0, NULL, 0)));
    PUT(o, "n_negative", aim__json_count(aim__corr_res_pairs(c, AIM_CORR_NEGATIVE, 0, NULL, 0)));
    PUT(o, "positive", pairs_array(c, t->pos, t->n_pos, 0, err));
    PUT(o, "negative", pairs_array(c, t->neg, t->n_neg, 0, err));
    PUT(o, "identical", pairs_array(c, t->same, t->n_same, 0, err));
    PUT(o, "derived", pairs_array(c, t->der, t->n_der, 1, err));
    PUT(o, "constant", status_indices(c, AIM_CORR_CONSTANT, err));
    PUT(o, "sparse", status_indices(c, AIM_CORR_SPARSE, err));
    return o;
}

static json_t *matrix_json(const aim_corr_result *c, double min_abs, int *err) {
    json_t *o = header_object(c, "aimeter.corr-matrix/1", err);
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    json_t *rows = json_array(), *counts = json_array();
    for (size_t i = 0; i < in.n_series; i++) {
        json_t *row = json_array(), *nrow = json_array();
        for (size_t j = 0; j < in.n_series; j++) {
            uint64_t n = 0;
            double r = aim__corr_res_r(c, i, j, &n);
            PUSH(row, fabs(r) >= min_abs ? aim__json_num(r) : json_null());
            PUSH(nrow, aim__json_count(n));
        }
        PUSH(rows, row);
        PUSH(counts, nrow);
    }
    PUT(o, "r", rows);
    PUT(o, "n", counts);
    return o;
}

/* ------------------------------------------------------------------ aimeter corr */

int aim__corr_render_result(const aim_corr_result *c, aim_format format, int matrix, double min_abs,
                    size_t top, char **ret_text) {
    if (!c || !ret_text || !(min_abs >= 0) || min_abs > 1)
        return -EINVAL;
    int text = format == AIM_FORMAT_TEXT, csv = format == AIM_FORMAT_CSV,
        json = format == AIM_FORMAT_JSON;
    if (!text && !csv && !json)
        return -EINVAL;
    text_rows t;
    memset(&t, 0, sizeof t);
    if (!matrix && rows_get(c, min_abs, top, &t) < 0)
        return -ENOMEM;
    aim_strbuf b = AIM_STRBUF_INIT;
    int r = 0;
    if (json) {
        int err = 0;
        json_t *root = matrix ? matrix_json(c, min_abs, &err)
                              : findings_json(c, &t, "aimeter.corr/1", &err);
        r = err ? -ENOMEM : aim__json_dump(root, ret_text);
        json_decref(root);
        rows_free(&t);
        return r;
    }
    if (csv && matrix)
        matrix_csv(&b, c, min_abs);
    else if (csv)
        findings_csv(&b, c, &t);
    else {
        info_lines(&b, c);
        aim__strbuf_putc(&b, '\n');
        if (matrix)
            matrix_text(&b, c, min_abs);
        else
            findings_text(&b, c, &t, min_abs, "");
    }
    rows_free(&t);
    return aim__strbuf_steal(&b, ret_text);
}

/* ------------------------------------------------------------------ the report's section */

/* What a report's correlation section shows: the run's result's top pairs, and (info, grid:
 * may be NULL) the grid's description. -ENOENT without a result; nothing to free on error. */
static int report_rows(const aim_corr_result *c, double min_abs, size_t top, text_rows *rows,
                       aim_corr_info *info, char *grid, size_t grid_size) {
    if (!c)
        return -ENOENT;
    int r = rows_get(c, min_abs, top, rows);
    if (r < 0)
        return r;
    if (info) {
        aim__corr_res_info(c, info);
        grid_text(grid, grid_size, info);
    }
    return 0;
}

void aim__corr_report_text(aim_strbuf *b, const aim_corr_result *c) {
    text_rows t;
    aim_corr_info in;
    char grid[160];
    if (report_rows(c, AIM_CORR_REPORT_MIN_ABS, AIM_CORR_REPORT_TOP, &t, &in, grid,
                    sizeof grid) < 0)
        return;
    char lim[AIM_NUM_MAX];
    aim__strbuf_printf(b, "\nCorrelated pairs (%s, |r| >= %s; all: aimeter corr RUN)\n", grid,
                      aim__fmt_trim(lim, AIM_CORR_REPORT_MIN_ABS, 2));
    findings_text(b, c, &t, AIM_CORR_REPORT_MIN_ABS, "");
    rows_free(&t);
}

static void md(aim_strbuf *b, const char *s) { aim__md_text(b, s, strlen(s)); }

static void md_rows(aim_strbuf *b, const aim_corr_result *c, const char *sign,
                    const aim_corr_pair *p, long n) {
    for (long k = 0; k < n; k++) {
        char r[AIM_NUM_MAX + 1], cnt[24];
        aim__strbuf_printf(b, "| %s | ", k == 0 ? sign : "");
        md(b, label_of(c, p[k].a));
        aim__strbuf_append(b, " | ");
        md(b, label_of(c, p[k].b));
        fmt_count(cnt, sizeof cnt, p[k].n);
        aim__strbuf_printf(b, " | %s | %s |\n", fmt_r(r, p[k].r, 3), cnt);
    }
}

static void status_list_md(aim_strbuf *b, const aim_corr_result *c, aim_corr_status status,
                           const char *title) {
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    int first = 1;
    for (size_t i = 0; i < in.n_series; i++) {
        aim_corr_series_info si;
        if (aim__corr_res_series(c, i, &si) == 0 && si.status == status) {
            aim__strbuf_append(b, first ? "\n" : ", ");
            if (first)
                aim__strbuf_append(b, title);
            md(b, si.label);
            first = 0;
        }
    }
    if (!first)
        aim__strbuf_append(b, ".\n");
}

void aim__corr_report_markdown(aim_strbuf *b, const aim_corr_result *c) {
    text_rows t;
    aim_corr_info in;
    char grid[160];
    if (report_rows(c, AIM_CORR_REPORT_MIN_ABS, AIM_CORR_REPORT_TOP, &t, &in, grid,
                    sizeof grid) < 0)
        return;
    char lim[AIM_NUM_MAX];
    aim__strbuf_printf(b, "\n**Correlated metric pairs** (%s; \\|r\\| ≥ %s)\n\n", grid,
                      aim__fmt_trim(lim, AIM_CORR_REPORT_MIN_ABS, 2));
    if (t.n_pos + t.n_neg) {
        aim__strbuf_append(b, "| | Metric A | Metric B | r | n |\n|:--|:--|:--|--:|--:|\n");
        md_rows(b, c, "positive", t.pos, t.n_pos);
        md_rows(b, c, "negative", t.neg, t.n_neg);
    } else {
        char num[AIM_NUM_MAX];
        aim__strbuf_printf(b, "No pair of varying series with at least %llu common ticks and "
                             "\\|r\\| ≥ %s.\n", (unsigned long long)in.min_n,
                          aim__fmt_trim(num, AIM_CORR_REPORT_MIN_ABS, 2));
    }
    if (t.n_same) {
        aim__strbuf_append(b, "\nIdentical (the same quantity; only the first takes part above): ");
        for (long k = 0; k < t.n_same; k++) {
            char r[AIM_NUM_MAX + 1];
            aim__strbuf_append(b, k ? "; " : "");
            md(b, label_of(c, t.same[k].a));
            aim__strbuf_append(b, " = ");
            md(b, label_of(c, t.same[k].b));
            aim__strbuf_printf(b, " (r %s)", fmt_r(r, t.same[k].r, 4));
        }
        aim__strbuf_append(b, ".\n");
    }
    if (t.n_der) {
        aim__strbuf_append(b, "\nDerived (one computed from the other by aimeter's own model: "
                             "the model's correlation, not a finding): ");
        for (long k = 0; k < t.n_der; k++) {
            char r[AIM_NUM_MAX + 1];
            aim__strbuf_append(b, k ? "; " : "");
            md(b, label_of(c, t.der[k].a));
            aim__strbuf_append(b, " ~ ");
            md(b, label_of(c, t.der[k].b));
            aim__strbuf_printf(b, " (r %s; ", fmt_r(r, t.der[k].r, 4));
            md(b, derived_why(c, t.der[k].a, t.der[k].b));
            aim__strbuf_append(b, ")");
        }
        aim__strbuf_append(b, ".\n");
    }
    status_list_md(b, c, AIM_CORR_CONSTANT, "Constant (no correlation defined): ");
    char head[160];
    aim__bprintf(head, sizeof head, "Nearly constant (fewer than %llu values away from the most "
                "common one: in no finding): ", (unsigned long long)in.min_spread);
    status_list_md(b, c, AIM_CORR_SPARSE, head);
    rows_free(&t);
}

json_t *aim__corr_report_json(const aim_corr_result *c, int *err) {
    text_rows t;
    int r = report_rows(c, 0, AIM_CORR_REPORT_JSON_TOP, &t, NULL, NULL, 0);
    if (r == -ENOENT)
        return json_null();
    if (r < 0) {
        *err = 1;
        return NULL;
    }
    json_t *o = findings_json(c, &t, NULL, err);
    rows_free(&t);
    return o;
}
