/* Carbon as a time series: the step function, the per-device accounting the writer and the
 * replay share, PUE and price arithmetic, the precedence of the intensity inputs, and the
 * options' setters. Every expected figure is worked out in the comments. */
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
#include <unistd.h>

#include "processing/account.h"
#include "data/carbon.h"
#include "engine/choose.h"
#include "engine/run_carbon.h"
#include "model/intensity_series.h"
#include "engine/config.h"

#define T0_MS 1704067200000LL            /* 2024-01-01T00:00:00Z */
#define S_NS 1000000000LL

static void near(double got, double want) {
    if (!(fabs(got - want) <= 1e-12 * fabs(want) + 1e-18))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ------------------------------------------------------------------ step function */

static void step_index(void **state) {
    aim_intensity_point p[] = { { 1000, 10 }, { 2000, 20 }, { 3000, 30 } };
    assert_int_equal(aim_step_index(p, 3, 0), 0);    /* before the first: the first */
    assert_int_equal(aim_step_index(p, 3, 999), 0);
    assert_int_equal(aim_step_index(p, 3, 1000), 0); /* at a point: that point */
    assert_int_equal(aim_step_index(p, 3, 1999), 0);
    assert_int_equal(aim_step_index(p, 3, 2000), 1);
    assert_int_equal(aim_step_index(p, 3, 2999), 1);
    assert_int_equal(aim_step_index(p, 3, 3000), 2);
    assert_int_equal(aim_step_index(p, 3, INT64_MAX), 2); /* after the last: the last */
    assert_int_equal(aim_step_index(p, 1, 5), 0);
}

static void series_append(void **state) {
    aim_intensity_series s;
    assert_int_equal(aim_intensity_series_init(&s), 0);
    aim_intensity_point a[] = { { 100, 1 }, { 200, 2 } };
    assert_int_equal(aim_intensity_series_append(&s, a, 2), 0);
    /* Not after the last point, or not a valid value: refused, nothing appended. */
    aim_intensity_point bad[] = { { 300, 3 }, { 250, 4 } };
    assert_int_equal(aim_intensity_series_append(&s, bad, 2), -EINVAL);
    aim_intensity_point neg = { 400, -1 };
    assert_int_equal(aim_intensity_series_append(&s, &neg, 1), -EINVAL);
    aim_intensity_point nan_pt = { 400, NAN };
    assert_int_equal(aim_intensity_series_append(&s, &nan_pt, 1), -EINVAL);
    assert_int_equal(s.n, 2);
    /* Energy priced up to t = 1000 ms: a point that says "from 500" applies from 1000. */
    s.priced_until_ms = 1000;
    aim_intensity_point late = { 500, 7 };
    assert_int_equal(aim_intensity_series_append(&s, &late, 1), 0);
    assert_int_equal(s.n, 3);
    assert_true(s.points[2].t_unix_ms == 1000 && s.points[2].g_per_kwh == 7);
    assert_int_equal(s.moved, 1);
    /* Grows past its first allocation. */
    for (int i = 0; i < 100; i++) {
        aim_intensity_point p = { 2000 + i, i };
        assert_int_equal(aim_intensity_series_append(&s, &p, 1), 0);
    }
    assert_int_equal(s.n, 103);
    assert_true(s.points[102].t_unix_ms == 2099);
    aim_intensity_series_destroy(&s);
}

/* ------------------------------------------------------------------ accounting */

/* One constant value: the sum over devices and intervals is exactly the product of the
 * total energy and the value (what every earlier aimeter computed). */
static void constant_is_exactly_total_times_intensity(void **state) {
    aim_intensity_point p = { T0_MS, 473.01 };
    aim_step_acc acc[3] = { { 0 } };
    double e[3] = { 0 }, prev[3] = { 0 };
    unsigned char inc[3] = { 1, 1, 0 };
    /* Irregular energies, so that a sum of products would round differently. */
    for (int i = 1; i <= 1000; i++)
        for (int d = 0; d < 3; d++) {
            e[d] = prev[d] + 0.1 * i + d * 0.013 + 1.0 / (i + d);
            aim_step_acc_add(&acc[d], &p, 1, (T0_MS + i - 1) * 1000000, (T0_MS + i) * 1000000,
                             prev[d], e[d]);
            prev[d] = e[d];
        }
    double total = 0;
    for (int d = 0; d < 3; d++)
        if (inc[d])
            total += e[d];
    double g = aim_step_acc_sum(acc, e, inc, 3, &p, 1);
    assert_true(g == aim_carbon_g(total, 473.01));
    assert_true(aim_step_acc_value(&acc[0], &p, 1, e[0]) == aim_carbon_g(e[0], 473.01));
    assert_true(isnan(aim_step_acc_sum(acc, e, inc, 3, NULL, 0)));
}

/* A step change inside an interval splits its energy by time: 36 J over [10 s, 20 s] with
 * 100 g/kWh until 14 s and 400 after: 14.4 J at 100 and 21.6 J at 400.
 * g = (14.4 × 100 + 21.6 × 400) / 3.6e6 = (1440 + 8640) / 3.6e6 = 0.0028 g. */
static void change_inside_an_interval_splits_it(void **state) {
    aim_intensity_point p[] = { { T0_MS, 100 }, { T0_MS + 14000, 400 } };
    aim_step_acc a = { 0 };
    aim_step_acc_add(&a, p, 2, T0_MS * 1000000 + 10 * S_NS, T0_MS * 1000000 + 10 * S_NS, 0, 0);
    aim_step_acc_add(&a, p, 2, T0_MS * 1000000 + 10 * S_NS, T0_MS * 1000000 + 20 * S_NS, 0, 36);
    near(aim_step_acc_value(&a, p, 2, 36), 0.0028);
    /* Two changes in one interval, one of them exactly at its end (that one applies from
     * the next interval): 30 J over [0, 3 s], 10 until 1 s, 20 until 3 s, then 90.
     * g = (10 J × 10 + 20 J × 20) / 3.6e6 = 500 / 3.6e6. */
    aim_intensity_point q[] = { { T0_MS, 10 }, { T0_MS + 1000, 20 }, { T0_MS + 3000, 90 } };
    aim_step_acc b = { 0 };
    aim_step_acc_add(&b, q, 3, T0_MS * 1000000, T0_MS * 1000000 + 3 * S_NS, 0, 30);
    near(aim_step_acc_value(&b, q, 3, 30), 500 / 3.6e6);
    /* The next interval [3 s, 4 s], 6 J, is all at 90: + 540 / 3.6e6. */
    aim_step_acc_add(&b, q, 3, T0_MS * 1000000 + 3 * S_NS, T0_MS * 1000000 + 4 * S_NS, 30, 36);
    near(aim_step_acc_value(&b, q, 3, 36), 1040 / 3.6e6);
}

/* A gap in a device's samples spanning a change: the energy up to the gap's start belongs to
 * the step that was in force then; the gap's interval is split by time as any other. A point
 * appended while running applies to the intervals that follow it. */
static void gap_and_appended_point(void **state) {
    aim_intensity_point p[3] = { { T0_MS, 100 }, { T0_MS + 5000, 300 }, { 0, 0 } };
    aim_step_acc a = { 0 };
    int64_t base = T0_MS * 1000000;
    aim_step_acc_add(&a, p, 2, base, base + S_NS, 0, 10);            /* 10 J at 100 */
    aim_step_acc_add(&a, p, 2, base + S_NS, base + 9 * S_NS, 10, 90); /* 80 J: 4 s at 100,
                                                                         4 s at 300 */
    near(aim_step_acc_value(&a, p, 2, 90), (10 * 100 + 40 * 100 + 40 * 300) / 3.6e6);
    p[2] = (aim_intensity_point){ T0_MS + 9000, 1000 };
    aim_step_acc_add(&a, p, 3, base + 9 * S_NS, base + 10 * S_NS, 90, 100); /* 10 J at 1000 */
    near(aim_step_acc_value(&a, p, 3, 100), (5000 + 12000 + 10000) / 3.6e6);
}

/* ------------------------------------------------------------------ a run: PUE and price */

static char tmp_csv[64];

static const char *write_csv(const char *text) {
    snprintf(tmp_csv, sizeof tmp_csv, "/tmp/aim_test_carbon_XXXXXX");
    int fd = mkstemp(tmp_csv);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return tmp_csv;
}

static void two_device_run(aim_run_summary *run) {
    memset(run, 0, sizeof *run);
    run->n_devices = 3;
    run->devices = calloc(3, sizeof *run->devices);
    snprintf(run->devices[0].name, sizeof run->devices[0].name, "cpu0");
    snprintf(run->devices[1].name, sizeof run->devices[1].name, "dram0");
    snprintf(run->devices[2].name, sizeof run->devices[2].name, "psys0");
    for (int d = 0; d < 3; d++) {
        run->devices[d].has_energy = 1;
        run->devices[d].in_total = d < 2; /* psys overlaps the others */
    }
    run->start_wall_ns = T0_MS * 1000000;
}

/* A synthetic frame sequence through the calls the writer makes: frames every second from
 * monotonic 5 s (= wall T0), cpu0 +10 J and dram0 +2 J per interval, psys0 +50 J (not in the
 * total). Intensity file: 100 g/kWh from T0, 400 from T0 + 3 s; price file: 0.10 EUR from
 * T0, 0.30 from T0 + 2 s; PUE 1.5.
 *   intervals 1-3 at 100: cpu 30 J, dram 6 J; intervals 4-5 at 400: cpu 20 J, dram 4 J.
 *   IT energy 60 J; facility 90 J.
 *   carbon = (36 × 100 + 24 × 400) / 3.6e6 × 1.5 = 13200 / 3.6e6 × 1.5 = 0.0055 g
 *   cpu0 = (30 × 100 + 20 × 400) / 3.6e6 × 1.5 = 11000 / 3.6e6 × 1.5 = 0.00458333 g
 *   dram0 = (6 × 100 + 4 × 400) / 3.6e6 × 1.5 = 2200 / 3.6e6 × 1.5 = 0.000916667 g
 *   intensity actually applied = 0.0055 g / (90 J / 3.6e6) = 220 g/kWh
 *   cost = (24 J × 0.10 + 36 J × 0.30) / 3.6e6 × 1.5 = 13.2 / 3.6e6 × 1.5 = 5.5e-6 EUR,
 *   i.e. 0.22 EUR/kWh of facility energy on average. */
static void time_varying_run_with_pue_and_price(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char intensity_path[64];
    snprintf(intensity_path, sizeof intensity_path, "%s",
             write_csv("timestamp,g_per_kwh\n"
                       "2024-01-01T00:00:00Z,100\n"
                       "2024-01-01T00:00:03Z,400\n"));
    assert_int_equal(aim_config_set_intensity_file(cfg, intensity_path), 0);
    char price_path[64];
    snprintf(price_path, sizeof price_path, "%s",
             write_csv("1704067200,0.10\n1704067202,0.30\n"));
    assert_int_equal(aim_config_set_price_file(cfg, price_path, "eur"), 0);
    assert_int_equal(aim_config_set_pue(cfg, "1.5"), 0);

    aim_run_summary run;
    two_device_run(&run);
    aim_run_carbon rc;
    char err[256];
    assert_int_equal(aim_run_carbon_setup(&rc, cfg, run.start_wall_ns, &run, err, sizeof err), 0);
    assert_int_equal(aim_run_carbon_plan(&rc, &run, run.start_wall_ns, 5 * S_NS), 0);
    assert_string_equal(run.currency, "EUR");
    assert_true(run.pue == 1.5);
    assert_string_equal(run.pue_source, "given with --pue");
    assert_true(run.signal == AIM_SIGNAL_AVERAGE && run.basis == AIM_BASIS_UNKNOWN);
    assert_non_null(strstr(run.intensity_source, "2 points"));

    static const double per[3] = { 10, 2, 50 };
    double e[3] = { 0 };
    for (int d = 0; d < 3; d++) /* first readings: zero-length intervals */
        aim_run_carbon_account(&rc, d, 5 * S_NS, 5 * S_NS, 0, 0);
    for (int i = 1; i <= 5; i++)
        for (int d = 0; d < 3; d++) {
            aim_run_carbon_account(&rc, d, (4 + i) * S_NS, (5 + i) * S_NS, e[d], e[d] + per[d]);
            e[d] += per[d];
        }
    for (int d = 0; d < 3; d++)
        run.devices[d].energy_j = e[d];
    run.total_energy_j = e[0] + e[1];
    aim_run_carbon_refresh(&rc, &run);
    near(run.facility_energy_j, 90);
    near(run.carbon_g, 0.0055);
    near(run.devices[0].carbon_g, 11000 / 3.6e6 * 1.5);
    near(run.devices[1].carbon_g, 2200 / 3.6e6 * 1.5);
    assert_true(isnan(run.devices[2].carbon_g));
    near(run.intensity_g_per_kwh, 220);
    near(run.cost, 5.5e-6);
    near(run.price_per_kwh, 0.22);

    /* The run lasted [T0, T0 + 5 s]; the intensity file covers [T0, T0 + 3 s + 3 s]: no
     * warning. The price file covers [T0, T0 + 4 s]: its last value was used after it. */
    run.end_wall_ns = run.start_wall_ns + 5 * S_NS;
    aim_run_carbon_finish(&rc, &run);
    assert_null(strstr(run.warnings, "intensity file"));
    assert_non_null(strstr(run.warnings, "price file"));
    assert_non_null(strstr(run.warnings, "covers until 2024-01-01T00:00:04Z"));
    assert_non_null(strstr(run.warnings, "its last value, 0.3 EUR/kWh, was used after it"));

    aim_run_carbon_free(&rc);
    aim_run_summary_clear(&run);
    unlink(intensity_path);
    unlink(price_path);
    aim_config_free(cfg);
}

/* A file that starts after the run: its first value is used before it, and the report says
 * so. A constant price: cost = facility kWh × price, 7485 J × 1.2 / 3.6e6 × 0.25 =
 * 0.00062375 EUR... computed on 7485 J of IT energy. */
static void coverage_and_constant_price(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char path[64];
    snprintf(path, sizeof path, "%s", write_csv("1704067260,200\n1704067320,300\n"));
    assert_int_equal(aim_config_set_intensity_file(cfg, path), 0);
    assert_int_equal(aim_config_set_price(cfg, 0.25, "usd"), 0);
    assert_int_equal(aim_config_set_pue(cfg, "1.2"), 0);
    aim_run_summary run;
    two_device_run(&run);
    aim_run_carbon rc;
    char err[256];
    assert_int_equal(aim_run_carbon_setup(&rc, cfg, run.start_wall_ns, &run, err, sizeof err), 0);
    assert_int_equal(aim_run_carbon_plan(&rc, &run, run.start_wall_ns, 0), 0);
    /* The run starts at T0, before the file: its first value (200) is in force. */
    assert_true(run.intensity_g_per_kwh == 200);
    aim_run_carbon_account(&rc, 0, 0, 10 * S_NS, 0, 7485);
    run.devices[0].energy_j = 7485;
    run.total_energy_j = 7485;
    aim_run_carbon_refresh(&rc, &run);
    near(run.carbon_g, 7485 / 3.6e6 * 200 * 1.2);
    near(run.cost, 7485 * 1.2 / 3.6e6 * 0.25);
    assert_true(run.price_per_kwh == 0.25);
    run.end_wall_ns = run.start_wall_ns + 10 * S_NS;
    aim_run_carbon_finish(&rc, &run);
    assert_non_null(strstr(run.warnings, "intensity file"));
    assert_non_null(strstr(run.warnings, "starts at 2024-01-01T00:01:00Z, after the run started "
                                         "(2024-01-01T00:00:00Z): its first value, 200 g/kWh, "
                                         "was used before it"));
    aim_run_carbon_free(&rc);
    aim_run_summary_clear(&run);
    unlink(path);
    aim_config_free(cfg);
}

/* ------------------------------------------------------------------ precedence, options */

static void precedence(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char path[64];
    snprintf(path, sizeof path, "%s", write_csv("1704067200,321,marginal\n"));
    aim_intensity_series s;
    char err[256];

    /* Nothing given: the world average. */
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_WORLD);
    assert_string_equal(s.zone, "WORLD");
    assert_non_null(strstr(s.source, "world average"));
    assert_int_equal(s.n, 1);
    aim_intensity_series_destroy(&s);

    /* A zone beats the world, a file beats the zone, a constant beats the file. */
    assert_int_equal(aim_config_set_zone(cfg, "FR"), 0);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_string_equal(s.zone, "FR");
    const aim_zone_info *fr;
    assert_int_equal(aim_zone_lookup("FR", &fr), 0);
    assert_true(s.points[0].g_per_kwh == fr->g_per_kwh && s.points[0].t_unix_ms == T0_MS);
    aim_intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_intensity_file(cfg, path), 0);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_FILE);
    assert_string_equal(s.zone, "");
    assert_int_equal(s.signal, AIM_SIGNAL_MARGINAL);
    assert_true(s.points[0].g_per_kwh == 321);
    aim_intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_intensity(cfg, 55.5), 0);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_CONSTANT);
    assert_true(s.n == 1 && s.points[0].g_per_kwh == 55.5);
    aim_intensity_series_destroy(&s);

    /* A bad file fails with its line; a missing one with errno. */
    cfg->intensity = -1;
    FILE *f = fopen(path, "w");
    fputs("t,g\n1704067200,1\nnonsense 5,2\n", f);
    fclose(f);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), -EBADMSG);
    char want[300];
    snprintf(want, sizeof want, "%s:3: bad timestamp: use ISO 8601 with a zone "
             "(2026-01-05T13:00:00Z) or Unix seconds", path);
    assert_string_equal(err, want);
    aim_intensity_series_destroy(&s);
    unlink(path);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), -ENOENT);
    aim_intensity_series_destroy(&s);
    aim_config_free(cfg);
}

/* The zone suffixes whatif takes, in a run's configuration: @marginal from the built-in
 * table, offline, and said to be national for a sub-national zone; @YEAR; bad ones refused. */
static void zone_with_signal_and_year(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    aim_intensity_series s;
    char err[256];
    assert_int_equal(aim_config_set_zone(cfg, "ca_sk@marginal"), 0);
    assert_string_equal(cfg->zone, "CA-SK"); /* the provider is still asked for the zone */
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_int_equal(s.signal, AIM_SIGNAL_MARGINAL);
    assert_string_equal(s.zone, "CA");
    assert_true(s.points[0].g_per_kwh == 372);
    static const char note0[] = "national figure of CA: CA-SK has no marginal factor of its own; ";
    assert_true(strncmp(s.source, note0, strlen(note0)) == 0);
    aim_intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_zone(cfg, "PL@marginal"), 0);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_true(s.points[0].g_per_kwh == 828 && s.signal == AIM_SIGNAL_MARGINAL);
    assert_null(strstr(s.source, "national"));
    aim_intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_zone(cfg, "FR@2010"), 0);
    aim_intensity_series_init(&s);
    assert_int_equal(aim_intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_true(s.points[0].g_per_kwh == 78.56 && s.signal == AIM_SIGNAL_AVERAGE);
    aim_intensity_series_destroy(&s);

    /* A plain code again: the current average row, the suffixes forgotten. */
    assert_int_equal(aim_config_set_zone(cfg, "FR"), 0);
    assert_int_equal(cfg->zone_marginal, 0);
    assert_int_equal(cfg->zone_year, 0);
    assert_int_equal(aim_config_set_zone(cfg, "FR@2031"), -EINVAL);
    assert_int_equal(aim_config_set_zone(cfg, "FR@nope"), -EINVAL);
    assert_int_equal(aim_config_set_zone(cfg, "XX@marginal"), -EINVAL);
    assert_string_equal(cfg->zone, "FR");

    char note[200];
    aim_zone_info row;
    assert_int_equal(aim_zone_resolve("CA-SK@marginal", &row, note, sizeof note, err, sizeof err), 0);
    assert_string_equal(row.code, "CA");
    assert_string_equal(note, "national figure of CA: CA-SK has no marginal factor of its own");
    assert_int_equal(aim_zone_resolve("CA-SK", &row, note, sizeof note, err, sizeof err), 0);
    assert_string_equal(note, "");
    assert_int_equal(aim_zone_resolve("CA-SK@1850", &row, note, sizeof note, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "no 1850 figure for CA-SK"));
    aim_config_free(cfg);
}

static void option_setters(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_true(c->pue == 1.0 && c->price < 0);
    assert_int_equal(aim_config_set_pue(c, "1.25"), 0);
    assert_true(c->pue == 1.25);
    assert_int_equal(aim_config_set_pue(c, "0.9"), -ERANGE);
    assert_int_equal(aim_config_set_pue(c, "7"), -ERANGE);
    assert_int_equal(aim_config_set_pue(c, "1,2"), -EINVAL);
    assert_int_equal(aim_config_set_pue(c, "nope"), -EINVAL);
    assert_int_equal(aim_config_set_pue(c, ""), -EINVAL);
    assert_true(c->pue == 1.25); /* unchanged by the failures */
    double aws;
    const char *src;
    assert_int_equal(aim_pue_lookup("aws", &aws, &src), 0);
    assert_int_equal(aim_config_set_pue(c, "AWS"), 0);
    assert_true(c->pue == aws);
    assert_non_null(strstr(c->pue_source, src));

    assert_int_equal(aim_config_set_price(c, 0.21, "eur"), 0);
    assert_string_equal(c->currency, "EUR");
    assert_int_equal(aim_config_set_price(c, 0.21, "EURO"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, 0.21, "E1R"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, -1, "EUR"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, NAN, "EUR"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, 0.21, NULL), -EINVAL);
    assert_int_equal(aim_config_set_price_file(c, "/tmp/p.csv", "usd"), 0);
    assert_true(c->price < 0); /* the file replaced the constant */
    assert_string_equal(c->currency, "USD");
    assert_int_equal(aim_config_set_price_file(c, "", "USD"), -EINVAL);
    assert_string_equal(c->currency, "USD");
    assert_int_equal(aim_config_set_intensity_file(c, ""), -EINVAL);
    assert_int_equal(aim_config_set_intensity_file(c, NULL), 0);
    aim_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step_index),
        cmocka_unit_test(series_append),
        cmocka_unit_test(constant_is_exactly_total_times_intensity),
        cmocka_unit_test(change_inside_an_interval_splits_it),
        cmocka_unit_test(gap_and_appended_point),
        cmocka_unit_test(time_varying_run_with_pue_and_price),
        cmocka_unit_test(coverage_and_constant_price),
        cmocka_unit_test(precedence),
        cmocka_unit_test(zone_with_signal_and_year),
        cmocka_unit_test(option_setters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
