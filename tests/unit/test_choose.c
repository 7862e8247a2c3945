/* engine/choose.c: which intensity input prices a run (constant, file, zone, provider,
 * the world average) and the zone suffixes a run's configuration takes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "carbon_fixture.h"
#include "engine/choose.h"
#include "engine/config.h"
#include "model/intensity_series.h"

static void precedence(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char path[64];
    snprintf(path, sizeof path, "%s", carbon_write_csv("1704067200,321,marginal\n"));
    aim_intensity_series s;
    char err[256];

    /* Nothing given: the world average. */
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_WORLD);
    assert_string_equal(s.zone, "WORLD");
    assert_non_null(strstr(s.source, "world average"));
    assert_int_equal(s.n, 1);
    aim__intensity_series_destroy(&s);

    /* A zone beats the world, a file beats the zone, a constant beats the file. */
    assert_int_equal(aim_config_set_zone(cfg, "FR"), 0);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_string_equal(s.zone, "FR");
    const aim_zone_info *fr;
    assert_int_equal(aim_zone_lookup("FR", &fr), 0);
    assert_true(s.points[0].g_per_kwh == fr->g_per_kwh && s.points[0].t_unix_ms == T0_MS);
    aim__intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_intensity_file(cfg, path), 0);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_FILE);
    assert_string_equal(s.zone, "");
    assert_int_equal(s.signal, AIM_SIGNAL_MARGINAL);
    assert_true(s.points[0].g_per_kwh == 321);
    aim__intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_intensity(cfg, 55.5), 0);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_CONSTANT);
    assert_true(s.n == 1 && s.points[0].g_per_kwh == 55.5);
    aim__intensity_series_destroy(&s);

    /* A bad file fails with its line; a missing one with errno. */
    cfg->intensity = -1;
    FILE *f = fopen(path, "w");
    fputs("t,g\n1704067200,1\nnonsense 5,2\n", f);
    fclose(f);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), -EBADMSG);
    char want[300];
    snprintf(want, sizeof want, "%s:3: bad timestamp: use ISO 8601 with a zone "
             "(2026-01-05T13:00:00Z) or Unix seconds", path);
    assert_string_equal(err, want);
    aim__intensity_series_destroy(&s);
    unlink(path);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), -ENOENT);
    aim__intensity_series_destroy(&s);
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
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_int_equal(s.signal, AIM_SIGNAL_MARGINAL);
    assert_string_equal(s.zone, "CA");
    assert_true(s.points[0].g_per_kwh == 372);
    static const char note0[] = "national figure of CA: CA-SK has no marginal factor of its own; ";
    assert_true(strncmp(s.source, note0, strlen(note0)) == 0);
    aim__intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_zone(cfg, "PL@marginal"), 0);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_true(s.points[0].g_per_kwh == 828 && s.signal == AIM_SIGNAL_MARGINAL);
    assert_null(strstr(s.source, "national"));
    aim__intensity_series_destroy(&s);

    assert_int_equal(aim_config_set_zone(cfg, "FR@2010"), 0);
    aim__intensity_series_init(&s);
    assert_int_equal(aim__intensity_choose(cfg, T0_MS, &s, err, sizeof err), 0);
    assert_true(s.points[0].g_per_kwh == 78.56 && s.signal == AIM_SIGNAL_AVERAGE);
    aim__intensity_series_destroy(&s);

    /* A plain code again: the current average row, the suffixes forgotten. */
    assert_int_equal(aim_config_set_zone(cfg, "FR"), 0);
    assert_int_equal(cfg->zone_marginal, 0);
    assert_int_equal(cfg->zone_year, 0);
    assert_int_equal(aim_config_set_zone(cfg, "FR@2031"), -EINVAL);
    assert_int_equal(aim_config_set_zone(cfg, "FR@nope"), -EINVAL);
    assert_int_equal(aim_config_set_zone(cfg, "XX@marginal"), -EINVAL);
    assert_string_equal(cfg->zone, "FR");

    char note[200];
    aim_error zerr;
    aim_zone_info row;
    assert_int_equal(aim_zone_resolve("CA-SK@marginal", &row, note, sizeof note, &zerr), 0);
    assert_string_equal(row.code, "CA");
    assert_string_equal(note, "national figure of CA: CA-SK has no marginal factor of its own");
    assert_int_equal(aim_zone_resolve("CA-SK", &row, note, sizeof note, &zerr), 0);
    assert_string_equal(note, "");
    assert_int_equal(aim_zone_resolve("CA-SK@1850", &row, note, sizeof note, &zerr), -EINVAL);
    assert_non_null(strstr(zerr.message, "no 1850 figure for CA-SK"));
    assert_int_equal(zerr.code, -EINVAL);
    aim_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(precedence),
        cmocka_unit_test(zone_with_signal_and_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
