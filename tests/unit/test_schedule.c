/* engine/schedule.h: deadline maths of the samplers and their jitter histogram. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine/schedule.h"

static void schedule_never_drifts_and_counts_misses(void **state) {
    uint64_t missed;
    /* on time: next deadline is exactly one interval later */
    assert_true(aim__schedule_next(1000, 100, 1050, &missed) == 1100);
    assert_true(missed == 0);
    /* finishing exactly on the next deadline counts it as missed */
    assert_true(aim__schedule_next(1000, 100, 1100, &missed) == 1200);
    assert_true(missed == 1);
    /* 3.5 intervals late: deadlines 1100, 1200, 1300 were missed, next is 1400 */
    assert_true(aim__schedule_next(1000, 100, 1350, &missed) == 1400);
    assert_true(missed == 3);
    /* a thousand on-time ticks land on the exact grid */
    int64_t d = 0;
    for (int i = 0; i < 1000; i++)
        d = aim__schedule_next(d, 1000000, d + 12345, &missed);
    assert_true(d == 1000000000LL);
}

static void jitter_percentiles(void **state) {
    static aim_jitter j;
    memset(&j, 0, sizeof j);
    assert_true(aim__jitter_percentile(&j, 50) == -1);
    for (int i = 0; i < 99; i++)
        aim__jitter_add(&j, 10500); /* 10.5 µs → bucket 10 → reported as 11 µs upper edge */
    aim__jitter_add(&j, 9000000);   /* 9 ms → overflow bucket → the maximum */
    assert_true(aim__jitter_percentile(&j, 50) == 11000);
    assert_true(aim__jitter_percentile(&j, 98) == 11000);
    assert_true(aim__jitter_percentile(&j, 99.5) == 9000000);
    aim__jitter_add(&j, -5); /* clock oddities count as on time */
    assert_true(j.bucket[0] == 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedule_never_drifts_and_counts_misses),
        cmocka_unit_test(jitter_percentiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
