/* model/job_slots.c: the agent's table of running jobs' cgroups and windows (control
 * thread), read by the NVML source (sampler thread) and summed into by the job GPU stage
 * (writer thread); and processing/attribution.c's aim__attr_job_shares, the shares the
 * stage hands the table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "model/job_slots.h"
#include "processing/attribution.h"

/* About 30 KiB: static rather than on cmocka's stack. */
static aim_job_slots table;
static aim_job_gpu_figures fig;

static void read_ok(const aim_job_slots *t, int k, const char *expected) {
    char out[AIM_JOB_SLOT_CGROUP];
    assert_int_equal(aim__job_slots_read_cgroup(t, k, out, sizeof out), 0);
    assert_string_equal(out, expected);
}

static void assert_close(double a, double b) {
    if (!(fabs(a - b) <= 1e-9)) /* NaN fails too */
        fail_msg("%.12g, expected %.12g", a, b);
}

/* Shares for account(): slot k gets share[k] of the first n, the others 0. */
static const double *shares_of(double *buf, const double *share, int n) {
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        buf[k] = k < n ? share[k] : 0.0;
    return buf;
}

/* One interval of device d ending at t1 where only slot k's job ran, with share s. */
static void account_one(int d, int64_t t1, double de_j, int k, double s) {
    double sh[AIM_JOB_SLOTS] = { 0 };
    sh[k] = s;
    aim__job_slots_account(&table, d, t1, de_j, sh, s > 0, 0);
}

/* ---------------------------------------------------------------- the control thread */

static void claims_every_slot_then_none(void **unused) {
    aim__job_slots_init(&table);
    char cg[64];
    unsigned owner[AIM_JOB_SLOTS];
    /* Each claim takes the next free slot, holds its job's cgroup, and opens its window at
     * the claim's time (the end open while the job runs). */
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        snprintf(cg, sizeof cg, "/system.slice/slurmstepd.scope/job_%d", 100 + k);
        assert_int_equal(aim__job_slots_claim(&table, cg, 1000 + k, &owner[k]), k);
        assert_int_equal(atomic_load(&table.slot[k].state), AIM_JOB_SLOT_RUNNING);
        assert_true(atomic_load(&table.slot[k].start_ns) == 1000 + k);
        assert_true(atomic_load(&table.slot[k].end_ns) == INT64_MAX);
        assert_int_equal(atomic_load(&table.slot[k].owner), owner[k]);
        assert_int_equal(atomic_load(&table.slot[k].shared), 0);
    }
    /* A 17th job (whose cgroup is nobody's): no slot (its GPUs then go by its allotment,
     * not by its processes). */
    unsigned g0 = aim__job_slots_gen(&table);
    assert_int_equal(aim__job_slots_claim(&table, "/one/too/many", 5000, NULL), -ENOSPC);
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        snprintf(cg, sizeof cg, "/system.slice/slurmstepd.scope/job_%d", 100 + k);
        read_ok(&table, k, cg);
        /* The failed claim changed nobody's window, owner or sharing. */
        assert_true(atomic_load(&table.slot[k].start_ns) == 1000 + k);
        assert_int_equal(atomic_load(&table.slot[k].owner), owner[k]);
        assert_int_equal(atomic_load(&table.slot[k].shared), 0);
    }
    assert_int_equal(aim__job_slots_gen(&table), g0);
}

/* The owner is what tells the writer a slot's sums are a new job's: it must change at every
 * claim of the same slot, not only from the first. */
static void each_claim_of_a_slot_has_a_new_owner(void **unused) {
    aim__job_slots_init(&table);
    unsigned seen[8];
    for (int i = 0; i < 8; i++) {
        char cg[32];
        snprintf(cg, sizeof cg, "/slurm/job_%d", i);
        assert_int_equal(aim__job_slots_claim(&table, cg, 100 * i + 1, &seen[i]), 0);
        for (int j = 0; j < i; j++)
            assert_true(seen[i] != seen[j]);
        assert_true(atomic_load(&table.slot[0].start_ns) == 100 * i + 1);
        aim__job_slots_end(&table, 0, 100 * i + 50);
        aim__job_slots_release(&table, 0);
    }
    /* A claim without an owner to return still changes it. */
    unsigned before = atomic_load(&table.slot[0].owner);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_x", 5000, NULL), 0);
    assert_true(atomic_load(&table.slot[0].owner) != before);
}

static void end_clears_the_cgroup_and_keeps_the_slot_until_release(void **unused) {
    aim__job_slots_init(&table);
    char cg[32];
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        snprintf(cg, sizeof cg, "/a/job_%d", k);
        assert_int_equal(aim__job_slots_claim(&table, cg, 10, NULL), k);
    }
    unsigned g0 = aim__job_slots_gen(&table);
    aim__job_slots_end(&table, 3, 777);
    /* The sampler sees a new generation and an empty cgroup: the job's processes count no
     * more; the window's end is the end's time. */
    assert_true(aim__job_slots_gen(&table) != g0);
    read_ok(&table, 3, "");
    assert_int_equal(atomic_load(&table.slot[3].state), AIM_JOB_SLOT_ENDED);
    assert_true(atomic_load(&table.slot[3].end_ns) == 777);
    assert_true(atomic_load(&table.slot[3].start_ns) == 10);
    read_ok(&table, 2, "/a/job_2");
    assert_true(atomic_load(&table.slot[2].end_ns) == INT64_MAX);
    /* ...but the slot is not free: its figures wait for the writer to store the job's run. */
    assert_int_equal(aim__job_slots_claim(&table, "/b/job", 800, NULL), -ENOSPC);
    aim__job_slots_release(&table, 3);
    assert_int_equal(atomic_load(&table.slot[3].state), AIM_JOB_SLOT_FREE);
    /* Free again: the next claim gets it, with the new job's cgroup and window. */
    unsigned g1 = aim__job_slots_gen(&table);
    assert_int_equal(aim__job_slots_claim(&table, "/b/job", 900, NULL), 3);
    assert_true(aim__job_slots_gen(&table) != g1);
    read_ok(&table, 3, "/b/job");
    assert_true(atomic_load(&table.slot[3].start_ns) == 900);
    assert_true(atomic_load(&table.slot[3].end_ns) == INT64_MAX);
    assert_int_equal(aim__job_slots_claim(&table, "/c/job", 950, NULL), -ENOSPC);
    /* Out-of-range slots are ignored, not written. */
    unsigned g2 = aim__job_slots_gen(&table);
    aim__job_slots_end(&table, -1, 1);
    aim__job_slots_end(&table, AIM_JOB_SLOTS, 1);
    aim__job_slots_set_cgroup(&table, AIM_JOB_SLOTS, "/x");
    aim__job_slots_set_cgroup(&table, -1, "/x");
    aim__job_slots_release(&table, -1);
    aim__job_slots_release(&table, AIM_JOB_SLOTS);
    assert_int_equal(aim__job_slots_gen(&table), g2);
    assert_int_equal(aim__job_slots_claim(&table, "/c/job", 960, NULL), -ENOSPC);
}

static void set_cgroup_moves_a_job_and_reads_back_truncated(void **unused) {
    aim__job_slots_init(&table);
    assert_int_equal(aim__job_slots_claim(&table, "/a/job_1", 1, NULL), 0);
    assert_int_equal(aim__job_slots_claim(&table, "/a/job_2", 1, NULL), 1);
    unsigned g0 = aim__job_slots_gen(&table);
    aim__job_slots_set_cgroup(&table, 1, "/a/job_2/step_batch");
    assert_true(aim__job_slots_gen(&table) != g0);
    read_ok(&table, 1, "/a/job_2/step_batch");
    read_ok(&table, 0, "/a/job_1");
    /* A shorter path after a longer one: no tail of the longer left behind. */
    aim__job_slots_set_cgroup(&table, 1, "/b");
    read_ok(&table, 1, "/b");
    /* A small buffer gets a NUL-terminated prefix. */
    char small[5];
    memset(small, 'x', sizeof small);
    assert_int_equal(aim__job_slots_read_cgroup(&table, 0, small, sizeof small), 0);
    assert_string_equal(small, "/a/j");
    /* A path longer than a slot holds is cut to AIM_JOB_SLOT_CGROUP - 1 bytes. */
    char longer[AIM_JOB_SLOT_CGROUP + 40];
    memset(longer, 'p', sizeof longer - 1);
    longer[0] = '/';
    longer[sizeof longer - 1] = '\0';
    aim__job_slots_set_cgroup(&table, 0, longer);
    char out[AIM_JOB_SLOT_CGROUP + 40];
    assert_int_equal(aim__job_slots_read_cgroup(&table, 0, out, sizeof out), 0);
    assert_int_equal(strlen(out), AIM_JOB_SLOT_CGROUP - 1);
    assert_memory_equal(out, longer, AIM_JOB_SLOT_CGROUP - 1);
}

/* Two running jobs whose cgroups are the same, or one inside the other, cannot have their
 * processes told apart: the later claim is refused and the running job's slot is marked
 * shared, with an empty cgroup (its processes count for no slot). */
static void overlapping_cgroups_are_refused_and_mark_the_running_slot_shared(void **unused) {
    aim__job_slots_init(&table);
    /* The same cgroup. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 10, NULL), 0);
    unsigned g0 = aim__job_slots_gen(&table), o0 = atomic_load(&table.slot[0].owner);
    unsigned refused;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 20, &refused), -EEXIST);
    assert_int_equal(atomic_load(&table.slot[0].shared), 1);
    assert_true(aim__job_slots_gen(&table) != g0); /* the sampler drops its copy */
    read_ok(&table, 0, "");
    /* It still runs, as the same claim: its window and owner are its own. */
    assert_int_equal(atomic_load(&table.slot[0].state), AIM_JOB_SLOT_RUNNING);
    assert_true(atomic_load(&table.slot[0].start_ns) == 10);
    assert_int_equal(atomic_load(&table.slot[0].owner), o0);
    /* The refused job got no slot. */
    assert_int_equal(atomic_load(&table.slot[1].state), AIM_JOB_SLOT_FREE);

    /* The new job's cgroup inside the running one's. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2", 30, NULL), 1);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2/step_0", 40, NULL), -EEXIST);
    assert_int_equal(atomic_load(&table.slot[1].shared), 1);
    read_ok(&table, 1, "");
    /* The running one's inside the new one's. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_3/step_batch", 50, NULL), 2);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_3", 60, NULL), -EEXIST);
    assert_int_equal(atomic_load(&table.slot[2].shared), 1);
    read_ok(&table, 2, "");
    /* A trailing slash is the same cgroup. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_4", 65, NULL), 3);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_4/", 66, NULL), -EEXIST);
    assert_int_equal(atomic_load(&table.slot[3].shared), 1);

    /* Siblings whose names start alike are not nested: both claims stand, nobody shared. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_5", 70, NULL), 4);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_50", 80, NULL), 5);
    assert_int_equal(atomic_load(&table.slot[4].shared), 0);
    assert_int_equal(atomic_load(&table.slot[5].shared), 0);
    read_ok(&table, 4, "/slurm/job_5");
    read_ok(&table, 5, "/slurm/job_50");

    /* An ended job's cgroup is not checked: its successor in the same cgroup (a requeued
     * job) gets a slot, and the ended slot is not marked. */
    aim__job_slots_end(&table, 4, 90);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_5", 100, NULL), 6);
    assert_int_equal(atomic_load(&table.slot[4].shared), 0);
    assert_int_equal(atomic_load(&table.slot[6].shared), 0);
    read_ok(&table, 6, "/slurm/job_5");

    /* A shared slot keeps its empty cgroup: moving its job does not bring its processes
     * back. */
    unsigned g1 = aim__job_slots_gen(&table);
    aim__job_slots_set_cgroup(&table, 0, "/slurm/job_1/step_0");
    read_ok(&table, 0, "");
    assert_int_equal(aim__job_slots_gen(&table), g1);
    /* A job that is not shared moves as before. */
    aim__job_slots_set_cgroup(&table, 5, "/slurm/job_50/step_0");
    read_ok(&table, 5, "/slurm/job_50/step_0");

    /* Released and claimed again, the slot is a new job's: not shared. */
    aim__job_slots_end(&table, 0, 110);
    aim__job_slots_release(&table, 0);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_7", 120, NULL), 0);
    assert_int_equal(atomic_load(&table.slot[0].shared), 0);
    read_ok(&table, 0, "/slurm/job_7");
    aim__job_slots_set_cgroup(&table, 0, "/slurm/job_7/step_0");
    read_ok(&table, 0, "/slurm/job_7/step_0");
}

/* ---------------------------------------------------------------- the writer thread */

/* An interval counts for a slot only when its end lies in (start, end] of the slot's
 * window: a frame that closes at the claim's instant began before it. */
static void account_counts_only_intervals_ending_in_the_window(void **unused) {
    aim__job_slots_init(&table);
    unsigned o;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 1000, &o), 0);
    account_one(0, 900, 1.0, 0, 1.0);   /* before the claim */
    account_one(0, 1000, 2.0, 0, 1.0);  /* ends at the claim: began before it */
    account_one(0, 1001, 4.0, 0, 1.0);  /* counted */
    account_one(0, 2000, 8.0, 0, 1.0);  /* counted */
    aim__job_slots_end(&table, 0, 3000);
    account_one(0, 2999, 16.0, 0, 1.0); /* in flight when the job ended: counted */
    account_one(0, 3000, 32.0, 0, 1.0); /* ends at the end: counted */
    account_one(0, 3001, 64.0, 0, 1.0); /* after: not */
    assert_int_equal(aim__job_slots_figures(&table, 0, o, 1, &fig), 0);
    assert_close(fig.joules[0], 4 + 8 + 16 + 32);
    assert_int_equal(table.slot[0].seen[0], 4);
    assert_int_equal(table.slot[0].matched[0], 4);
    assert_int_equal(fig.known[0], 1);
}

static void account_splits_each_interval_between_the_slots(void **unused) {
    aim__job_slots_init(&table);
    unsigned o[3];
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 100, &o[0]), 0);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2", 100, &o[1]), 1);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_3", 100, &o[2]), 2);
    double buf[AIM_JOB_SLOTS];
    /* Device 0: two intervals of 100 J and 50 J; device 3: one of 10 J. A share of a slot
     * without a job (slot 9) counts for the running jobs' "others" too, as NaN does not. */
    aim__job_slots_account(&table, 0, 200, 100.0,
                           shares_of(buf, (const double[]){ 0.5, 0.3, 0.0 }, 3), 1, 0);
    buf[9] = 0.1;
    aim__job_slots_account(&table, 0, 300, 50.0, buf, 1, 0);
    aim__job_slots_account(&table, 3, 300, 10.0,
                           shares_of(buf, (const double[]){ NAN, 0.25, 0.25 }, 3), 1, 0);
    /* Out-of-range devices are ignored. */
    aim__job_slots_account(&table, -1, 300, 1000.0, buf, 1, 0);
    aim__job_slots_account(&table, AIM_JOB_SLOT_DEVICES, 300, 1000.0, buf, 1, 0);

    assert_int_equal(aim__job_slots_figures(&table, 0, o[0], 4, &fig), 0);
    assert_close(fig.joules[0], 50 + 25);
    assert_close(fig.other_j[0], 30 + (0.3 + 0.1) * 50);
    assert_close(fig.joules[3], 0.0); /* NaN is no share */
    assert_close(fig.other_j[3], 5.0);
    assert_int_equal(fig.known[0], 1);
    assert_int_equal(fig.known[3], 1);
    assert_int_equal(fig.known[1], 0); /* never accounted */

    assert_int_equal(aim__job_slots_figures(&table, 1, o[1], 4, &fig), 0);
    assert_close(fig.joules[0], 30 + 15);
    assert_close(fig.other_j[0], 50 + (0.5 + 0.1) * 50);
    assert_close(fig.joules[3], 2.5);
    assert_close(fig.other_j[3], 2.5);

    /* A job whose processes did not run: 0 J of it, yet known (other jobs' did). */
    assert_int_equal(aim__job_slots_figures(&table, 2, o[2], 4, &fig), 0);
    assert_close(fig.joules[0], 0.0);
    assert_close(fig.other_j[0], 80 + 0.9 * 50);
    assert_int_equal(fig.known[0], 1);

    /* Nothing is counted twice: over the running jobs, own + others = the shares' sum of
     * each interval, and the jobs' own joules together are that sum once. */
    double own = 0;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(aim__job_slots_figures(&table, k, o[k], 1, &fig), 0);
        assert_close(fig.joules[0] + fig.other_j[0], 0.8 * 100 + 0.9 * 50);
        own += fig.joules[0];
    }
    assert_close(own, 0.8 * 100 + 0.8 * 50); /* slot 9's 0.1 is no running job's */

    /* Only the first n devices are given; a slot without a job has no figures. */
    assert_int_equal(aim__job_slots_figures(&table, 1, o[1], 1, &fig), 0);
    assert_close(fig.joules[3], 0.0);
    assert_int_equal(fig.known[3], 0);
    assert_int_equal(aim__job_slots_figures(&table, 5, 0, 4, &fig), -ESTALE);
    assert_int_equal(aim__job_slots_figures(&table, -1, o[0], 4, &fig), -ESTALE);
    assert_int_equal(aim__job_slots_figures(&table, AIM_JOB_SLOTS, o[0], 4, &fig), -ESTALE);
    /* n larger than the devices a slot has is clamped; the last device is reachable. */
    account_one(AIM_JOB_SLOT_DEVICES - 1, 400, 3.0, 0, 1.0);
    assert_int_equal(aim__job_slots_figures(&table, 0, o[0], AIM_JOB_SLOT_DEVICES + 5, &fig),
                     0);
    assert_close(fig.joules[AIM_JOB_SLOT_DEVICES - 1], 3.0);
}

/* A device's share is known when some job's processes ran there in the window, or when no
 * process ran there whose job could not be told; not when only such processes ran, nor
 * when no interval of the device was accounted. */
static void known_needs_a_matched_interval_or_none_unexplained(void **unused) {
    aim__job_slots_init(&table);
    unsigned o;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 0, &o), 0);
    double zero[AIM_JOB_SLOTS] = { 0 }, half[AIM_JOB_SLOTS] = { 0.5 };
    /* d0: an idle GPU (nobody ran): known, 0 J. */
    aim__job_slots_account(&table, 0, 10, 5.0, zero, 0, 0);
    aim__job_slots_account(&table, 0, 20, 5.0, zero, 0, 0);
    /* d1: only processes in no job ran: unknown. */
    aim__job_slots_account(&table, 1, 10, 5.0, zero, 0, 1);
    aim__job_slots_account(&table, 1, 20, 5.0, zero, 0, 1);
    /* d2: mostly unexplained, but one interval where a job's processes ran: known. */
    aim__job_slots_account(&table, 2, 10, 5.0, zero, 0, 1);
    aim__job_slots_account(&table, 2, 20, 5.0, half, 1, 0);
    aim__job_slots_account(&table, 2, 30, 5.0, zero, 0, 1);
    /* d3: nothing. d4: only an interval outside the window. */
    aim__job_slots_account(&table, 4, 0, 5.0, half, 1, 0);

    assert_int_equal(table.slot[0].seen[0], 2);
    assert_int_equal(table.slot[0].matched[0], 0);
    assert_int_equal(table.slot[0].unexplained[0], 0);
    assert_int_equal(table.slot[0].seen[1], 2);
    assert_int_equal(table.slot[0].unexplained[1], 2);
    assert_int_equal(table.slot[0].seen[2], 3);
    assert_int_equal(table.slot[0].matched[2], 1);
    assert_int_equal(table.slot[0].unexplained[2], 2);
    assert_int_equal(table.slot[0].seen[4], 0);

    assert_int_equal(aim__job_slots_figures(&table, 0, o, 5, &fig), 0);
    assert_int_equal(fig.known[0], 1);
    assert_close(fig.joules[0], 0.0);
    assert_int_equal(fig.known[1], 0);
    assert_int_equal(fig.known[2], 1);
    assert_close(fig.joules[2], 2.5);
    assert_int_equal(fig.known[3], 0);
    assert_int_equal(fig.known[4], 0);
}

/* The slot's sums are its current job's: a new claim starts them again, and intervals of
 * the earlier job still on their way to the writer count for neither. */
static void sums_restart_for_a_new_owner(void **unused) {
    aim__job_slots_init(&table);
    unsigned a, b;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 1000, &a), 0);
    /* Never accounted: no figures yet. */
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), -ESTALE);
    account_one(0, 1500, 10.0, 0, 1.0);
    aim__job_slots_end(&table, 0, 2000);
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), 0);
    assert_close(fig.joules[0], 10.0);
    aim__job_slots_release(&table, 0);
    /* While free, intervals are nobody's (and do not touch the sums). */
    account_one(0, 1800, 100.0, 0, 1.0);

    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2", 5000, &b), 0);
    assert_true(a != b);
    /* The earlier job's figures are gone once the writer sees the new owner; the new one's
     * have none before its first interval. */
    assert_int_equal(aim__job_slots_figures(&table, 0, b, 1, &fig), -ESTALE);
    /* Arriving after the new claim: an interval of the earlier job (within its window), one
     * between the two jobs, one ending at the new claim's instant. */
    account_one(0, 1900, 1000.0, 0, 1.0);
    account_one(0, 3000, 2000.0, 0, 1.0);
    account_one(0, 5000, 4000.0, 0, 1.0);
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), -ESTALE);
    /* Nothing of the new job's yet: no figures, or figures that know nothing (either way
     * the run's GPUs go by the allotment). */
    int r = aim__job_slots_figures(&table, 0, b, 1, &fig);
    assert_true(r == 0 || r == -ESTALE);
    assert_close(fig.joules[0], 0.0);
    assert_close(fig.other_j[0], 0.0);
    assert_int_equal(fig.known[0], 0);
    assert_int_equal(table.slot[0].seen[0], 0);
    /* The new job's own. */
    account_one(0, 5001, 3.0, 0, 1.0);
    assert_int_equal(aim__job_slots_figures(&table, 0, b, 1, &fig), 0);
    assert_close(fig.joules[0], 3.0);
    assert_int_equal(table.slot[0].seen[0], 1);
    assert_int_equal(fig.known[0], 1);

    /* A restart on another device's interval clears every device of the earlier job. */
    account_one(2, 6000, 7.0, 0, 1.0);
    aim__job_slots_end(&table, 0, 7000);
    aim__job_slots_release(&table, 0);
    unsigned c;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_3", 8000, &c), 0);
    account_one(1, 8500, 1.0, 0, 1.0);
    assert_int_equal(aim__job_slots_figures(&table, 0, c, 3, &fig), 0);
    assert_close(fig.joules[0], 0.0);
    assert_close(fig.joules[1], 1.0);
    assert_close(fig.joules[2], 0.0);
    assert_int_equal(fig.known[0], 0);
    assert_int_equal(fig.known[2], 0);
}

static void a_shared_slot_has_no_figures(void **unused) {
    aim__job_slots_init(&table);
    unsigned a;
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 0, &a), 0);
    account_one(0, 10, 10.0, 0, 1.0);
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), 0);
    assert_close(fig.joules[0], 10.0);
    /* A second job in the same cgroup: what slot 0 summed may be either's. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 20, NULL), -EEXIST);
    account_one(0, 30, 10.0, 0, 1.0);
    memset(&fig, 0x55, sizeof fig);
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), -EEXIST);
    assert_int_equal(fig.known[0], 0);
    assert_close(fig.joules[0], 0.0);
    assert_close(fig.other_j[0], 0.0);
    /* A third job in that cgroup is refused too (review of the tests): the first job's
     * cgroup was cleared for the sampler, not forgotten by the claim's check. */
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1", 40, NULL), -EEXIST);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_1/step_0", 41, NULL), -EEXIST);
    assert_int_equal(atomic_load(&table.slot[1].state), AIM_JOB_SLOT_FREE);
    /* A shared slot never accounted says -EEXIST (its run's warning), not -ESTALE. */
    aim__job_slots_init(&table);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2", 0, &a), 0);
    assert_int_equal(aim__job_slots_claim(&table, "/slurm/job_2", 1, NULL), -EEXIST);
    assert_int_equal(aim__job_slots_figures(&table, 0, a, 1, &fig), -EEXIST);
}

/* ---------------------------------------------------------------- aim__attr_job_shares */

/* sm[0..16) the jobs', sm[16] the processes in no job's. */
static void job_shares(const double *sm_in, int n_in, double nobody, double util,
                       double *shares) {
    double sm[AIM_JOB_SLOT_SERIES] = { 0 };
    for (int k = 0; k < n_in; k++)
        sm[k] = sm_in[k];
    sm[AIM_JOB_SLOT_NOBODY] = nobody;
    shares[AIM_JOB_SLOTS] = -42; /* written past n: a failure */
    aim__attr_job_shares(sm, AIM_JOB_SLOTS, util, shares);
    assert_true(shares[AIM_JOB_SLOTS] == -42);
    double sum = 0;
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        assert_false(isnan(shares[k]));
        assert_true(shares[k] >= 0);
        sum += shares[k];
    }
    assert_true(sum <= 1 + 1e-12);
}

static void job_shares_never_add_up_to_more_than_one(void **unused) {
    double s[AIM_JOB_SLOTS + 1];
    /* The processes' SM below the GPU's utilisation: each over the utilisation. */
    job_shares((const double[]){ 20, 10 }, 2, 0, 60, s);
    assert_close(s[0], 20.0 / 60);
    assert_close(s[1], 10.0 / 60);
    assert_close(s[2], 0.0);
    /* Samples taken at other times than the utilisation's: their sum (processes in no job
     * included) over it, so the jobs' shares add up to at most 1. */
    job_shares((const double[]){ 80, 70 }, 2, 50, 100, s);
    assert_close(s[0], 0.4);
    assert_close(s[1], 0.35);
    job_shares((const double[]){ 30, 20 }, 2, 10, 50, s);
    assert_close(s[0], 0.5);
    assert_close(s[1], 20.0 / 60);
    /* Several jobs, all capped at 100 by the source, on a GPU said 90 % busy. */
    double full[AIM_JOB_SLOTS];
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        full[k] = 100;
    job_shares(full, AIM_JOB_SLOTS, 100, 90, s);
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        assert_close(s[k], 100.0 / 1700);
    /* The utilisation 0 (or unknown) while processes ran: split by their SM. */
    job_shares((const double[]){ 30, 10 }, 2, 0, 0, s);
    assert_close(s[0], 0.75);
    assert_close(s[1], 0.25);
    job_shares((const double[]){ 30, 10 }, 2, 0, NAN, s);
    assert_close(s[0], 0.75);
    assert_close(s[1], 0.25);
    job_shares((const double[]){ 30 }, 1, 10, -5, s);
    assert_close(s[0], 0.75);
    /* Only processes in no job ran: no job's share. */
    job_shares(NULL, 0, 40, 0, s);
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        assert_close(s[k], 0.0);
    /* Nothing ran: 0 for all, not NaN, whatever the utilisation. */
    job_shares(NULL, 0, 0, 0, s);
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        assert_close(s[k], 0.0);
    job_shares(NULL, 0, 0, 50, s);
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        assert_close(s[k], 0.0);
    /* NaN, infinite and negative SM values are no share, and not in the others' sum. */
    job_shares((const double[]){ NAN, -5, 30, INFINITY, -INFINITY }, 5, NAN, 0, s);
    assert_close(s[0], 0.0);
    assert_close(s[1], 0.0);
    assert_close(s[2], 1.0);
    assert_close(s[3], 0.0);
    assert_close(s[4], 0.0);
    job_shares((const double[]){ 30, 10 }, 2, -100, 20, s);
    assert_close(s[0], 0.75); /* a negative "no job" does not make the sum smaller */
    assert_close(s[1], 0.25);
}

static void cgroup_within_is_same_or_below(void **unused) {
    assert_true(aim__cgroup_within("/a/job_1", "/a/job_1"));
    assert_true(aim__cgroup_within("/a/job_1/step_0", "/a/job_1"));
    assert_true(aim__cgroup_within("/a/job_1/step_0/user/task_0", "/a/job_1"));
    /* A sibling whose name starts the same is not below. */
    assert_false(aim__cgroup_within("/a/job_10", "/a/job_1"));
    assert_false(aim__cgroup_within("/a/job_10/step_0", "/a/job_1"));
    assert_false(aim__cgroup_within("/a/job_1", "/a/job_10"));
    assert_false(aim__cgroup_within("/a", "/a/job_1"));
    assert_false(aim__cgroup_within("/b/job_1", "/a/job_1"));
    /* A job cgroup written with a trailing slash is the same cgroup. */
    assert_true(aim__cgroup_within("/a/job_1", "/a/job_1/"));
    assert_true(aim__cgroup_within("/a/job_1/step_0", "/a/job_1/"));
    assert_false(aim__cgroup_within("/a/job_10", "/a/job_1/"));
    /* The root, and an empty cgroup (a slot without a job), hold no job's processes. */
    assert_false(aim__cgroup_within("/", "/"));
    assert_false(aim__cgroup_within("/a/job_1", "/"));
    assert_false(aim__cgroup_within("/a/job_1", ""));
    assert_false(aim__cgroup_within("", ""));
}

/* ---------------------------------------------------------------- two threads */

enum { WRITES = 200000 };

static const char short_cg[] = "/system.slice/job_7";
static const char long_cg[] =
    "/system.slice/slurmstepd.scope/job_123456/step_batch/user/task_0/and/some/more/depth";

static atomic_int writer_done;

/* The control thread: alternates the slot between the two cgroups. */
static void *writer(void *arg) {
    aim_job_slots *t = arg;
    for (int i = 0; i < WRITES; i++)
        aim__job_slots_set_cgroup(t, 5, i % 2 ? short_cg : long_cg);
    aim__job_slots_set_cgroup(t, 5, short_cg);
    atomic_store(&writer_done, 1);
    return NULL;
}

/* The sampler reads while the control thread writes: each read is either refused (-EAGAIN)
 * or exactly one of the two paths, never the head of the one with the tail of the other.
 * Iterations are bounded and nothing is timed; how many reads succeed is not asserted (the
 * scheduler decides), only that none of them was torn. */
static void reader_never_sees_a_torn_cgroup(void **unused) {
    aim__job_slots_init(&table);
    char cg[32];
    for (int k = 0; k < 6; k++) { /* distinct jobs: overlapping ones would be refused */
        snprintf(cg, sizeof cg, "/other/job_%d", k);
        assert_int_equal(aim__job_slots_claim(&table, k == 5 ? short_cg : cg, 1, NULL), k);
    }
    atomic_store(&writer_done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer, &table), 0);
    long torn = 0, refused = 0, other = 0, reads = 0;
    char bad[AIM_JOB_SLOT_CGROUP] = "";
    char out[AIM_JOB_SLOT_CGROUP];
    /* At most 4 M reads: ends soon after the writer whatever the scheduling. */
    for (long i = 0; i < 4000000 && !atomic_load(&writer_done); i++) {
        int r = aim__job_slots_read_cgroup(&table, 5, out, sizeof out);
        reads++;
        if (r == -EAGAIN) {
            refused++;
        } else if (r != 0) {
            other++;
        } else if (strcmp(out, short_cg) != 0 && strcmp(out, long_cg) != 0) {
            if (!torn++)
                memcpy(bad, out, sizeof bad);
        }
    }
    pthread_join(th, NULL);
    if (torn)
        fail_msg("%ld of %ld reads torn, e.g. \"%s\"", torn, reads, bad);
    assert_int_equal(other, 0);
    (void)refused;
    /* Once the writer is done, the read succeeds and gives its last path. */
    read_ok(&table, 5, short_cg);
    read_ok(&table, 4, "/other/job_4"); /* the neighbour was never written */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(claims_every_slot_then_none),
        cmocka_unit_test(each_claim_of_a_slot_has_a_new_owner),
        cmocka_unit_test(end_clears_the_cgroup_and_keeps_the_slot_until_release),
        cmocka_unit_test(set_cgroup_moves_a_job_and_reads_back_truncated),
        cmocka_unit_test(overlapping_cgroups_are_refused_and_mark_the_running_slot_shared),
        cmocka_unit_test(account_counts_only_intervals_ending_in_the_window),
        cmocka_unit_test(account_splits_each_interval_between_the_slots),
        cmocka_unit_test(known_needs_a_matched_interval_or_none_unexplained),
        cmocka_unit_test(sums_restart_for_a_new_owner),
        cmocka_unit_test(a_shared_slot_has_no_figures),
        cmocka_unit_test(job_shares_never_add_up_to_more_than_one),
        cmocka_unit_test(cgroup_within_is_same_or_below),
        cmocka_unit_test(reader_never_sees_a_torn_cgroup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
