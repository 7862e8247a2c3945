/* The writer's un-committed chunks (issue 11): kept in order until a commit, bounded in
 * bytes, the oldest dropped and counted first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "engine/chunk_backlog.h"

static void push(aim_chunk_backlog *b, int group, int64_t seq, int ticks, size_t len, int want) {
    uint8_t blob[64];
    memset(blob, (int)seq, sizeof blob);
    assert_int_equal(aim__chunk_backlog_push(b, group, seq, seq * 10, seq * 10 + 9, ticks, blob,
                                            len, NULL, 0), want);
}

static void keeps_every_chunk_in_order_until_cleared(void **state) {
    (void)state;
    aim_chunk_backlog b;
    aim__chunk_backlog_init(&b, 1000);
    for (int i = 0; i < 40; i++) /* past the first growth of the ring */
        push(&b, i % 2, i, 5, 10, 0);
    assert_int_equal(aim__chunk_backlog_count(&b), 40);
    assert_int_equal(aim__chunk_backlog_ticks(&b, 0), 100);
    for (size_t i = 0; i < 40; i++) {
        const aim_backlog_chunk *c = aim__chunk_backlog_at(&b, i);
        assert_int_equal(c->seq, (int64_t)i);
        assert_int_equal(c->blob[0], (uint8_t)i); /* a copy, not the caller's buffer */
    }
    assert_null(aim__chunk_backlog_at(&b, 40));
    aim__chunk_backlog_clear(&b);
    assert_int_equal(aim__chunk_backlog_count(&b), 0);
    assert_int_equal(b.bytes, 0);
    assert_int_equal(b.dropped_ticks[0] + b.dropped_ticks[1], 0);
    aim__chunk_backlog_free(&b);
}

/* A chunk's summary (chunks.summary) is kept with it, copied, and counted in the bound. */
static void keeps_the_summary_with_its_chunk(void **state) {
    (void)state;
    aim_chunk_backlog b;
    aim__chunk_backlog_init(&b, 100);
    uint8_t blob[40], sum[20];
    memset(blob, 1, sizeof blob);
    memset(sum, 2, sizeof sum);
    assert_int_equal(aim__chunk_backlog_push(&b, 0, 0, 0, 9, 5, blob, 40, sum, 20), 0);
    sum[0] = 9;
    const aim_backlog_chunk *c = aim__chunk_backlog_at(&b, 0);
    assert_int_equal(c->len, 40);
    assert_int_equal(c->summary_len, 20);
    assert_int_equal(c->summary[0], 2); /* a copy */
    assert_int_equal(c->summary[19], 2);
    assert_int_equal(c->blob[39], 1);
    assert_int_equal(b.bytes, 60);
    /* 60 + 50 > 100: the first goes */
    assert_int_equal(aim__chunk_backlog_push(&b, 0, 1, 10, 19, 5, blob, 30, sum, 20), 1);
    assert_int_equal(b.bytes, 50);
    assert_int_equal(aim__chunk_backlog_push(&b, 0, 2, 20, 29, 5, blob, 30, NULL, 7), 0);
    assert_null(aim__chunk_backlog_at(&b, 1)->summary);
    assert_int_equal(aim__chunk_backlog_at(&b, 1)->summary_len, 0);
    assert_int_equal(b.bytes, 80);
    aim__chunk_backlog_free(&b);
}

static void drops_the_oldest_at_the_bound_and_counts_them(void **state) {
    (void)state;
    aim_chunk_backlog b;
    aim__chunk_backlog_init(&b, 100);
    for (int i = 0; i < 5; i++)
        push(&b, 0, i, 7, 20, 0); /* 100 bytes: at the bound, nothing dropped */
    push(&b, 1, 5, 3, 30, 2);     /* 130 > 100: chunks 0 and 1 go */
    assert_int_equal(aim__chunk_backlog_count(&b), 4);
    assert_int_equal(aim__chunk_backlog_at(&b, 0)->seq, 2);
    assert_int_equal(aim__chunk_backlog_at(&b, 3)->seq, 5);
    assert_int_equal(b.dropped_ticks[0], 14);
    assert_int_equal(b.dropped_ticks[1], 0);
    assert_int_equal(b.dropped_chunks, 2);
    assert_true(b.bytes <= 100);
    push(&b, 0, 6, 1, 64, 3);     /* larger than what is left: only the newest stays */
    assert_int_equal(aim__chunk_backlog_count(&b), 2);
    assert_int_equal(b.dropped_ticks[1], 0);
    push(&b, 0, 7, 1, 64, 2);     /* a chunk alone above the bound is still kept */
    assert_int_equal(aim__chunk_backlog_count(&b), 1);
    assert_int_equal(aim__chunk_backlog_at(&b, 0)->seq, 7);
    assert_int_equal(b.dropped_ticks[1], 3);
    aim__chunk_backlog_free(&b);
}

static void refuses_a_group_out_of_range(void **state) {
    (void)state;
    aim_chunk_backlog b;
    aim__chunk_backlog_init(&b, 0);
    assert_int_equal(b.max_bytes, AIM_BACKLOG_DEFAULT_BYTES);
    push(&b, AIM_BACKLOG_GROUPS, 0, 1, 1, -EINVAL);
    push(&b, -1, 0, 1, 1, -EINVAL);
    assert_int_equal(aim__chunk_backlog_count(&b), 0);
    aim__chunk_backlog_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_every_chunk_in_order_until_cleared),
        cmocka_unit_test(drops_the_oldest_at_the_bound_and_counts_them),
        cmocka_unit_test(keeps_the_summary_with_its_chunk),
        cmocka_unit_test(refuses_a_group_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
