/* processing/forecast_run.h and processing/energy_curve.h on hand-made data, with no store:
 * phase instances built by hand, the run's energy a function of time, the cumulative energy
 * curve fed synthetic ticks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/energy_curve.h"
#include "processing/forecast_run.h"

#define S 1000000000LL

static void near(double got, double want, double tol) {
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g", got, want);
}

/* The run draws 100 W throughout: 100 J per second since its start. */
static double hundred_watts(const void *userdata, int64_t t) {
    (void)userdata;
    return 100.0 * (double)t / 1e9;
}

/* Epochs 1..5 back to back from 5 s, lasting 10, 12, 14, 16, 18 s (a = 8 s, b = 2 s per
 * epoch), then epoch 6 in progress; "warmup" is another phase. */
static size_t epochs(aim_fc_instance *inst) {
    memset(inst, 0, 8 * sizeof *inst);
    int64_t t = 5 * S;
    size_t n = 0;
    snprintf(inst[n].name, sizeof inst[n].name, "warmup");
    inst[n].start_ns = 0;
    inst[n].end_ns = t;
    inst[n++].closed = 1;
    for (int k = 1; k <= 5; k++) {
        snprintf(inst[n].name, sizeof inst[n].name, "epoch %d", k);
        inst[n].start_ns = t;
        t += (int64_t)(8 + 2 * k) * S;
        inst[n].end_ns = t;
        inst[n++].closed = 1;
    }
    snprintf(inst[n].name, sizeof inst[n].name, "epoch 6");
    inst[n++].start_ns = t;
    return n;
}

static aim_run_summary priced_run(void) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "20260105-120000-fcst00");
    run.total_energy_j = 10000;
    run.carbon_g = 2;          /* 0.0002 g per J */
    run.cost = 0.5;            /* 0.00005 per J */
    memcpy(run.currency, "EUR", 3);
    return run;
}

/* An exact line: every figure follows from a = 8 s, b = 2 s per epoch and 100 W. To 8 epochs:
 * 6, 7, 8 to come, 20 + 22 + 24 = 66 s and 6600 J, with no residual (interval 0). */
static void exact_epochs(void **state) {
    (void)state;
    aim_run_summary run = priced_run();
    aim_fc_instance inst[8];
    size_t n = epochs(inst);
    aim_forecast_result f;
    char err[512];
    assert_int_equal(aim__forecast_plan(&f, &run, "epoch", 8, 0, inst, n, err, sizeof err), 0);
    assert_true(f.numbered);
    assert_int_equal(f.base, 1);
    assert_int_equal(f.n_pts, 5);
    assert_int_equal(f.n_open, 1);
    assert_int_equal(f.n_fit, 5);
    assert_int_equal(f.n_future, 3);
    assert_true(f.future[0] == 6 && f.future[2] == 8);
    assert_int_equal(aim__forecast_fit(&f, hundred_watts, NULL), 0);
    for (size_t i = 0; i < f.n_pts; i++) {
        assert_int_equal(f.pts[i].index, (long)i + 1);
        near(f.pts[i].seconds, 10 + 2 * (double)i, 1e-9);
        near(f.pts[i].energy_j, 100 * (10 + 2 * (double)i), 1e-6);
    }
    near(f.ft.a, 8, 1e-9);
    near(f.ft.b, 2, 1e-9);
    near(f.fe.b, 200, 1e-6);
    near(f.rem_t.value, 66, 1e-9);
    near(f.rem_e.value, 6600, 1e-6);
    near(f.rem_e.half, 0, 1e-6);
    assert_int_equal(f.ve, AIM_FORECAST_OK);
    assert_int_equal(f.vt, AIM_FORECAST_OK);
    assert_int_equal(f.x_last, 8);
    near(f.obs_t, 70, 1e-9);
    near(f.obs_e, 7000, 1e-6);
    near(f.upto_t, 75, 1e-9);       /* the end of epoch 5 */
    near(f.upto_e, 7500, 1e-6);
    near(f.g_per_j, 2.0 / 10000, 1e-15);
    near(f.cost_per_j, 0.5 / 10000, 1e-15);
    aim__forecast_result_free(&f);
}

/* Noise on the line gives an interval; --skip leaves the first out of the fit; an instance
 * aimeter closed at the run's end is not a completed one. */
static void noisy_skip_and_unterminated(void **state) {
    (void)state;
    aim_run_summary run = priced_run();
    run.currency[0] = '\0';
    aim_fc_instance inst[8];
    size_t n = epochs(inst);
    inst[3].end_ns += S / 2;        /* epoch 3 half a second longer */
    inst[4].start_ns += S / 2;
    inst[4].end_ns += S / 2;
    inst[5].start_ns += S / 2;
    inst[5].end_ns += S / 2;
    inst[6].closed = 1;            /* epoch 6: closed by aimeter */
    inst[6].unterminated = 1;
    inst[6].end_ns = inst[6].start_ns + 3 * S;
    aim_forecast_result f;
    char err[512];
    assert_int_equal(aim__forecast_plan(&f, &run, "epoch", 10, 1, inst, n, err, sizeof err), 0);
    assert_int_equal(f.n_pts, 5);
    assert_int_equal(f.n_open, 0);
    assert_int_equal(f.n_unterm, 1);
    assert_int_equal(f.n_fit, 4);
    assert_false(f.pts[0].fitted);
    assert_int_equal(f.n_future, 5);
    assert_int_equal(aim__forecast_fit(&f, hundred_watts, NULL), 0);
    assert_int_equal(f.ft.n, 4);
    assert_true(f.rem_t.half > 0 && isfinite(f.rem_t.half));
    near(f.obs_t, 70.5, 1e-9);
    assert_true(isnan(f.cost_per_j));
    aim__forecast_result_free(&f);
}

static void refusals(void **state) {
    (void)state;
    aim_run_summary run = priced_run();
    aim_fc_instance inst[8];
    size_t n = epochs(inst);
    aim_forecast_result f;
    char err[512];
    /* Past the target already. */
    assert_int_equal(aim__forecast_plan(&f, &run, "epoch", 3, 0, inst, n, err, sizeof err),
                     -ERANGE);
    assert_non_null(strstr(err, "already completed instance 5 of 'epoch': forecast to 5 or more"));
    aim__forecast_result_free(&f);
    /* Fewer than 2 to fit: the phases are named. */
    assert_int_equal(aim__forecast_plan(&f, &run, "epoch", 8, 4, inst, n, err, sizeof err),
                     -ENODATA);
    assert_non_null(strstr(err, "has 5 completed instances of 'epoch' after --skip and one in "
                                "progress; a line needs 2 to fit (its phases: 'warmup', "
                                "'epoch 1'"));
    aim__forecast_result_free(&f);
    assert_int_equal(aim__forecast_plan(&f, &run, "step", 8, 0, inst, n, err, sizeof err),
                     -ENODATA);
    aim__forecast_result_free(&f);
}

/* The cumulative energy of the devices in the total, from synthetic ticks: gpu0 draws 100 W,
 * sampled at 1..4 s (the first sample held back to the start: 100 J at 1 s), psys 5000 W in
 * the same group but outside the total. The curve reads 0 up to a device's first sample. */
static void energy_curve_from_ticks(void **state) {
    (void)state;
    aim_device_summary dev[2];
    aim_series_summary ser[2];
    memset(dev, 0, sizeof dev);
    memset(ser, 0, sizeof ser);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    for (int d = 0; d < 2; d++) {
        dev[d].has_energy = 1;
        dev[d].in_total = d == 0;
        dev[d].energy_method = AIM_METHOD_DERIVED;
        ser[d].slot = d;
        ser[d].device = d;
        ser[d].instance = -1;
        ser[d].group = 0;
        snprintf(ser[d].metric_key, sizeof ser[d].metric_key, "power");
    }
    run.devices = dev;
    run.n_devices = 2;
    run.series = ser;
    run.n_series = 2;
    aim_energy_curve *c;
    assert_int_equal(aim__energy_curve_new(&run, &c), 0);
    const int *groups;
    assert_int_equal(aim__energy_curve_groups(c, &groups), 1);
    assert_int_equal(groups[0], 0);
    aim__energy_curve_set_group(c, 0);
    double v[2] = { 100, 5000 };
    uint8_t ok[2] = { 1, 1 };
    for (int s = 1; s <= 4; s++)
        assert_int_equal(aim__energy_curve_tick(s * S, v, ok, c), 0);
    assert_int_equal(aim__energy_curve_error(c), 0);
    near(aim__energy_curve_at(c, S), 0, 0);          /* up to the first sample */
    near(aim__energy_curve_at(c, S + S / 2), 150, 1e-9);
    near(aim__energy_curve_at(c, 2 * S + S / 4), 225, 1e-9); /* linear between samples */
    near(aim__energy_curve_at(c, 9 * S), 400, 1e-9); /* its last value after its last */
    aim__energy_curve_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_epochs),
        cmocka_unit_test(noisy_skip_and_unterminated),
        cmocka_unit_test(refusals),
        cmocka_unit_test(energy_curve_from_ticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
