/* The classification of a correlation matrix (processing/corr_matrix.c): series states
 * (constant, sparse, varying), identity classes, derived pairs and the findings picked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "corr_fixture.h"
#include "processing/corr.h"

/* Issue 11: a series constant but for two samples is no evidence of anything (another series
 * that moves at those two ticks shows r near 1), and a series aimeter computes from another
 * (an estimate from its input) is derived, not a finding and not "identical". */
static void test_sparse_and_derived(void **state) {
    (void)state;
    enum { N = 5, R = 200 };
    aim_corr *c = one_group(N, 1e-6, 10000000);
    for (int t = 0; t < R; t++) {
        double v[N];
        v[0] = 50 + 20 * normal();                    /* CPU use, say */
        v[1] = t == 50 || t == 120 ? 9 : 5;           /* constant but for two samples */
        v[2] = 0.01 * normal() + (t == 50 || t == 120 ? 100 : 0); /* spikes at the same two */
        v[3] = 30 + 0.5 * v[0];                       /* a model's output from series 0 */
        v[4] = t == 10 || t == 60 || t == 90 ? 1 : 0; /* three samples off: enough */
        aim__corr_tick(c, 0, (int64_t)t * 10000000, v, NULL);
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->spread[1], 2);
    assert_int_equal(m->spread[0], AIM_CORR_MIN_SPREAD);
    assert_int_equal(m->spread[4], 3);
    assert_int_equal(aim__corr_matrix_state(m, 1), AIM_CORR_SERIES_SPARSE);
    assert_int_equal(aim__corr_matrix_state(m, 4), AIM_CORR_SERIES_VARYING);
    assert_true(mat_r(m, 1, 2) > 0.99); /* what used to be the top finding */
    const int model[N] = { -1, 0, 0, 1, 0 };
    int rep[N];
    aim__corr_classes(m, NULL, model, rep);
    assert_int_equal(rep[3], 3); /* r = 1, but derived: not identical */
    aim_corr_pick picks[16];
    size_t npos = aim__corr_select(m, rep, model, AIM_CORR_PICK_POSITIVE, 0.3, picks, 16);
    for (size_t k = 0; k < npos; k++) {
        assert_false(picks[k].a == 1 || picks[k].b == 1);      /* never the sparse series */
        assert_false(picks[k].a == 0 && picks[k].b == 3);      /* never the derived pair */
    }
    assert_int_equal(aim__corr_select(m, rep, model, AIM_CORR_PICK_IDENTICAL, 0, picks, 16), 0);
    assert_int_equal(aim__corr_select(m, rep, model, AIM_CORR_PICK_DERIVED, 0, picks, 16), 1);
    assert_int_equal(picks[0].a, 0);
    assert_int_equal(picks[0].b, 3);
    assert_true(picks[0].r > 0.9999);
    /* without the model the same pair is an identity, as before */
    aim__corr_classes(m, NULL, NULL, rep);
    assert_int_equal(rep[3], 0);
    aim__corr_matrix_free(m);
}
int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparse_and_derived),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
