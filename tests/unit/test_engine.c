/* Engine pieces that need no threads: duration parsing, deadline maths, jitter histogram,
 * the SPSC ring and configuration validation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "processing/energy.h"
#include "engine/catalog.h"
#include "engine/config.h"
#include "engine/ring.h"
#include "engine/schedule.h"

static void durations(void **state) {
    int64_t ns = 0;
    assert_int_equal(aim_parse_duration("100ms", &ns), 0);
    assert_true(ns == 100000000);
    assert_int_equal(aim_parse_duration("0.5s", &ns), 0);
    assert_true(ns == 500000000);
    assert_int_equal(aim_parse_duration("2", &ns), 0);
    assert_true(ns == 2000000000LL);
    assert_int_equal(aim_parse_duration("250us", &ns), 0);
    assert_true(ns == 250000);
    assert_int_equal(aim_parse_duration("1m", &ns), 0);
    assert_true(ns == 60000000000LL);
    assert_int_equal(aim_parse_duration("1.5h", &ns), 0);
    assert_true(ns == 5400000000000LL);
    assert_int_equal(aim_parse_duration(".25s", &ns), 0);
    assert_true(ns == 250000000);
    ns = 7;
    const char *bad[] = { "", "ms", "10 ms", "10MS", "1e3ms", "-1s", "abc", "0x10s", "1,5s", "inf" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(aim_parse_duration(bad[i], &ns), -EINVAL);
    assert_int_equal(aim_parse_duration("0s", &ns), -ERANGE);
    assert_int_equal(aim_parse_duration("0.1ns", &ns), -ERANGE);
    assert_int_equal(aim_parse_duration("99999999999h", &ns), -ERANGE);
    assert_true(ns == 7); /* untouched on error */
    double v = 7;
    assert_int_equal(aim_parse_number("0.21EUR", 4, &v), 0); /* the first len bytes */
    assert_true(v == 0.21);
    assert_int_equal(aim_parse_number(".8", 2, &v), 0);
    assert_true(v == 0.8);
    const char *not_numbers[] = { "", "-1", "+1", "1,5", "0x10", "inf", "nan", " 1", "1.2.3", ".",
                                  "1e3" };
    v = 7;
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++)
        assert_int_equal(aim_parse_number(not_numbers[i], strlen(not_numbers[i]), &v), -EINVAL);
    assert_int_equal(aim_parse_number(NULL, 0, &v), -EINVAL);
    assert_true(v == 7);
    assert_int_equal(aim_parse_duration(NULL, &ns), -EINVAL);
}

static void schedule_never_drifts_and_counts_misses(void **state) {
    uint64_t missed;
    /* on time: next deadline is exactly one interval later */
    assert_true(aim_schedule_next(1000, 100, 1050, &missed) == 1100);
    assert_true(missed == 0);
    /* finishing exactly on the next deadline counts it as missed */
    assert_true(aim_schedule_next(1000, 100, 1100, &missed) == 1200);
    assert_true(missed == 1);
    /* 3.5 intervals late: deadlines 1100, 1200, 1300 were missed, next is 1400 */
    assert_true(aim_schedule_next(1000, 100, 1350, &missed) == 1400);
    assert_true(missed == 3);
    /* a thousand on-time ticks land on the exact grid */
    int64_t d = 0;
    for (int i = 0; i < 1000; i++)
        d = aim_schedule_next(d, 1000000, d + 12345, &missed);
    assert_true(d == 1000000000LL);
}

static void jitter_percentiles(void **state) {
    static aim_jitter j;
    memset(&j, 0, sizeof j);
    assert_true(aim_jitter_percentile(&j, 50) == -1);
    for (int i = 0; i < 99; i++)
        aim_jitter_add(&j, 10500); /* 10.5 µs → bucket 10 → reported as 11 µs upper edge */
    aim_jitter_add(&j, 9000000);   /* 9 ms → overflow bucket → the maximum */
    assert_true(aim_jitter_percentile(&j, 50) == 11000);
    assert_true(aim_jitter_percentile(&j, 98) == 11000);
    assert_true(aim_jitter_percentile(&j, 99.5) == 9000000);
    aim_jitter_add(&j, -5); /* clock oddities count as on time */
    assert_true(j.bucket[0] == 1);
}

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

static void config_validation(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_true(c->interval_ns == 100000000);
    assert_int_equal(aim_config_set_interval(c, 999999), -EINVAL);
    assert_int_equal(aim_config_set_interval(c, 1000000), 0);
    assert_int_equal(aim_config_set_sources(c, "procfs,rapl"), 0);
    assert_true(aim_config_selects(c, "rapl"));
    assert_false(aim_config_selects(c, "hwmon"));
    assert_false(aim_config_selects(c, "proc"));
    assert_int_equal(aim_config_set_sources(c, "procfs,nosuch"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "procfs,"), 0);
    assert_int_equal(aim_config_set_sources(c, ",procfs"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "all"), 0);
    assert_true(aim_config_selects(c, "hwmon"));
    assert_int_equal(aim_config_set_intensity(c, -1), -EINVAL);
    assert_int_equal(aim_config_set_intensity(c, 120.5), 0);
    assert_int_equal(aim_config_set_name(c, ""), -EINVAL);
    char *argv[] = { "python3", "train.py", "--msg", "hello world", "", NULL };
    assert_int_equal(aim_config_set_command(c, argv), 0);
    assert_string_equal(c->command, "python3 train.py --msg 'hello world' ''");
    assert_int_equal(aim_config_set_zone(c, "no-such-zone"), -EINVAL);
    assert_int_equal(aim_config_set_gpus(c, "0,2"), 0);
    assert_string_equal(c->gpus, "0,2");
    assert_int_equal(aim_config_set_gpus(c, "GPU-8f1c2d3e-aaaa-bbbb,1"), 0);
    const char *bad_gpus[] = { "", ",", "0,", ",1", "0,,1", "0 1", "gpu;0" };
    for (size_t i = 0; i < sizeof bad_gpus / sizeof bad_gpus[0]; i++)
        assert_int_equal(aim_config_set_gpus(c, bad_gpus[i]), -EINVAL);
    assert_string_equal(c->gpus, "GPU-8f1c2d3e-aaaa-bbbb,1"); /* unchanged on error */
    assert_int_equal(aim_config_set_gpus(c, NULL), 0);
    assert_string_equal(c->gpus, "");
    assert_int_equal(aim_config_set_dcgm_host(c, "localhost:5555"), 0);
    assert_int_equal(aim_config_set_dcgm_host(c, "a b"), -EINVAL);
    aim_config_free(c);
    aim_config_free(NULL);
}

static void source_names_follow_the_registry(void **state) {
    const char *const *names = aim_source_names();
    int n = 0;
    for (; names[n]; n++) {
        assert_string_equal(names[n], aim_sources[n]->name);
        aim_config *c;
        assert_int_equal(aim_config_new(&c), 0);
        assert_int_equal(aim_config_set_sources(c, names[n]), 0); /* every name is accepted */
        aim_config_free(c);
    }
    assert_int_equal(n, aim_source_count);
    assert_ptr_equal(aim_source_names(), names);
}

static void energy_from_counter_derives_power(void **state) {
    aim_energy_meter m = { 0 };
    double p = -1;
    assert_int_equal(aim_energy_meter_counter(&m, 0, 0.0, &p), 0); /* no interval yet */
    assert_int_equal(aim_energy_meter_counter(&m, 100000000, 10.0, &p), 1);
    assert_true(p == 100.0); /* 10 J over 0.1 s */
    assert_int_equal(aim_energy_meter_counter(&m, 200000000, 10.0, &p), 1);
    assert_true(p == 0.0);
    assert_int_equal(aim_energy_meter_counter(&m, 200000000, 12.0, &p), 0); /* no time passed */
    assert_int_equal(aim_energy_meter_counter(&m, 300000000, 11.0, &p), 0); /* went backwards */
    assert_true(m.energy_j == 11.0);
    assert_true(m.last_power_w == 0.0);
}

static void energy_from_power_is_a_trapezoid(void **state) {
    aim_energy_meter m = { 0 };
    aim_energy_meter_power(&m, 0, 100.0);
    assert_true(m.energy_j == 0.0);
    aim_energy_meter_power(&m, 1000000000, 200.0);      /* ½ (100 + 200) × 1 s */
    assert_true(m.energy_j == 150.0);
    aim_energy_meter_power(&m, 1500000000, 200.0);      /* + 200 × 0.5 s */
    assert_true(m.energy_j == 250.0);
    aim_energy_meter_power(&m, 1500000000, 999.0);      /* no time: nothing added */
    assert_true(m.energy_j == 250.0);
    aim_energy_meter_power(&m, 3500000000LL, 1.0);      /* a gap widens the next interval */
    assert_true(m.energy_j == 250.0 + 0.5 * (999.0 + 1.0) * 2.0);
    assert_true(m.last_power_w == 1.0);
}

/* Issue 11: the energy spans the whole run. The first power sample is held back to the run's
 * start (an estimate's first value only comes with the second tick: `-i 5s -- sleep 3`
 * reported 0 J at 5.36 W). A counter's value at its first reading (energy since the source
 * opened) is its baseline; its mean power over its first second covers the span before. */
static void energy_edge_from_the_runs_start(void **state) {
    aim_energy_meter m = { .start_t = 1000 };
    aim_energy_meter_power(&m, 1000 + 3000000000LL, 5.36); /* the first value, at 3 s */
    assert_true(fabs(m.energy_j - 5.36 * 3.0) < 1e-12);
    assert_true(m.edge_delta_j == m.edge_j && fabs(m.edge_j - 5.36 * 3.0) < 1e-12);
    aim_energy_meter_power(&m, 1000 + 4000000000LL, 5.36);
    assert_true(m.edge_delta_j == 0);
    assert_true(fabs(m.energy_j - 5.36 * 4.0) < 1e-12);

    /* 100 W whose counter moves every 100 ms, read every 10 ms from 0.5 s on: */
    aim_energy_meter c = { .start_t = 0 };
    double p = -1, edge_sum = 0;
    const int64_t ms = 1000000;
    assert_int_equal(aim_energy_meter_counter(&c, 500 * ms, 7.0, &p), 0); /* since open */
    assert_true(c.energy_j == 0.0 && c.edge_delta_j == 0.0);
    for (int k = 1; k <= 300; k++) {
        double joules = 7.0 + 10.0 * (double)(k / 10); /* a step of 10 J every 10th reading */
        aim_energy_meter_counter(&c, (500 + 10 * k) * ms, joules, &p);
        edge_sum += c.edge_delta_j;
        if (k == 1) /* one interval without a step: the first estimate is 0 W */
            assert_true(c.edge_j == 0.0);
    }
    /* the mean over the first second (100 W), not one interval's 0 or 1000 W: 50 J */
    assert_true(fabs(c.edge_j - 50.0) < 1e-9);
    assert_true(fabs(edge_sum - c.edge_j) < 1e-9);
    assert_true(fabs(c.energy_j - (300.0 + 50.0)) < 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),
        cmocka_unit_test(schedule_never_drifts_and_counts_misses),
        cmocka_unit_test(jitter_percentiles),
        cmocka_unit_test(ring_fifo_full_and_drop),
        cmocka_unit_test(ring_two_threads_keep_order),
        cmocka_unit_test(config_validation),
        cmocka_unit_test(source_names_follow_the_registry),
        cmocka_unit_test(energy_from_counter_derives_power),
        cmocka_unit_test(energy_from_power_is_a_trapezoid),
        cmocka_unit_test(energy_edge_from_the_runs_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
