/* Hand-made run summaries for the report's tests (report_runs.h). */
#include "report_runs.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void set(char *dst, size_t len, const char *src) { snprintf(dst, len, "%s", src); }

void base_run(aim_run_summary *r, int n_devices, int n_series) {
    memset(r, 0, sizeof *r);
    SET(r->id, "20261121-140312-3f9a");
    SET(r->name, "llama-infer");
    SET(r->command, "python3 train.py --epochs 3");
    SET(r->host, "node17");
    SET(r->aimeter_version, "0.1.0");
    r->start_wall_ns = 1795269792000000000LL; /* 2026-11-21 14:03:12 UTC */
    r->end_wall_ns = r->start_wall_ns + 43000000000LL;
    r->duration_ns = 43000000000LL;
    r->status = AIM_RUN_COMPLETED;
    r->exit_code = 0;
    r->interval_ns = 100000000;
    r->achieved_interval_ns = 100020000;
    r->samples = 430;
    SET(r->sources, "procfs,rapl,estimate");
    r->intensity_g_per_kwh = 475;
    SET(r->zone, "WORLD");
    SET(r->intensity_source, "built-in table: Ember 2024 (CC BY 4.0)");
    r->devices = calloc((size_t)n_devices + 1, sizeof *r->devices);
    r->series = calloc((size_t)n_series + 1, sizeof *r->series);
    assert_non_null(r->devices);
    assert_non_null(r->series);
}

int add_device(aim_run_summary *r, const char *name, aim_device_kind kind,
                      const char *model) {
    aim_device_summary *d = &r->devices[r->n_devices];
    SET(d->name, name);
    d->kind = kind;
    SET(d->model, model ? model : "");
    d->in_total = 1;
    return r->n_devices++;
}

void set_energy(aim_run_summary *r, int dev, double j, aim_method m, const char *detail,
                       int in_total) {
    aim_device_summary *d = &r->devices[dev];
    d->has_energy = 1;
    d->energy_j = j;
    d->energy_method = m;
    SET(d->energy_detail, detail);
    d->in_total = in_total;
}

aim_series_summary *add_series(aim_run_summary *r, int dev, aim_metric_id metric,
                                      int instance, double mean, double max, double min,
                                      double mode) {
    aim_series_summary *s = &r->series[r->n_series];
    s->slot = r->n_series++;
    s->device = dev;
    s->metric = (int)metric;
    SET(s->metric_key, aim__metric_by_id(metric)->key);
    s->instance = instance;
    s->counter = aim__metric_by_id(metric)->kind == AIM_KIND_COUNTER;
    s->count = 430;
    s->mean = mean;
    s->max = max;
    s->min = min;
    s->mode = mode;
    s->stddev = 1.5;
    s->mode_exact = 1;
    return s;
}

/* A laptop-style run: no sensor, CPU and DRAM energy estimated.
 * total = 6348.88 + 388.74 = 6737.62 J = 0.00187156 kWh;
 * carbon = 6737.62 J / 3.6e6 x 475 g/kWh = 0.888992 g = 0.000889 kg. */
void host_only_run(aim_run_summary *r) {
    base_run(r, 4, 12);
    int host = add_device(r, "host", AIM_DEV_HOST, NULL);
    int cpu = add_device(r, "cpu0", AIM_DEV_CPU, "Intel(R) Xeon(R) Gold 6248");
    int dram = add_device(r, "dram0", AIM_DEV_DRAM, NULL);
    int proc = add_device(r, "process", AIM_DEV_PROCESS, NULL);
    set_energy(r, cpu, 6348.88, AIM_METHOD_ESTIMATED, "TDP 150 W x utilisation curve", 1);
    set_energy(r, dram, 388.74, AIM_METHOD_ESTIMATED, "0.3725 W/GB x memory in use", 1);
    r->total_energy_j = 6737.62;
    r->carbon_g = 6737.62 / 3.6e6 * 475.0;
    add_series(r, host, AIM_M_CPU_UTIL, -1, 3.67, 6.2, 2.2, 4.0);
    add_series(r, host, AIM_M_CPU_CORE_UTIL, 0, 9, 9, 9, 9);
    add_series(r, host, AIM_M_CPU_CORE_UTIL, 1, 9, 9, 9, 9);
    add_series(r, host, AIM_M_MEM_UTIL, -1, 4.1, 4.1, 3.9, 4.1);
    add_series(r, host, AIM_M_MEM_USED, -1, 12.5, 13.25, 12.0, 12.5);
    add_series(r, cpu, AIM_M_POWER, -1, 147.91, 160.26, 123.73, 123.73)->method =
        AIM_METHOD_ESTIMATED;
    add_series(r, cpu, AIM_M_ENERGY, -1, 3000, 6348.88, 0, 0)->method = AIM_METHOD_ESTIMATED;
    add_series(r, dram, AIM_M_POWER, -1, 9.05, 9.43, 8.77, 9.06)->method = AIM_METHOD_ESTIMATED;
    add_series(r, proc, AIM_M_PROC_CPU_UTIL, -1, 98.5, 100, 12.25, 100);
    add_series(r, proc, AIM_M_PROC_CPU_TIME, -1, 20, 42.1, 0, 0);
    SET(r->sources, "procfs,estimate");
    SET(r->warnings, "rapl: permission denied on /sys/class/powercap/intel-rapl:0/energy_uj\n"
                     "hwmon: no sensor found\n");
}

/* Two sockets measured by RAPL, psys shown but not added (it contains the packages).
 * Devices are deliberately listed out of order: the report orders CPU, DRAM, GPU, others.
 * total = 3000.5 + 2900.25 + 200 + 150 = 6250.75 J = 0.001736319 kWh;
 * carbon at 56 g/kWh = 6250.75 x 56 / 3.6e6 = 0.0972339 g. */
void rapl_run(aim_run_summary *r) {
    base_run(r, 8, 12);
    add_device(r, "host", AIM_DEV_HOST, NULL);
    int psys = add_device(r, "psys0", AIM_DEV_PLATFORM, NULL);
    int dram1 = add_device(r, "dram1", AIM_DEV_DRAM, NULL);
    int cpu0 = add_device(r, "cpu0", AIM_DEV_CPU, "AMD EPYC 7763");
    int dram0 = add_device(r, "dram0", AIM_DEV_DRAM, NULL);
    int cpu1 = add_device(r, "cpu1", AIM_DEV_CPU, "AMD EPYC 7763");
    set_energy(r, psys, 7000, AIM_METHOD_MEASURED, "RAPL psys counter", 0);
    set_energy(r, dram1, 150, AIM_METHOD_MEASURED, "RAPL dram counter", 1);
    set_energy(r, cpu0, 3000.5, AIM_METHOD_MEASURED, "RAPL package counter", 1);
    set_energy(r, dram0, 200, AIM_METHOD_MEASURED, "RAPL dram counter", 1);
    set_energy(r, cpu1, 2900.25, AIM_METHOD_MEASURED, "RAPL package counter", 1);
    r->total_energy_j = 6250.75;
    r->intensity_g_per_kwh = 56;
    SET(r->zone, "FR");
    r->carbon_g = 6250.75 / 3.6e6 * 56.0;
    add_series(r, cpu0, AIM_M_POWER, -1, 69.78, 80, 60, 70)->method = AIM_METHOD_DERIVED;
    add_series(r, cpu1, AIM_M_POWER, -1, 67.45, 79.5, 59.25, 66)->method = AIM_METHOD_DERIVED;
    add_series(r, dram0, AIM_M_POWER, -1, 4.65, 5, 4, 4.5)->method = AIM_METHOD_DERIVED;
    add_series(r, psys, AIM_M_POWER, -1, 162.79, 200, 120, 150)->method = AIM_METHOD_DERIVED;
    add_series(r, cpu0, AIM_M_ENERGY, -1, 1500, 3000.5, 0, 0);
    SET(r->sources, "procfs,rapl");
}
