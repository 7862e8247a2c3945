/* Report renderers: text, JSON, Markdown and the `aimeter ls` listing, from run summaries
 * built by hand. Expected figures are worked out in the comments. Set AIM_TEST_DUMP=1 to
 * print every rendered report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/workload_summary.h"
#include "processing/report_model.h"
#include "processing/report_words.h"
#include "report/phases_report.h"
#include "report/renderers.h"
#include "report/report.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ builders */

/* The note the total carries (processing/report_model.h), spelt out so a change shows here. */
#define EDGE "; from the run's start: before a device's first reading, its first power (a " \
             "counter's: its mean over its first second) held back"

/* As api/render.c does: the model, then the renderer. */
static char *render(const aim_run_summary *r, const char *format_name) {
    aim_format format;
    assert_int_equal(aim_format_parse(format_name, &format), 0);
    char *text = NULL;
    aim_report_model m;
    assert_int_equal(aim__report_model_build(r, &m), 0);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, format, &m, &text), 0);
    aim__report_model_free(&m);
    assert_non_null(text);
    if (getenv("AIM_TEST_DUMP"))
        fprintf(stderr, "----- %s\n%s", format_name, text);
    return text;
}

/* The line of text that starts with prefix (after leading spaces), NUL-terminated in a
 * static buffer, or fails the test. */
static const char *line_of(const char *text, const char *prefix) {
    static char line[1024];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *q = p;
        while (*q == ' ' && q < p + len)
            q++;
        if (strncmp(q, prefix, strlen(prefix)) == 0) {
            snprintf(line, sizeof line, "%.*s", (int)len, p);
            return line;
        }
        p += len + (nl ? 1 : 0);
    }
    fail_msg("no line starting with \"%s\" in:\n%s", prefix, text);
    return NULL;
}

/* Collapses runs of spaces so column widths do not matter to the assertion. */
static const char *squeeze(const char *s) {
    static char out[1024];
    size_t o = 0;
    for (; *s && o + 1 < sizeof out; s++)
        if (!(*s == ' ' && o > 0 && out[o - 1] == ' '))
            out[o++] = *s;
    out[o] = '\0';
    return out;
}

/* The line starting with prefix, compared exactly or with runs of spaces collapsed. */
#define EXPECT_LINE(text, prefix, expected) assert_string_equal(line_of(text, prefix), expected)
#define EXPECT_ROW(text, prefix, expected) \
    assert_string_equal(squeeze(line_of(text, prefix)), expected)

static json_t *parse(const char *text) {
                    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    if (!root)
        fail_msg("invalid JSON at line %d: %s\n%s", e.line, e.text, text);
    return root;
}

static double num(json_t *root, const char *path) {
    json_t *v = json_object_get(root, path);
    assert_non_null(v);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

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

/* ------------------------------------------------------------------ JSON */

static void json_round_trip(void **state) {
    aim_run_summary r;
    rapl_run(&r);
    r.series[1].count = 0;
    r.series[2].mode = NAN;
    r.series[3].instance = 2;
    SET(r.warnings, "w1\n\nw2\n");
    char *t = render(&r, "json");
    json_t *root = parse(t);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.report/1");

    json_t *run = json_object_get(root, "run");
    assert_string_equal(json_string_value(json_object_get(run, "id")), "20261121-140312-3f9a");
    assert_string_equal(json_string_value(json_object_get(run, "status")), "completed");
    assert_true(json_is_false(json_object_get(run, "stale")));
    assert_int_equal(json_integer_value(json_object_get(run, "exit_code")), 0);
    assert_string_equal(json_string_value(json_object_get(run, "start_time")),
                        "2026-11-21T14:03:12.000Z");
    assert_string_equal(json_string_value(json_object_get(run, "end_time")),
                        "2026-11-21T14:03:55.000Z");
    assert_true(num(run, "duration_s") == 43.0);

    json_t *smp = json_object_get(root, "sampling");
    assert_true(num(smp, "interval_s") == 0.1);
    assert_true(fabs(num(smp, "achieved_interval_s") - 0.10002) < 1e-12);
    assert_int_equal(json_integer_value(json_object_get(smp, "samples")), 430);
    json_t *src = json_object_get(smp, "sources");
    assert_int_equal(json_array_size(src), 2);
    assert_string_equal(json_string_value(json_array_get(src, 1)), "rapl");

    json_t *en = json_object_get(root, "energy");
    assert_true(num(en, "total_j") == 6250.75);
    assert_true(fabs(num(en, "total_kwh") - 6250.75 / 3.6e6) < 1e-15);
    json_t *devs = json_object_get(en, "devices");
    assert_int_equal(json_array_size(devs), 5);
    json_t *first = json_array_get(devs, 0), *last = json_array_get(devs, 4);
    assert_string_equal(json_string_value(json_object_get(first, "device")), "cpu0");
    assert_string_equal(json_string_value(json_object_get(first, "kind")), "cpu");
    assert_string_equal(json_string_value(json_object_get(first, "model")), "AMD EPYC 7763");
    assert_string_equal(json_string_value(json_object_get(first, "method")), "measured");
    assert_string_equal(json_string_value(json_object_get(first, "detail")),
                        "RAPL package counter");
    assert_true(num(first, "energy_j") == 3000.5);
    assert_string_equal(json_string_value(json_object_get(last, "device")), "psys0");
    assert_true(json_is_false(json_object_get(last, "in_total")));
    assert_true(json_is_null(json_object_get(last, "model")));

    json_t *co2 = json_object_get(root, "carbon");
    assert_true(fabs(num(co2, "g") - 0.0972338889) < 1e-9);
    assert_true(fabs(num(co2, "kg") - 0.0000972338889) < 1e-12);
    assert_true(num(co2, "intensity_g_per_kwh") == 56);
    assert_string_equal(json_string_value(json_object_get(co2, "zone")), "FR");

    /* devices[] in device order; every series, counters included. */
    json_t *all = json_object_get(root, "devices");
    assert_int_equal(json_array_size(all), 6);
    json_t *cpu0 = json_array_get(all, 3);
    assert_string_equal(json_string_value(json_object_get(cpu0, "name")), "cpu0");
    json_t *metrics = json_object_get(cpu0, "metrics");
    assert_int_equal(json_array_size(metrics), 2);
    json_t *pw = json_array_get(metrics, 0), *ej = json_array_get(metrics, 1);
    assert_string_equal(json_string_value(json_object_get(pw, "key")), "power");
    assert_string_equal(json_string_value(json_object_get(pw, "label")), "Power");
    assert_string_equal(json_string_value(json_object_get(pw, "unit")), "W");
    assert_string_equal(json_string_value(json_object_get(pw, "category")), "Energy");
    assert_string_equal(json_string_value(json_object_get(pw, "component")), "CPU");
    assert_string_equal(json_string_value(json_object_get(pw, "method")), "derived");
    assert_true(json_is_null(json_object_get(pw, "instance")));
    assert_true(num(pw, "avg") == 69.78);
    assert_true(num(pw, "max") == 80);
    assert_true(num(pw, "min") == 60);
    assert_true(num(pw, "mode") == 70);
    assert_true(num(pw, "stddev") == 1.5);
    assert_true(json_is_true(json_object_get(pw, "mode_exact")));
    assert_true(json_is_true(json_object_get(ej, "counter")));
    assert_true(json_is_false(json_object_get(pw, "counter")));

    /* count 0: statistics are null; NaN mode: null. */
    json_t *cpu1 = json_array_get(json_object_get(json_array_get(all, 5), "metrics"), 0);
    assert_int_equal(json_integer_value(json_object_get(cpu1, "count")), 0);
    assert_true(json_is_null(json_object_get(cpu1, "avg")));
    assert_true(json_is_null(json_object_get(cpu1, "stddev")));
    json_t *dram0 = json_array_get(json_object_get(json_array_get(all, 4), "metrics"), 0);
    assert_true(json_is_null(json_object_get(dram0, "mode")));
    assert_true(num(dram0, "avg") == 4.65);
    json_t *ps = json_array_get(json_object_get(json_array_get(all, 1), "metrics"), 0);
    assert_int_equal(json_integer_value(json_object_get(ps, "instance")), 2);
    assert_string_equal(json_string_value(json_object_get(ps, "component")), "Platform");

    json_t *w = json_object_get(root, "warnings");
    assert_int_equal(json_array_size(w), 2);
    assert_string_equal(json_string_value(json_array_get(w, 1)), "w2");
    json_decref(root);
    free(t);
    aim__run_summary_clear(&r);
}

static void json_nulls_stale_and_bad_utf8(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    r.status = AIM_RUN_RUNNING;
    r.stale = 1;
    r.exit_code = -1;
    r.end_wall_ns = 0;
    r.achieved_interval_ns = 0;
    r.carbon_g = INFINITY;
    r.zone[0] = '\0';
    SET(r.command, "echo \xff\xfe ok");
    r.series[0].mode = NAN;
    r.series[1].count = 0; /* detail series: present in JSON */
    char *t = render(&r, "json");
    json_t *root = parse(t);
    json_t *run = json_object_get(root, "run");
    assert_string_equal(json_string_value(json_object_get(run, "status")), "running");
    assert_true(json_is_true(json_object_get(run, "stale")));
    assert_true(json_is_null(json_object_get(run, "exit_code")));
    assert_true(json_is_null(json_object_get(run, "end_time")));
    assert_string_equal(json_string_value(json_object_get(run, "command")),
                        "echo \xEF\xBF\xBD\xEF\xBF\xBD ok");
    assert_true(json_is_null(json_object_get(json_object_get(root, "sampling"),
                                             "achieved_interval_s")));
    json_t *co2 = json_object_get(root, "carbon");
    assert_true(json_is_null(json_object_get(co2, "g")));
    assert_true(json_is_null(json_object_get(co2, "zone")));
    json_t *host = json_object_get(json_array_get(json_object_get(root, "devices"), 0), "metrics");
    assert_int_equal(json_array_size(host), 5);
    assert_true(json_is_null(json_object_get(json_array_get(host, 0), "mode")));
    json_t *core = json_array_get(host, 1);
    assert_string_equal(json_string_value(json_object_get(core, "key")), "cpu.core_util");
    assert_true(json_is_true(json_object_get(core, "detail")));
    assert_int_equal(json_integer_value(json_object_get(core, "instance")), 0);
    assert_true(json_is_null(json_object_get(core, "max")));
    json_decref(root);
    free(t);

    /* No energy device at all: totals are null, not 0. */
    r.n_series = 0;
    for (int i = 0; i < r.n_devices; i++)
        r.devices[i].has_energy = 0;
    t = render(&r, "json");
    root = parse(t);
    assert_true(json_is_null(json_object_get(json_object_get(root, "energy"), "total_j")));
    json_t *energy = json_object_get(root, "energy");
    assert_int_equal(json_array_size(json_object_get(energy, "devices")), 0);
    json_decref(root);
    free(t);
    aim__run_summary_clear(&r);
}

/* ------------------------------------------------------------------ Markdown */

static void markdown_tables(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    SET(r.name, "a|b *c*");
    SET(r.command, "grep `x` | wc");
    char *t = render(&r, "markdown");
    EXPECT_LINE(t, "###",
                "### aimeter report: run `20261121-140312-3f9a` \"a\\|b \\*c\\*\"");
    EXPECT_LINE(t, "- **Status:**", "- **Status:** completed (exit 0)");
    EXPECT_LINE(t, "- **Command:**", "- **Command:** ``grep `x` | wc``");
    EXPECT_LINE(t, "| Overall", "| Overall | Value | Method |");
    EXPECT_LINE(t, "|:--|--:", "|:--|--:|:--|");
    EXPECT_LINE(t, "| Total time", "| Total time | 43.00 s |  |");
    EXPECT_LINE(t, "| CPU energy",
                "| CPU energy (cpu0) | 6348.88 J | estimated: TDP 150 W x utilisation "
                "curve |");
    EXPECT_LINE(t, "| Total energy", "| Total energy | 6737.62 J | = 0.001872 kWh" EDGE " |");
    EXPECT_LINE(t, "| Carbon",
                "| Carbon | 0.889 g CO2e | (0.00089 kg) at 475 g/kWh, WORLD: built-in "
                "table: Ember 2024 (CC BY 4.0) |");
    EXPECT_LINE(t, "| Component", "| Component | Metric | Avg | Max | Min | Mode |");
    EXPECT_LINE(t, "| CPU |", "| CPU | Usage \\[%\\] | 3.67 | 6.20 | 2.20 | 4.00 |");
    assert_string_equal(line_of(t, "|  | Power (cpu0)"),
                        "|  | Power (cpu0) \\[W\\] | 147.91 | 160.26 | 123.73 | 123.73 |");
    EXPECT_LINE(t, "Samples",
                "Samples 430 at 100 ms (achieved 100.02 ms), missed deadlines 0. Sources: "
                "procfs, estimate.");
    EXPECT_LINE(t, "- rapl",
                "- rapl: permission denied on "
                "/sys/class/powercap/intel-rapl:0/energy\\_uj");
    free(t);
    aim__run_summary_clear(&r);
}

/* ------------------------------------------------------------------ ls */

static void runs_listing(void **state) {
    aim_run_summary runs[3];
    host_only_run(&runs[0]);
    rapl_run(&runs[1]);
    host_only_run(&runs[2]);
    SET(runs[1].id, "20261120-090000-aaaa");
    runs[1].name[0] = '\0';
    runs[1].duration_ns = 3723000000000LL;
    runs[1].status = AIM_RUN_FAILED;
    runs[1].exit_code = 1;
    runs[1].total_energy_j = 15655860;
    runs[1].carbon_g = 2066.5;
    SET(runs[2].id, "20261119-090000-bbbb");
    SET(runs[2].name, "a very long experiment name that goes on and on");
    runs[2].status = AIM_RUN_RUNNING;
    runs[2].stale = 1;
    runs[2].duration_ns = 125000000000LL;

    char *t = NULL;
    assert_int_equal(aim__runs_render_text(runs, 3, &t), 0);
    if (getenv("AIM_TEST_DUMP"))
        fprintf(stderr, "%s", t);
    EXPECT_ROW(t, "ID",
               "ID NAME STARTED (UTC) DURATION STATUS ENERGY CARBON");
    EXPECT_ROW(t, "20261121",
               "20261121-140312-3f9a llama-infer 2026-11-21 14:03:12 43.0 s completed "
               "6.74 kJ 0.89 g");
    EXPECT_ROW(t, "20261120",
               "20261120-090000-aaaa - 2026-11-21 14:03:12 1 h 02 min 03 s failed "
               "15.66 MJ 2.07 kg");
    EXPECT_ROW(t, "20261119",
               "20261119-090000-bbbb a very long experiment name tha\xE2\x80\xA6 "
               "2026-11-21 14:03:12 2 min 05 s incomplete 6.74 kJ 0.89 g");
    /* Newest first, as given. */
    assert_true(strstr(t, "20261121") < strstr(t, "20261120"));
    /* Padding never leaves trailing blanks. */
    assert_null(strstr(t, " \n"));
    free(t);

    assert_int_equal(aim__runs_render_json(runs, 3, &t), 0);
    json_t *root = parse(t);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 3);
    json_t *r1 = json_array_get(root, 1), *r2 = json_array_get(root, 2);
    assert_string_equal(json_string_value(json_object_get(r1, "status")), "failed");
    assert_int_equal(json_integer_value(json_object_get(r1, "exit_code")), 1);
    assert_true(num(r1, "energy_j") == 15655860);
    assert_true(num(r1, "carbon_g") == 2066.5);
    assert_true(num(r1, "duration_s") == 3723);
    assert_string_equal(json_string_value(json_object_get(r1, "start_time")),
                        "2026-11-21T14:03:12.000Z");
    assert_string_equal(json_string_value(json_object_get(r2, "status")), "running");
    assert_true(json_is_true(json_object_get(r2, "stale")));
    assert_string_equal(json_string_value(json_object_get(r2, "name")),
                        "a very long experiment name that goes on and on");
    json_decref(root);
    free(t);

    assert_int_equal(aim__runs_render_text(NULL, 0, &t), 0);
    assert_string_equal(squeeze(t), "ID NAME STARTED (UTC) DURATION STATUS ENERGY CARBON\n");
    free(t);
    assert_int_equal(aim__runs_render_json(NULL, 0, &t), 0);
    assert_string_equal(t, "[]\n");
    free(t);
    aim_render_runs in = { .runs = runs, .n = 3 };
    assert_int_equal(aim__render(AIM_OUTPUT_RUNS, AIM_FORMAT_CSV, &in, &t), -EOPNOTSUPP);
    for (int i = 0; i < 3; i++)
        aim__run_summary_clear(&runs[i]);
}

/* ------------------------------------------------------------------ API edges, numbers */

static void bad_arguments(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    char *t = (char *)"untouched";
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, AIM_FORMAT_CSV, &m, &t), -EOPNOTSUPP);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, (aim_format)42, &m, &t), -EOPNOTSUPP);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, AIM_FORMAT_TEXT, NULL, &t), -EINVAL);
    aim__report_model_free(&m);
    assert_int_equal(aim__report_model_build(NULL, &m), -EINVAL);
    aim__report_model_free(&m);
    assert_string_equal(t, "untouched");
    assert_int_equal(aim_report_render(NULL, "x", AIM_FORMAT_TEXT, &t), -EINVAL);
    aim__run_summary_clear(&r);
}

static void number_formatting(void **state) {
    char b[AIM_NUM_MAX];
    assert_string_equal(aim__fmt_fixed(b, 6348.88, 2), "6348.88");
    assert_string_equal(aim__fmt_fixed(b, 4.0, 2), "4.00");
    assert_string_equal(aim__fmt_fixed(b, -0.001, 2), "0.00");
    assert_string_equal(aim__fmt_fixed(b, -1.5, 2), "-1.50");
    assert_string_equal(aim__fmt_fixed(b, NAN, 2), "n/a");
    assert_string_equal(aim__fmt_fixed(b, -INFINITY, 2), "n/a");
    assert_string_equal(aim__fmt_fixed(b, 1.5e13, 2), "1.500e+13");
    assert_string_equal(aim__fmt_fixed(b, 1e308, 2), "1.000e+308");
    assert_string_equal(aim__fmt_trim(b, 475, 2), "475");
    /* Small figures keep significant digits instead of rounding to zero. */
    assert_string_equal(aim__fmt_sig(b, 2.0664, 3, 3), "2.066");
    assert_string_equal(aim__fmt_sig(b, 0.000351234, 3, 3), "0.000351");
    assert_string_equal(aim__fmt_sig(b, 0.0020664, 2, 4), "0.0021");
    assert_string_equal(aim__fmt_sig(b, 7.4166e-7, 3, 6), "0.000000742");
    assert_string_equal(aim__fmt_sig(b, 1e-12, 3, 2), "0.000000000");
    assert_string_equal(aim__fmt_sig(b, 0.0, 3, 2), "0.00");
    assert_string_equal(aim__fmt_sig(b, 15655.86, 3, 2), "15655.86");
    assert_string_equal(aim__fmt_trim(b, 56.30, 2), "56.3");
    char s[64];
    aim__fmt_energy_short(s, sizeof s, 999.96);
    assert_string_equal(s, "1.00 kJ");
    aim__fmt_carbon_short(s, sizeof s, 0.00035012);
    assert_string_equal(s, "0.00035 g");
    aim__fmt_carbon_short(s, sizeof s, NAN);
    assert_string_equal(s, "-");
    aim__fmt_time_iso(s, sizeof s, -1);
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");

    /* Where a comma-decimal locale is installed, the report must still say "6348.88". */
    static const char *const comma_locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR" };
    for (size_t i = 0; i < sizeof comma_locales / sizeof comma_locales[0]; i++) {
        if (!setlocale(LC_NUMERIC, comma_locales[i]))
            continue;
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 1.5);
        assert_string_equal(probe, "1,5");
        assert_string_equal(aim__fmt_fixed(b, 6348.88, 2), "6348.88");
        aim_run_summary r;
        host_only_run(&r);
        char *t = render(&r, "text");
        assert_non_null(strstr(t, "6348.88 J"));
        free(t);
        t = render(&r, "json");
        json_decref(parse(t));
        free(t);
        aim__run_summary_clear(&r);
        break;
    }
    setlocale(LC_NUMERIC, "C");
}

/* Issue 11: a gauge's Min and Max ran together ("1.000-1.000e+308") and the double range's edge
 * (a "no maximum yet" sentinel) was printed as a number. */
static void records_columns_and_sentinel(void **state) {
    (void)state;
    aim_record_summary rec[2];
    memset(rec, 0, sizeof rec);
    snprintf(rec[0].key, sizeof rec[0].key, "loss");
    rec[0].count = 2;
    rec[0].total = 2;
    rec[0].last = 1;
    rec[0].min = 1;
    rec[0].max = -1e308;              /* never set: below the minimum */
    snprintf(rec[1].key, sizeof rec[1].key, "temperature");
    rec[1].count = 3;
    rec[1].total = -3000000;
    rec[1].last = -1234567;
    rec[1].min = -1234567;
    rec[1].max = -999999;
    aim_workload_summary w;
    memset(&w, 0, sizeof w);
    w.records = rec;
    w.n_records = 2;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.workload = &w;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__phases_report_text(&b, &run);
    aim__phases_report_markdown(&b, &run);
    char *text = NULL;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    if (getenv("AIM_TEST_DUMP"))
        fputs(text, stdout);
    assert_null(strstr(text, "e+308"));
    assert_null(strstr(text, "e308"));
    /* every figure stands apart: no digit, '.' or 'a' runs into a '-' */
    for (const char *p = text; *p; p++)
        if (*p == '-' && p > text && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9') ||
                                      p[-1] == 'a'))
            fail_msg("figures run together near: %.40s", p - 10 > text ? p - 10 : text);
    const char *loss = strstr(text, "  loss ");
    assert_non_null(loss);
    assert_non_null(strstr(loss, "n/a"));
    free(text);
    int err = 0;
    json_t *o = aim__phases_report_json(&run, &err);
    assert_int_equal(err, 0);
    json_t *r0 = json_array_get(json_object_get(o, "records"), 0);
    assert_true(json_is_null(json_object_get(r0, "min")));
    assert_true(json_is_null(json_object_get(r0, "max")));
    json_t *r1 = json_array_get(json_object_get(o, "records"), 1);
    assert_true(json_real_value(json_object_get(r1, "max")) == -999999);
    json_decref(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_columns_and_sentinel),
        cmocka_unit_test(text_host_only_estimated),
        cmocka_unit_test(text_rapl_two_sockets_psys_not_in_total),
        cmocka_unit_test(text_status_words),
        cmocka_unit_test(text_empty_and_nan_statistics),
        cmocka_unit_test(text_no_energy_says_na),
        cmocka_unit_test(text_gpu_section_grouped_by_category),
        cmocka_unit_test(text_cleans_control_characters),
        cmocka_unit_test(text_unterminated_fields),
        cmocka_unit_test(text_many_series),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(json_nulls_stale_and_bad_utf8),
        cmocka_unit_test(markdown_tables),
        cmocka_unit_test(runs_listing),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(number_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
