#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sources/catalog.h"
#include "util/fileio.h"
#include "sources/source.h"
#include "sources/procfs_parse.h"
#include "source_rig.h"

extern const aim_source_ops aim_source_procfs;

#define FIX AIM_FIXTURES_DIR "/procfs/basic"

/* ---------------------------------------------------------------- harness */

/* A writable /proc-like directory and the source opened over it. */
typedef struct harness {
    char root[64];
    rig g;
} harness;

static void put_file(const char *root, const char *name, const char *text, size_t len) {
    char path[256];
    assert_int_equal(aim__path_join(path, sizeof path, root, name), 0);
    /* In place (same inode): the source keeps the file open between polls. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void put_text(const char *root, const char *name, const char *text) {
    put_file(root, name, text, strlen(text));
}

static void put_fixture(const char *root, const char *name, const char *fixture) {
    char buf[8192];
    int n = aim__read_text(fixture, buf, sizeof buf);
    assert_true(n > 0);
    buf[n++] = '\n'; /* aim__read_text strips it; procfs files end with one */
    put_file(root, name, buf, (size_t)n);
}

static harness *make_root(void) {
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    strcpy(h->root, "/tmp/aim_procfs_XXXXXX");
    assert_non_null(mkdtemp(h->root));
    put_fixture(h->root, "stat", FIX "/proc/stat");
    put_fixture(h->root, "meminfo", FIX "/proc/meminfo");
    put_fixture(h->root, "cpuinfo", FIX "/proc/cpuinfo");
    return h;
}

static int open_source(harness *h) {
    return rig_open(&h->g, &aim_source_procfs, NULL, h->root, 0);
}

static harness *open_basic(void) {
    harness *h = make_root();
    assert_int_equal(open_source(h), 0);
    return h;
}

static int poll_once(harness *h) { return rig_poll(&h->g); }

/* Returns 1 and the value when the series exists and is valid this tick. */
static int get(harness *h, aim_metric_id metric, int instance, double *ret) {
    return rig_get(&h->g, "host", metric, instance, ret);
}

static double must_get(harness *h, aim_metric_id metric, int instance) {
    return rig_value(&h->g, "host", metric, instance);
}

static void close_harness(harness *h) {
    rig_close(&h->g);
    static const char *const names[] = { "stat", "meminfo", "cpuinfo" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        aim__path_join(path, sizeof path, h->root, names[i]);
        unlink(path);
    }
    rmdir(h->root);
    free(h);
}

/* A /proc/stat with the given user/idle jiffies per line (other fields 0); a NULL cpu is
 * offline (no line). */
static void put_stat(harness *h, const uint64_t *all, const uint64_t *cpu0,
                     const uint64_t *cpu1) {
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n",
                     (unsigned long long)all[0], (unsigned long long)all[1]);
    if (cpu0)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "cpu0 %llu 0 0 %llu 0 0 0 0 0 0\n",
                      (unsigned long long)cpu0[0], (unsigned long long)cpu0[1]);
    if (cpu1)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "cpu1 %llu 0 0 %llu 0 0 0 0 0 0\n",
                      (unsigned long long)cpu1[0], (unsigned long long)cpu1[1]);
    snprintf(buf + n, sizeof buf - (size_t)n, "intr 1 0 0\nctxt 5\n");
    put_text(h->root, "stat", buf);
}

/* ---------------------------------------------------------------- tests */

static void declares_host_device_and_series(void **state) {
    harness *h = open_basic();
    assert_int_equal(h->g.cat->n_devices, 1);
    assert_string_equal(h->g.cat->devices[0].name, "host");
    assert_int_equal(h->g.cat->devices[0].kind, AIM_DEV_HOST);
    assert_string_equal(h->g.cat->devices[0].model, "Intel(R) Xeon(R) Platinum 8480+");
    /* cpu.util, two cores, three memory series. */
    assert_int_equal(h->g.cat->n_series, 6);
    assert_true(rig_slot(&h->g, "host", AIM_M_CPU_CORE_UTIL, 0) >= 0);
    assert_true(rig_slot(&h->g, "host", AIM_M_CPU_CORE_UTIL, 1) >= 0);
    assert_int_equal(rig_slot(&h->g, "host", AIM_M_CPU_CORE_UTIL, 2), -ENOENT);
    assert_int_equal(h->g.cat->n_warnings, 0);
    close_harness(h);
}

static void utilisation_and_memory_from_fixture(void **state) {
    harness *h = open_basic();
    put_fixture(h->root, "stat", FIX "/next/stat");
    assert_int_equal(poll_once(h), 0);
    /* See tests/fixtures/procfs/basic/README.md for the arithmetic. */
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 35.0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 0), 75.0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 1), 15.0);
    assert_near(must_get(h, AIM_M_MEM_TOTAL, -1), 16.0);
    assert_near(must_get(h, AIM_M_MEM_USED, -1), 4.0);
    assert_near(must_get(h, AIM_M_MEM_UTIL, -1), 25.0);
    close_harness(h);
}

static void no_elapsed_jiffy_is_invalid_not_zero(void **state) {
    harness *h = open_basic();
    double v;
    assert_int_equal(poll_once(h), 0); /* same file as at open: no interval */
    assert_false(get(h, AIM_M_CPU_UTIL, -1, &v));
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 0, &v));
    assert_near(must_get(h, AIM_M_MEM_USED, -1), 4.0);
    close_harness(h);
}

static void memory_without_memavailable(void **state) {
    harness *h = make_root();
    put_fixture(h->root, "meminfo", FIX "/no-memavailable/meminfo");
    assert_int_equal(open_source(h), 0);
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_MEM_TOTAL, -1), 16.0);
    assert_near(must_get(h, AIM_M_MEM_USED, -1), 5.0);
    assert_near(must_get(h, AIM_M_MEM_UTIL, -1), 31.25);
    close_harness(h);
}

static void offline_cpu_is_invalid_then_rebaselined(void **state) {
    harness *h = make_root();
    double v;
    put_stat(h, (uint64_t[]){ 100, 100 }, (uint64_t[]){ 50, 50 }, (uint64_t[]){ 50, 50 });
    assert_int_equal(open_source(h), 0);
    /* cpu1 goes offline: its line disappears. */
    put_stat(h, (uint64_t[]){ 180, 120 }, (uint64_t[]){ 110, 60 }, NULL);
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 80.0);      /* 80 of 100 */
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 0), 6000.0 / 70.0); /* 60 of 70 */
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 1, &v));
    /* Back online: its first reading is a new baseline, not an interval. */
    put_stat(h, (uint64_t[]){ 200, 200 }, (uint64_t[]){ 120, 100 }, (uint64_t[]){ 80, 100 });
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 0), 20.0); /* 10 of 50 */
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 1, &v));
    put_stat(h, (uint64_t[]){ 300, 300 }, (uint64_t[]){ 170, 150 }, (uint64_t[]){ 130, 150 });
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 1), 50.0); /* 50 of 100 */
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 50.0);
    close_harness(h);
}

static void counters_going_backwards_are_invalid_once(void **state) {
    harness *h = open_basic();
    double v;
    put_fixture(h->root, "stat", FIX "/next/stat");
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 35.0);
    put_fixture(h->root, "stat", FIX "/proc/stat"); /* every counter goes back */
    assert_int_equal(poll_once(h), 0);
    assert_false(get(h, AIM_M_CPU_UTIL, -1, &v));
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 0, &v));
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 1, &v));
    put_fixture(h->root, "stat", FIX "/next/stat"); /* the backwards reading was the baseline */
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 35.0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 1), 15.0);
    /* Only idle going back (iowait accounting glitch) while total advances: invalid too. */
    put_stat(h, (uint64_t[]){ 20000, 1 }, (uint64_t[]){ 10000, 1 }, (uint64_t[]){ 10000, 1 });
    assert_int_equal(poll_once(h), 0);
    assert_false(get(h, AIM_M_CPU_UTIL, -1, &v));
    close_harness(h);
}

static void truncated_and_garbage_files_are_invalid(void **state) {
    harness *h = open_basic();
    double v;
    /* Cut in the middle of cpu1's line: the total and cpu0 are still whole. */
    char buf[8192];
    int n = aim__read_text(FIX "/next/stat", buf, sizeof buf);
    assert_true(n > 0);
    const char *cut = strstr(buf, "cpu1 620 30");
    assert_non_null(cut);
    put_file(h->root, "stat", buf, (size_t)(cut - buf) + 11);
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 35.0);
    assert_near(must_get(h, AIM_M_CPU_CORE_UTIL, 0), 75.0);
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 1, &v));
    /* Cut inside the first line: nothing is valid, and nothing crashes. */
    put_file(h->root, "stat", "cpu  1000 50 5", 14);
    put_text(h->root, "meminfo", "MemTotal:       1677");
    assert_int_equal(poll_once(h), 0);
    assert_false(get(h, AIM_M_CPU_UTIL, -1, &v));
    assert_false(get(h, AIM_M_CPU_CORE_UTIL, 0, &v));
    assert_false(get(h, AIM_M_MEM_TOTAL, -1, &v));
    assert_false(get(h, AIM_M_MEM_USED, -1, &v));
    /* Garbage. */
    put_text(h->root, "stat", "hello\nworld\n");
    put_text(h->root, "meminfo", "MemTotal: lots\nMemAvailable: 3 kB\n");
    assert_int_equal(poll_once(h), 0);
    assert_false(get(h, AIM_M_CPU_UTIL, -1, &v));
    assert_false(get(h, AIM_M_MEM_TOTAL, -1, &v));
    /* More available than total: contradictory, used is invalid but total is fine. */
    put_text(h->root, "meminfo", "MemTotal: 1024 kB\nMemAvailable: 2048 kB\n");
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_MEM_TOTAL, -1), 1.0 / 1024.0);
    assert_false(get(h, AIM_M_MEM_USED, -1, &v));
    assert_false(get(h, AIM_M_MEM_UTIL, -1, &v));
    close_harness(h);
}

static void vanished_file_drops_the_source(void **state) {
    harness *h = open_basic();
    assert_int_equal(poll_once(h), 0);
    /* An open descriptor keeps reading an unlinked regular file, so empty it first: the
     * source then re-opens by path, finds nothing there, and gives up. */
    put_text(h->root, "stat", "");
    char path[256];
    aim__path_join(path, sizeof path, h->root, "stat");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(poll_once(h), -ENODEV);
    close_harness(h);
}

static void persistent_read_failure_drops_the_source(void **state) {
    harness *h = open_basic();
    double v;
    put_text(h->root, "meminfo", ""); /* there, but every read comes back empty */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(poll_once(h), 0);
        assert_false(get(h, AIM_M_MEM_TOTAL, -1, &v));
    }
    assert_int_equal(poll_once(h), -ENODEV);
    close_harness(h);
}

static void transient_read_failure_recovers(void **state) {
    harness *h = open_basic();
    double v;
    put_text(h->root, "meminfo", "");
    assert_int_equal(poll_once(h), 0);
    assert_false(get(h, AIM_M_MEM_TOTAL, -1, &v));
    put_fixture(h->root, "meminfo", FIX "/proc/meminfo");
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_MEM_TOTAL, -1), 16.0);
    close_harness(h);
}

static void missing_files_at_open(void **state) {
    harness *h = make_root();
    char path[256];
    aim__path_join(path, sizeof path, h->root, "meminfo");
    unlink(path);
    aim__path_join(path, sizeof path, h->root, "cpuinfo");
    unlink(path);
    assert_int_equal(open_source(h), 0);
    assert_string_equal(h->g.cat->devices[0].model, ""); /* no cpuinfo: no model */
    assert_int_equal(h->g.cat->n_series, 3);             /* cpu.util and two cores only */
    assert_int_equal(rig_slot(&h->g, "host", AIM_M_MEM_USED, -1), -ENOENT);
    put_fixture(h->root, "stat", FIX "/next/stat");
    assert_int_equal(poll_once(h), 0);
    assert_near(must_get(h, AIM_M_CPU_UTIL, -1), 35.0);
    rig_close(&h->g);

    aim__path_join(path, sizeof path, h->root, "stat");
    unlink(path);
    assert_int_equal(open_source(h), -ENODEV);
    close_harness(h);
}

static void probe_reports_both_files(void **state) {
    harness *h = make_root();
    aim_source_env env = { .sysfs_root = "/nonexistent", .procfs_root = h->root };
    aim_probe_report rep;
    memset(&rep, 0, sizeof rep);
    assert_int_equal(aim_source_procfs.probe(&env, &rep), 0);
    assert_int_equal(rep.count, 2);
    assert_string_equal(rep.lines[0].status, "available");
    assert_non_null(strstr(rep.lines[0].detail, "2 online CPUs"));
    assert_string_equal(rep.lines[1].status, "available");
    assert_non_null(strstr(rep.lines[1].detail, "16.0 GiB"));

    env.procfs_root = "/nonexistent";
    memset(&rep, 0, sizeof rep);
    assert_int_equal(aim_source_procfs.probe(&env, &rep), 0);
    assert_int_equal(rep.count, 2);
    assert_string_equal(rep.lines[0].status, "absent");
    assert_string_equal(rep.lines[1].status, "absent");
    close_harness(h);
}

static void real_proc_is_plausible(void **state) {
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    assert_int_equal(rig_open(&h->g, &aim_source_procfs, "/sys", "/proc", 0), 0);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    assert_true(h->g.cat->n_series >= 4 + (ncpu < 512 ? ncpu : 512));
    /* 50 ms: at least a few jiffies on every CPU. */
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    assert_int_equal(poll_once(h), 0);
    double util = must_get(h, AIM_M_CPU_UTIL, -1);
    assert_true(util >= 0.0 && util <= 100.0);
    double total = must_get(h, AIM_M_MEM_TOTAL, -1), used = must_get(h, AIM_M_MEM_USED, -1);
    assert_true(total > 0.01 && total < 65536.0);
    assert_true(used > 0.0 && used <= total);
    double mu = must_get(h, AIM_M_MEM_UTIL, -1);
    assert_true(mu > 0.0 && mu <= 100.0);
    rig_close(&h->g);
    free(h);
}

/* ---------------------------------------------------------------- parsers */

static void stat_parser_edge_cases(void **state) {
    aim_cpu_jiffies all, cpus[4];
    uint8_t present[4] = { 0 };
    int max_cpu;
    /* 2.4-era lines with four fields; a CPU number beyond the table is counted, not stored. */
    const char old[] = "cpu 10 0 10 80\ncpu0 5 0 5 40\ncpu9 5 0 5 40\nintr 0\n";
    assert_int_equal(aim__parse_proc_stat(old, sizeof old - 1, &all, cpus, present, 4,
                                         &max_cpu), 2);
    assert_int_equal(max_cpu, 9);
    assert_true(all.total == 100 && all.idle == 80);
    assert_true(present[0] && !present[1] && !present[3]);
    /* Three fields is not a cpu line; a huge CPU number and junk are skipped. */
    const char bad[] = "cpu 1 2 3\n";
    assert_int_equal(aim__parse_proc_stat(bad, sizeof bad - 1, &all, NULL, NULL, 0, NULL),
                     -EINVAL);
    const char junk[] = "cpu 1 2 3 4\ncpu123456789 1 1 1 1\ncpux 1 1 1 1\ncpu1 1 1 1 1x\n";
    assert_int_equal(aim__parse_proc_stat(junk, sizeof junk - 1, &all, NULL, NULL, 0,
                                         &max_cpu), 0);
    assert_int_equal(max_cpu, -1);
    /* Overflowing sums are rejected, not wrapped. */
    const char big[] = "cpu 18446744073709551615 1 0 0\n";
    assert_int_equal(aim__parse_proc_stat(big, sizeof big - 1, &all, NULL, NULL, 0, NULL),
                     -EINVAL);
    assert_int_equal(aim__parse_proc_stat("", 0, &all, NULL, NULL, 0, NULL), -EINVAL);
}

static void meminfo_and_cpuinfo_parsers(void **state) {
    aim_meminfo mi;
    const char m[] = "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n";
    assert_int_equal(aim__parse_meminfo(m, sizeof m - 1, &mi), 0);
    uint64_t used;
    assert_int_equal(aim__meminfo_used_kib(&mi, &used), 0);
    assert_int_equal(used, 65);
    /* Missing Cached without MemAvailable: not computable. */
    assert_int_equal(aim__parse_meminfo(m, 46, &mi), 0);
    assert_int_equal(aim__meminfo_used_kib(&mi, &used), -EINVAL);
    assert_int_equal(aim__parse_meminfo("MemFree: 1 kB\n", 14, &mi), -EINVAL);

    char model[16];
    const char ci[] = "processor : 0\nmodel name\t:   AMD EPYC 9654 96-Core Processor  \n";
    assert_int_equal(aim__parse_cpuinfo_model(ci, sizeof ci - 1, model, sizeof model), 0);
    assert_string_equal(model, "AMD EPYC 9654 9"); /* truncated to fit */
    const char arm[] = "processor : 0\nBogoMIPS : 50.00\nCPU part : 0xd0c\n";
    assert_int_equal(aim__parse_cpuinfo_model(arm, sizeof arm - 1, model, sizeof model),
                     -ENOENT);
    assert_string_equal(model, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(declares_host_device_and_series),
        cmocka_unit_test(utilisation_and_memory_from_fixture),
        cmocka_unit_test(no_elapsed_jiffy_is_invalid_not_zero),
        cmocka_unit_test(memory_without_memavailable),
        cmocka_unit_test(offline_cpu_is_invalid_then_rebaselined),
        cmocka_unit_test(counters_going_backwards_are_invalid_once),
        cmocka_unit_test(truncated_and_garbage_files_are_invalid),
        cmocka_unit_test(vanished_file_drops_the_source),
        cmocka_unit_test(persistent_read_failure_drops_the_source),
        cmocka_unit_test(transient_read_failure_recovers),
        cmocka_unit_test(missing_files_at_open),
        cmocka_unit_test(probe_reports_both_files),
        cmocka_unit_test(real_proc_is_plausible),
        cmocka_unit_test(stat_parser_edge_cases),
        cmocka_unit_test(meminfo_and_cpuinfo_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
