/* The scatter chart's model (processing/plot_scatter.h): rows kept when both values are
 * finite, padded ranges, and the thinning to one point per occupied cell. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "processing/plot_scatter.h"

static void rows_and_ranges(void **state) {
    (void)state;
    aim_plot_scatter m;
    aim__plot_scatter_init(&m);
    assert_true(isnan(m.r));
    for (int i = 0; i <= 10; i++)
        assert_int_equal(aim__plot_scatter_add(&m, i, 100 + 2 * i), 0);
    assert_int_equal(aim__plot_scatter_add(&m, NAN, 1), 0);
    assert_int_equal(aim__plot_scatter_add(&m, 1, INFINITY), 0);
    assert_int_equal(m.n_rows, 11);
    assert_int_equal(aim__plot_scatter_finish(&m, 100, 100), 0);
    /* 11 points in 10 000 cells: all drawn */
    assert_int_equal(m.n, 11);
    assert_false(m.thinned);
    assert_true(fabs(m.xmin + 0.5) < 1e-9 && fabs(m.xmax - 10.5) < 1e-9);
    assert_true(fabs(m.ymin - 99) < 1e-9 && fabs(m.ymax - 121) < 1e-9);
    aim__plot_scatter_free(&m);
}

static void empty_and_constant(void **state) {
    (void)state;
    aim_plot_scatter m;
    aim__plot_scatter_init(&m);
    assert_int_equal(aim__plot_scatter_finish(&m, 10, 10), 0);
    assert_true(m.xmin == 0 && m.xmax == 1 && m.n == 0);
    aim__plot_scatter_free(&m);
    aim__plot_scatter_init(&m);
    aim__plot_scatter_add(&m, 5, 0);
    aim__plot_scatter_add(&m, 5, 0);
    assert_int_equal(aim__plot_scatter_finish(&m, 10, 10), 0);
    assert_true(fabs(m.xmin - 4.5) < 1e-9 && fabs(m.xmax - 5.5) < 1e-9);
    assert_true(m.ymin == -1 && m.ymax == 1);
    aim__plot_scatter_free(&m);
}

static void thinned_to_cells(void **state) {
    (void)state;
    aim_plot_scatter m;
    aim__plot_scatter_init(&m);
    /* 10 000 points on 100 distinct spots; a 10 x 10 grid of cells over them */
    for (int k = 0; k < 10000; k++)
        aim__plot_scatter_add(&m, k % 10, (k / 10) % 10);
    assert_int_equal(aim__plot_scatter_finish(&m, 10, 10), 0);
    assert_true(m.thinned);
    assert_int_equal(m.n_rows, 10000);
    assert_int_equal(m.n, 100);
    /* the first point of each cell, in the order they came */
    assert_true(m.x[0] == 0 && m.y[0] == 0 && m.x[1] == 1 && m.y[1] == 0);
    aim__plot_scatter_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_and_ranges),
        cmocka_unit_test(empty_and_constant),
        cmocka_unit_test(thinned_to_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
