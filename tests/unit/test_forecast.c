/* Least squares and prediction intervals (processing/forecast.h): exact lines, a worked
 * example done by hand in the comments, noisy data whose slope is known by construction, the
 * t table, the interval's coverage on simulated data, and which phase names are instances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "processing/forecast.h"

static void near(double got, double want, double tol) {
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g (tolerance %g)", got, want, tol);
}

/* y = 3 + 2x exactly: the fit is the line and the residuals are zero. */
static void exact_line(void **state) {
    (void)state;
    double x[] = { 1, 2, 3, 4, 5 }, y[] = { 5, 7, 9, 11, 13 };
    aim_linfit f;
    assert_int_equal(aim__linfit_compute(x, y, 5, &f), 0);
    near(f.a, 3, 1e-12);
    near(f.b, 2, 1e-12);
    near(f.s, 0, 1e-12);
    near(f.se_b, 0, 1e-12);
    near(f.r2, 1, 1e-12);
    near(aim__linfit_at(&f, 10), 23, 1e-12);
    /* A horizontal line through large x (epoch numbers in the thousands): centring keeps it
     * exact. */
    double x2[] = { 1e6, 1e6 + 1, 1e6 + 2 }, y2[] = { 7.5, 7.5, 7.5 };
    assert_int_equal(aim__linfit_compute(x2, y2, 3, &f), 0);
    near(f.b, 0, 1e-12);
    near(f.a, 7.5, 1e-9);
    assert_true(isnan(f.r2)); /* every y equal: nothing to explain */
}

/* Worked by hand: x = 1..5, y = 2 4 5 4 5.
 *   x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6, Syy = 6  ->  b = 0.6, a = 4 - 0.6 × 3 = 2.2
 *   fitted 2.8 3.4 4.0 4.6 5.2, residuals -0.8 0.6 1.0 -0.6 -0.2, SSR = 2.4
 *   s² = 2.4 / 3 = 0.8, se(b) = √(0.8 / 10) = √0.08, se(a) = √(0.8 × (1/5 + 9/10)) = √0.88
 *   R² = 1 - 2.4 / 6 = 0.6
 * The sum at x = 6, 7: 5.8 + 6.4 = 12.2; m = 2, Σ(x - x̄) = 7,
 *   bracket = 2 + 4/5 + 49/10 = 7.7, half = t(0.975, 3) × √(0.8 × 7.7) = 3.182446305 × √6.16. */
static void worked_example(void **state) {
    (void)state;
    double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 5, 4, 5 };
    aim_linfit f;
    assert_int_equal(aim__linfit_compute(x, y, 5, &f), 0);
    assert_int_equal(f.n, 5);
    near(f.b, 0.6, 1e-12);
    near(f.a, 2.2, 1e-12);
    near(f.sxx, 10, 1e-12);
    near(f.s, sqrt(0.8), 1e-12);
    near(f.se_b, sqrt(0.08), 1e-12);
    near(f.se_a, sqrt(0.88), 1e-12);
    near(f.r2, 0.6, 1e-12);
    double fx[] = { 6, 7 }, sum, half;
    aim__linfit_sum(&f, fx, 2, &sum, &half);
    near(sum, 12.2, 1e-12);
    near(half, 3.182446305 * sqrt(6.16), 1e-9);
    near(half, 7.898624008, 1e-8);
    /* Nothing to come: nothing to add, no uncertainty. */
    aim__linfit_sum(&f, fx, 0, &sum, &half);
    assert_true(sum == 0 && half == 0);
}

/* y = 10 + 0.5 x + e with e = ±0.3 in the pattern + - - + + - - +: Σe = 0 and Σ(x - x̄)e = 0
 * by construction, so the slope and intercept are exactly 0.5 and 10, and s² = 8 × 0.09 / 6. */
static void noisy_known_slope(void **state) {
    (void)state;
    static const int sign[8] = { 1, -1, -1, 1, 1, -1, -1, 1 };
    double x[8], y[8];
    for (int i = 0; i < 8; i++) {
        x[i] = i + 1;
        y[i] = 10 + 0.5 * x[i] + 0.3 * sign[i];
    }
    aim_linfit f;
    assert_int_equal(aim__linfit_compute(x, y, 8, &f), 0);
    near(f.b, 0.5, 1e-12);
    near(f.a, 10, 1e-12);
    near(f.s, sqrt(0.12), 1e-12);
    near(f.se_b, sqrt(0.12 / 42), 1e-12); /* Sxx = 2 × (0.5² + 1.5² + 2.5² + 3.5²) = 42 */
}

/* A fixed linear congruential generator: the same numbers on every machine. */
static uint64_t lcg_state;
static double uniform(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}
static double gaussian(void) {
    return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* 1000 points, slope 2, uniform noise in [-1, 1) (σ = 1/√3): the estimate lies within 4
 * standard errors, and s and se(b) come out near their true values. */
static void random_noise(void **state) {
    (void)state;
    lcg_state = 42;
    enum { N = 1000 };
    static double x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        y[i] = -5 + 2 * x[i] + (2 * uniform() - 1);
    }
    aim_linfit f;
    assert_int_equal(aim__linfit_compute(x, y, N, &f), 0);
    assert_true(fabs(f.b - 2) < 4 * f.se_b);
    near(f.s, 1 / sqrt(3), 0.05);
    near(f.se_b, (1 / sqrt(3)) / sqrt(f.sxx), 0.1 * f.se_b);
}

/* The 95 % prediction interval of a sum of 4 future values from 6 fitted ones, on 4000
 * simulated data sets with Gaussian noise: it must hold the true sum about 95 % of the time
 * (binomial standard deviation 0.34 %; accepted 93.5-96.5 %). */
static void interval_coverage(void **state) {
    (void)state;
    lcg_state = 7;
    int hit = 0, trials = 4000;
    for (int t = 0; t < trials; t++) {
        double x[6], y[6], fx[4], truth = 0;
        for (int i = 0; i < 6; i++) {
            x[i] = i + 1;
            y[i] = 100 + 3 * x[i] + 4 * gaussian();
        }
        for (int j = 0; j < 4; j++) {
            fx[j] = 7 + j;
            truth += 100 + 3 * fx[j] + 4 * gaussian();
        }
        aim_linfit f;
        assert_int_equal(aim__linfit_compute(x, y, 6, &f), 0);
        double sum, half;
        aim__linfit_sum(&f, fx, 4, &sum, &half);
        hit += fabs(truth - sum) <= half;
    }
    double cover = (double)hit / trials;
    if (cover < 0.935 || cover > 0.965)
        fail_msg("coverage %.4f", cover);
}

static void refuses_what_cannot_be_fitted(void **state) {
    (void)state;
    double x[] = { 1, 1, 1 }, y[] = { 1, 2, 3 };
    aim_linfit f = { .a = 42 };
    assert_int_equal(aim__linfit_compute(x, y, 1, &f), -EINVAL);
    assert_int_equal(aim__linfit_compute(x, y, 3, &f), -EINVAL); /* every x equal */
    double x2[] = { 1, NAN }, y2[] = { 1, 2 };
    assert_int_equal(aim__linfit_compute(x2, y2, 2, &f), -EINVAL);
    near(f.a, 42, 0); /* untouched */
    /* Two points: a line, but no residual left to estimate the noise from. */
    double x3[] = { 1, 2 }, y3[] = { 10, 12 };
    assert_int_equal(aim__linfit_compute(x3, y3, 2, &f), 0);
    near(f.b, 2, 1e-12);
    assert_true(isnan(f.s) && isnan(f.se_b));
    double fx[] = { 3 }, sum, half;
    aim__linfit_sum(&f, fx, 1, &sum, &half);
    near(sum, 14, 1e-12);
    assert_true(isnan(half));
}

static void t_quantiles(void **state) {
    (void)state;
    assert_true(isnan(aim__t975(0)));
    near(aim__t975(1), 12.706204736, 1e-9);
    near(aim__t975(3), 3.182446305, 1e-9);
    near(aim__t975(30), 2.042272456, 1e-9);
    near(aim__t975(31), 2.039513446, 1e-6); /* the expansion takes over */
    near(aim__t975(120), 1.979930405, 1e-6);
    near(aim__t975(1000000), 1.959966357, 1e-8); /* z + (z³ + z) / (4ν): 2.37e-6 above z */
    for (unsigned df = 1; df < 200; df++) /* decreasing towards z */
        assert_true(aim__t975(df + 1) < aim__t975(df));
}

static void instance_names(void **state) {
    (void)state;
    assert_int_equal(aim__forecast_instance("epoch", "epoch"), AIM_INSTANCE_SAME);
    assert_int_equal(aim__forecast_instance("epoch", "epoch 3"), 3);
    assert_int_equal(aim__forecast_instance("epoch", "epoch 0"), 0);
    assert_int_equal(aim__forecast_instance("epoch", "epoch_12"), 12);
    assert_int_equal(aim__forecast_instance("epoch", "epoch#7"), 7);
    assert_int_equal(aim__forecast_instance("epoch", "epoch7"), 7);
    assert_int_equal(aim__forecast_instance("epoch", "epochs"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "epoch "), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "epoch 3b"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "epoch  3"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "epoch 1234567890"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "train"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("epoch", "epo"), AIM_INSTANCE_OTHER);
    assert_int_equal(aim__forecast_instance("train step", "train step 9"), 9);
}

/* When a line is not fit to forecast with (issue 11: 1,000 epochs forecast at -9,057 J). */
static void verdicts(void **state) {
    (void)state;
    aim_linfit f;
    /* Falling 10 J per epoch from 100 J: zero at epoch 11. */
    double x[] = { 1, 2, 3, 4 }, y[] = { 100, 90, 80, 70 };
    assert_int_equal(aim__linfit_compute(x, y, 4, &f), 0);
    assert_int_equal(aim__forecast_check(&f, 8), AIM_FORECAST_OK);       /* still 30 J */
    assert_int_equal(aim__forecast_check(&f, 11), AIM_FORECAST_FALLING);  /* 0 J */
    assert_int_equal(aim__forecast_check(&f, 10.9999999999), AIM_FORECAST_FALLING); /* rounding */
    assert_int_equal(aim__forecast_check(&f, 1000), AIM_FORECAST_FALLING);
    /* Two instances: a line, no forecast. */
    assert_int_equal(aim__linfit_compute(x, y, 2, &f), 0);
    assert_int_equal(aim__forecast_check(&f, 5), AIM_FORECAST_TOO_FEW);
    /* Flat and noisy: R² near 0 but the trend does not matter: a forecast. */
    double yn[] = { 10, 11, 9, 10.5, 9.5, 10 }, x6[] = { 1, 2, 3, 4, 5, 6 };
    assert_int_equal(aim__linfit_compute(x6, yn, 6, &f), 0);
    assert_true(f.r2 < AIM_FORECAST_MIN_R2);
    assert_int_equal(aim__forecast_check(&f, 10), AIM_FORECAST_OK);
    /* Every value equal: R² undefined, a flat line: a forecast. */
    double yc[] = { 5, 5, 5 };
    assert_int_equal(aim__linfit_compute(x, yc, 3, &f), 0);
    assert_int_equal(aim__forecast_check(&f, 1000), AIM_FORECAST_OK);
    /* Scatter with a rising trend the data barely show (R² 0.2), extrapolated far: refused. */
    double yp[] = { 10, 20, 5, 25, 8, 22 };
    assert_int_equal(aim__linfit_compute(x6, yp, 6, &f), 0);
    assert_true(f.r2 < AIM_FORECAST_MIN_R2 && f.b > 0);
    assert_int_equal(aim__forecast_check(&f, 1000), AIM_FORECAST_POOR_FIT);
    /* A clean rising line extrapolated far: fine. */
    double yr[] = { 10, 12, 14, 16 };
    assert_int_equal(aim__linfit_compute(x, yr, 4, &f), 0);
    assert_int_equal(aim__forecast_check(&f, 1000), AIM_FORECAST_OK);
}

/* What is to come is bounded at zero: never a negative sum, never an interval below zero. */
static void bounds(void **state) {
    (void)state;
    double v, lo, hi;
    aim__forecast_bound(50, 20, &v, &lo, &hi);
    near(v, 50, 0), near(lo, 30, 0), near(hi, 70, 0);
    aim__forecast_bound(10, 25, &v, &lo, &hi);
    near(v, 10, 0), near(lo, 0, 0), near(hi, 35, 0);
    aim__forecast_bound(-9057, 300, &v, &lo, &hi);
    near(v, 0, 0), near(lo, 0, 0), near(hi, 0, 0);
    aim__forecast_bound(-5, NAN, &v, &lo, &hi);
    near(v, 0, 0);
    assert_true(isnan(lo) && isnan(hi));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_line),
        cmocka_unit_test(worked_example),
        cmocka_unit_test(noisy_known_slope),
        cmocka_unit_test(random_noise),
        cmocka_unit_test(interval_coverage),
        cmocka_unit_test(refuses_what_cannot_be_fitted),
        cmocka_unit_test(t_quantiles),
        cmocka_unit_test(instance_names),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
