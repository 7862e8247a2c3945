/* Per-phase carbon re-priced from replayed intervals: shares by overlap against sums worked
 * by hand, nesting, a second rate group stepping back in time, and instances not kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "processing/phase_reprice.h"

#define S 1000000000LL

static double carbon_of(const aim_phases *p, const char *name) {
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(p, &rows);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].name, name) == 0)
            return rows[i].carbon_g;
    fail_msg("no phase row \"%s\"", name);
    return NAN;
}

static void near(double a, double b) {
    if (fabs(a - b) > 1e-12)
        fail_msg("%.15g, expected %.15g", a, b);
}

/* Origin at 100 s on the sample clock. "train" [100.5, 103.5) with "step" [101, 102) inside
 * it and again [102.5, 103.5); intervals of 1 s from the origin, 1 g each, then a second
 * group (one interval (0, 4], 8 g) that steps back in time. */
static void overlap_nesting_and_a_second_group(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    int64_t o = 100 * S;
    aim__phases_begin(p, o + S / 2, "train");
    aim__phases_begin(p, o + S, "step");
    aim__phases_end(p, o + 2 * S, "step");
    aim__phases_begin(p, o + 5 * S / 2, "step");
    aim__phases_end(p, o + 7 * S / 2, NULL);
    aim__phases_end(p, o + 7 * S / 2, "train");
    aim__phases_account(p, 0, o, o + 4 * S, 100.0, 25.0, 99.0); /* the live pricing */
    aim_phase_repricer *r;
    assert_int_equal(aim__phase_repricer_new(p, o, &r), 0);
    for (int k = 0; k < 4; k++)
        aim__phase_repricer_interval(r, k * S, (k + 1) * S, 1.0);
    aim__phase_repricer_interval(r, 0, 4 * S, 8.0);   /* steps back: a new sweep */
    aim__phase_repricer_interval(r, 4 * S, 4 * S, 5.0); /* zero length: nothing */
    aim__phase_repricer_apply(r, p);
    aim__phase_repricer_free(r);
    /* train: 0.5 + 1 + 1 + 0.5 of the 1 g intervals, 3/4 of 8 g */
    near(carbon_of(p, "train"), 3.0 + 6.0);
    /* step: (1, 2] whole, (2.5, 3] half, (3, 3.5] half; 2 s of the 4 s interval */
    near(carbon_of(p, "step"), 1.0 + 0.5 + 0.5 + 4.0);
    aim__phases_free(p);
}

static void instances_not_kept_cannot_be_repriced(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(1, 1, &p), 0); /* one span kept */
    aim__phases_begin(p, 0, "a");
    aim__phases_end(p, S, NULL);
    aim__phases_begin(p, S, "a");
    aim__phases_end(p, 2 * S, NULL);
    aim_phase_repricer *r = NULL;
    assert_int_equal(aim__phase_repricer_new(p, 0, &r), -ERANGE);
    assert_null(r);
    aim__phases_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlap_nesting_and_a_second_group),
        cmocka_unit_test(instances_not_kept_cannot_be_repriced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
