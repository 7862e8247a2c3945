/* The Prometheus / OpenMetrics exposition (prometheus.h). One family per name: its # HELP and
 * # TYPE (and # UNIT in OpenMetrics) once, then every sample of that name, as both formats
 * require. Names follow node_exporter's and dcgm-exporter's conventions: base units, 0-1
 * ratios instead of percentages, counters ending in _total (docs/metrics.md). */
#include "report/prometheus.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/prometheus_self.h"
#include "util/number.h"
#include "util/numfmt.h"

/* Registry unit -> Prometheus unit and the factor to it. */
static const struct unit_row {
    const char *unit, *prom;
    double scale;
} units[] = {
    {"W", "watts", 1.0},       {"J", "joules", 1.0},        {"°C", "celsius", 1.0},
    {"V", "volts", 1.0},       {"A", "amperes", 1.0},       {"%", "ratio", 0.01},
    {"GiB", "bytes", 1073741824.0}, {"s", "seconds", 1.0},  {"MHz", "hertz", 1e6},
    {"GB/s", "bytes_per_second", 1e9},
};

/* Key prefixes that already name what is measured (cpu.util, gpu.fan, ...); the metrics
 * without one (power, energy.core, temperature, ...) exist on every kind of device and get
 * the device kind in front. */
static const char *const families[] = {"cpu.", "mem.", "proc.", "gpu."};

static const struct unit_row *unit_of(aim_metric_id id) {
    const aim_metric_info *m = aim__metric_by_id(id);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(m->unit, units[i].unit) == 0)
            return &units[i];
    return NULL;
}

const char *aim__prom_unit(aim_metric_id id) {
    const struct unit_row *u = unit_of(id);
    return u ? u->prom : "";
}

int aim__prom_name(aim_metric_id id, const char *kind, char name[AIM_PROM_NAME_MAX],
                   double *ret_scale) {
    /* A job slot's number means nothing to a dashboard: each job's own figures are the
     * aimeter_job_* families (prom_jobs.c). */
    if ((int)id < 0 || id >= AIM_M__COUNT || id == AIM_M_ENERGY || id == AIM_M_GPU_JOB_SM_UTIL)
        return -ENOENT;
    const aim_metric_info *m = aim__metric_by_id(id);
    /* A gauge may not end in _count (promtool: that suffix belongs to histograms and
     * summaries), so the process count is named by what it counts. */
    if (id == AIM_M_PROC_COUNT) {
        snprintf(name, AIM_PROM_NAME_MAX, "aimeter_proc_processes");
        if (ret_scale)
            *ret_scale = 1.0;
        return 0;
    }
    int own = 0;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        own |= strncmp(m->key, families[i], strlen(families[i])) == 0;
    const struct unit_row *u = unit_of(id);
    int n = snprintf(name, AIM_PROM_NAME_MAX, "aimeter_%s%s%s%s%s%s", own ? "" : kind,
                     own ? "" : "_", m->key, u ? "_" : "", u ? u->prom : "",
                     m->kind == AIM_KIND_COUNTER ? "_total" : "");
    if (n < 0 || n >= AIM_PROM_NAME_MAX)
        return -ENAMETOOLONG;
    /* Keys and kinds are [a-z0-9._]; anything else becomes '_' so a name is always valid. */
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    if (ret_scale)
        *ret_scale = u ? u->scale : 1.0;
    return 0;
}

/* Escapes of a label value (\\, \", \n) or of HELP text (\\, \n; and \" in OpenMetrics). */
static void put_escaped(aim_strbuf *b, const char *s, int quote) {
    for (; *s; s++) {
        if (*s == '\\')
            aim__strbuf_append(b, "\\\\");
        else if (*s == '\n')
            aim__strbuf_append(b, "\\n");
        else if (*s == '"' && quote)
            aim__strbuf_append(b, "\\\"");
        else
            aim__strbuf_putc(b, *s);
    }
}

static void put_label(aim_strbuf *b, int *first, const char *key, const char *value) {
    if (!value || !*value)
        return;
    aim__strbuf_append(b, *first ? "{" : ",");
    *first = 0;
    aim__strbuf_printf(b, "%s=\"", key);
    put_escaped(b, value, 1);
    aim__strbuf_putc(b, '"');
}

static void put_value(aim_strbuf *b, double v) {
    char num[AIM_NUM_MAX];
    if (isnan(v))
        aim__strbuf_append(b, "NaN");
    else if (isinf(v))
        aim__strbuf_append(b, v > 0 ? "+Inf" : "-Inf");
    else {
        /* The shortest of 15 or 17 digits that reads back as v: "0.45", not
         * "0.45000000000000001", and never a rounded counter. */
        double back;
        aim__fmt_g(num, v, 15);
        if (aim__parse_decimal(num, strlen(num), 1, &back) < 0 || back != v)
            aim__fmt_g(num, v, 17);
        aim__strbuf_append(b, num);
    }
    aim__strbuf_putc(b, '\n');
}

/* The family header. name is the sample name; OpenMetrics names a counter family without
 * its _total. */
static void put_header(aim_strbuf *b, const char *name, const char *type, const char *unit,
                       const char *help, int om) {
    size_t n = strlen(name);
    if (om && strcmp(type, "counter") == 0 && n > 6 && strcmp(name + n - 6, "_total") == 0)
        n -= 6;
    aim__strbuf_append(b, "# HELP ");
    aim__strbuf_appendn(b, name, n);
    aim__strbuf_putc(b, ' ');
    put_escaped(b, help, 0); /* promtool refuses \" in HELP, in both formats */
    aim__strbuf_append(b, "\n# TYPE ");
    aim__strbuf_appendn(b, name, n);
    aim__strbuf_printf(b, " %s\n", type);
    if (om && unit && *unit) {
        aim__strbuf_append(b, "# UNIT ");
        aim__strbuf_appendn(b, name, n);
        aim__strbuf_printf(b, " %s\n", unit);
    }
}

static void put_run_labels(aim_strbuf *b, int *first, const aim_prom_input *in) {
    put_label(b, first, "host", in->host);
    put_label(b, first, "run", in->run);
    put_label(b, first, "task", in->task);
    /* Not "job": Prometheus gives every series of a target the scrape job's `job` label and
     * renames an exported one to exported_job; dcgm-exporter calls it hpc_job too. */
    put_label(b, first, "hpc_job", in->job);
}

static void put_device_labels(aim_strbuf *b, int *first, const aim_prom_input *in,
                              const aim_prom_device *d) {
    char gpu[16];
    put_label(b, first, "device", d->name);
    if (d->gpu >= 0) {
        snprintf(gpu, sizeof gpu, "%d", d->gpu);
        put_label(b, first, "gpu", gpu);
    }
    put_label(b, first, "uuid", d->uuid);
    put_label(b, first, "model", d->model);
    put_run_labels(b, first, in);
}

static void put_close(aim_strbuf *b, int first) {
    aim__strbuf_append(b, first ? " " : "} ");
}

/* Each series' name is derived once per scrape (an snprintf each: deriving it again for
 * every pair made a scrape of 8 GPUs x 30 metrics cost 2.7 ms, bench_prometheus); "" for a
 * series not exported (invalid value, unknown metric, the raw energy counter). */
typedef struct series_name {
    char name[AIM_PROM_NAME_MAX];
    double scale;
    int done; /* written with its family */
} series_name;

static void put_series(aim_strbuf *b, const aim_prom_input *in, int om) {
    series_name *names = calloc((size_t)in->n_series + 1, sizeof *names);
    if (!names) {
        b->err = -ENOMEM; /* sticky: the caller's steal reports it */
        return;
    }
    for (int i = 0; i < in->n_series; i++) {
        const aim_prom_series *s = &in->series[i];
        if (!s->valid || s->device < 0 || s->device >= in->n_devices ||
            aim__prom_name(s->metric, in->devices[s->device].kind, names[i].name,
                           &names[i].scale) < 0)
            names[i].name[0] = '\0';
    }
    for (int i = 0; i < in->n_series; i++) {
        if (!names[i].name[0] || names[i].done)
            continue;
        const aim_metric_info *m = aim__metric_by_id(in->series[i].metric);
        put_header(b, names[i].name, m->kind == AIM_KIND_COUNTER ? "counter" : "gauge",
                   aim__prom_unit(in->series[i].metric), m->description, om);
        for (int j = i; j < in->n_series; j++) {
            if (names[j].done || strcmp(names[i].name, names[j].name) != 0)
                continue;
            names[j].done = 1;
            const aim_prom_series *s = &in->series[j];
            int first = 1;
            aim__strbuf_append(b, names[j].name);
            put_device_labels(b, &first, in, &in->devices[s->device]);
            if (s->instance >= 0) {
                char core[16];
                snprintf(core, sizeof core, "%d", s->instance);
                put_label(b, &first, "core", core);
            }
            put_close(b, first);
            put_value(b, s->value * names[j].scale);
        }
    }
    free(names);
}

/* Each device's accounted energy (counter, integrated or estimated: the method label). */
static void put_device_energy(aim_strbuf *b, const aim_prom_input *in, int om) {
    char name[AIM_PROM_NAME_MAX], other[AIM_PROM_NAME_MAX];
    for (int i = 0; i < in->n_devices; i++) {
        const aim_prom_device *d = &in->devices[i];
        if (!d->has_energy)
            continue;
        snprintf(name, sizeof name, "aimeter_%s_energy_joules_total", d->kind);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = in->devices[j].has_energy && strcmp(in->devices[j].kind, d->kind) == 0;
        if (seen)
            continue;
        put_header(b, name, "counter", "joules",
                   "Energy of the device since the run started; method: measured (a hardware "
                   "counter), derived (power integrated) or estimated.", om);
        for (int j = i; j < in->n_devices; j++) {
            const aim_prom_device *e = &in->devices[j];
            if (!e->has_energy || strcmp(e->kind, d->kind) != 0)
                continue;
            snprintf(other, sizeof other, "aimeter_%s_energy_joules_total", e->kind);
            int first = 1;
            aim__strbuf_append(b, other);
            put_device_labels(b, &first, in, e);
            put_label(b, &first, "method", e->method);
            put_close(b, first);
            put_value(b, e->energy_j);
        }
    }
}

static void put_total(aim_strbuf *b, const aim_prom_input *in, int om, const char *name,
                      const char *type, const char *unit, const char *help, double v,
                      int carbon) {
    int first = 1;
    put_header(b, name, type, unit, help, om);
    aim__strbuf_append(b, name);
    put_run_labels(b, &first, in);
    if (carbon) {
        put_label(b, &first, "zone", in->zone);
        put_label(b, &first, "signal", in->signal);
    }
    put_close(b, first);
    put_value(b, v);
}

void aim__prom_render(const aim_prom_input *in, int om, aim_strbuf *out) {
    put_device_energy(out, in, om);
    put_series(out, in, om);
    put_total(out, in, om, "aimeter_run_energy_joules_total", "counter", "joules",
              "Energy of the devices counted in the run's total since it started.",
              in->energy_j, 0);
    put_total(out, in, om, "aimeter_run_power_watts", "gauge", "watts",
              "Summed latest power of the devices counted in the run's total.", in->power_w, 0);
    put_total(out, in, om, "aimeter_run_duration_seconds", "gauge", "seconds",
              "Time since the run started.", in->duration_s, 0);
    put_total(out, in, om, "aimeter_carbon_grams_total", "counter", "grams",
              "Carbon of the run so far in grams of CO2e (grid intensity over time, PUE "
              "included).", in->carbon_g, 1);
    if (!isnan(in->intensity_g_per_kwh))
        put_total(out, in, om, "aimeter_grid_intensity_grams_per_kwh", "gauge", "grams_per_kwh",
                  "Carbon intensity of the grid in force now, g CO2e per kWh (the run's "
                  "intensity series: zone and signal as labelled).",
                  in->intensity_g_per_kwh, 1);
    /* The phase changes, so it is a label of an info-style gauge, not of every sample (a
     * gauge, not OpenMetrics' info type, so one parser reads both formats: promtool's). */
    int first = 1;
    put_header(out, "aimeter_run_info", "gauge", NULL,
               "The run and its innermost open phase (\"\" when none); always 1.", om);
    aim__strbuf_append(out, "aimeter_run_info");
    put_run_labels(out, &first, in);
    aim__strbuf_append(out, first ? "{" : ",");
    aim__strbuf_append(out, "phase=\"");
    put_escaped(out, in->phase ? in->phase : "", 1);
    aim__strbuf_append(out, "\"} 1\n");
    if (in->jobs)
        aim__prom_render_jobs(in, om, out);
    if (in->self)
        aim__prom_render_self(in->self, in, om, out);
    if (om)
        aim__strbuf_append(out, "# EOF\n");
}

/* The writers above, for the job and self families (prometheus_jobs.c, prometheus_self.c). */
void aim__prom_put_header(aim_strbuf *b, const char *name, const char *type, const char *unit,
                          const char *help, int om) {
    put_header(b, name, type, unit, help, om);
}

void aim__prom_put_sample(aim_strbuf *b, const aim_prom_input *in, const char *name,
                          const char *key, const char *value, double v) {
    int first = 1;
    aim__strbuf_append(b, name);
    put_run_labels(b, &first, in);
    if (key)
        put_label(b, &first, key, value);
    put_close(b, first);
    put_value(b, v);
}

void aim__prom_put_label(aim_strbuf *b, int *first, const char *key, const char *value) {
    put_label(b, first, key, value);
}

void aim__prom_put_run_labels(aim_strbuf *b, int *first, const aim_prom_input *in) {
    put_run_labels(b, first, in);
}

void aim__prom_put_sample_end(aim_strbuf *b, int first, double value) {
    put_close(b, first);
    put_value(b, value);
}
