/* Idle split and embodied carbon per device (processing/extras_figures.h) from a hand-made
 * run summary and extras. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/extras_figures.h"

#define YEAR_S (365.25 * 86400.0)

typedef struct fixture {
    aim_run_summary run;
    aim_device_summary dev[3];
    aim_run_extras x;
    aim_idle_device idle[2];
} fixture;

/* A 100 s run: cpu0 300 J (30 g), dram0 50 J (no carbon figure), gpu0 without energy; the
 * baseline drew 2 W on cpu0 and 1 W on dram0. */
static void make(fixture *f) {
    memset(f, 0, sizeof *f);
    static const char *const names[3] = { "cpu0", "dram0", "gpu0" };
    static const aim_device_kind kinds[3] = { AIM_DEV_CPU, AIM_DEV_DRAM, AIM_DEV_GPU };
    for (int i = 0; i < 3; i++) {
        snprintf(f->dev[i].name, sizeof f->dev[i].name, "%s", names[i]);
        f->dev[i].kind = kinds[i];
        f->dev[i].in_total = 1;
        f->dev[i].carbon_g = NAN;
    }
    f->dev[0].has_energy = f->dev[1].has_energy = 1;
    f->dev[0].energy_j = 300;
    f->dev[0].carbon_g = 30;
    f->dev[1].energy_j = 50;
    snprintf(f->idle[0].name, sizeof f->idle[0].name, "cpu0");
    f->idle[0].power_w = 2;
    snprintf(f->idle[1].name, sizeof f->idle[1].name, "dram0");
    f->idle[1].power_w = 1;
    f->x.idle = f->idle;
    f->x.n_idle = 2;
    f->x.mem_total_gib = NAN;
    f->run.devices = f->dev;
    f->run.n_devices = 3;
    f->run.duration_ns = 100 * (int64_t)1000000000;
    f->run.extras = &f->x;
}

static void idle_split(void **state) {
    (void)state;
    fixture f;
    make(&f);
    assert_true(aim__idle_power(&f.x, "dram0") == 1);
    assert_true(isnan(aim__idle_power(&f.x, "gpu0")));
    aim_idle_split s = aim__idle_split_of(&f.run, &f.dev[0]);
    assert_true(fabs(s.idle_j - 200) < 1e-9 && fabs(s.net_j - 100) < 1e-9);
    /* carbon split in the energy's proportion */
    assert_true(fabs(s.idle_g - 20) < 1e-9 && fabs(s.net_g - 10) < 1e-9);
    s = aim__idle_split_of(&f.run, &f.dev[1]);
    assert_true(fabs(s.net_j - (50 - 100)) < 1e-9); /* negative: the baseline drew more */
    assert_true(isnan(s.idle_g) && isnan(s.net_g));
    s = aim__idle_split_of(&f.run, &f.dev[2]); /* no baseline power, no energy */
    assert_true(isnan(s.idle_j) && isnan(s.net_j));
    f.dev[0].has_energy = 0;
    assert_true(isnan(aim__idle_split_of(&f.run, &f.dev[0]).idle_j));
}

static void embodied(void **state) {
    (void)state;
    fixture f;
    make(&f);
    /* a GPU of no known model: the class default, per device, amortised over 100 s */
    aim_embodied_figure e = aim__embodied_of(&f.run, &f.dev[2]);
    assert_non_null(e.row);
    assert_string_equal(e.row->kind, "gpu");
    assert_true(e.units == 1);
    assert_true(fabs(e.g - e.row->kg_co2e * 1000.0 * 100 / (e.row->lifetime_years * YEAR_S)) <
                1e-9);
    /* DRAM counts per GB of the run's memory: none known, no figure */
    e = aim__embodied_of(&f.run, &f.dev[1]);
    assert_true(isnan(e.g));
    assert_null(e.row);
    f.x.mem_total_gib = 16;
    e = aim__embodied_of(&f.run, &f.dev[1]);
    assert_non_null(e.row);
    assert_true(fabs(e.units - 16 * 1.073741824) < 1e-12);
    assert_true(e.g > 0);
    /* a host has no row */
    f.dev[0].kind = AIM_DEV_HOST;
    assert_true(isnan(aim__embodied_of(&f.run, &f.dev[0]).g));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_split),
        cmocka_unit_test(embodied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
