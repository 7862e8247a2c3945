/* The Prometheus / OpenMetrics exposition (report/prometheus.h) of a synthetic snapshot:
 * names in base units, labels, one family per name, OpenMetrics' # UNIT and # EOF, the
 * output accepted by `promtool check metrics`, and docs/metrics.md's table of names equal to
 * what aim__prom_name derives from the registry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report/prometheus.h"
#include "report/prometheus_self.h"

static const aim_prom_device devices[] = {
    {"cpu0", "cpu", "Xeon \"Gold\"", NULL, "measured", -1, 1, 1234.5},
    {"gpu0", "gpu", "NVIDIA A100", "GPU-aaaa", "measured", 0, 1, 800.25},
    {"gpu1", "gpu", "NVIDIA A100", "GPU-bbbb", "derived", 1, 1, 700},
    {"host", "host", NULL, NULL, NULL, -1, 0, 0},
};

static const aim_prom_series series[] = {
    {0, AIM_M_POWER, -1, 1, 65.5},
    {1, AIM_M_POWER, -1, 1, 250},
    {1, AIM_M_GPU_UTIL, -1, 1, 45},
    {2, AIM_M_POWER, -1, 1, 240},
    {2, AIM_M_GPU_UTIL, -1, 0, 0},      /* not valid: never exported as 0 */
    {1, AIM_M_GPU_CLOCK_SM, -1, 1, 1410},
    {1, AIM_M_GPU_MEM_USED, -1, 1, 2},
    {1, AIM_M_TEMPERATURE, -1, 1, 61},
    {1, AIM_M_ENERGY, -1, 1, 5},        /* the raw counter: the accounted energy is exported */
    {3, AIM_M_CPU_CORE_UTIL, 0, 1, 12.5},
    {3, AIM_M_CPU_CORE_UTIL, 1, 1, 100},
    {3, AIM_M_PROC_CPU_TIME, -1, 1, 3.25},
    {3, AIM_M_PROC_COUNT, -1, 1, 3},    /* a gauge: promtool refuses one ending in _count */
};

/* The exporter's own figures: rendered in every exposition below, so promtool checks them. */
static const aim_prom_self self = {
    .version = "1.2.3", .ticks = 12345, .missed = 2, .interval_s = 0.1, .connections = 7,
    .connections_open = 3, .requests = 9, .scrapes = 5,
};

static aim_prom_input input(void) {
    aim_prom_input in = {
        .host = "node1", .run = "01JRUN", .task = "train\\bert\n", .phase = "decode",
        .job = "4242", .zone = "FR", .signal = "average", .duration_s = 12.5, .power_w = 555.5,
        .intensity_g_per_kwh = 56.5,
        .energy_j = 2734.75, .carbon_g = 0.0213, .devices = devices,
        .n_devices = (int)(sizeof devices / sizeof devices[0]), .series = series,
        .n_series = (int)(sizeof series / sizeof series[0]), .self = &self,
    };
    return in;
}

static char *render(int om) {
    aim_prom_input in = input();
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(&in, om, &b);
    char *text;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    return text;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void names_follow_prometheus_conventions(void **state) {
    (void)state;
    char name[AIM_PROM_NAME_MAX];
    double scale;
    assert_int_equal(aim__prom_name(AIM_M_POWER, "gpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_gpu_power_watts");
    assert_int_equal(aim__prom_name(AIM_M_GPU_UTIL, "gpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_gpu_util_ratio");
    assert_true(scale == 0.01);
    assert_int_equal(aim__prom_name(AIM_M_GPU_CLOCK_SM, "gpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_gpu_clock_sm_hertz");
    assert_true(scale == 1e6);
    assert_int_equal(aim__prom_name(AIM_M_MEM_USED, "host", name, &scale), 0);
    assert_string_equal(name, "aimeter_mem_used_bytes");
    assert_int_equal(aim__prom_name(AIM_M_RAPL_CORE_ENERGY, "cpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_cpu_energy_core_joules_total");
    assert_int_equal(aim__prom_name(AIM_M_PROC_CPU_TIME, "process", name, &scale), 0);
    assert_string_equal(name, "aimeter_proc_cpu_time_seconds_total");
    assert_int_equal(aim__prom_name(AIM_M_TEMPERATURE, "gpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_gpu_temperature_celsius");
    assert_int_equal(aim__prom_name(AIM_M_GPU_PCIE_TX, "gpu", name, &scale), 0);
    assert_string_equal(name, "aimeter_gpu_pcie_tx_bytes_per_second");
    assert_int_equal(aim__prom_name(AIM_M_PROC_COUNT, "process", name, &scale), 0);
    assert_string_equal(name, "aimeter_proc_processes");
    assert_int_equal(aim__prom_name(AIM_M_ENERGY, "gpu", name, &scale), -ENOENT);
}

static void text_format_has_families_labels_and_base_units(void **state) {
    (void)state;
    char *t = render(0);
    assert_non_null(strstr(t, "# TYPE aimeter_gpu_energy_joules_total counter\n"));
    assert_non_null(strstr(t, "aimeter_gpu_energy_joules_total{device=\"gpu1\",gpu=\"1\","
                              "uuid=\"GPU-bbbb\",model=\"NVIDIA A100\",host=\"node1\","
                              "run=\"01JRUN\",task=\"train\\\\bert\\n\",hpc_job=\"4242\","
                              "method=\"derived\"} 700\n"));
    assert_non_null(strstr(t, "aimeter_cpu_energy_joules_total{device=\"cpu0\","
                              "model=\"Xeon \\\"Gold\\\"\""));
    assert_non_null(strstr(t, "aimeter_gpu_util_ratio{device=\"gpu0\""));
    assert_non_null(strstr(t, "} 0.45\n"));
    assert_non_null(strstr(t, "} 1410000000\n"));
    assert_non_null(strstr(t, "} 2147483648\n"));
    assert_non_null(strstr(t, "core=\"1\"} 1\n"));
    assert_non_null(strstr(t, "aimeter_carbon_grams_total{host=\"node1\",run=\"01JRUN\","
                              "task=\"train\\\\bert\\n\",hpc_job=\"4242\",zone=\"FR\","
                              "signal=\"average\"} 0.0213\n"));
    assert_non_null(strstr(t, "# TYPE aimeter_grid_intensity_grams_per_kwh gauge\n"
                              "aimeter_grid_intensity_grams_per_kwh{host=\"node1\","
                              "run=\"01JRUN\",task=\"train\\\\bert\\n\",hpc_job=\"4242\","
                              "zone=\"FR\",signal=\"average\"} 56.5\n"));
    assert_non_null(strstr(t, "phase=\"decode\"} 1\n"));
    /* One family per name, even when its series are not adjacent in the snapshot. */
    assert_int_equal(count(t, "# TYPE aimeter_gpu_power_watts gauge"), 1);
    assert_int_equal(count(t, "aimeter_gpu_power_watts{"), 2);
    assert_int_equal(count(t, "aimeter_gpu_util_ratio{"), 1);
    assert_null(strstr(t, "aimeter_gpu_energy_total"));
    assert_null(strstr(t, "# UNIT"));
    assert_null(strstr(t, "# EOF"));
    free(t);
}

/* No job and no known intensity: no hpc_job label and no intensity gauge (never a 0). */
static void unknown_job_and_intensity_are_left_out(void **state) {
    (void)state;
    aim_prom_input in = input();
    in.job = NULL;
    in.intensity_g_per_kwh = NAN;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(&in, 0, &b);
    char *t;
    assert_int_equal(aim__strbuf_steal(&b, &t), 0);
    assert_null(strstr(t, "hpc_job"));
    assert_null(strstr(t, "aimeter_grid_intensity"));
    assert_non_null(strstr(t, "aimeter_carbon_grams_total{"));
    free(t);
}

static void openmetrics_has_units_and_eof(void **state) {
    (void)state;
    char *t = render(1);
    assert_non_null(strstr(t, "# TYPE aimeter_gpu_energy_joules counter\n"
                              "# UNIT aimeter_gpu_energy_joules joules\n"));
    assert_non_null(strstr(t, "# UNIT aimeter_gpu_util_ratio ratio\n"));
    assert_non_null(strstr(t, "# UNIT aimeter_grid_intensity_grams_per_kwh grams_per_kwh\n"));
    assert_non_null(strstr(t, "# TYPE aimeter_run_info gauge\n"));
    assert_non_null(strstr(t, "aimeter_gpu_energy_joules_total{"));
    size_t n = strlen(t);
    assert_true(n > 6 && strcmp(t + n - 6, "# EOF\n") == 0);
    free(t);
}

/* The self-metrics: each name once as a family, with the run labels, after the run's series
 * and before OpenMetrics' # EOF; none without aim_prom_input.self. */
static void self_metrics_are_rendered_with_the_run_labels(void **state) {
    (void)state;
    char *t = render(0);
    const char *run = "{host=\"node1\",run=\"01JRUN\",task=\"train\\\\bert\\n\",hpc_job=\"4242\"";
    char want[256];
    for (int i = 0; aim__prom_self_names[i]; i++) {
        snprintf(want, sizeof want, "%s%s", aim__prom_self_names[i], run);
        assert_int_equal(count(t, want), 1);
    }
    assert_non_null(strstr(t, "aimeter_build_info{host=\"node1\",run=\"01JRUN\","
                              "task=\"train\\\\bert\\n\",hpc_job=\"4242\",version=\"1.2.3\"} 1\n"));
    assert_non_null(strstr(t, "\"} 12345\n# HELP aimeter_sampler_missed_deadlines_total "));
    assert_non_null(strstr(t, "# TYPE aimeter_scrapes_total counter\n"));
    assert_non_null(strstr(t, "\"} 0.1\n"));
    free(t);
    t = render(1);
    assert_non_null(strstr(t, "# TYPE aimeter_sampler_ticks counter\n"));
    assert_non_null(strstr(t, "# UNIT aimeter_sampler_interval_seconds seconds\n"));
    size_t n = strlen(t);
    assert_true(n > 6 && strcmp(t + n - 6, "# EOF\n") == 0);
    free(t);
    aim_prom_input in = input();
    in.self = NULL;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(&in, 0, &b);
    assert_null(strstr(b.data, "aimeter_sampler_"));
    aim__strbuf_free(&b);
}

/* promtool (Debian's prometheus package) is the reference parser. Missing: skipped on a
 * developer's machine, a failure in CI. `promtool check metrics` lints the text format: the
 * text exposition must pass clean. It reads OpenMetrics with the same parser, where the only
 * complaint allowed is the one OpenMetrics causes by design: a counter's # HELP names its
 * family (without _total), so the linter sees "no help text" for the _total sample. */
static void promtool_check(int om) {
    char path[] = "/tmp/aim_prom_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *t = render(om);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(t, f);
    fclose(f);
    free(t);
    char cmd[256], line[512];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int complaints = 0;
    while (fgets(line, sizeof line, p)) {
        const char *why = " no help text\n";
        char *end = strstr(line, "_total no help text\n");
        if (!om || !end || strcmp(end + strlen("_total"), why) != 0)
            fail_msg("promtool (%s): %s", om ? "OpenMetrics" : "text", line);
        complaints++;
    }
    int rc = pclose(p);
    remove(path);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), complaints ? 3 : 0);
}

static void promtool_accepts_both_formats(void **state) {
    (void)state;
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        if (getenv("CI"))
            fail_msg("promtool is missing (apt-get install prometheus)");
        skip();
    }
    promtool_check(0);
    promtool_check(1);
}

/* docs/metrics.md's "Prometheus names" table: one row per registry metric, the name as
 * aim__prom_name derives it (<kind> for the device kind). */
static void docs_list_every_exported_name(void **state) {
    (void)state;
    FILE *f = fopen(AIM_FIXTURES_DIR "/../../docs/metrics.md", "r");
    assert_non_null(f);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (int id = 0; id < AIM_M__COUNT; id++) {
        char name[AIM_PROM_NAME_MAX], shown[AIM_PROM_NAME_MAX + 8], row[512];
        const aim_metric_info *m = aim__metric_by_id((aim_metric_id)id);
        int r = aim__prom_name((aim_metric_id)id, "x", name, NULL);
        /* A metric every device has gets the device kind: shown as <kind>. */
        if (r == 0 && strncmp(name, "aimeter_x_", 10) == 0)
            snprintf(shown, sizeof shown, "aimeter_<kind>_%s", name + 10);
        else
            snprintf(shown, sizeof shown, "%s", name);
        if (r < 0)
            snprintf(row, sizeof row, "| `%s` | (not exported:", m->key);
        else
            snprintf(row, sizeof row, "| `%s` | `%s` | %s | %s |", m->key,
                     shown, m->kind == AIM_KIND_COUNTER ? "counter" : "gauge",
                     *aim__prom_unit((aim_metric_id)id) ? aim__prom_unit((aim_metric_id)id) : "-");
        if (!strstr(doc, row))
            fail_msg("docs/metrics.md lacks the Prometheus row:\n%s", row);
    }
    /* And every family the renderer writes besides them (energy, run totals, carbon, grid
     * intensity, run info) is in a table row: `name`, or `aimeter_<kind>_...` for a device's. */
    char *t = render(0);
    for (const char *p = t; (p = strstr(p, "# TYPE ")); p++) {
        char name[AIM_PROM_NAME_MAX], shown[AIM_PROM_NAME_MAX + 8], kinded[AIM_PROM_NAME_MAX + 8];
        assert_int_equal(sscanf(p + 7, "%127s", name), 1);
        snprintf(shown, sizeof shown, "| `%s` |", name);
        const char *rest = strchr(name + 8, '_'); /* after aimeter_<kind> */
        snprintf(kinded, sizeof kinded, "`aimeter_<kind>%s`", rest ? rest : "");
        if (!strstr(doc, shown) && !strstr(doc, kinded))
            fail_msg("docs/metrics.md lacks a row for %s", name);
    }
    free(t);
    /* The self-metrics' table: one row per name, in the order rendered. */
    const char *at = strstr(doc, "## Self-metrics");
    assert_non_null(at);
    for (int i = 0; aim__prom_self_names[i]; i++) {
        char row[160];
        snprintf(row, sizeof row, "| `%s` |", aim__prom_self_names[i]);
        const char *next = strstr(at, row);
        if (!next)
            fail_msg("docs/metrics.md's Self-metrics lacks (in this order) the row:\n%s", row);
        at = next;
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_follow_prometheus_conventions),
        cmocka_unit_test(text_format_has_families_labels_and_base_units),
        cmocka_unit_test(unknown_job_and_intensity_are_left_out),
        cmocka_unit_test(openmetrics_has_units_and_eof),
        cmocka_unit_test(self_metrics_are_rendered_with_the_run_labels),
        cmocka_unit_test(promtool_accepts_both_formats),
        cmocka_unit_test(docs_list_every_exported_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
