#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/metrics.h"
#include "processing/stats.h"

static void registry_is_complete_and_unique(void **state) {
    assert_int_equal(aim_metric_count(), AIM_M__COUNT);
    for (size_t i = 0; i < aim_metric_count(); i++) {
        const aim_metric_info *m = aim_metric_get(i);
        assert_non_null(m);
        assert_non_null(m->key);
        assert_non_null(m->label);
        assert_non_null(m->unit);
        assert_non_null(m->description);
        assert_true(m->resolution > 0);
        assert_ptr_equal(aim_metric_find(m->key), m);
        assert_int_equal(aim__metric_id_of(m), (int)i);
        for (size_t j = i + 1; j < aim_metric_count(); j++)
            assert_string_not_equal(m->key, aim_metric_get(j)->key);
    }
    assert_null(aim_metric_find("no.such.metric"));
    assert_string_equal(aim__metric_by_id(AIM_M_POWER)->unit, "W");
}

static void stats_mean_min_max_mode(void **state) {
    aim_stats s;
    aim__stats_init(&s, 0.1);
    const double v[] = { 1.0, 2.0, 2.04, 3.0, 1.96, NAN };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        aim__stats_add(&s, v[i], 1.0);
    assert_int_equal(s.count, 5);
    assert_true(fabs(s.mean - 2.0) < 1e-12);
    assert_true(s.min == 1.0 && s.max == 3.0);
    /* 2.0, 2.04 and 1.96 all round to 2.0 at 0.1 resolution */
    assert_true(fabs(aim__stats_mode(&s) - 2.0) < 1e-9);
    assert_true(s.mode_exact);
    assert_true(fabs(aim__stats_stddev(&s) - sqrt(2.0032 / 4)) < 1e-9);
}

static void stats_mode_survives_many_distinct_values(void **state) {
    aim_stats s;
    aim__stats_init(&s, 1.0);
    /* 5000 distinct values once each, and 42 seen 1000 times, interleaved. */
    for (int i = 0; i < 5000; i++) {
        aim__stats_add(&s, 100.0 + i, 1.0);
        if (i % 5 == 0)
            aim__stats_add(&s, 42.0, 1.0);
    }
    assert_false(s.mode_exact);
    assert_true(aim__stats_mode(&s) == 42.0);
}

/* docs/metrics.md must list every registry row exactly as the registry says it. */
static void docs_match_registry(void **state) {
    FILE *f = fopen(AIM_FIXTURES_DIR "/../../docs/metrics.md", "r");
    assert_non_null(f);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);
    for (size_t i = 0; i < aim_metric_count(); i++) {
        const aim_metric_info *m = aim_metric_get(i);
        char row[1024];
        snprintf(row, sizeof row, "| `%s` | %s | %s | %s | %s | %g | %s |\n", m->key, m->label,
                 m->unit[0] ? m->unit : "-", aim_category_name(m->category),
                 m->kind == AIM_KIND_COUNTER ? "counter" : "gauge", m->resolution, m->description);
        if (!strstr(doc, row))
            fail_msg("docs/metrics.md lacks or differs from the registry row:\n%s", row);
    }
}

/* Issue 11: Mode above Max (1.006 W rounds to 1.01 W at 0.01 W, above every sample). */
static void stats_mode_stays_within_min_and_max(void **state) {
    aim_stats s;
    aim__stats_init(&s, 0.01);
    for (int i = 0; i < 10; i++)
        aim__stats_add(&s, 1.006, 1.0);
    aim__stats_add(&s, 1.004, 1.0);
    double mode = aim__stats_mode(&s);
    assert_true(s.min <= mode && mode <= s.max);
    assert_true(mode == 1.006);
    aim__stats_init(&s, 0.01);
    aim__stats_add(&s, 0.994, 1.0);
    aim__stats_add(&s, 0.996, 1.0); /* both round to 0.99/1.00: ties go to the smallest */
    mode = aim__stats_mode(&s);
    assert_true(s.min <= mode && mode <= s.max);
    assert_true(mode == 0.994);
}

/* Issue 11: Avg is time-weighted (each sample weighs the interval it closes), as a phase's
 * mean power is its energy over its time; the standard deviation stays per sample. */
static void stats_mean_is_time_weighted(void **state) {
    aim_stats s;
    aim__stats_init(&s, 0.01);
    aim__stats_add(&s, 10.0, 0.0);  /* weighs nothing: an instant */
    assert_true(s.mean == 10.0);   /* the per-sample mean until a sample weighs something */
    aim__stats_add(&s, 100.0, 1.0);
    aim__stats_add(&s, 40.0, 3.0);
    assert_true(fabs(s.mean - (100.0 * 1 + 40.0 * 3) / 4.0) < 1e-12);
    assert_true(fabs(aim__stats_stddev(&s) - 45.82575694955840) < 1e-9); /* 10, 100, 40 */
}

/* Issue 11: the closing sample's interval (1-2 ms after the previous tick) is short: it
 * closes the energy but enters no statistic or correlation (processing/stats.h). */
static void closing_interval_is_short(void **state) {
    const int64_t ms = 1000000;
    assert_true(aim__interval_is_short(2 * ms, 100 * ms));
    assert_true(aim__interval_is_short(49 * ms, 100 * ms));
    assert_false(aim__interval_is_short(50 * ms, 100 * ms));
    assert_false(aim__interval_is_short(300 * ms, 100 * ms)); /* a late tick is a full one */
    assert_false(aim__interval_is_short(1, 0));               /* no interval known */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_is_complete_and_unique),
        cmocka_unit_test(stats_mean_min_max_mode),
        cmocka_unit_test(stats_mode_survives_many_distinct_values),
        cmocka_unit_test(stats_mode_stays_within_min_and_max),
        cmocka_unit_test(stats_mean_is_time_weighted),
        cmocka_unit_test(closing_interval_is_short),
        cmocka_unit_test(docs_match_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
