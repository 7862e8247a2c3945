/* The agent's jobs (issue 14): the job table (engine/jobs.h) against a live snapshot written
 * by hand. An agent's control socket with a table: test_control.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/jobs.h"
#include "engine/live.h"
#include "jobs_fixture.h"
#include "util/numlist.h"

#define S 1000000000LL

/* A table on the two-device fixture node, with its snapshot in *l. */
static aim_jobs *table_on_node(aim_live **l) {
    assert_int_equal(aim__live_new(0, 2, l), 0);
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim__jobs_attach_live(j, *l);
    return j;
}

static void figures_are_the_node_since_the_job_began(void **unused) {
    aim_live *l;
    aim_jobs *j = table_on_node(&l);
    jobs_fixture_publish(l, 100, 1);
    assert_int_equal(aim__jobs_touch(j, "42", 10 * S), 1);  /* new */
    assert_int_equal(aim__jobs_touch(j, "42", 11 * S), 0);  /* known */
    aim__jobs_phase(j, "42", 1, "train");
    aim__jobs_phase(j, "42", 1, "step");
    aim__jobs_phase(j, "42", 0, "");                        /* step ends */
    jobs_fixture_publish(l, 350, 3.5);
    char out[256];
    assert_int_equal(aim__jobs_status(j, "42", 15 * S, 0, out, sizeof out), 0);
    assert_string_equal(out, "5 250 2.5 gpu0=150 cpu0=100");
    /* what a joined `aimeter run` reads back (util/numlist.h) */
    aim_numlist nl;
    assert_int_equal(aim__numlist_parse(out, 3, &nl), 0);
    assert_true(nl.head[0] == 5 && nl.head[1] == 250 && nl.head[2] == 2.5);
    assert_int_equal(nl.n_pairs, 2);
    assert_string_equal(nl.name[1], "cpu0");
    assert_true(nl.value[1] == 100);
    assert_int_equal(aim__numlist_parse("5 250", 3, &nl), -EINVAL);
    assert_int_equal(aim__numlist_parse("5 250 1 gpu0", 3, &nl), -EINVAL);
    assert_int_equal(aim__numlist_parse("5 250 1 =3", 3, &nl), -EINVAL);
    assert_int_equal(aim__numlist_parse("5 2,5 1", 3, &nl), -EINVAL);
    assert_int_equal(aim__jobs_status(j, "nope", 15 * S, 0, out, sizeof out), -ENOENT);
    aim_job_view v[4];
    aim_live_totals t = { .energy_j = 450, .carbon_g = 4.5 };
    assert_int_equal(aim__jobs_view(j, 16 * S, &t, v, 4), 1);
    assert_string_equal(v[0].id, "42");
    assert_string_equal(v[0].phase, "train");
    assert_int_equal(v[0].ended, 0);
    assert_true(v[0].energy_j == 350 && v[0].carbon_g == 3.5 && v[0].duration_s == 6);
    /* The end freezes the figures. */
    assert_int_equal(aim__jobs_status(j, "42", 20 * S, 1, out, sizeof out), 0);
    assert_string_equal(out, "10 250 2.5 gpu0=150 cpu0=100");
    t.energy_j = 1000;
    assert_int_equal(aim__jobs_view(j, 21 * S, &t, v, 4), 1);
    assert_true(v[0].ended && v[0].energy_j == 250 && v[0].duration_s == 10);
    /* Shown for the linger time after its end, then forgotten. */
    aim__jobs_set_times(j, 5 * S, 100 * S);
    assert_int_equal(aim__jobs_view(j, 24 * S, &t, v, 4), 1);
    assert_int_equal(aim__jobs_view(j, 25 * S, &t, v, 4), 0);
    /* The same id again is a new job. */
    assert_int_equal(aim__jobs_touch(j, "42", 30 * S), 1);
    aim__jobs_free(j);
    aim__live_free(l);
}

/* A long-running agent never grows: the table is full at AIM_JOBS_MAX, and a new job takes
 * an ended job's place, else the place of the running one silent the longest. */
static void the_table_is_bounded(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0); /* no snapshot attached: zeros */
    char id[16];
    for (int k = 0; k < AIM_JOBS_MAX; k++) {
        snprintf(id, sizeof id, "j%d", k);
        assert_int_equal(aim__jobs_touch(j, id, (k + 1) * S), 1);
    }
    aim__jobs_touch(j, "j0", 1000 * S); /* j1 is now the one silent the longest */
    assert_int_equal(aim__jobs_touch(j, "late", 1001 * S), 1);
    static aim_job_view v[AIM_JOBS_MAX + 1];
    aim_live_totals t = { 0 };
    size_t n = aim__jobs_view(j, 1002 * S, &t, v, AIM_JOBS_MAX + 1);
    assert_int_equal(n, AIM_JOBS_MAX);
    int has_j0 = 0, has_j1 = 0, has_late = 0;
    for (size_t k = 0; k < n; k++) {
        has_j0 |= strcmp(v[k].id, "j0") == 0;
        has_j1 |= strcmp(v[k].id, "j1") == 0;
        has_late |= strcmp(v[k].id, "late") == 0;
    }
    assert_true(has_j0 && !has_j1 && has_late);
    /* An ended job is given up before any running one. */
    char out[64];
    assert_int_equal(aim__jobs_status(j, "j5", 1003 * S, 1, out, sizeof out), 0);
    assert_int_equal(aim__jobs_touch(j, "later", 1004 * S), 1);
    n = aim__jobs_view(j, 1005 * S, &t, v, AIM_JOBS_MAX + 1);
    int has_j2 = 0, has_j5 = 0;
    for (size_t k = 0; k < n; k++) {
        has_j2 |= strcmp(v[k].id, "j2") == 0;
        has_j5 |= strcmp(v[k].id, "j5") == 0;
    }
    assert_true(has_j2 && !has_j5);
    /* Silent for the idle time: ended at the next message. */
    aim__jobs_set_times(j, 1000 * S, 10 * S);
    aim__jobs_touch(j, "late", 2000 * S);
    n = aim__jobs_view(j, 2000 * S, &t, v, AIM_JOBS_MAX + 1);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(v[k].ended, strcmp(v[k].id, "late") != 0);
    aim__jobs_free(j);
}

/* Review finding 2: several joined runs of one batch job (srun --ntasks-per-node=N). The
 * job ends with its last holder's `job end`, not the first one's. */
static void a_held_job_ends_with_its_last_holder(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    char out[128];
    assert_int_equal(aim__jobs_touch(j, "4242", 1 * S), 1);
    assert_int_equal(aim__jobs_hold(j, "4242"), 0); /* run A */
    assert_int_equal(aim__jobs_hold(j, "4242"), 0); /* run B */
    assert_int_equal(aim__jobs_status(j, "4242", 2 * S, AIM_JOB_END_HOLD, out, sizeof out),
                     0); /* A leaves */
    aim_job_view v[2];
    aim_live_totals t = { 0 };
    assert_int_equal(aim__jobs_view(j, 3 * S, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 0);
    assert_int_equal(aim__jobs_status(j, "4242", 4 * S, AIM_JOB_END_HOLD, out, sizeof out),
                     0); /* B leaves */
    assert_int_equal(aim__jobs_view(j, 5 * S, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 1);
    assert_string_equal(out, "3 0 0");
    assert_int_equal(aim__jobs_hold(j, "nope"), -ENOENT);
    /* `job node`: this agent's instance, then the node's own figures. */
    assert_int_equal(aim__jobs_node(j, 7 * S, out, sizeof out), 0);
    const char *sp = strchr(out, ' ');
    assert_non_null(sp);
    assert_string_equal(sp, " 7 0 0");
    aim__jobs_free(j);
}

/* Review finding 5: a job id is its maker's; another user can neither send as it nor end it,
 * a user's running jobs are capped, and no user's new job pushes out another's. */
static void jobs_belong_to_their_user(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    char out[128], id[16];
    assert_int_equal(aim__jobs_touch_as(j, "4242", 1000, 1 * S), 1);
    assert_int_equal(aim__jobs_touch_as(j, "4242", 1001, 2 * S), -EPERM);
    assert_int_equal(aim__jobs_status_as(j, "4242", 1001, 2 * S, 1, out, sizeof out), -EPERM);
    assert_int_equal(aim__jobs_touch_as(j, "4242", 1000, 3 * S), 0);
    assert_int_equal(aim__jobs_status_as(j, "4242", 0, 3 * S, 0, out, sizeof out), 0); /* root */
    for (int k = 1; k < AIM_JOBS_PER_UID; k++) {
        snprintf(id, sizeof id, "a%d", k);
        assert_int_equal(aim__jobs_touch_as(j, id, 1000, 4 * S), 1);
    }
    assert_int_equal(aim__jobs_touch_as(j, "one-more", 1000, 5 * S), -EDQUOT);
    /* Other users fill the table with running jobs: a new user's job finds no place, and
     * nobody's running job was given up for it. */
    for (int k = AIM_JOBS_PER_UID; k < AIM_JOBS_MAX; k++) {
        snprintf(id, sizeof id, "b%d", k);
        assert_int_equal(aim__jobs_touch_as(j, id, 2000 + (uint32_t)(k / AIM_JOBS_PER_UID),
                                            6 * S), 1);
    }
    assert_int_equal(aim__jobs_touch_as(j, "spam", 3000, 7 * S), -ENOSPC);
    assert_int_equal(aim__jobs_touch_as(j, "4242", 1000, 8 * S), 0); /* still there */
    aim__jobs_free(j);
}

/* Review finding 9: a job's counters never go back: not when the reader's snapshot is older
 * than the job, nor when its id comes back while the ended job is still shown. */
static void job_counters_never_decrease(void **unused) {
    aim_live *l;
    aim_jobs *j = table_on_node(&l);
    jobs_fixture_publish(l, 500, 5);
    assert_int_equal(aim__jobs_touch(j, "7", 1 * S), 1);
    aim_job_view v[2];
    aim_live_totals old = { .energy_j = 400, .carbon_g = 4 }; /* read before the job came */
    assert_int_equal(aim__jobs_view(j, 1 * S, &old, v, 2), 1);
    assert_true(v[0].energy_j == 0 && v[0].carbon_g == 0);
    jobs_fixture_publish(l, 600, 6);
    char out[128];
    assert_int_equal(aim__jobs_status(j, "7", 2 * S, 1, out, sizeof out), 0); /* 100 J */
    jobs_fixture_publish(l, 650, 6.5);
    assert_int_equal(aim__jobs_touch(j, "7", 3 * S), 1); /* again, within the linger */
    aim_live_totals t = { .energy_j = 700, .carbon_g = 7 };
    assert_int_equal(aim__jobs_view(j, 4 * S, &t, v, 2), 1);
    assert_true(v[0].energy_j == 150 && v[0].carbon_g == 1.5);
    /* Its own figures are its own instance's. */
    jobs_fixture_publish(l, 700, 7);
    assert_int_equal(aim__jobs_status(j, "7", 4 * S, 0, out, sizeof out), 0);
    assert_int_equal(strncmp(out, "1 50 0.5 ", 9), 0);
    aim__jobs_free(j);
    aim__live_free(l);
}

static int ended_open[4], n_ended;
static void record_end(void *ctx, const char *id, int open_phases) {
    (void)ctx;
    (void)id;
    if (n_ended < 4)
        ended_open[n_ended++] = open_phases;
}

/* Review finding 1: a job's end, by `job end` or by silence, is told with its open phases
 * (the control socket then closes them: test_control.c). */
static void a_jobs_end_is_told_with_its_open_phases(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim__jobs_set_on_end(j, record_end, NULL);
    n_ended = 0;
    char out[64];
    aim__jobs_touch(j, "a", 1 * S);
    aim__jobs_phase(j, "a", 1, "train");
    aim__jobs_phase(j, "a", 1, "step");
    aim__jobs_touch(j, "b", 1 * S);
    aim__jobs_phase(j, "b", 1, "eval");
    assert_int_equal(aim__jobs_open_phases(j), 3);
    assert_int_equal(aim__jobs_status(j, "a", 2 * S, 1, out, sizeof out), 0);
    assert_int_equal(n_ended, 1);
    assert_int_equal(ended_open[0], 2);
    assert_int_equal(aim__jobs_open_phases(j), 1);
    aim__jobs_set_times(j, 1000 * S, 10 * S);
    aim__jobs_touch(j, "c", 20 * S); /* b silent for the idle time */
    assert_int_equal(n_ended, 2);
    assert_int_equal(ended_open[1], 1);
    assert_int_equal(aim__jobs_open_phases(j), 0);
    aim__jobs_free(j);
}

/* Ranks' phases under one job (the Python package sends "[rank N] NAME"): rank 0 ending its
 * outer phase by name ends its own inner ones, never another rank's (the writer's phases do
 * the same: processing/phases.h), so the job's label stays the phase still open. */
static void a_ranks_phases_outlive_rank_0s_end(void **unused) {
    aim_live *l;
    aim_jobs *j = table_on_node(&l);
    assert_int_equal(aim__jobs_touch(j, "42", 1 * S), 1);
    aim__jobs_phase(j, "42", 1, "epoch");
    aim__jobs_phase(j, "42", 1, "[rank 1] epoch");
    aim__jobs_phase(j, "42", 1, "step");
    aim__jobs_phase(j, "42", 1, "[rank 1] step");
    assert_int_equal(aim__jobs_open_phases(j), 4);
    aim__jobs_phase(j, "42", 0, "epoch"); /* rank 0: its step ends with it */
    assert_int_equal(aim__jobs_open_phases(j), 2);
    aim_job_view v[2];
    aim_live_totals t = { 0 };
    assert_int_equal(aim__jobs_view(j, 2 * S, &t, v, 2), 1);
    assert_string_equal(v[0].phase, "[rank 1] step");
    aim__jobs_phase(j, "42", 0, "[rank 1] "); /* rank 1's innermost */
    assert_int_equal(aim__jobs_view(j, 2 * S, &t, v, 2), 1);
    assert_string_equal(v[0].phase, "[rank 1] epoch");
    aim__jobs_phase(j, "42", 0, "[rank 2] epoch"); /* not open: nothing ends */
    assert_int_equal(aim__jobs_open_phases(j), 1);
    aim__jobs_phase(j, "42", 0, "");
    assert_int_equal(aim__jobs_open_phases(j), 0);
    aim__jobs_free(j);
    aim__live_free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_are_the_node_since_the_job_began),
        cmocka_unit_test(a_ranks_phases_outlive_rank_0s_end),
        cmocka_unit_test(the_table_is_bounded),
        cmocka_unit_test(a_held_job_ends_with_its_last_holder),
        cmocka_unit_test(jobs_belong_to_their_user),
        cmocka_unit_test(job_counters_never_decrease),
        cmocka_unit_test(a_jobs_end_is_told_with_its_open_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
