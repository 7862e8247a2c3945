/* engine/ring.c: the single-producer single-consumer ring between a sampler and the
 * writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "sources/catalog.h"
#include "engine/ring.h"

static void ring_fifo_full_and_drop(void **state) {
    aim_ring *r;
    assert_int_equal(aim__ring_new(3, 2, &r), 0); /* rounds up to 4 slots */
    aim_frame *in, *out;
    assert_int_equal(aim__frame_alloc(10, 2, &in), 0);
    assert_int_equal(aim__frame_alloc(10, 2, &out), 0);
    assert_int_equal(aim__ring_pop(r, out), 0);
    for (int i = 0; i < 4; i++) {
        aim__frame_reset(in, i);
        aim__frame_set(in, 10, i * 1.5);
        assert_int_equal(aim__ring_push(r, in), 0);
    }
    assert_int_equal(aim__ring_push(r, in), -ENOBUFS);
    assert_true(aim__ring_dropped(r) == 1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(aim__ring_pop(r, out), 1);
        assert_true(out->t_ns == i);
        double v;
        assert_int_equal(aim__frame_get(out, 10, &v), 1);
        assert_true(v == i * 1.5);
        assert_int_equal(aim__frame_get(out, 11, &v), 0); /* never set: invalid */
        assert_int_equal(aim__frame_get(out, 12, &v), 0); /* outside the frame */
    }
    assert_int_equal(aim__ring_pop(r, out), 0);
    aim__ring_free(r);
    aim__frame_free(in);
    aim__frame_free(out);
}

typedef struct { aim_ring *ring; int n; } producer_arg;

static void *producer(void *p) {
    producer_arg *a = p;
    aim_frame *f;
    aim__frame_alloc(0, 1, &f);
    for (int i = 0; i < a->n;) {
        aim__frame_reset(f, i);
        aim__frame_set(f, 0, i);
        if (aim__ring_push(a->ring, f) == 0)
            i++;
        else
            sched_yield(); /* full: let the consumer run (valgrind runs one thread at a time) */
    }
    aim__frame_free(f);
    return NULL;
}

static void ring_two_threads_keep_order(void **state) {
    aim_ring *r;
    assert_int_equal(aim__ring_new(64, 1, &r), 0);
    producer_arg a = { r, 50000 };
    pthread_t t;
    pthread_create(&t, NULL, producer, &a);
    aim_frame *out;
    aim__frame_alloc(0, 1, &out);
    int next = 0;
    while (next < a.n) {
        if (aim__ring_pop(r, out)) {
            assert_true(out->t_ns == next);
            assert_true(out->values[0] == next);
            next++;
        } else {
            sched_yield();
        }
    }
    pthread_join(t, NULL);
    aim__frame_free(out);
    aim__ring_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_fifo_full_and_drop),
        cmocka_unit_test(ring_two_threads_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
