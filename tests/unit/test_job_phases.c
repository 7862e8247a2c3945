/* An agent's job run gets the job's phases from the agent's run (store/job_phases.h), on
 * both back-ends (suite 'store'). Review finding 7 (issue 16): the same job id twice in one
 * agent run (a reused AIMETER_JOB, ids restarting after a slurmctld reset) gives two job
 * runs, each with its own window's instances, durations and energy: none counts the
 * other's, and together they are the agent's figures once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/job_phases.h"
#include "store/sql/sql_store.h"
#include "store/store.h"
#include "store_rig.h"

#define S 1000000000LL

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_job_phases");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}

static void make_run(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    run.start_wall_ns = 1700000000000000000LL;
    run.status = AIM_RUN_COMPLETED;
    run.interval_ns = S;
    run.carbon_g = run.intensity_g_per_kwh = NAN;
    assert_int_equal(aim__db_run_insert(db, &run, 1), 0);
}

static void exec(aim_db *db, const char *sql) {
    if (aim__sql_exec(aim__db_sql(db), sql) < 0)
        fail_msg("%s: %s", sql, aim__sql_errmsg(aim__db_sql(db)));
}

/* The first column of sql's first row, ?1 = run. */
static double num(aim_db *db, const char *sql, const char *run) {
    aim_sql_stmt *st;
    assert_int_equal(aim__sql_prepare(aim__db_sql(db), sql, &st), 0);
    aim__sql_bind_text(st, 1, run);
    assert_int_equal(aim__sql_step(st), 1);
    double v = aim__sql_column_double(st, 0);
    aim__sql_finalize(st);
    return v;
}

static void a_recurring_job_id_counts_each_window_once(void **unused) {
    (void)unused;
    char loc[512];
    store_rig_location(loc, sizeof loc, tmpdir, "job_phases.db");
    aim_db *db = store_rig_open(loc, 0);
    make_run(db, "agent");
    make_run(db, "job-a");
    make_run(db, "job-b");
    /* Job 7's "step" twice in the agent's run: 2 s in [0.5 s, 4 s], 4 s in [9 s, 15 s]; the
     * agent's totals for the name hold both (6 s, 600 J, 6 g), and another job's phase. */
    exec(db, "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) VALUES "
             "('agent', 0, '7: step', 0, 1000000000, 3000000000), "
             "('agent', 1, '8: step', 0, 2000000000, 5000000000), "
             "('agent', 2, '7: step', 0, 10000000000, 14000000000)");
    exec(db, "INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, "
             "total_ns, carbon_g, unterminated) VALUES "
             "('agent', '7: step', 2, 1000000000, 14000000000, 6000000000, 6.0, 0), "
             "('agent', '8: step', 1, 2000000000, 5000000000, 3000000000, 3.0, 0)");
    exec(db, "INSERT INTO phase_devices (run_id, phase, device_idx, energy_j, peak_w) VALUES "
             "('agent', '7: step', 0, 600.0, 150.0), ('agent', '7: step', 1, 60.0, 20.0), "
             "('agent', '8: step', 0, 300.0, 100.0)");
    assert_int_equal(aim__db_job_phases_copy(db, "agent", "7: ", S / 2, 4 * S, "job-a"), 0);
    assert_int_equal(aim__db_job_phases_copy(db, "agent", "7: ", 9 * S, 15 * S, "job-b"), 0);
    static const char *const one = "SELECT COUNT(*) FROM phase_totals WHERE run_id = ?1";
    assert_true(num(db, one, "job-a") == 1 && num(db, one, "job-b") == 1); /* 8's stays */
    static const char *const inst = "SELECT instances FROM phase_totals WHERE run_id = ?1 "
                                    "AND name = 'step'";
    static const char *const total = "SELECT total_ns FROM phase_totals WHERE run_id = ?1";
    static const char *const first = "SELECT first_ns FROM phase_totals WHERE run_id = ?1";
    static const char *const last = "SELECT last_end_ns FROM phase_totals WHERE run_id = ?1";
    static const char *const carbon = "SELECT carbon_g FROM phase_totals WHERE run_id = ?1";
    static const char *const gpu = "SELECT energy_j FROM phase_devices WHERE run_id = ?1 "
                                   "AND phase = 'step' AND device_idx = 0";
    static const char *const cpu = "SELECT energy_j FROM phase_devices WHERE run_id = ?1 "
                                   "AND device_idx = 1";
    static const char *const peak = "SELECT peak_w FROM phase_devices WHERE run_id = ?1 "
                                    "AND device_idx = 0";
    /* Each window its own instance, times from its start, its share of the energy. */
    assert_true(num(db, inst, "job-a") == 1 && num(db, inst, "job-b") == 1);
    assert_true(num(db, total, "job-a") == 2 * S && num(db, total, "job-b") == 4 * S);
    assert_true(num(db, first, "job-a") == S / 2 && num(db, first, "job-b") == S);
    assert_true(num(db, last, "job-a") == 5 * S / 2 && num(db, last, "job-b") == 5 * S);
    assert_true(fabs(num(db, carbon, "job-a") - 2.0) < 1e-9);
    assert_true(fabs(num(db, carbon, "job-b") - 4.0) < 1e-9);
    assert_true(fabs(num(db, gpu, "job-a") - 200.0) < 1e-9);
    assert_true(fabs(num(db, gpu, "job-b") - 400.0) < 1e-9);
    assert_true(fabs(num(db, cpu, "job-a") + num(db, cpu, "job-b") - 60.0) < 1e-9);
    assert_true(num(db, peak, "job-b") == 150.0);
    static const char *const rows = "SELECT COUNT(*) FROM phases WHERE run_id = ?1";
    assert_true(num(db, rows, "job-a") == 1 && num(db, rows, "job-b") == 1);
    aim__db_close(db);
}

/* The usual case, a job id once in the agent's run: its figures are the agent's, exactly. */
static void a_job_id_seen_once_keeps_the_agents_figures(void **unused) {
    (void)unused;
    char loc[512];
    store_rig_location(loc, sizeof loc, tmpdir, "job_phases_once.db");
    aim_db *db = store_rig_open(loc, 0);
    make_run(db, "agent");
    make_run(db, "job");
    exec(db, "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) VALUES "
             "('agent', 0, '9: load', 0, 1000000000, 2000000000), "
             "('agent', 1, '9: load', 0, 3000000000, 4500000000), "
             "('agent', 2, '9: train', 0, 5000000000, NULL)");
    exec(db, "INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, "
             "total_ns, carbon_g, unterminated) VALUES "
             "('agent', '9: load', 2, 1000000000, 4500000000, 2500000000, 0.7, 0), "
             "('agent', '9: train', 1, 5000000000, 5000000000, 0, 0.1, 1)");
    exec(db, "INSERT INTO phase_devices (run_id, phase, device_idx, energy_j, peak_w) VALUES "
             "('agent', '9: load', 0, 123.25, 90.0), ('agent', '9: train', 0, 7.5, 80.0)");
    assert_int_equal(aim__db_job_phases_copy(db, "agent", "9: ", 0, 9 * S, "job"), 0);
    assert_true(num(db, "SELECT instances FROM phase_totals WHERE run_id = ?1 AND "
                        "name = 'load'", "job") == 2);
    assert_true(num(db, "SELECT total_ns FROM phase_totals WHERE run_id = ?1 AND "
                        "name = 'load'", "job") == 2500000000.0);
    assert_true(num(db, "SELECT last_end_ns FROM phase_totals WHERE run_id = ?1 AND "
                        "name = 'load'", "job") == 4500000000.0);
    assert_true(num(db, "SELECT unterminated FROM phase_totals WHERE run_id = ?1 AND "
                        "name = 'train'", "job") == 1);
    assert_true(num(db, "SELECT energy_j FROM phase_devices WHERE run_id = ?1 AND "
                        "phase = 'load'", "job") == 123.25);
    assert_true(num(db, "SELECT energy_j FROM phase_devices WHERE run_id = ?1 AND "
                        "phase = 'train'", "job") == 7.5);
    assert_true(num(db, "SELECT carbon_g FROM phase_totals WHERE run_id = ?1 AND "
                        "name = 'load'", "job") == 0.7);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_recurring_job_id_counts_each_window_once),
        cmocka_unit_test(a_job_id_seen_once_keeps_the_agents_figures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
