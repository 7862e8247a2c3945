/* Whole sessions against fixture trees: rate groups formed from the sources' interval
 * bounds, energy planned per device with its method, and a short real run stored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/session_internal.h"
#include "store/db.h"
#include "tmptree.h"

static char db_path[256];

static aim_session *start(int64_t interval_ns, const char *sysfs, pid_t target) {
    snprintf(db_path, sizeof db_path, "/tmp/aim_test_session_%d.db", (int)getpid());
    setenv("AIMETER_SYSFS_ROOT", sysfs, 1);
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_int_equal(aim_config_set_interval(c, interval_ns), 0);
    assert_int_equal(aim_config_set_db_path(c, db_path), 0);
    assert_int_equal(aim_config_set_target_pid(c, target), 0);
    aim_session *s;
    assert_int_equal(aim_session_new(c, &s), 0);
    aim_config_free(c);
    if (aim_session_start(s) != 0)
        fail_msg("start: %s", aim_session_errmsg(s));
    return s;
}

static void finish_files(void) {
    char side[300];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
}

static void finish(aim_session *s) {
    assert_int_equal(aim_session_stop(s, AIM_RUN_COMPLETED, 0), 0);
    aim_session_free(s);
    finish_files();
}

static int group_of_source(const aim_session *s, const char *name) {
    for (int g = 0; g < s->n_groups; g++)
        for (int i = 0; i < s->groups[g].n_sources; i++)
            if (strcmp(aim_sources[s->groups[g].sources[i]]->name, name) == 0)
                return g;
    return -1;
}

static int device_index(const aim_session *s, const char *name) {
    for (int d = 0; d < s->run.n_devices; d++)
        if (strcmp(s->run.devices[d].name, name) == 0)
            return d;
    return -1;
}

/* -i 60s: rapl must still be polled every 30 s (its counter wraps), in its own faster
 * group; the run's own group stays the main one. */
static void long_interval_gives_rapl_a_faster_group(void **state) {
    aim_session *s = start(60000000000LL, AIM_FIXTURES_DIR "/rapl/intel-2s", getpid());
    int g_rapl = group_of_source(s, "rapl"), g_proc = group_of_source(s, "procfs");
    assert_true(g_rapl >= 0 && g_proc >= 0 && g_rapl != g_proc);
    assert_true(s->groups[g_rapl].interval_ns == 30000000000LL);
    assert_true(s->groups[g_proc].interval_ns == 60000000000LL);
    assert_int_equal(s->main_group, g_proc);
    /* proctree's 100 ms floor is below 60 s: it shares the main group */
    assert_int_equal(group_of_source(s, "proctree"), g_proc);
    /* rapl opened before estimate, so the CPU and DRAM are measured, not estimated */
    int cpu0 = device_index(s, "cpu0"), dram0 = device_index(s, "dram0"), psys = device_index(s, "psys0");
    assert_true(cpu0 >= 0 && dram0 >= 0 && psys >= 0);
    assert_int_equal(s->run.devices[cpu0].energy_method, AIM_METHOD_MEASURED);
    assert_int_equal(s->run.devices[dram0].energy_method, AIM_METHOD_MEASURED);
    assert_true(s->run.devices[cpu0].in_total && s->run.devices[dram0].in_total);
    assert_false(s->run.devices[psys].in_total); /* platform overlaps CPU and DRAM */
    assert_int_equal(group_of_source(s, "estimate"), -1);
    finish(s);
}

/* -i 10ms: proctree (100 ms floor) gets its own slower group; the fast group is the main one. */
static void short_interval_gives_proctree_a_slower_group(void **state) {
    aim_session *s = start(10000000, "/nonexistent", getpid());
    int g_tree = group_of_source(s, "proctree"), g_proc = group_of_source(s, "procfs");
    assert_true(g_tree >= 0 && g_proc >= 0 && g_tree != g_proc);
    assert_true(s->groups[g_tree].interval_ns == 100000000);
    assert_int_equal(s->main_group, g_proc);
    /* nothing measures the CPU here: it is estimated, and says so */
    int cpu0 = device_index(s, "cpu0");
    assert_true(cpu0 >= 0);
    assert_int_equal(s->run.devices[cpu0].energy_method, AIM_METHOD_ESTIMATED);
    assert_true(strstr(s->run.devices[cpu0].energy_detail, "utilisation") != NULL);
    /* every group's series slots are contiguous and cover the catalog exactly once */
    int next = 0;
    for (int g = 0; g < s->n_groups; g++) {
        assert_int_equal(s->groups[g].base, next);
        next += s->groups[g].count;
    }
    assert_int_equal(next, s->catalog.n_series);
    usleep(300000);
    aim_live l;
    assert_int_equal(aim_session_live(s, &l), 0);
    assert_true(l.samples >= 5); /* ~30 at 10 ms; generous for a loaded machine */
    finish(s);
}

/* /proc/stat and /proc/meminfo vanish mid-run: procfs is dropped with a warning naming it,
 * the run goes on (rapl keeps measuring), and what was sampled before stays. */
static void failing_source_is_dropped_and_the_run_continues(void **state) {
    char *proc = tmptree_copy("procfs/basic/proc");
    assert_non_null(proc);
    setenv("AIMETER_PROCFS_ROOT", proc, 1);
    aim_session *s = start(10000000, AIM_FIXTURES_DIR "/rapl/intel-2s", 0);
    usleep(100000);
    uint64_t before = s->groups[s->main_group].ticks;
    /* An empty read makes procfs reopen by path, which then fails: the file is gone. */
    assert_int_equal(tmptree_write(proc, "stat", ""), 0);
    assert_int_equal(tmptree_write(proc, "meminfo", ""), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/stat", proc);
    unlink(path);
    snprintf(path, sizeof path, "%s/meminfo", proc);
    unlink(path);
    usleep(300000);
    assert_true(s->groups[s->main_group].ticks > before + 5); /* still sampling */
    assert_int_equal(aim_session_stop(s, AIM_RUN_COMPLETED, 0), 0);
    assert_non_null(strstr(s->run.warnings, "procfs: stopped responding"));
    int util = -1;
    for (int i = 0; i < s->run.n_series; i++)
        if (s->run.series[i].metric == AIM_M_MEM_USED) /* static fixture: util has no new jiffies */
            util = i;
    assert_true(util >= 0 && s->run.series[util].count >= 1); /* samples before the failure */
    aim_session_free(s);
    unsetenv("AIMETER_PROCFS_ROOT");
    tmptree_remove(proc);
    unlink(db_path);
}

/* The run's rows are the writer's first commit, not start()'s: they appear in the store
 * while the run goes on (seen from another connection), under the id start() handed out,
 * and the run ends complete. A store another process keeps write-locked still fails start()
 * (tests/e2e/test_errors.py: the lock is taken and given back at open). */
static void run_rows_are_the_writers_first_commit(void **state) {
    char *proc = tmptree_copy("procfs/basic/proc");
    assert_non_null(proc);
    setenv("AIMETER_PROCFS_ROOT", proc, 1);
    aim_session *s = start(10000000, AIM_FIXTURES_DIR "/rapl/intel-2s", 0);
    char id[sizeof s->run.id];
    snprintf(id, sizeof id, "%s", aim_session_run_id(s));
    aim_db *db;
    char err[256];
    assert_int_equal(aim__db_open(db_path, 1, &db, err, sizeof err), 0);
    int found = -ENOENT;
    for (int i = 0; i < 200 && found == -ENOENT; i++) {
        found = aim__db_run_exists(db, id);
        if (found == -ENOENT)
            usleep(10000);
    }
    assert_int_equal(found, 0);
    assert_int_equal(aim__db_run_exists(db, "20000101-000000-000000"), -ENOENT);
    aim_run_summary back = { 0 };
    assert_int_equal(aim__db_load_summary(db, id, &back), 0);
    assert_int_equal(back.status, AIM_RUN_RUNNING);
    assert_int_equal(back.n_devices, s->run.n_devices);
    aim__run_summary_clear(&back);

    usleep(100000);
    assert_int_equal(aim_session_stop(s, AIM_RUN_COMPLETED, 0), 0);
    assert_string_equal(aim_session_run_id(s), id);
    uint64_t sampled = s->run.samples;
    aim_session_free(s);
    memset(&back, 0, sizeof back);
    assert_int_equal(aim__db_load_summary(db, id, &back), 0);
    assert_int_equal(back.status, AIM_RUN_COMPLETED);
    assert_true(back.samples == sampled && sampled > 5);
    aim__run_summary_clear(&back);
    aim__db_close(db);
    unsetenv("AIMETER_PROCFS_ROOT");
    tmptree_remove(proc);
    finish_files();
}

/* The share of [p, p + len) resident in memory (mincore). */
static double resident_share(const void *p, size_t len) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(page - 1);
    uintptr_t hi = ((uintptr_t)p + len + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
    size_t pages = (hi - lo) / (size_t)page;
    unsigned char *vec = malloc(pages);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)lo, hi - lo, vec), 0);
    size_t in = 0;
    for (size_t i = 0; i < pages; i++)
        in += vec[i] & 1;
    free(vec);
    return (double)in / (double)pages;
}

/* The workload's tables (event queue, phases, records: ~25 MB sized for the worst case)
 * stay untouched pages in every session of a process, not only the first: once glibc had
 * seen such blocks freed, calloc took the next ones from the heap and cleared every byte,
 * making the third and later start() of a process 12 ms and 25 MB resident (util/pages.h). */
static void later_sessions_do_not_clear_the_workload_tables(void **state) {
    char *proc = tmptree_copy("procfs/basic/proc");
    assert_non_null(proc);
    setenv("AIMETER_PROCFS_ROOT", proc, 1);
    for (int i = 0; i < 4; i++) {
        aim_session *s = start(1000000, AIM_FIXTURES_DIR "/rapl/intel-2s", 0);
        double share = resident_share(s->workload.drain,
                                      AIM_WORKLOAD_QUEUE * sizeof *s->workload.drain);
        assert_int_equal(aim_session_stop(s, AIM_RUN_COMPLETED, 0), 0);
        aim_session_free(s);
        if (share > 0.1)
            fail_msg("session %d: %.0f %% of the workload queue's pages resident at start", i + 1,
                     share * 100);
    }
    unsetenv("AIMETER_PROCFS_ROOT");
    tmptree_remove(proc);
    finish_files();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_interval_gives_rapl_a_faster_group),
        cmocka_unit_test(short_interval_gives_proctree_a_slower_group),
        cmocka_unit_test(failing_source_is_dropped_and_the_run_continues),
        cmocka_unit_test(run_rows_are_the_writers_first_commit),
        cmocka_unit_test(later_sessions_do_not_clear_the_workload_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
