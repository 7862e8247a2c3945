/* A phase's figures (processing/phase_figures.h) from hand-made phase rows: energy in all and
 * per component over the devices in the total, mean and peak power, share, power limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/phase_figures.h"

/* cpu0 (in total), gpu0 (in total, limit 300 W), psys0 (not in total); a 10 s run. */
typedef struct fixture {
    aim_run_summary run;
    aim_device_summary dev[3];
    aim_series_summary limit;
    aim_phase_summary phase[2];
    double energy[2][3], peak[2][3];
    aim_workload_summary w;
} fixture;

static void make(fixture *f) {
    memset(f, 0, sizeof *f);
    static const aim_device_kind kinds[3] = { AIM_DEV_CPU, AIM_DEV_GPU, AIM_DEV_PLATFORM };
    for (int d = 0; d < 3; d++) {
        snprintf(f->dev[d].name, sizeof f->dev[d].name, "dev%d", d);
        f->dev[d].kind = kinds[d];
        f->dev[d].in_total = d != 2;
    }
    f->limit.device = 1;
    f->limit.instance = -1;
    f->limit.count = 5;
    f->limit.max = 300;
    snprintf(f->limit.metric_key, sizeof f->limit.metric_key, "gpu.power_limit");
    /* phase 0: 2 s, cpu 40 J (peak 25 W), gpu 500 J (peak 310 W), psys 900 J */
    f->energy[0][0] = 40, f->peak[0][0] = 25;
    f->energy[0][1] = 500, f->peak[0][1] = 310;
    f->energy[0][2] = 900, f->peak[0][2] = 450;
    f->phase[0].total_ns = 2000000000;
    /* phase 1: 1 s on the CPU only, no readings (peak 0: its mean is the floor) */
    f->energy[1][0] = 30;
    f->phase[1].total_ns = 1000000000;
    for (int i = 0; i < 2; i++) {
        f->phase[i].energy_j = f->energy[i];
        f->phase[i].peak_w = f->peak[i];
    }
    f->w.phases = f->phase;
    f->w.n_phases = 2;
    f->run.devices = f->dev;
    f->run.n_devices = 3;
    f->run.series = &f->limit;
    f->run.n_series = 1;
    f->run.duration_ns = 10000000000;
    f->run.workload = &f->w;
}

static void figures_over_the_total(void **state) {
    (void)state;
    fixture f;
    make(&f);
    aim_phase_figures x = aim__phase_figures_of(&f.run, &f.phase[0]);
    assert_true(x.energy_j == 540); /* psys is not in the total */
    assert_true(x.comp_j[AIM_PHASE_CPU] == 40 && x.comp_j[AIM_PHASE_GPU] == 500);
    assert_true(x.comp_j[AIM_PHASE_OTHER] == 0 && x.comp_j[AIM_PHASE_DRAM] == 0);
    assert_true(x.mean_w == 270);
    assert_true(x.peak_w == 25 + 310);
    assert_true(x.share == 20);
    x = aim__phase_figures_of(&f.run, &f.phase[1]);
    assert_true(x.peak_w == 30); /* no reading: the mean, never below */
    f.phase[1].total_ns = 0;
    f.run.duration_ns = 0;
    x = aim__phase_figures_of(&f.run, &f.phase[1]);
    assert_true(isnan(x.mean_w) && isnan(x.share));
}

static void used_components(void **state) {
    (void)state;
    fixture f;
    make(&f);
    int used[AIM_PHASE_COMPONENTS];
    aim__phase_used_components(&f.run, used);
    assert_true(used[AIM_PHASE_CPU] && used[AIM_PHASE_GPU]);
    assert_false(used[AIM_PHASE_DRAM]);
    assert_false(used[AIM_PHASE_OTHER]); /* psys has energy but is not in the total */
}

static void power_limit(void **state) {
    (void)state;
    fixture f;
    make(&f);
    double limit = aim__phase_power_limit_w(&f.run, 1);
    assert_true(limit == 300);
    assert_true(isnan(aim__phase_power_limit_w(&f.run, 0)));
    assert_true(aim__phase_above_limit(aim__phase_peak_w(&f.phase[0], 1), limit));
    assert_false(aim__phase_above_limit(300.02, 300)); /* rounding is not above */
    assert_false(aim__phase_above_limit(500, NAN));    /* no limit known */
    f.limit.count = 0; /* never read */
    assert_true(isnan(aim__phase_power_limit_w(&f.run, 1)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_over_the_total),
        cmocka_unit_test(used_components),
        cmocka_unit_test(power_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
