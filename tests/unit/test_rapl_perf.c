/* The perf back-end of RAPL (sources/cpu/rapl_perf.c): discovery of the power PMU from
 * sysfs and its parsers. perf_event_open itself needs a real PMU; the fallback when it
 * fails is the source's (test_rapl.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>

#include "sources/cpu/rapl.h"

static void perf_fixture_is_parsed(void **unused) {
    aim_rapl_perf_info info;
    assert_int_equal(aim__rapl_perf_discover(AIM_FIXTURES_DIR "/rapl/perf", &info), 0);
    assert_true(info.type == 2147418112u);
    assert_int_equal(info.n_events, 5);
    static const struct { const char *name; uint64_t config; aim_rapl_domain dom; } want[] = {
        { "energy-pkg", 2, AIM_RAPL_PKG },     { "energy-cores", 1, AIM_RAPL_CORE },
        { "energy-gpu", 4, AIM_RAPL_UNCORE },  { "energy-ram", 3, AIM_RAPL_DRAM },
        { "energy-psys", 5, AIM_RAPL_PSYS },
    };
    for (int i = 0; i < 5; i++) {
        assert_string_equal(info.events[i].name, want[i].name);
        assert_true(info.events[i].config == want[i].config);
        assert_int_equal(info.events[i].domain, want[i].dom);
        assert_true(info.events[i].scale == ldexp(1.0, -32)); /* exactly 2^-32 J */
    }
    assert_int_equal(info.n_cpus, 1);
    assert_int_equal(info.cpus[0], 0);
    assert_int_equal(aim__rapl_perf_discover(AIM_FIXTURES_DIR "/rapl/intel-2s", &info), -ENOENT);
}

static void perf_parsers_accept_and_reject(void **unused) {
    uint64_t cfg = 99;
    assert_int_equal(aim__rapl_parse_event("event=0x02\n", &cfg), 0);
    assert_true(cfg == 2);
    assert_int_equal(aim__rapl_parse_event("event=0xff", &cfg), 0);
    assert_true(cfg == 255);
    assert_int_equal(aim__rapl_parse_event("event=0x", &cfg), -EINVAL);
    assert_int_equal(aim__rapl_parse_event("umask=0x01", &cfg), -EINVAL);
    assert_int_equal(aim__rapl_parse_event("event=0x02,umask=0x1", &cfg), -EINVAL);
    assert_int_equal(aim__rapl_parse_event("event=0x11111111111111111", &cfg), -EINVAL);

    double sc = 0;
    assert_int_equal(aim__rapl_parse_scale("2.5\n", &sc), 0);
    assert_true(sc == 2.5);
    assert_int_equal(aim__rapl_parse_scale("1e-6", &sc), 0);
    assert_true(sc == 1e-6);
    assert_int_equal(aim__rapl_parse_scale("inf", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("nan", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("0x1p-32", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("-1", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("0", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("1e", &sc), -EINVAL);
    assert_int_equal(aim__rapl_parse_scale("1e999", &sc), -EINVAL);

    int cpus[4], n = 0;
    assert_int_equal(aim__rapl_parse_cpulist("0,28\n", cpus, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cpus[0], 0);
    assert_int_equal(cpus[1], 28);
    assert_int_equal(aim__rapl_parse_cpulist("0-2,5", cpus, 4, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(cpus[2], 2);
    assert_int_equal(cpus[3], 5);
    assert_int_equal(aim__rapl_parse_cpulist("0-4", cpus, 4, &n), -E2BIG);
    assert_int_equal(aim__rapl_parse_cpulist("", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim__rapl_parse_cpulist("3-1", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim__rapl_parse_cpulist("0,,1", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim__rapl_parse_cpulist("a", cpus, 4, &n), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perf_fixture_is_parsed),
        cmocka_unit_test(perf_parsers_accept_and_reject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
