/* The live snapshot (engine/live.h): what is published is what a reader copies, a copy
 * taken while the writer writes is refused, and a reader on another thread only ever keeps
 * whole records. The concurrent test checks invariants of every copy (each field is a
 * function of the record's generation), never timings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine/live.h"

static void nothing_published_reads_as_generation_zero(void **state) {
    aim_live *l;
    assert_int_equal(aim__live_new(3, 2, &l), 0);
    aim_live_totals t;
    double v[3];
    unsigned char ok[3] = { 1, 1, 1 };
    assert_int_equal(aim__live_try_read(l, &t, NULL, v, ok), 0);
    assert_true(t.generation == 0 && t.samples == 0 && t.phase[0] == '\0');
    assert_true(!ok[0] && !ok[1] && !ok[2]);
    assert_true(isnan(t.intensity_g_per_kwh)); /* unknown, not 0 g/kWh */
    aim__live_write_begin(l);
    aim__live_set_intensity(l, 56.5);
    aim__live_write_end(l);
    assert_int_equal(aim__live_try_read(l, &t, NULL, NULL, NULL), 0);
    assert_true(t.intensity_g_per_kwh == 56.5 && t.generation == 1);
    aim__live_free(l);
    assert_int_equal(aim__live_new(-1, 0, &l), -EINVAL);
}

static void what_is_published_is_what_is_read(void **state) {
    aim_live *l;
    assert_int_equal(aim__live_new(130, 2, &l), 0); /* validity over three words */
    assert_int_equal(aim__live_n_series(l), 130);
    assert_int_equal(aim__live_n_devices(l), 2);
    char long_name[300];
    memset(long_name, 'p', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    aim__live_write_begin(l);
    aim__live_set_totals(l, 1500000000, 15, 42.5, 120.25, 0.01, long_name);
    aim__live_set_device(l, 0, 100.0);
    aim__live_set_device(l, 1, 20.25);
    aim__live_set_device(l, 2, 1.0); /* out of range: ignored */
    for (int i = 0; i < 130; i++)
        aim__live_set_series(l, i, i * 1.5, i % 7 != 0);
    aim__live_set_series(l, 130, 9, 1); /* out of range: ignored */
    aim__live_write_end(l);
    aim_live_totals t;
    double dev[2], v[130];
    unsigned char ok[130];
    aim__live_read(l, &t, dev, v, ok);
    assert_true(t.generation == 1 && t.duration_ns == 1500000000 && t.samples == 15);
    assert_true(t.power_w == 42.5 && t.energy_j == 120.25 && t.carbon_g == 0.01);
    assert_int_equal(strlen(t.phase), AIM_LIVE_PHASE_MAX - 1); /* cut at the phase name limit */
    assert_true(dev[0] == 100.0 && dev[1] == 20.25);
    for (int i = 0; i < 130; i++) {
        assert_true(v[i] == i * 1.5);
        assert_int_equal(ok[i], i % 7 != 0);
    }
    /* What a publication does not set keeps its value; validity can be withdrawn. */
    aim__live_write_begin(l);
    aim__live_set_series(l, 64, 0, 0);
    aim__live_set_totals(l, 2, 16, NAN, 121, 0.02, "train");
    aim__live_write_end(l);
    aim__live_read(l, &t, dev, v, ok);
    assert_true(t.generation == 2 && strcmp(t.phase, "train") == 0 && isnan(t.power_w));
    assert_true(dev[1] == 20.25 && !ok[64] && ok[65] && v[65] == 65 * 1.5);
    aim__live_free(l);
}

/* The workload's counter records: none until the first, slots in order with their keys
 * written once, at most AIM_LIVE_RECORDS, keys cut at their limit. */
static void counter_records_are_published(void **state) {
    aim_live *l;
    assert_int_equal(aim__live_new(0, 0, &l), 0);
    aim_live_totals t;
    aim__live_read(l, &t, NULL, NULL, NULL);
    assert_int_equal(t.n_records, 0);
    aim__live_write_begin(l);
    aim__live_set_record(l, 1, "samples", 5); /* not the next slot: ignored */
    aim__live_set_record(l, 0, "tokens", 1200);
    aim__live_write_end(l);
    aim__live_read(l, &t, NULL, NULL, NULL);
    assert_int_equal(t.n_records, 1);
    assert_string_equal(t.records[0].key, "tokens");
    assert_true(t.records[0].total == 1200);
    char key[80];
    aim__live_write_begin(l);
    aim__live_set_record(l, 0, "ignored", 1500.5); /* a slot keeps its key */
    for (int k = 1; k < AIM_LIVE_RECORDS + 2; k++) {
        snprintf(key, sizeof key, "k%d-%060d", k, 0);
        aim__live_set_record(l, k, key, k);
    }
    aim__live_write_end(l);
    aim__live_read(l, &t, NULL, NULL, NULL);
    assert_int_equal(t.n_records, AIM_LIVE_RECORDS);
    assert_string_equal(t.records[0].key, "tokens");
    assert_true(t.records[0].total == 1500.5);
    for (int k = 1; k < AIM_LIVE_RECORDS; k++) {
        assert_int_equal(strlen(t.records[k].key), AIM_LIVE_KEY_MAX - 1);
        assert_true(t.records[k].key[1] == '0' + k && t.records[k].total == k);
    }
    /* What a publication does not set keeps its value. */
    aim__live_write_begin(l);
    aim__live_set_totals(l, 1, 1, 1, 1, 1, "x");
    aim__live_write_end(l);
    aim__live_read(l, &t, NULL, NULL, NULL);
    assert_int_equal(t.n_records, AIM_LIVE_RECORDS);
    assert_true(t.records[0].total == 1500.5);
    aim__live_free(l);
}

/* The writer mid-publication: a reader's copy is refused, not half old and half new. */
static void a_copy_during_a_publication_is_refused(void **state) {
    aim_live *l;
    assert_int_equal(aim__live_new(1, 1, &l), 0);
    aim__live_write_begin(l);
    aim__live_set_totals(l, 1, 1, 1, 1, 1, "a");
    aim__live_write_end(l);
    aim__live_write_begin(l);
    aim__live_set_totals(l, 2, 2, 2, 2, 2, "b");
    aim_live_totals t = { .generation = 99 };
    assert_int_equal(aim__live_try_read(l, &t, NULL, NULL, NULL), -EAGAIN);
    assert_true(t.generation == 99); /* nothing handed out */
    aim__live_write_end(l);
    assert_int_equal(aim__live_try_read(l, &t, NULL, NULL, NULL), 0);
    assert_true(t.generation == 2 && t.samples == 2 && strcmp(t.phase, "b") == 0);
    aim__live_free(l);
}

/* A writer thread publishes generations 1..N; each record's fields are a function of its
 * generation. The reader checks every copy it keeps: one torn copy (fields of two records)
 * breaks an invariant. */
#define N_SERIES 200
#define N_DEV 8
#define GENERATIONS 20000

typedef struct {
    aim_live *l;
} writer_arg;

static void *writer_main(void *arg) {
    aim_live *l = ((writer_arg *)arg)->l;
    char phase[32];
    for (uint64_t g = 1; g <= GENERATIONS; g++) {
        snprintf(phase, sizeof phase, "phase-%llu", (unsigned long long)g);
        aim__live_write_begin(l);
        for (int d = 0; d < N_DEV; d++)
            aim__live_set_device(l, d, (double)g);
        for (int i = 0; i < N_SERIES; i++)
            aim__live_set_series(l, i, (double)(g + (uint64_t)i), (g + (uint64_t)i) % 3 != 0);
        aim__live_set_totals(l, (int64_t)g * 1000, 2 * g, 0.5 * (double)g, (double)g * N_DEV,
                            3.0 * (double)g, phase);
        aim__live_set_record(l, 0, "tokens", 7.0 * (double)g);
        aim__live_write_end(l);
    }
    return NULL;
}

static void a_concurrent_reader_never_keeps_a_torn_record(void **state) {
    aim_live *l;
    assert_int_equal(aim__live_new(N_SERIES, N_DEV, &l), 0);
    writer_arg wa = { l };
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_main, &wa), 0);
    aim_live_totals t;
    double dev[N_DEV], v[N_SERIES];
    unsigned char ok[N_SERIES];
    uint64_t last = 0, copies = 0;
    char want[32];
    do {
        aim__live_read(l, &t, dev, v, ok);
        copies++;
        uint64_t g = t.generation;
        assert_true(g >= last); /* never an older record after a newer one */
        last = g;
        if (g == 0)
            continue;
        assert_true(t.duration_ns == (int64_t)g * 1000 && t.samples == 2 * g);
        assert_true(t.power_w == 0.5 * (double)g && t.energy_j == (double)g * N_DEV);
        assert_true(t.carbon_g == 3.0 * (double)g);
        snprintf(want, sizeof want, "phase-%llu", (unsigned long long)g);
        assert_string_equal(t.phase, want);
        assert_true(t.n_records == 1 && t.records[0].total == 7.0 * (double)g);
        double sum = 0;
        for (int d = 0; d < N_DEV; d++)
            sum += dev[d];
        assert_true(sum == t.energy_j); /* the totals match the devices of the same record */
        for (int i = 0; i < N_SERIES; i++) {
            assert_true(v[i] == (double)(g + (uint64_t)i));
            assert_int_equal(ok[i], (g + (uint64_t)i) % 3 != 0);
        }
    } while (last < GENERATIONS);
    pthread_join(th, NULL);
    assert_true(copies >= 1);
    aim__live_free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_published_reads_as_generation_zero),
        cmocka_unit_test(what_is_published_is_what_is_read),
        cmocka_unit_test(counter_records_are_published),
        cmocka_unit_test(a_copy_during_a_publication_is_refused),
        cmocka_unit_test(a_concurrent_reader_never_keeps_a_torn_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
