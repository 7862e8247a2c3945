/* util/array: the one growable-array helper (doubling, checked sizes, the array kept on
 * failure). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

static void next_cap_doubles_from_first(void **state) {
    (void)state;
    assert_int_equal(aim__array_next_cap(0, 1, 16), 16);
    assert_int_equal(aim__array_next_cap(16, 17, 16), 32);  /* one more row: twice the room */
    assert_int_equal(aim__array_next_cap(16, 100, 8), 128); /* doubled until it holds */
    assert_int_equal(aim__array_next_cap(0, 100, 16), 128);
    assert_int_equal(aim__array_next_cap(64, 10, 16), 64);  /* already holds: unchanged */
    assert_int_equal(aim__array_next_cap(0, 0, 0), 1);
    assert_int_equal(aim__array_next_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 16), 0); /* overflow */
}

static void reserve_grows_and_keeps_the_rows(void **state) {
    (void)state;
    int64_t *rows = NULL;
    size_t n = 0, cap = 0;
    for (int64_t i = 0; i < 1000; i++) {
        assert_int_equal(AIM_ARRAY_RESERVE(rows, cap, n + 1, 16), 0);
        assert_true(cap >= n + 1);
        rows[n++] = i * 3;
    }
    assert_int_equal(cap, 1024); /* 16, 32, ..., 1024: doubling, never one row at a time */
    for (int64_t i = 0; i < 1000; i++)
        assert_int_equal(rows[i], i * 3);
    int64_t *before = rows;
    assert_int_equal(AIM_ARRAY_RESERVE(rows, cap, 1024, 16), 0); /* fits: nothing moves */
    assert_ptr_equal(rows, before);
    free(rows);
}

static void a_size_that_overflows_leaves_the_array_as_it_was(void **state) {
    (void)state;
    double *v = NULL;
    size_t cap = 0;
    assert_int_equal(AIM_ARRAY_RESERVE(v, cap, 4, 4), 0);
    v[0] = 1.5;
    double *before = v;
    assert_int_equal(AIM_ARRAY_RESERVE(v, cap, SIZE_MAX / 4, 4), -ENOMEM);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 4);
    assert_true(v[0] == 1.5);
    assert_int_equal(aim__array_resize(&v, SIZE_MAX / 2, sizeof *v), -ENOMEM);
    assert_ptr_equal(v, before);
    assert_int_equal(aim__array_resize(&v, 100, sizeof *v), 0);
    assert_true(v[0] == 1.5);
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(next_cap_doubles_from_first),
        cmocka_unit_test(reserve_grows_and_keeps_the_rows),
        cmocka_unit_test(a_size_that_overflows_leaves_the_array_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
