/* The compare table (processing/compare.h): rows built from hand-made run summaries, group
 * means and sample standard deviations worked by hand, ratios to the baseline and the best
 * column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/compare.h"
#include "processing/workload_summary.h"
#include "model/run_tags.h"

static void near(double got, double want, double tol) {
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g", got, want);
}

static const aim_cmp_row *row(const aim_cmp_table *t, const char *key) {
    for (size_t i = 0; i < t->n_rows; i++)
        if (strcmp(t->rows[i].key, key) == 0)
            return &t->rows[i];
    fail_msg("no row %s", key);
    return NULL;
}

/* A run of `secs` seconds whose cpu0 used cpu_j and (when gpu_j >= 0) gpu0 gpu_j, with
 * carbon 0.1 g per J, and `tokens` tokens recorded plus a loss gauge of mean loss. */
typedef struct fake_run {
    aim_run_summary run;
    aim_device_summary dev[2];
    aim_workload_summary w;
    aim_record_summary rec[2];
} fake_run;

static void make_run(fake_run *f, double secs, double cpu_j, double gpu_j, double tokens,
                     double loss) {
    memset(f, 0, sizeof *f);
    f->run.duration_ns = (int64_t)(secs * 1e9);
    snprintf(f->dev[0].name, sizeof f->dev[0].name, "cpu0");
    f->dev[0].has_energy = 1;
    f->dev[0].in_total = 1;
    f->dev[0].energy_j = cpu_j;
    f->run.n_devices = 1;
    if (gpu_j >= 0) {
        snprintf(f->dev[1].name, sizeof f->dev[1].name, "gpu0");
        f->dev[1].has_energy = 1;
        f->dev[1].in_total = 1;
        f->dev[1].energy_j = gpu_j;
        f->run.n_devices = 2;
    }
    f->run.devices = f->dev;
    f->run.total_energy_j = cpu_j + (gpu_j >= 0 ? gpu_j : 0);
    f->run.carbon_g = 0.1 * f->run.total_energy_j;
    snprintf(f->rec[0].key, sizeof f->rec[0].key, "tokens");
    f->rec[0].counter = 1;
    f->rec[0].count = 3;
    f->rec[0].total = tokens;
    snprintf(f->rec[1].key, sizeof f->rec[1].key, "loss");
    f->rec[1].count = 4;
    f->rec[1].total = 4 * loss;
    f->w.records = f->rec;
    f->w.n_records = 2;
    f->run.workload = &f->w;
}

static void rows_from_runs(void **state) {
    (void)state;
    fake_run a, b;
    make_run(&a, 10, 300, -1, 1000, 0.5);   /* 300 J, no GPU */
    make_run(&b, 8, 200, 400, 3000, 0.25); /* 600 J */
    b.run.currency[0] = 'E', b.run.currency[1] = 'U', b.run.currency[2] = 'R';
    b.run.cost = 0.01;
    const aim_run_summary *runs[] = { &a.run, &b.run };
    aim_cmp_table t;
    assert_int_equal(aim__cmp_build(runs, 2, &t), 0);
    assert_int_equal(t.n_cols, 2);
    /* Sections in order, whatever order the runs introduce them in. */
    static const char *const keys[] = { "time", "energy.cpu0", "energy.gpu0", "energy", "power",
                                        "carbon", "cost.EUR", "j_per.tokens", "record.tokens",
                                        "record.loss" };
    assert_int_equal(t.n_rows, sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < t.n_rows; i++)
        assert_string_equal(t.rows[i].key, keys[i]);
    aim__cmp_finish(&t, 0);
    const aim_cmp_row *r = row(&t, "energy.gpu0");
    assert_true(isnan(r->value[0]));
    near(r->value[1], 400, 0);
    assert_int_equal(r->best, -1); /* one run has it: no best */
    r = row(&t, "energy");
    near(r->value[0], 300, 0);
    near(r->ratio[1], 2.0, 1e-12);
    assert_int_equal(r->best, 0);
    r = row(&t, "time");
    near(r->ratio[1], 0.8, 1e-12);
    assert_int_equal(r->best, 1);
    r = row(&t, "power");
    near(r->value[0], 30, 1e-12);
    near(r->value[1], 75, 1e-12);
    assert_int_equal(r->best, -1); /* power has no better direction */
    r = row(&t, "j_per.tokens"); /* 300 J / 1000 = 0.3; 600 J / 3000 = 0.2 */
    near(r->value[0], 0.3, 1e-12);
    near(r->value[1], 0.2, 1e-12);
    near(r->ratio[1], 0.2 / 0.3, 1e-12);
    assert_int_equal(r->best, 1);
    r = row(&t, "record.loss"); /* gauges: the mean, total / count */
    near(r->value[0], 0.5, 1e-12);
    near(r->value[1], 0.25, 1e-12);
    assert_int_equal(r->best, -1);
    r = row(&t, "cost.EUR");
    assert_true(isnan(r->value[0]) && isnan(r->ratio[1])); /* no baseline value: no ratio */
    near(r->value[1], 0.01, 0);
    aim__cmp_free(&t);
}

/* Five runs in two groups: group 0 has times 10, 12, 14 (mean 12, sample sd
 * √((4 + 0 + 4) / 2) = 2) and one run without a value; group 1 has 20 alone (sd undefined). */
static void group_mean_and_sample_sd(void **state) {
    (void)state;
    aim_cmp_row in_row = { .key = "time", .label = "Time", .unit = "s", .lower_better = 1 };
    double v[5] = { 10, 20, 12, NAN, 14 };
    double sd[5], ratio[5];
    uint64_t n[5] = { 1, 1, 1, 0, 1 };
    in_row.value = v;
    in_row.sd = sd;
    in_row.ratio = ratio;
    in_row.n = n;
    aim_cmp_table in = { .n_cols = 5, .rows = &in_row, .n_rows = 1 };
    size_t group_of[5] = { 0, 1, 0, 0, 0 };
    aim_cmp_table g;
    assert_int_equal(aim__cmp_group(&in, group_of, 2, &g), 0);
    assert_int_equal(g.n_cols, 2);
    assert_int_equal(g.n_rows, 1);
    const aim_cmp_row *r = &g.rows[0];
    assert_string_equal(r->label, "Time");
    near(r->value[0], 12, 1e-12);
    near(r->sd[0], 2, 1e-12);
    assert_int_equal(r->n[0], 3);
    near(r->value[1], 20, 0);
    assert_true(isnan(r->sd[1]));
    assert_int_equal(r->n[1], 1);
    aim__cmp_finish(&g, 1);
    near(r->ratio[0], 12.0 / 20.0, 1e-12);
    near(r->ratio[1], 1, 0);
    assert_int_equal(r->best, 0);
    aim__cmp_free(&g);
    /* Sample, not population: two values 1 and 3 give √2, not 1. */
    double v2[2] = { 1, 3 };
    in_row.value = v2;
    in.n_cols = 2;
    size_t one[2] = { 0, 0 };
    assert_int_equal(aim__cmp_group(&in, one, 1, &g), 0);
    near(g.rows[0].sd[0], sqrt(2), 1e-12);
    aim__cmp_free(&g);
    /* A group index out of range is refused. */
    size_t bad[2] = { 0, 3 };
    assert_int_equal(aim__cmp_group(&in, bad, 2, &g), -EINVAL);
}

static void ties_and_zero_baseline(void **state) {
    (void)state;
    fake_run a, b, c;
    make_run(&a, 5, 0, -1, 0, 0); /* 0 J: no ratio can be taken to it */
    make_run(&b, 5, 100, -1, 10, 0);
    make_run(&c, 4, 100, -1, 10, 0);
    const aim_run_summary *runs[] = { &a.run, &b.run, &c.run };
    aim_cmp_table t;
    assert_int_equal(aim__cmp_build(runs, 3, &t), 0);
    aim__cmp_finish(&t, 0);
    const aim_cmp_row *r = row(&t, "energy");
    assert_true(isnan(r->ratio[1]));
    assert_int_equal(r->best, 0);
    r = row(&t, "time"); /* 5, 5, 4 */
    assert_int_equal(r->best, 2);
    aim__cmp_finish(&t, 1);
    r = row(&t, "j_per.tokens"); /* a recorded no tokens: no J per token; b and c tie: first */
    assert_true(isnan(r->value[0]));
    assert_int_equal(r->best, 1);
    near(r->ratio[2], 1, 1e-12);
    aim__cmp_free(&t);
}

/* aim__compare_compute: groups by a tag in the order their first run appears (the runs without
 * it last here), the baseline run's group as the baseline column, ratios and bests on the
 * group means. Energy: lr=0.1 has 300 and 500 J (mean 400, sd √20000), lr=0.2 600 J, unset 100 J. */
static void compare_by_tag(void **state) {
    (void)state;
    fake_run f[4];
    make_run(&f[0], 10, 300, -1, 10, 0);
    make_run(&f[1], 10, 600, -1, 10, 0);
    make_run(&f[2], 10, 500, -1, 10, 0);
    make_run(&f[3], 10, 100, -1, 10, 0);
    aim_run_tag tags[3];
    memset(tags, 0, sizeof tags);
    static const char *const lr[] = { "0.1", "0.2", "0.1" };
    aim_run_summary runs[4];
    for (int i = 0; i < 4; i++) {
        runs[i] = f[i].run;
        if (i < 3) {
            snprintf(tags[i].key, sizeof tags[i].key, "lr");
            snprintf(tags[i].value, sizeof tags[i].value, "%s", lr[i]);
            runs[i].tags = &tags[i];
            runs[i].n_tags = 1;
        }
    }
    aim_compare_result res;
    assert_int_equal(aim__compare_compute(runs, 4, 2, "lr", &res), 0);
    assert_int_equal(res.n_groups, 3);
    assert_true(res.groups[0].has && strcmp(res.groups[0].value, "0.1") == 0);
    assert_int_equal(res.groups[0].n_runs, 2);
    assert_true(res.groups[1].has && strcmp(res.groups[1].value, "0.2") == 0);
    assert_false(res.groups[2].has);
    assert_true(res.group_of[0] == 0 && res.group_of[1] == 1 && res.group_of[2] == 0 &&
                res.group_of[3] == 2);
    assert_int_equal(aim__compare_base_col(&res), 0); /* run 2 is in group 0 */
    assert_int_equal(res.table.n_cols, 3);
    const aim_cmp_row *r = row(&res.table, "energy");
    near(r->value[0], 400, 1e-12);
    near(r->sd[0], sqrt(20000), 1e-9);
    assert_int_equal(r->n[0], 2);
    near(r->ratio[0], 1, 0);
    near(r->ratio[1], 600.0 / 400, 1e-12);
    near(r->ratio[2], 100.0 / 400, 1e-12);
    assert_int_equal(r->best, 2);
    aim__compare_result_free(&res);

    /* Without a tag: one column per run, ratios to run 3. */
    assert_int_equal(aim__compare_compute(runs, 4, 3, NULL, &res), 0);
    assert_null(res.group_of);
    assert_int_equal(aim__compare_base_col(&res), 3);
    assert_int_equal(res.table.n_cols, 4);
    r = row(&res.table, "energy");
    near(r->ratio[1], 6, 1e-12);
    assert_int_equal(r->best, 3);
    aim__compare_result_free(&res);
    assert_int_equal(aim__compare_compute(runs, 4, 4, NULL, &res), -EINVAL);
    aim__compare_result_free(&res);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_from_runs),
        cmocka_unit_test(group_mean_and_sample_sd),
        cmocka_unit_test(ties_and_zero_baseline),
        cmocka_unit_test(compare_by_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
