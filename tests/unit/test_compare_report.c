/* report/compare_report.h on hand-made results (no store, no table building): text,
 * Markdown, JSON and CSV of aimeter compare, per run and by a tag. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare_report.h"

static void contains(const char *text, const char *want) {
    if (!text || !strstr(text, want))
        fail_msg("'%s' not in:\n%s", want, text ? text : "(nothing)");
}

/* Two runs, A (the baseline) and B; one row "energy" of 300 and 600 J, B the worse. B's name
 * holds a comma and a quote (CSV quoting). */
typedef struct hand {
    aim_run_summary runs[2];
    aim_run_tag tags[2];
    aim_cmp_row row;
    double value[2], sd[2], ratio[2];
    uint64_t n[2];
    size_t group_of[2];
    aim_cmp_group_info groups[2];
    aim_compare_result res;
} hand;

static void make(hand *h, int by_tag) {
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 2; i++) {
        snprintf(h->runs[i].id, sizeof h->runs[i].id, "20260105-12000%d-cmp%03d", i, i);
        h->runs[i].status = AIM_RUN_COMPLETED;
        snprintf(h->tags[i].key, sizeof h->tags[i].key, "lr");
        snprintf(h->tags[i].value, sizeof h->tags[i].value, "0.%d", i + 1);
        h->runs[i].tags = &h->tags[i];
        h->runs[i].n_tags = 1;
        h->group_of[i] = (size_t)i;
        h->groups[i].has = 1;
        snprintf(h->groups[i].value, sizeof h->groups[i].value, "0.%d", i + 1);
        h->groups[i].n_runs = 1;
    }
    snprintf(h->runs[1].name, sizeof h->runs[1].name, "big, \"b\"");
    snprintf(h->row.key, sizeof h->row.key, "energy");
    snprintf(h->row.label, sizeof h->row.label, "Energy");
    snprintf(h->row.unit, sizeof h->row.unit, "J");
    h->row.lower_better = 1;
    h->value[0] = 300;
    h->value[1] = 600;
    h->sd[0] = h->sd[1] = NAN;
    h->ratio[0] = 1;
    h->ratio[1] = 2;
    h->n[0] = h->n[1] = 1;
    h->row.value = h->value;
    h->row.sd = h->sd;
    h->row.ratio = h->ratio;
    h->row.n = h->n;
    h->row.best = 0;
    h->res = (aim_compare_result){ .runs = h->runs, .n = 2, .baseline = 0,
                                   .by = by_tag ? "lr" : NULL,
                                   .group_of = by_tag ? h->group_of : NULL,
                                   .groups = by_tag ? h->groups : NULL,
                                   .n_groups = by_tag ? 2 : 0,
                                   .table = { .n_cols = 2, .rows = &h->row, .n_rows = 1 } };
}

static char *render(const aim_compare_result *res, const char *format) {
    char *text;
    if (strcmp(format, "json") == 0) {
        assert_int_equal(aim__compare_json(res, &text), 0);
    } else {
        aim_strbuf b = AIM_STRBUF_INIT;
        if (strcmp(format, "csv") == 0)
            aim__compare_csv(&b, res);
        else
            aim__compare_text(&b, res, strcmp(format, "markdown") == 0);
        assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    }
    if (getenv("SHOW"))
        printf("%s\n", text);
    return text;
}

static void per_run(void **state) {
    (void)state;
    hand h;
    make(&h, 0);
    char *t = render(&h.res, "text");
    contains(t, "aimeter compare  2 runs\n  A  20260105-120000-cmp000  ");
    contains(t, "completed  tags: lr=0.1  (baseline)\n  B  20260105-120001-cmp001  "
                "\"big, \"b\"\"  ");
    contains(t, "\nFigure  Unit  A (baseline)              B\n"
                "Energy  J          300.0 *  600.0 ×2.00\n\n"
                "×: ratio to the baseline (A). *: the lowest in its row;");
    free(t);
    t = render(&h.res, "markdown");
    contains(t, "# aimeter compare\n\n2 runs\n\n- **A** `20260105-120000-cmp000`  ");
    contains(t, "| Figure | Unit | A (baseline) | B |\n|---|---|---:|---:|\n"
                "| Energy | J | 300.0 * | 600.0 ×2.00 |\n");
    free(t);
    t = render(&h.res, "csv");
    assert_string_equal(t, "row,label,unit,run,name,value,ratio,best\n"
                           "energy,Energy,J,20260105-120000-cmp000,,300,1,1\n"
                           "energy,Energy,J,20260105-120001-cmp001,\"big, \"\"b\"\"\",600,2,0\n");
    free(t);
    t = render(&h.res, "json");
    json_t *root = json_loads(t, 0, NULL);
    assert_non_null(root);
    assert_true(json_is_null(json_object_get(root, "by")));
    assert_null(json_object_get(root, "groups"));
    json_t *row = json_array_get(json_object_get(root, "rows"), 0);
    assert_true(json_real_value(json_array_get(json_object_get(row, "values"), 1)) == 600);
    assert_true(json_real_value(json_array_get(json_object_get(row, "ratios"), 1)) == 2);
    assert_true(json_integer_value(json_object_get(row, "best")) == 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(root, "runs"), 1), "column")), "B");
    json_decref(root);
    free(t);
}

static void by_tag(void **state) {
    (void)state;
    hand h;
    make(&h, 1);
    h.groups[0].n_runs = 3; /* only 2 of its 3 runs have the figure */
    h.n[0] = 2;
    h.sd[0] = 50;
    char *t = render(&h.res, "text");
    contains(t, "aimeter compare  2 runs in 2 groups by tag lr\n");
    contains(t, "(baseline)\n      group lr=0.1\n");
    contains(t, "Figure  Unit  lr=0.1 (n=3) (baseline)   lr=0.2 (n=1)\n"
                "Energy  J          300.0 ± 50 [n=2] *  600.0 ×2.00\n");
    contains(t, "Each cell: the group's mean ± its sample standard deviation (n - 1)");
    contains(t, "×: ratio to the baseline (lr=0.1).");
    free(t);
    t = render(&h.res, "csv");
    assert_string_equal(t, "row,label,unit,group,n,mean,stddev,ratio,best\n"
                           "energy,Energy,J,lr=0.1,2,300,50,1,1\n"
                           "energy,Energy,J,lr=0.2,1,600,,2,0\n");
    free(t);
    t = render(&h.res, "json");
    json_t *root = json_loads(t, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "by")), "lr");
    json_t *g = json_array_get(json_object_get(root, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "label")), "lr=0.1");
    assert_true(json_is_true(json_object_get(g, "baseline")));
    assert_true(json_integer_value(json_object_get(g, "n")) == 3);
    json_t *row = json_array_get(json_object_get(root, "rows"), 0);
    assert_true(json_real_value(json_array_get(json_object_get(row, "stddev"), 0)) == 50);
    assert_true(json_is_null(json_array_get(json_object_get(row, "stddev"), 1)));
    assert_true(json_integer_value(json_array_get(json_object_get(row, "n"), 0)) == 2);
    assert_true(json_real_value(json_array_get(json_object_get(row, "mean"), 0)) == 300);
    json_decref(root);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_run),
        cmocka_unit_test(by_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
