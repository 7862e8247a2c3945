/* processing/whatif.h and processing/whatif_hw.h on hand-made runs, with no store: the pricer
 * fed synthetic ticks as the store's series reader would, and the --hardware arithmetic
 * (models, ratios, the rescale of each model's carbon). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/whatif.h"
#include "processing/whatif_hw.h"

#define T0_NS 1767614400000000000LL /* 2026-01-05 12:00:00 UTC */
#define T0_MS (T0_NS / 1000000)

static void near(double got, double want, double rel) {
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.12g, want %.12g", got, want);
}

/* gpu0 (power, group 0, in the total), gpu1 (power, group 1, in the total), psys (power,
 * group 0, not in the total). */
typedef struct hand_run {
    aim_run_summary run;
    aim_device_summary dev[3];
    aim_series_summary ser[3];
} hand_run;

static void make_run(hand_run *h) {
    memset(h, 0, sizeof *h);
    aim_run_summary *run = &h->run;
    snprintf(run->id, sizeof run->id, "20260105-120000-hand00");
    run->start_wall_ns = T0_NS;
    static const char *const names[] = { "gpu0", "gpu1", "psys" };
    static const int groups[] = { 0, 1, 0 };
    for (int d = 0; d < 3; d++) {
        aim_device_summary *dev = &h->dev[d];
        snprintf(dev->name, sizeof dev->name, "%s", names[d]);
        dev->kind = d < 2 ? AIM_DEV_GPU : AIM_DEV_CPU;
        dev->has_energy = 1;
        dev->in_total = d < 2;
        dev->energy_method = AIM_METHOD_DERIVED; /* integrated measured power */
        aim_series_summary *s = &h->ser[d];
        s->slot = d;
        s->device = d;
        snprintf(s->metric_key, sizeof s->metric_key, "power");
        s->instance = -1;
        s->method = AIM_METHOD_MEASURED;
        s->group = groups[d];
    }
    run->devices = h->dev;
    run->n_devices = 3;
    run->series = h->ser;
    run->n_series = 3;
}

/* Every group's ticks at 1..10 s: group 0 holds gpu0 (100 W) then psys (999 W), group 1 gpu1
 * (300 W). */
static void feed(aim_whatif_pricer *p) {
    const int *groups;
    size_t n = aim__whatif_pricer_groups(p, &groups);
    for (size_t g = 0; g < n; g++) {
        aim__whatif_pricer_set_group(p, groups[g]);
        for (int s = 1; s <= 10; s++) {
            double v0[2] = { 100, 999 }, v1[1] = { 300 };
            uint8_t ok[2] = { 1, 1 };
            aim__whatif_pricer_tick((int64_t)s * 1000000000LL, groups[g] == 0 ? v0 : v1, ok, p);
        }
    }
}

/* gpu0 draws 100 W and gpu1 300 W for 10 s (the first sample at 1 s held back to the start):
 * 1000 J + 3000 J = 4000 J; psys is outside the total. The run's own series: 100 g/kWh, 500
 * from 4.5 s: 1800 J at 100 and 2200 J at 500 = (180000 + 1100000) / 3.6e6 g = 0.355556 g,
 * a mean of 320 g/kWh; a zone at 200 g/kWh: 4000 / 3.6e6 × 200 = 0.222222 g. PUE 1.5
 * scales both. */
static void pricer_on_synthetic_ticks(void **state) {
    (void)state;
    hand_run h;
    make_run(&h);
    aim_intensity_point own[] = { { T0_MS, 100 }, { T0_MS + 4500, 500 } }, zone = { T0_MS, 200 };
    double dev_g[3];
    aim_whatif_scenario sc[2];
    memset(sc, 0, sizeof sc);
    sc[0].points = own;
    sc[0].n = 2;
    sc[0].device_g = dev_g;
    sc[1].points = &zone;
    sc[1].n = 1;
    aim_whatif_pricer *p;
    assert_int_equal(aim__whatif_pricer_new(&h.run, 1.5, sc, 2, &p), 0);
    const int *groups;
    assert_int_equal(aim__whatif_pricer_groups(p, &groups), 2);
    feed(p);
    aim_whatif_totals tot;
    aim__whatif_pricer_finish(p, &tot);
    aim__whatif_pricer_free(p);
    near(tot.energy_j, 4000, 1e-12);
    assert_true(tot.ticks == 20);
    assert_int_equal(tot.devices, 2);
    near(sc[0].carbon_g, 1280000 / 3.6e6 * 1.5, 1e-12);
    near(sc[0].intensity_g_per_kwh, 320, 1e-12);
    near(sc[1].carbon_g, 4000 / 3.6e6 * 200 * 1.5, 1e-12);
    near(sc[1].intensity_g_per_kwh, 200, 1e-12);
    near(sc[0].ratio, 1, 1e-12);
    near(sc[1].ratio, 200.0 / 320, 1e-12);
    /* gpu0: 450 J at 100 + 550 J at 500; gpu1 three times that; psys not priced. */
    near(dev_g[0], (45000 + 275000) / 3.6e6 * 1.5, 1e-12);
    near(dev_g[1], 3 * (45000 + 275000) / 3.6e6 * 1.5, 1e-12);
    assert_true(isnan(dev_g[2]));
    near(aim__whatif_pue(0, &h.run), 1.0, 0);
    h.run.pue = 1.2;
    near(aim__whatif_pue(0, &h.run), 1.2, 0);
    near(aim__whatif_pue(2, &h.run), 2.0, 0);
}

static void parse_spec(aim_hw_spec *s, const char *item) {
    char err[320];
    assert_int_equal(aim__hw_spec_parse(item, strlen(item), s, err, sizeof err), 0);
}

/* --hardware on the same run, with stated devices: gpu0 and gpu1 report "Acme X1" (300 W,
 * 100 TFLOPS); alternative "Acme Y2" (150 W, 200 TFLOPS) draws half the power for half the
 * time: a ratio of 0.25. With the whole run's carbon 10 g of which the GPUs 8 g (energy
 * 4000 J, GPUs 3000 J), Y2's run: 1000 + 750 J, 2 + 2 g. */
static void hardware_rescale(void **state) {
    (void)state;
    hand_run h;
    make_run(&h);
    snprintf(h.dev[0].model, sizeof h.dev[0].model, "Acme X1");
    snprintf(h.dev[1].model, sizeof h.dev[1].model, "Acme X1");
    aim_hw_spec spec[2];
    parse_spec(&spec[0], "Acme X1:tdp=300,tflops=100");
    parse_spec(&spec[1], "Acme Y2:tdp=150,tflops=200");
    aim_whatif_scenario sc[1];
    memset(sc, 0, sizeof sc);
    aim_whatif_hw_result res;
    memset(&res, 0, sizeof res);
    res.run = &h.run;
    res.sc = sc;
    res.n_sc = 1;
    char err[512];
    assert_int_equal(aim__whatif_hw_add_alt(&res, spec, 2, "Acme Y2", err, sizeof err), 0);
    assert_int_equal(aim__whatif_hw_add_alt(&res, spec, 2, "Nonesuch Z9", err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "'Nonesuch Z9' is not in the hardware table"));
    int model_of[3];
    assert_int_equal(aim__whatif_hw_models(&res, &h.run, spec, 2, model_of, err, sizeof err), 0);
    assert_int_equal(res.n_models, 1);
    assert_true(res.model[0].stated);
    assert_string_equal(res.model[0].devices, "gpu0, gpu1");
    assert_int_equal(res.model[0].n_devices, 2);
    assert_true(model_of[0] == 0 && model_of[1] == 0 && model_of[2] == -1);
    assert_int_equal(aim__whatif_hw_ratios(&res, err, sizeof err), 0);
    near(res.alt[0].ratio[0].power_ratio, 0.5, 1e-12);
    near(res.alt[0].ratio[0].speed_ratio, 0.5, 1e-12);
    near(res.alt[0].ratio[0].ratio, 0.25, 1e-12);
    res.energy_j = 4000;
    res.model[0].energy_j = 3000;
    res.model[0].carbon_g[0] = 8;
    double all[1] = { 10 };
    aim__whatif_hw_combine(&res, all);
    near(res.gpu_energy_j, 3000, 1e-12);
    near(res.alt[0].gpu_energy_j, 750, 1e-12);
    near(res.alt[0].energy_j, 1750, 1e-12);
    near(res.alt[0].carbon_g[0], 4, 1e-12);

    /* No GPU energy in the total: refused with the reason. */
    h.dev[0].in_total = h.dev[1].in_total = 0;
    memset(&res, 0, sizeof res);
    assert_int_equal(aim__whatif_hw_models(&res, &h.run, spec, 2, model_of, err, sizeof err),
                     -ENODEV);
    assert_non_null(strstr(err, "measured no GPU energy"));
    /* A model the table does not know. */
    h.dev[0].in_total = 1;
    snprintf(h.dev[0].model, sizeof h.dev[0].model, "Nonesuch Z9");
    assert_int_equal(aim__whatif_hw_models(&res, &h.run, spec, 2, model_of, err, sizeof err),
                     -ENODATA);
    assert_non_null(strstr(err, "gpu0's model 'Nonesuch Z9'"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pricer_on_synthetic_ticks),
        cmocka_unit_test(hardware_rescale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
