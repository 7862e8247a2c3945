/* The correlation heat-map's model (processing/plot_corr.h) over a result built from a
 * hand-made summary and matrix: the default choice of series (constant and per-core ones
 * left out, and counted), a chosen order (-m), and the symmetric r with NaN kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/corr_result.h"
#include "processing/plot_corr.h"

/* host: cpu.util, core_util[0], core_util[1]; gpu0: power (constant), temperature */
enum { UTIL, CORE0, CORE1, POWER, TEMP, N };

static aim_corr_result *result(aim_run_summary *run, aim_device_summary dev[2],
                               aim_series_summary ser[N]) {
    memset(run, 0, sizeof *run);
    memset(dev, 0, 2 * sizeof *dev);
    memset(ser, 0, N * sizeof *ser);
    snprintf(dev[0].name, sizeof dev[0].name, "host");
    dev[0].kind = AIM_DEV_HOST;
    snprintf(dev[1].name, sizeof dev[1].name, "gpu0");
    dev[1].kind = AIM_DEV_GPU;
    static const struct { int dev; aim_metric_id id; int inst; } spec[N] = {
        { 0, AIM_M_CPU_UTIL, -1 }, { 0, AIM_M_CPU_CORE_UTIL, 0 }, { 0, AIM_M_CPU_CORE_UTIL, 1 },
        { 1, AIM_M_POWER, -1 },    { 1, AIM_M_TEMPERATURE, -1 },
    };
    for (int i = 0; i < N; i++) {
        ser[i].slot = i;
        ser[i].device = spec[i].dev;
        ser[i].metric = (int)spec[i].id;
        snprintf(ser[i].metric_key, sizeof ser[i].metric_key, "%s",
                 aim__metric_by_id(spec[i].id)->key);
        ser[i].instance = spec[i].inst;
    }
    run->devices = dev;
    run->n_devices = 2;
    run->series = ser;
    run->n_series = N;
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_matrix_new(N, &m), 0);
    m->ticks = 50;
    m->interval_ns = 100000000;
    for (int i = 0; i < N; i++) {
        m->slot[i] = i;
        m->self_n[i] = 50;
        m->varying[i] = i != POWER;
        m->spread[i] = 3;
        for (int j = i + 1; j < N; j++) {
            size_t k = aim__corr_pair_index(N, i, j);
            m->r[k] = i == POWER || j == POWER ? NAN : 0.1 * (i + j);
            m->pn[k] = 50;
        }
    }
    aim_corr_result *c;
    assert_int_equal(aim__corr_res_build(run, m, 1, 0, &c), 0);
    return c;
}

typedef struct fixture {
    aim_run_summary run;
    aim_device_summary dev[2];
    aim_series_summary ser[N];
    aim_corr_result *c;
} fixture;

static int setup(void **state) {
    static fixture f;
    f.c = result(&f.run, f.dev, f.ser);
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    aim__corr_res_free(((fixture *)*state)->c);
    return 0;
}

static void default_choice(void **state) {
    aim_corr_result *c = ((fixture *)*state)->c;
    aim_plot_corr m;
    assert_int_equal(aim__plot_corr_build(c, NULL, 0, &m), 0);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.name[0], "host.cpu.util");
    assert_string_equal(m.name[1], "gpu0.temperature");
    assert_int_equal(m.left_out_constant, 1);
    assert_int_equal(m.left_out_instance, 2);
    assert_true(m.r[0] == 1 && m.r[3] == 1);
    assert_true(fabs(m.r[1] - 0.4) < 1e-12 && m.r[1] == m.r[2]);
    aim__plot_corr_free(&m);
}

static void chosen_order_with_undefined(void **state) {
    aim_corr_result *c = ((fixture *)*state)->c;
    aim_plot_corr m;
    const size_t pick[3] = { TEMP, POWER, CORE1 };
    assert_int_equal(aim__plot_corr_build(c, pick, 3, &m), 0);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.name[1], "gpu0.power");
    assert_string_equal(m.name[2], "host.cpu.core_util[1]");
    /* the constant series: every r undefined, itself included */
    for (int k = 0; k < 3; k++)
        assert_true(isnan(m.r[1 * 3 + k]) && isnan(m.r[k * 3 + 1]));
    assert_true(fabs(m.r[0 * 3 + 2] - 0.6) < 1e-12);
    aim__plot_corr_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(default_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(chosen_order_with_undefined, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
