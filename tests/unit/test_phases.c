/* Phase bookkeeping: nesting, ends by name, unterminated phases, and energy by overlap,
 * against sums worked by hand. */
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

#define S 1000000000LL /* ns per second */

static const aim_phase_row *row(const aim_phases *p, const char *name) {
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(p, &rows);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].name, name) == 0)
            return &rows[i];
    fail_msg("no phase row \"%s\"", name);
    return NULL;
}

static void near(double a, double b) {
    if (fabs(a - b) > 1e-9)
        fail_msg("%.12g, expected %.12g", a, b);
}

/* Device 0 draws 100 W; 1 s intervals. prefill [0.5, 2.25), decode [2.25, 4): the interval
 * (2, 3] is split 0.25 / 0.75. */
static void energy_by_overlap(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    assert_int_equal(aim__phases_begin(p, S / 2, "prefill"), 0);
    assert_int_equal(aim__phases_end(p, 9 * S / 4, "prefill"), 0);
    assert_int_equal(aim__phases_begin(p, 9 * S / 4, "decode"), 0);
    assert_string_equal(aim__phases_current(p), "decode");
    for (int k = 0; k < 4; k++) /* (k, k + 1], 100 J each, carbon 0.01 g each */
        aim__phases_account(p, 0, k * S, (k + 1) * S, 100.0, 100.0, 0.01);
    assert_int_equal(aim__phases_end(p, 4 * S, NULL), 0);
    assert_null(aim__phases_current(p));
    const aim_phase_row *pre = row(p, "prefill"), *dec = row(p, "decode");
    near(pre->energy_j[0], 50 + 100 + 25);
    near(dec->energy_j[0], 75 + 100);
    near(pre->carbon_g, 0.0175);
    near(dec->carbon_g, 0.0175);
    assert_true(pre->total_ns == 7 * S / 4);
    assert_true(dec->total_ns == 7 * S / 4);
    near(pre->peak_w[0], 100);
    near(dec->peak_w[1], 0);
    aim__phases_free(p);
}

/* Intervals arriving after the events (the writer drains events first) still land by
 * overlap; a closed instance is forgotten only when pruned. */
static void events_before_intervals(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    aim__phases_begin(p, 1 * S, "step");
    aim__phases_end(p, 2 * S, "step");
    aim__phases_begin(p, 3 * S, "step");
    aim__phases_end(p, 4 * S, "step");
    /* One slow interval (0, 4] of 40 J: two seconds of steps in it */
    aim__phases_account(p, 1, 0, 4 * S, 40.0, 10.0, 0.0);
    near(row(p, "step")->energy_j[1], 20.0);
    assert_true(row(p, "step")->instances == 2);
    aim__phases_prune(p, 4 * S);
    aim__phases_account(p, 1, 0, 4 * S, 40.0, 10.0, 0.0); /* nothing left to overlap */
    near(row(p, "step")->energy_j[1], 20.0);
    aim__phases_free(p);
}

static void nesting_and_unterminated(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    aim__phases_begin(p, 0, "request 7");
    aim__phases_begin(p, 1 * S, "decode");
    aim__phases_begin(p, 2 * S, "sample");
    /* Ending the outer one by name ends those opened inside it. */
    assert_int_equal(aim__phases_end(p, 3 * S, "request 7"), 0);
    assert_null(aim__phases_current(p));
    assert_true(row(p, "sample")->total_ns == 1 * S);
    assert_true(row(p, "decode")->total_ns == 2 * S);
    assert_int_equal(aim__phases_end(p, 3 * S, "decode"), -ENOENT);
    aim__phases_account(p, 0, 0, 4 * S, 8.0, 2.0, 0.0);
    near(row(p, "request 7")->energy_j[0], 6.0); /* nested phases each get their time */
    near(row(p, "decode")->energy_j[0], 4.0);
    near(row(p, "sample")->energy_j[0], 2.0);
    aim__phases_begin(p, 5 * S, "train");
    aim__phases_finish(p, 7 * S);
    assert_int_equal(row(p, "train")->unterminated, 1);
    assert_true(row(p, "train")->total_ns == 2 * S);
    const aim_phase_span *spans;
    assert_int_equal(aim__phases_spans(p, &spans), 4);
    assert_int_equal(spans[2].depth, 2);
    assert_true(spans[2].end_ns == 3 * S);
    assert_true(spans[3].end_ns == 7 * S);
    assert_int_equal(aim__phases_dropped(p), 1); /* the unmatched end */
    aim__phases_free(p);
}

/* A counter-based device whose power reading lags (2 W read, 2.4 W by the counter): the
 * peak is never below the phase's mean. */
static void peak_not_below_mean(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    aim__phases_begin(p, 0, "step");
    aim__phases_account(p, 0, 0, S, 2.4, 2.0, 0.0);
    aim__phases_account(p, 0, S, 2 * S, 2.2, 3.0, 0.0);
    aim__phases_end(p, 2 * S, NULL);
    const aim_phase_row *r = row(p, "step");
    near(r->peak_w[0], 3.0); /* the reading when it is the higher */
    near(r->energy_j[0], 4.6);
    assert_true(r->peak_w[0] >= r->energy_j[0] / 2.0);
    aim__phases_begin(p, 2 * S, "lagging");
    aim__phases_account(p, 0, 2 * S, 3 * S, 2.4, 2.0, 0.0);
    aim__phases_end(p, 3 * S, NULL);
    const aim_phase_row *lag = row(p, "lagging");
    near(lag->peak_w[0], 2.0); /* the reading */
    /* the phase's mean as the floor when the reading lags */
    near(aim__phase_device_peak_w(lag->peak_w[0], lag->energy_j[0], lag->total_ns), 2.4);
    aim__phases_free(p);
}

/* Issue 11: 830 W for two 300 W GPUs. A 10 ms sampler and a counter that moves every 100 ms:
 * nine intervals with no energy, then one with 100 ms worth (ΔE/Δt = 10x the draw). */
static void peak_is_not_inflated_by_counter_steps(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    aim__phases_begin(p, 0, "train");
    int64_t ms = S / 1000;
    for (int k = 0; k < 300; k++) { /* 3 s at 10 ms; device 0 reads 300 W, device 1 cannot */
        double de = k % 10 == 9 ? 30.0 : 0.0;   /* 300 W x 100 ms */
        aim__phases_account(p, 0, k * 10 * ms, (k + 1) * 10 * ms, de, 300.0, 0.0);
        aim__phases_account(p, 1, k * 10 * ms, (k + 1) * 10 * ms, de / 3.0, NAN, 0.0);
    }
    aim__phases_end(p, 3 * S, NULL);
    const aim_phase_row *r = row(p, "train");
    near(r->energy_j[0], 900.0);
    near(r->peak_w[0], 300.0);             /* the readings */
    near(r->peak_w[1], 100.0);             /* 1 s windows */
    near(aim__phase_device_peak_w(r->peak_w[1], r->energy_j[1], r->total_ns), 100.0);
    /* a phase shorter than a window, without readings: its mean */
    aim__phases_begin(p, 3 * S, "short");
    aim__phases_account(p, 1, 3 * S, 3 * S + 10 * ms, 0.5, NAN, 0.0);
    aim__phases_account(p, 1, 3 * S + 10 * ms, 3 * S + 500 * ms, 9.5, NAN, 0.0);
    aim__phases_end(p, 3 * S + 500 * ms, NULL);
    const aim_phase_row *sh = row(p, "short");
    near(aim__phase_device_peak_w(sh->peak_w[1], sh->energy_j[1], sh->total_ns), 20.0);
    aim__phases_free(p);
}

static void limits_are_counted(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(2, 1, &p), 0);
    assert_int_equal(aim__phases_mark(p, 1, "checkpoint"), 0);
    assert_int_equal(aim__phases_mark(p, 2, "second"), -ENOSPC);
    for (int i = 0; i < AIM_PHASE_DEPTH; i++)
        assert_int_equal(aim__phases_begin(p, i, "deep"), 0);
    assert_int_equal(aim__phases_begin(p, 99, "too deep"), -ENOSPC);
    /* 16 instances of "deep", two spans kept: 14 spans + 1 mark + 1 depth = 16 dropped */
    assert_int_equal(aim__phases_dropped(p), 16);
    assert_true(row(p, "deep")->instances == AIM_PHASE_DEPTH);
    aim__phases_finish(p, 100);
    assert_int_equal(row(p, "deep")->unterminated, AIM_PHASE_DEPTH);
    assert_int_equal(aim__phases_begin(p, 101, ""), -EINVAL);
    const aim_phase_mark *marks;
    assert_int_equal(aim__phases_marks(p, &marks), 1);
    assert_string_equal(marks[0].text, "checkpoint");
    aim__phases_free(p);
}

/* Issue 14, the agent's jobs: "A: train" opened, then "B: eval" inside it on the shared
 * stack; A's end (by name, or anonymous within A's scope) closes A's phases only, and B's
 * time goes on. Device 0 draws 100 W over 1 s intervals. */
static void scoped_ends_leave_other_jobs_open(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    assert_int_equal(aim__phases_begin(p, 0, "A: train"), 0);
    assert_int_equal(aim__phases_begin(p, S, "B: eval"), 0);
    assert_int_equal(aim__phases_begin(p, S, "A: step"), 0);
    /* A's anonymous end: its innermost, "A: step", not B's phase on top of the stack's
     * middle. */
    assert_int_equal(aim__phases_end_scoped(p, 2 * S, "A: ", 3), 0);
    assert_string_equal(aim__phases_current(p), "B: eval");
    /* A ends "A: train" by name: B's eval, opened inside it, stays open. */
    assert_int_equal(aim__phases_end_scoped(p, 3 * S, "A: train", 3), 0);
    assert_string_equal(aim__phases_current(p), "B: eval");
    assert_int_equal(aim__phases_end_scoped(p, 3 * S, "A: ", 3), -ENOENT); /* none left */
    for (int k = 0; k < 4; k++)
        aim__phases_account(p, 0, k * S, (k + 1) * S, 100.0, NAN, 0.0);
    near(row(p, "A: train")->energy_j[0], 300.0);
    near(row(p, "A: step")->energy_j[0], 100.0);
    aim__phases_finish(p, 4 * S);
    near(row(p, "B: eval")->energy_j[0], 300.0);
    assert_int_equal(row(p, "B: eval")->unterminated, 1);
    assert_int_equal(row(p, "A: train")->unterminated, 0);
    /* A plain (unscoped) end still closes everything opened inside, as before. */
    assert_int_equal(aim__phases_begin(p, 5 * S, "outer"), 0);
    assert_int_equal(aim__phases_begin(p, 5 * S, "B: inner"), 0);
    assert_int_equal(aim__phases_end_scoped(p, 6 * S, "outer", 0), 0);
    assert_null(aim__phases_current(p));
    aim__phases_free(p);
}

/* Review finding 1: an agent's jobs come and go for months. Each job's end closes its open
 * phases (unterminated) and, once stored, frees its rows: 200 jobs each with their own phase
 * names fit in the 64 rows, nothing is dropped, and the spans keep their names. */
static void ended_jobs_free_their_rows(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(1000, 4, &p), 0);
    assert_int_equal(aim__phases_begin(p, 0, "node work"), 0); /* not a job's: stays */
    char name[32], prefix[16];
    for (int k = 0; k < 200; k++) {
        int64_t t = (k + 1) * S;
        snprintf(prefix, sizeof prefix, "j%d: ", k);
        snprintf(name, sizeof name, "j%d: train", k);
        assert_int_equal(aim__phases_begin(p, t, name), 0);
        if (k % 2 == 0) /* half of them leave it open */
            assert_int_equal(aim__phases_end_scoped(p, t + S / 2, prefix, strlen(prefix)), 0);
        assert_int_equal(aim__phases_end_scope(p, t + S / 2, prefix, strlen(prefix)),
                         k % 2 == 0 ? 0 : 1);
        aim__phases_account(p, 0, t, t + S, 100.0, NAN, 0.0);
        aim__phases_prune(p, t + S);
        /* the commit stored every span (the first open one is "node work", span 0) */
        aim__phases_release(p, 0);
    }
    assert_int_equal(aim__phases_dropped(p), 0);
    const aim_phase_row *rows;
    assert_int_equal(aim__phases_rows(p, &rows), 1);
    assert_string_equal(rows[0].name, "node work");
    near(rows[0].energy_j[0], 200 * 100.0);
    const aim_phase_span *spans;
    assert_int_equal(aim__phases_spans(p, &spans), 201);
    assert_int_equal(spans[0].row, 0);
    for (int k = 1; k <= 200; k++)
        assert_int_equal(spans[k].row, -1); /* stored, their rows gone */
    /* A name that comes back before its row is freed keeps it. */
    assert_int_equal(aim__phases_begin(p, 300 * S, "x: a"), 0);
    aim__phases_end_scope(p, 301 * S, "x: ", 3);
    assert_int_equal(aim__phases_begin(p, 302 * S, "x: a"), 0);
    aim__phases_prune(p, 400 * S);
    assert_int_equal(aim__phases_release(p, 0), 0);
    aim__phases_free(p);
}

/* Review finding 6 (issue 16): under the agent, another rank's phases nest two scopes, the
 * job's and the rank's ("42: [rank 3] fwd"). Rank 0 ending "42: step" closes its own job
 * scope's phases only: rank 3's phase opened inside it ends at 900 s, by its own end. */
static void a_ranks_phase_under_a_job_ends_in_its_own_scope(void **unused) {
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 4, &p), 0);
    assert_int_equal(aim__phases_begin_scoped(p, 100 * S, "42: step", 4), 0);
    assert_int_equal(aim__phases_begin_scoped(p, 200 * S, "42: [rank 3] fwd", 13), 0);
    assert_int_equal(aim__phases_begin_scoped(p, 250 * S, "42: inner", 4), 0);
    assert_int_equal(aim__phases_end_scoped(p, 300 * S, "42: step", 4), 0);
    assert_string_equal(aim__phases_current(p), "42: [rank 3] fwd");
    assert_int_equal(aim__phases_end_scoped(p, 400 * S, "42: ", 4), -ENOENT); /* none of 0's */
    assert_int_equal(aim__phases_end_scoped(p, 900 * S, "42: [rank 3] fwd", 13), 0);
    assert_null(aim__phases_current(p));
    const aim_phase_span *spans;
    assert_int_equal(aim__phases_spans(p, &spans), 3);
    assert_true(spans[0].end_ns == 300 * S && spans[2].end_ns == 300 * S);
    assert_true(spans[1].end_ns == 900 * S);
    /* the job's end (aim__phases_end_scope) still closes every phase of it, ranks' too */
    assert_int_equal(aim__phases_begin_scoped(p, 1000 * S, "42: [rank 3] bwd", 13), 0);
    assert_int_equal(aim__phases_end_scope(p, 1100 * S, "42: ", 4), 1);
    aim__phases_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(energy_by_overlap),
        cmocka_unit_test(events_before_intervals),
        cmocka_unit_test(nesting_and_unterminated),
        cmocka_unit_test(peak_not_below_mean),
        cmocka_unit_test(peak_is_not_inflated_by_counter_steps),
        cmocka_unit_test(limits_are_counted),
        cmocka_unit_test(scoped_ends_leave_other_jobs_open),
        cmocka_unit_test(ended_jobs_free_their_rows),
        cmocka_unit_test(a_ranks_phase_under_a_job_ends_in_its_own_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
