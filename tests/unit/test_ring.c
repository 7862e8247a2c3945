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
    assert_int_equal(aim_ring_new(3, 2, &r), 0); /* rounds up to 4 slots */
    aim_frame *in, *out;
    assert_int_equal(aim_frame_alloc(10, 2, &in), 0);
    assert_int_equal(aim_frame_alloc(10, 2, &out), 0);
    assert_int_equal(aim_ring_pop(r, out), 0);
    for (int i = 0; i < 4; i++) {
        aim_frame_reset(in, i);
        aim_frame_set(in, 10, i * 1.5);
        assert_int_equal(aim_ring_push(r, in), 0);
    }
    assert_int_equal(aim_ring_push(r, in), -ENOBUFS);
    assert_true(aim_ring_dropped(r) == 1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(aim_ring_pop(r, out), 1);
        assert_true(out->t_ns == i);
        double v;
        assert_int_equal(aim_frame_get(out, 10, &v), 1);
        assert_true(v == i * 1.5);
        assert_int_equal(aim_frame_get(out, 11, &v), 0); /* never set: invalid */
        assert_int_equal(aim_frame_get(out, 12, &v), 0); /* outside the frame */
    }
    assert_int_equal(aim_ring_pop(r, out), 0);
    aim_ring_free(r);
    aim_frame_free(in);
    aim_frame_free(out);
}

typedef struct { aim_ring *ring; int n; } producer_arg;

static void *producer(void *p) {
    producer_arg *a = p;
    aim_frame *f;
    aim_frame_alloc(0, 1, &f);
    for (int i = 0; i < a->n;) {
        aim_frame_reset(f, i);
        aim_frame_set(f, 0, i);
        if (aim_ring_push(a->ring, f) == 0)
            i++;
        else
            sched_yield(); /* full: let the consumer run (valgrind runs one thread at a time) */
    }
    aim_frame_free(f);
    return NULL;
}

static void ring_two_threads_keep_order(void **state) {
    aim_ring *r;
    assert_int_equal(aim_ring_new(64, 1, &r), 0);
    producer_arg a = { r, 50000 };
    pthread_t t;
    pthread_create(&t, NULL, producer, &a);
    aim_frame *out;
    aim_frame_alloc(0, 1, &out);
    int next = 0;
    while (next < a.n) {
        if (aim_ring_pop(r, out)) {
            assert_true(out->t_ns == next);
            assert_true(out->values[0] == next);
            next++;
        } else {
            sched_yield();
        }
    }
    pthread_join(t, NULL);
    aim_frame_free(out);
    aim_ring_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_fifo_full_and_drop),
        cmocka_unit_test(ring_two_threads_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
