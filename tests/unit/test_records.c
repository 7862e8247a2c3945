/* Workload records: counters add, gauges replace, kinds stick to keys, limits are counted;
 * and records count in the phases open when they were made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/phases.h"
#include "processing/records.h"

static void counters_and_gauges(void **unused) {
    aim_records *r;
    assert_int_equal(aim__records_new(8, &r), 0);
    assert_int_equal(aim__records_add(r, 10, "tokens", 512, AIM_RECORD_COUNTER), 0);
    assert_int_equal(aim__records_add(r, 20, "loss", 2.5, AIM_RECORD_GAUGE), 1);
    assert_int_equal(aim__records_add(r, 30, "tokens", 256, AIM_RECORD_COUNTER), 0);
    assert_int_equal(aim__records_add(r, 40, "loss", 1.5, AIM_RECORD_GAUGE), 1);
    assert_int_equal(aim__records_add(r, 50, "loss", 1, AIM_RECORD_COUNTER), -EINVAL);
    assert_int_equal(aim__records_add(r, 50, "Loss", 1, AIM_RECORD_GAUGE), -EINVAL);
    assert_int_equal(aim__records_add(r, 50, "loss", NAN, AIM_RECORD_GAUGE), -EINVAL);
    const aim_record_key *k;
    assert_int_equal(aim__records_keys(r, &k), 2);
    assert_true(k[0].total == 768 && k[0].count == 2 && k[0].last == 256);
    assert_true(k[1].total == 4.0 && k[1].min == 1.5 && k[1].max == 2.5 && k[1].last == 1.5);
    assert_true(k[1].first_t_ns == 20 && k[1].last_t_ns == 40);
    const aim_record_row *rows;
    assert_int_equal(aim__records_take_rows(r, &rows), 4);
    assert_true(rows[2].value == 768); /* counters stored as running totals */
    assert_true(rows[3].value == 1.5);
    assert_int_equal(aim__records_take_rows(r, &rows), 0);
    assert_int_equal(aim__records_dropped(r), 1); /* the kind change; bad keys are not counted */
    aim__records_free(r);
}

static void limits(void **unused) {
    aim_records *r;
    assert_int_equal(aim__records_new(2, &r), 0);
    char key[16];
    for (int i = 0; i < AIM_RECORD_KEYS; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(aim__records_add(r, i, key, 1, AIM_RECORD_COUNTER), i);
    }
    assert_int_equal(aim__records_add(r, 99, "one_more", 1, AIM_RECORD_COUNTER), -ENOSPC);
    const aim_record_row *rows;
    assert_int_equal(aim__records_take_rows(r, &rows), 2);
    /* 62 rows past max_rows + the key past the limit */
    assert_int_equal(aim__records_dropped(r), 63);
    aim__records_free(r);
}

static void records_count_in_open_phases(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(8, 8, &p), 0);
    aim__phases_record(p, 0, 100); /* before any phase: in none */
    aim__phases_begin(p, 0, "request");
    aim__phases_begin(p, 1, "decode");
    aim__phases_record(p, 0, 64);
    aim__phases_end(p, 2, "decode");
    aim__phases_record(p, 0, 8);
    aim__phases_end(p, 3, NULL);
    const aim_phase_row *rows;
    assert_int_equal(aim__phases_rows(p, &rows), 2);
    assert_true(rows[0].rec_sum[0] == 72 && rows[0].rec_n[0] == 2);
    assert_true(rows[1].rec_sum[0] == 64 && rows[1].rec_n[0] == 1);
    aim__phases_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_and_gauges),
        cmocka_unit_test(limits),
        cmocka_unit_test(records_count_in_open_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
