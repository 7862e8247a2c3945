/* The correlation result (processing/corr_result.h) from a hand-made run summary and a
 * hand-made matrix, no store: metric families, the estimate model's derived pairs, identity
 * classes, series states and names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/corr_result.h"

enum { S_CPU_UTIL, S_CPU_POWER, S_CPU_ENERGY, S_MEM_USED, S_MEM_UTIL, S_GPU_POWER, NS };

typedef struct fixture {
    aim_run_summary run;
    aim_device_summary dev[3];
    aim_series_summary ser[NS];
} fixture;

/* host (0), cpu0 (1, estimated power and energy), gpu0 (2). */
static void make_run(fixture *f) {
    static const struct { int dev; aim_metric_id metric; } spec[NS] = {
        [S_CPU_UTIL] = { 0, AIM_M_CPU_UTIL }, [S_CPU_POWER] = { 1, AIM_M_POWER },
        [S_CPU_ENERGY] = { 1, AIM_M_ENERGY }, [S_MEM_USED] = { 0, AIM_M_MEM_USED },
        [S_MEM_UTIL] = { 0, AIM_M_MEM_UTIL }, [S_GPU_POWER] = { 2, AIM_M_POWER },
    };
    memset(f, 0, sizeof *f);
    static const char *const names[3] = { "host", "cpu0", "gpu0" };
    static const aim_device_kind kinds[3] = { AIM_DEV_HOST, AIM_DEV_CPU, AIM_DEV_GPU };
    for (int d = 0; d < 3; d++) {
        snprintf(f->dev[d].name, sizeof f->dev[d].name, "%s", names[d]);
        f->dev[d].kind = kinds[d];
    }
    for (int i = 0; i < NS; i++) {
        const aim_metric_info *m = aim__metric_by_id(spec[i].metric);
        aim_series_summary *s = &f->ser[i];
        s->slot = 10 + i;
        s->device = spec[i].dev;
        s->metric = (int)spec[i].metric;
        snprintf(s->metric_key, sizeof s->metric_key, "%s", m->key);
        s->instance = -1;
        s->counter = m->kind == AIM_KIND_COUNTER;
        s->method = spec[i].dev == 1 ? AIM_METHOD_ESTIMATED : AIM_METHOD_MEASURED;
    }
    f->run.devices = f->dev;
    f->run.n_devices = 3;
    f->run.series = f->ser;
    f->run.n_series = NS;
}

static void set_r(aim_corr_matrix *m, int i, int j, double r) {
    size_t k = aim__corr_pair_index(m->n, i, j);
    m->r[k] = r;
    m->pn[k] = 100;
}

/* Every series varying over 100 ticks but the GPU's (constant); r as the test needs it. */
static aim_corr_matrix *make_matrix(void) {
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_matrix_new(NS, &m), 0);
    m->ticks = 100;
    m->interval_ns = 100000000;
    for (int i = 0; i < NS; i++) {
        m->slot[i] = 10 + i;
        m->self_n[i] = 100;
        m->varying[i] = i != S_GPU_POWER;
    }
    for (int i = 0; i < NS; i++)
        for (int j = i + 1; j < NS; j++)
            set_r(m, i, j, 0.1);
    set_r(m, S_CPU_UTIL, S_CPU_POWER, 0.999);  /* the estimate's line: derived */
    set_r(m, S_MEM_USED, S_MEM_UTIL, 0.95);    /* one family: identical from 0.9 */
    set_r(m, S_CPU_UTIL, S_MEM_USED, -0.8);    /* a finding */
    return m;
}

static void families(void **state) {
    (void)state;
    fixture f;
    make_run(&f);
    int used = aim__corr_family_key(&f.ser[S_MEM_USED]);
    assert_true(used >= 0);
    assert_int_equal(aim__corr_family_key(&f.ser[S_MEM_UTIL]), used);
    /* energy and power are one family per device, never across devices */
    int cpu = aim__corr_family_key(&f.ser[S_CPU_POWER]);
    assert_true(cpu >= 0);
    assert_int_equal(aim__corr_family_key(&f.ser[S_CPU_ENERGY]), cpu);
    assert_true(aim__corr_family_key(&f.ser[S_GPU_POWER]) != cpu);
    assert_true(cpu != used);
    assert_int_equal(aim__corr_family_key(&f.ser[S_CPU_UTIL]), -1);
    /* another instance is another quantity */
    f.ser[S_MEM_UTIL].instance = 3;
    assert_true(aim__corr_family_key(&f.ser[S_MEM_UTIL]) != used);
}

static void model_roles(void **state) {
    (void)state;
    fixture f;
    make_run(&f);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_POWER]), 1);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_ENERGY]), 1);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_UTIL]), -1);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_MEM_USED]), -2);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_MEM_UTIL]), -2);
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_GPU_POWER]), 0);
    /* measured, the CPU's power is no model's output */
    f.ser[S_CPU_POWER].method = AIM_METHOD_MEASURED;
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_POWER]), 0);
    f.dev[1].kind = AIM_DEV_DRAM;
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_ENERGY]), 2);
    f.ser[S_CPU_UTIL].device = 7; /* out of range */
    assert_int_equal(aim__corr_model_role(&f.run, &f.ser[S_CPU_UTIL]), 0);
}

static void result_classes_and_counts(void **state) {
    (void)state;
    fixture f;
    make_run(&f);
    aim_corr_result *c;
    assert_int_equal(aim__corr_res_build(&f.run, make_matrix(), 1, 1, &c), 0);
    aim_corr_info in;
    aim__corr_res_info(c, &in);
    assert_int_equal(in.n_series, NS);
    assert_true(in.recomputed);
    assert_int_equal(in.n_constant, 1);
    assert_int_equal(in.n_identical, 1);
    /* CPU use against the estimated CPU's power and its energy: both derived */
    assert_int_equal(in.n_derived, 2);
    aim_corr_series_info si;
    assert_int_equal(aim__corr_res_series(c, S_MEM_UTIL, &si), 0);
    assert_int_equal(si.same_as, S_MEM_USED);
    assert_int_equal(si.status, AIM_CORR_VARYING);
    assert_int_equal(aim__corr_res_series(c, S_GPU_POWER, &si), 0);
    assert_int_equal(si.status, AIM_CORR_CONSTANT);
    assert_int_equal(aim__corr_res_series(c, NS, &si), -EINVAL);

    aim_corr_pair p[4];
    assert_int_equal(aim__corr_res_pairs(c, AIM_CORR_DERIVED, 0, p, 4), 2);
    assert_int_equal(p[0].a, S_CPU_UTIL);
    assert_int_equal(p[0].b, S_CPU_POWER);
    assert_int_equal(aim__corr_res_derived_role(c, p[0].a, p[0].b), 1);
    assert_int_equal(aim__corr_res_pairs(c, AIM_CORR_IDENTICAL, 0, p, 4), 1);
    assert_int_equal(aim__corr_res_pairs(c, AIM_CORR_NEGATIVE, 0.5, p, 4), 1);
    assert_int_equal(p[0].a, S_CPU_UTIL);
    assert_int_equal(p[0].b, S_MEM_USED);
    uint64_t n = 0;
    assert_true(aim__corr_res_r(c, S_MEM_USED, S_CPU_UTIL, &n) == -0.8);
    assert_int_equal(n, 100);
    assert_true(isnan(aim__corr_res_r(c, S_GPU_POWER, S_GPU_POWER, NULL))); /* constant */
    aim__corr_res_free(c);
}

/* The public calls on a result (api/corr_result.c) say why they fail in aim_corr_errmsg()
 * (issue 12: one error channel; aim_corr_pairs returned (size_t)-1 before). */
static void public_calls_say_why(void **state) {
    (void)state;
    fixture f;
    make_run(&f);
    aim_corr_result *c;
    assert_int_equal(aim__corr_res_build(&f.run, make_matrix(), 1, 1, &c), 0);
    assert_string_equal(aim_corr_errmsg(c), "");
    char *text = (char *)"untouched";
    assert_int_equal(aim_corr_render(c, AIM_FORMAT_MARKDOWN, 0, 0, 5, &text), -EOPNOTSUPP);
    assert_string_equal(aim_corr_errmsg(c),
                        "the correlation has no markdown output (text, json or csv)");
    assert_int_equal(aim_corr_render(c, AIM_FORMAT_TEXT, 0, 2, 5, &text), -EINVAL);
    assert_non_null(strstr(aim_corr_errmsg(c), "min_abs"));
    assert_string_equal(text, "untouched");
    aim_corr_series_info si;
    aim__corr_res_errmsg(c)[0] = '\0';
    assert_int_equal(aim_corr_series(c, NS, &si), -EINVAL);
    assert_non_null(strstr(aim_corr_errmsg(c), "past the end"));
    size_t count = 7;
    aim_corr_pair p[4];
    assert_int_equal(aim_corr_pairs(c, (aim_corr_kind)9, 0, p, 4, &count), -EINVAL);
    assert_non_null(strstr(aim_corr_errmsg(c), "kind"));
    assert_int_equal(count, 7);
    assert_int_equal(aim_corr_pairs(c, AIM_CORR_DERIVED, 0, p, 4, &count), 0);
    assert_int_equal(count, 2);
    aim__corr_res_free(c);
}

static void result_names(void **state) {
    (void)state;
    fixture f;
    make_run(&f);
    snprintf(f.dev[2].name, sizeof f.dev[2].name, "gp\x1bu0"); /* stored names are scrubbed */
    aim_corr_matrix *m = make_matrix();
    m->slot[NS - 1] = 99; /* a matrix series the summary lacks */
    aim_corr_result *c;
    assert_int_equal(aim__corr_res_build(&f.run, m, 0, 0, &c), 0);
    aim_corr_series_info si;
    assert_int_equal(aim__corr_res_series(c, S_CPU_UTIL, &si), 0);
    assert_string_equal(si.name, "host.cpu.util");
    assert_string_equal(si.label, "CPU Usage [%]"); /* host series: named by component */
    assert_int_equal(aim__corr_res_series(c, S_MEM_UTIL, &si), 0);
    assert_string_equal(si.label, "DRAM Usage [%]");
    assert_int_equal(aim__corr_res_series(c, S_CPU_ENERGY, &si), 0);
    assert_string_equal(si.name, "rate(cpu0.energy)"); /* a counter as its rate */
    assert_string_equal(si.unit, "W");
    assert_true(si.rate);
    assert_non_null(strstr(si.label, " rate (cpu0) [W]"));
    assert_int_equal(aim__corr_res_series(c, S_GPU_POWER, &si), 0);
    assert_string_equal(si.metric_key, "?");
    aim__corr_res_free(c);
    aim__corr_matrix_free(m); /* not owned */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(families),
        cmocka_unit_test(model_roles),
        cmocka_unit_test(result_classes_and_counts),
        cmocka_unit_test(result_names),
        cmocka_unit_test(public_calls_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
