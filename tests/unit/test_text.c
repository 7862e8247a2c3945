/* The report's text renderer (report/text.c), from run summaries built by hand. Expected
 * figures are worked out in the comments. Set AIM_TEST_DUMP=1 to print every rendered
 * report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/report_model.h"
#include "processing/report_words.h"
#include "report_fixture.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ text */

static void text_host_only_estimated(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    char *t = render(&r, "text");

    EXPECT_LINE(t, "aimeter report",
                "aimeter report  run 20261121-140312-3f9a  \"llama-infer\"  "
                "completed (exit 0)");
    EXPECT_LINE(t, "command", "command   python3 train.py --epochs 3");
    EXPECT_LINE(t, "host",
                "host      node17   started 2026-11-21 14:03:12 UTC   aimeter 0.1.0");
    EXPECT_ROW(t, "Total time", " Total time 43.00 s");
    EXPECT_ROW(t, "CPU energy (cpu0)",
               " CPU energy (cpu0) 6348.88 J estimated: TDP 150 W x utilisation curve");
    EXPECT_ROW(t, "DRAM energy (dram0)",
               " DRAM energy (dram0) 388.74 J estimated: 0.3725 W/GB x memory in use");
    /* Issue 11: the report says how the energy covers the run's start. */
    EXPECT_ROW(t, "Total energy", " Total energy 6737.62 J = 0.001872 kWh" EDGE);
    EXPECT_ROW(t, "Carbon",
               " Carbon 0.889 g CO2e (0.00089 kg) at 475 g/kWh, WORLD: built-in table: "
               "Ember 2024 (CC BY 4.0)");
    /* Values right-aligned in one column: every value ends at the same offset. */
    const char *lines[] = { "Total time", "CPU energy", "Total energy", "Carbon" };
    long end = -1;
    for (size_t i = 0; i < 4; i++) {
        const char *l = line_of(t, lines[i]);
        const char *num_end = NULL;
        for (const char *p = l + 2; *p; p++)
            if (*p >= '0' && *p <= '9' && p[1] == ' ') {
                num_end = p;
                break;
            }
        assert_non_null(num_end);
        if (end < 0)
            end = num_end - l;
        assert_int_equal(num_end - l, end);
    }

    /* Component table like Table 4: group name on its first row only. */
    EXPECT_ROW(t, "Component", "Component Metric Avg Max Min Mode");
    EXPECT_ROW(t, "CPU  ", "CPU Usage [%] 3.67 6.20 2.20 4.00");
    EXPECT_ROW(t, "Power (cpu0)",
               " Power (cpu0) [W] 147.91 160.26 123.73 123.73");
    EXPECT_ROW(t, "DRAM  ", "DRAM Usage [%] 4.10 4.10 3.90 4.10");
    EXPECT_ROW(t, "Used [GiB]", " Used [GiB] 12.500 13.250 12.000 12.500");
    EXPECT_ROW(t, "Power (dram0)", " Power (dram0) [W] 9.05 9.43 8.77 9.06");
    EXPECT_ROW(t, "Process",
               "Process CPU Usage [%] 98.50 100.00 12.25 100.00");
    /* Counters and per-core detail stay out of the text report. */
    assert_null(strstr(t, "Core Usage"));
    assert_null(strstr(t, "Energy [J]"));
    assert_null(strstr(t, "CPU Time"));

    EXPECT_LINE(t, "Samples",
                "Samples 430 at 100 ms (achieved 100.02 ms), missed deadlines 0.  "
                "Sources: procfs, estimate");
    EXPECT_LINE(t, "Warnings:", "Warnings:");
    EXPECT_LINE(t, "rapl:",
                "  rapl: permission denied on /sys/class/powercap/intel-rapl:0/energy_uj");
    EXPECT_LINE(t, "hwmon:", "  hwmon: no sensor found");
    /* No trailing blanks from column padding. */
    assert_null(strstr(t, " \n"));
    free(t);
    aim__run_summary_clear(&r);
}

static void text_rapl_two_sockets_psys_not_in_total(void **state) {
    aim_run_summary r;
    rapl_run(&r);
    char *t = render(&r, "text");
    EXPECT_ROW(t, "CPU energy (cpu0)",
               " CPU energy (cpu0) 3000.50 J measured: RAPL package counter");
    EXPECT_ROW(t, "CPU energy (cpu1)",
               " CPU energy (cpu1) 2900.25 J measured: RAPL package counter");
    EXPECT_ROW(t, "Platform energy (psys0)",
               " Platform energy (psys0) 7000.00 J measured: RAPL psys counter "
               "(not in total)");
    EXPECT_ROW(t, "Total energy", " Total energy 6250.75 J = 0.001736 kWh" EDGE);
    EXPECT_ROW(t, "Carbon",
               " Carbon 0.0972 g CO2e (0.000097 kg) at 56 g/kWh, FR: built-in table: "
               "Ember 2024 (CC BY 4.0)");
    /* Order: the CPUs, then the DRAMs (in device order, which lists dram1 first), then the
     * platform. */
    const char *c0 = strstr(t, "CPU energy (cpu0)"), *c1 = strstr(t, "CPU energy (cpu1)");
    const char *d1 = strstr(t, "DRAM energy (dram1)"), *d0 = strstr(t, "DRAM energy (dram0)");
    const char *p = strstr(t, "Platform energy");
    assert_true(c0 && c1 && d0 && d1 && p);
    assert_true(c0 < c1 && c1 < d1 && d1 < d0 && d0 < p);
    /* Platform power goes in the second component table, after the CPU/DRAM one. */
    EXPECT_ROW(t, "Platform  ",
               "Platform Power (psys0) [W] 162.79 200.00 120.00 150.00");
    assert_true(strstr(t, "Power (cpu1) [W]") < strstr(t, "Platform  "));
    free(t);
    aim__run_summary_clear(&r);
}

static void text_status_words(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    r.status = AIM_RUN_INTERRUPTED;
    r.exit_code = 130;
    char *t = render(&r, "text");
    assert_non_null(
        strstr(line_of(t, "aimeter report"), "\"llama-infer\"  interrupted (exit 130)"));
    free(t);

    r.exit_code = -1;
    t = render(&r, "text");
    assert_string_equal(strstr(line_of(t, "aimeter report"), "interrupted"), "interrupted");
    free(t);

    r.status = AIM_RUN_FAILED;
    r.exit_code = 2;
    t = render(&r, "text");
    assert_non_null(strstr(line_of(t, "aimeter report"), "  failed (exit 2)"));
    free(t);

    r.status = AIM_RUN_RUNNING;
    r.stale = 1;
    r.end_wall_ns = 0;
    t = render(&r, "text");
    assert_string_equal(strstr(line_of(t, "aimeter report"), "running"),
                        "running \xE2\x80\x94 aimeter process gone (incomplete)");
    assert_non_null(strstr(line_of(t, "note"), "the aimeter process recording this run is gone"));
    free(t);

    r.stale = 0;
    r.duration_ns = 3723500000000LL; /* 1 h 02 min 03.5 s */
    t = render(&r, "text");
    assert_string_equal(strstr(line_of(t, "aimeter report"), "running"), "running (in progress)");
    EXPECT_ROW(t, "Total time", " Total time 3723.50 s 1 h 02 min 03 s so far");
    free(t);

    /* No name, no command: those parts are left out, not shown empty. */
    r.name[0] = '\0';
    r.command[0] = '\0';
    t = render(&r, "text");
    EXPECT_LINE(t, "aimeter report",
                "aimeter report  run 20261121-140312-3f9a  running (in progress)");
    assert_null(strstr(t, "command"));
    free(t);
    aim__run_summary_clear(&r);
}

static void text_empty_and_nan_statistics(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    r.series[0].count = 0;          /* cpu.util never sampled */
    r.series[3].mode = NAN;         /* mem.util */
    r.series[4].mode_exact = 0;     /* mem.used: approximate mode */
    r.series[4].mode = 12.5;
    char *t = render(&r, "text");
    EXPECT_ROW(t, "CPU  ", "CPU Usage [%] n/a n/a n/a n/a");
    EXPECT_ROW(t, "DRAM  ", "DRAM Usage [%] 4.10 4.10 3.90 n/a");
    EXPECT_ROW(t, "Used [GiB]", " Used [GiB] 12.500 13.250 12.000 ~12.500");
    assert_non_null(strstr(line_of(t, "~ approximate mode"), "more than 64 distinct values"));
    free(t);
    aim__run_summary_clear(&r);
}

static void text_no_energy_says_na(void **state) {
    aim_run_summary r;
    base_run(&r, 1, 1);
    int host = add_device(&r, "host", AIM_DEV_HOST, NULL);
    add_series(&r, host, AIM_M_CPU_UTIL, -1, 50, 60, 40, 50);
    r.achieved_interval_ns = 0;
    r.samples = 1;
    r.interval_ns = 500000; /* 0.5 ms */
    r.sources[0] = '\0';
    char *t = render(&r, "text");
    EXPECT_ROW(t, "Total energy",
               " Total energy n/a no device measured or estimated energy");
    EXPECT_ROW(t, "Carbon", " Carbon n/a");
    EXPECT_LINE(t, "Samples",
                "Samples 1 at 0.5 ms, missed deadlines 0.  Sources: none");
    assert_null(strstr(t, "Warnings"));
    free(t);
    aim__run_summary_clear(&r);
}

/* GPUs get a table each, rows grouped by category in registry order, unknown metrics last
 * as "Other"; the energy counter stays out. */
static void text_gpu_section_grouped_by_category(void **state) {
    aim_run_summary r;
    base_run(&r, 3, 6);
    int host = add_device(&r, "host", AIM_DEV_HOST, NULL);
    int gpu = add_device(&r, "gpu0", AIM_DEV_GPU, "NVIDIA A800 80GB PCIe");
    set_energy(&r, gpu, 8918.24, AIM_METHOD_MEASURED, "NVML total energy counter", 1);
    r.total_energy_j = 8918.24;
    r.carbon_g = 8918.24 / 3.6e6 * 475;
    add_series(&r, host, AIM_M_CPU_UTIL, -1, 3.67, 6.2, 2.2, 4);
    aim_series_summary *u = add_series(&r, gpu, AIM_M_POWER, -1, 0, 0, 0, 0);
    u->metric = -1; /* a key this aimeter does not know */
    SET(u->metric_key, "gpu.future_metric");
    u->mean = 59.91, u->max = 100, u->min = 0, u->mode = 100;
    add_series(&r, gpu, AIM_M_ENERGY, -1, 4000, 8918.24, 0, 0);
    add_series(&r, gpu, AIM_M_TEMPERATURE, -1, 43.09, 51, 32, 38);
    add_series(&r, gpu, AIM_M_POWER, -1, 204.12, 315.58, 62.89, 65.86);
    char *t = render(&r, "text");
    EXPECT_ROW(t, "GPU energy (gpu0)",
               " GPU energy (gpu0) 8918.24 J measured: NVML total energy counter");
    EXPECT_LINE(t, "GPU 0 Detailed",
                "GPU 0 Detailed Statistics (NVIDIA A800 80GB PCIe)");
    EXPECT_ROW(t, "Category", "Category Metric Avg Max Min Mode");
    EXPECT_ROW(t, "Energy  ",
               "Energy Temperature [°C] 43.09 51.00 32.00 38.00");
    EXPECT_ROW(t, "Power [W]", " Power [W] 204.12 315.58 62.89 65.86");
    EXPECT_ROW(t, "Other  ",
               "Other gpu.future_metric 59.91 100.00 0.00 100.00");
    assert_true(strstr(t, "Component") < strstr(t, "GPU 0 Detailed"));
    /* Column widths are shared, so "Usage [%]" and "Temperature [°C]" start at the same
     * column in both tables, counting "°" as one column. */
    const char *a = line_of(t, "CPU  ");
    size_t ua = (size_t)(strstr(a, "Usage") - a);
    const char *b = line_of(t, "Energy  ");
    assert_int_equal((size_t)(strstr(b, "Temperature") - b), ua);
    free(t);
    aim__run_summary_clear(&r);
}

static void text_cleans_control_characters(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    SET(r.name, "evil\x1b[2Jname");
    SET(r.command, "python3 -c 'print(1)\nprint(2)'");
    char *t = render(&r, "text");
    assert_null(strchr(t, '\x1b'));
    assert_non_null(strstr(t, "\"evil?[2Jname\""));
    assert_non_null(strstr(t, "print(1)?print(2)"));
    free(t);
    aim__run_summary_clear(&r);
}

/* Unterminated fixed-size fields are read up to their size, never beyond. */
static void text_unterminated_fields(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    memset(r.name, 'n', sizeof r.name);
    memset(r.devices[1].name, 'c', sizeof r.devices[1].name);
    memset(r.warnings, 'w', sizeof r.warnings);
    memset(r.sources, 's', sizeof r.sources);
    char *t = render(&r, "text");
    assert_non_null(strstr(t, "\"nnnnnnnn"));
    /* The samples line is longer than the buffer's fast path: all 256 bytes arrive. */
    const char *src = strstr(line_of(t, "Samples"), "Sources: ");
    assert_non_null(src);
    assert_int_equal(strlen(src), strlen("Sources: ") + sizeof r.sources);
    const char *w = strstr(t, "  wwww");
    assert_non_null(w);
    assert_int_equal(strcspn(w, "\n"), 2 + sizeof r.warnings);
    free(t);
    t = render(&r, "json");
    json_decref(parse(t));
    free(t);
    t = render(&r, "markdown");
    free(t);
    aim__run_summary_clear(&r);
}

static void text_many_series(void **state) {
    aim_run_summary r;
    base_run(&r, 40, 1000);
    for (int d = 0; d < 40; d++) {
        char name[16];
        snprintf(name, sizeof name, d % 2 ? "gpu%d" : "cpu%d", d);
        add_device(&r, name, d % 2 ? AIM_DEV_GPU : AIM_DEV_CPU, "model");
        set_energy(&r, d, 100.0 * d, AIM_METHOD_MEASURED, "counter", 1);
    }
    for (int i = 0; i < 1000; i++)
        add_series(&r, i % 40, AIM_M_POWER, i / 40, i, i + 1, i - 1, i);
    char *t = render(&r, "text");
    EXPECT_ROW(t, "CPU  ", "CPU Power (cpu0 #0) [W] 0.00 1.00 -1.00 0.00");
    EXPECT_ROW(strstr(t, "GPU 39 Detailed"), "Power (#24)",
               " Power (#24) [W] 999.00 1000.00 998.00 999.00");
    assert_non_null(strstr(t, "GPU 39 Detailed Statistics (model)"));
    free(t);
    t = render(&r, "json");
    json_t *root = parse(t);
    assert_int_equal(json_array_size(json_object_get(root, "devices")), 40);
    json_decref(root);
    free(t);
    free(render(&r, "markdown"));
    aim__run_summary_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_host_only_estimated),
        cmocka_unit_test(text_rapl_two_sockets_psys_not_in_total),
        cmocka_unit_test(text_status_words),
        cmocka_unit_test(text_empty_and_nan_statistics),
        cmocka_unit_test(text_no_energy_says_na),
        cmocka_unit_test(text_gpu_section_grouped_by_category),
        cmocka_unit_test(text_cleans_control_characters),
        cmocka_unit_test(text_unterminated_fields),
        cmocka_unit_test(text_many_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
