/* The report as JSON (schema "aimeter.report/1", documented field by field in
 * docs/report-json.md). Complete where the text report is selective: every series,
 * detail and counter ones included. Numbers that are not finite, and statistics of series
 * with no samples, are null: JSON has no NaN, and 0 would be a false measurement. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/sections.h"
#include "report/corr_report.h"
#include "report/phases_report.h"
#include "report/extras_report.h"
#include "report/jsonutil.h"
#include "processing/report_model.h"
#include "report/renderers.h"

/* Every builder takes `int *err`; these keep the field lists readable. */
#define PUT(obj, key, value) aim__json_put((obj), (key), (value), err)
#define PUSH(arr, value) aim__json_push((arr), (value), err)
#define STR(field) aim__json_str((field), sizeof(field))
#define STR_OR_NULL(field) aim__json_str_or_null((field), sizeof(field))

static json_t *run_object(const aim_run_summary *run, int *err) {
    json_t *o = json_object();
    PUT(o, "id", STR(run->id));
    PUT(o, "name", STR(run->name));
    PUT(o, "command", STR(run->command));
    PUT(o, "host", STR(run->host));
    PUT(o, "status", json_string(aim__json_status(run->status)));
    PUT(o, "stale", json_boolean(run->stale));
    PUT(o, "exit_code", run->exit_code >= 0 ? json_integer(run->exit_code) : json_null());
    PUT(o, "start_time", aim__json_time(run->start_wall_ns));
    PUT(o, "end_time", run->end_wall_ns ? aim__json_time(run->end_wall_ns) : json_null());
    PUT(o, "duration_s", aim__json_num((double)run->duration_ns / 1e9));
    PUT(o, "aimeter_version", STR(run->aimeter_version));
    PUT(o, "tags", aim__json_tags(run->tags, run->n_tags));
    return o;
}

static json_t *sampling_object(const aim_run_summary *run, int *err) {
    json_t *o = json_object();
    PUT(o, "interval_s", aim__json_num((double)run->interval_ns / 1e9));
    PUT(o, "achieved_interval_s",
        run->achieved_interval_ns > 0 ? aim__json_num((double)run->achieved_interval_ns / 1e9)
                                      : json_null());
    PUT(o, "samples", aim__json_count(run->samples));
    PUT(o, "samples_lost", aim__json_count(run->samples_lost));
    PUT(o, "store_complete", json_boolean(run->samples_lost == 0));
    PUT(o, "missed_deadlines", aim__json_count(run->missed_deadlines));
    json_t *src = json_array();
    const char *name;
    size_t pos = 0, len;
    while (aim__report_next_source(run, &pos, &name, &len))
        PUSH(src, aim__json_str(name, len));
    PUT(o, "sources", src);
    return o;
}

static json_t *energy_object(const aim_run_summary *run, const int *order, size_t n, int *err) {
    json_t *o = json_object();
    PUT(o, "total_j", n ? aim__json_num(run->total_energy_j) : json_null());
    PUT(o, "total_kwh", n ? aim__json_num(run->total_energy_j / 3.6e6) : json_null());
    /* The one place the run's mean power and the devices' shares are computed: the HTML
     * report and other readers take them from here rather than dividing again. */
    double seconds = (double)run->duration_ns / 1e9;
    PUT(o, "mean_power_w",
        n && seconds > 0 ? aim__json_num(run->total_energy_j / seconds) : json_null());
    /* How the energy covers the run's start (docs/methodology.md). */
    PUT(o, "start_edge", n ? json_string("before a device's first reading, its first power (a "
                                         "counter's: its mean over its first second) held "
                                         "back to the run's start")
                           : json_null());
    /* Schema 2 runs: the PUE and the facility energy (IT × PUE); null for older runs. */
    int recorded = run->pue > 0;
    PUT(o, "pue", recorded ? aim__json_num(run->pue) : json_null());
    PUT(o, "pue_source", recorded ? STR(run->pue_source) : json_null());
    PUT(o, "facility_j", recorded && n ? aim__json_num(run->facility_energy_j) : json_null());
    PUT(o, "facility_kwh",
        recorded && n ? aim__json_num(run->facility_energy_j / 3.6e6) : json_null());
    json_t *devs = json_array();
    for (size_t k = 0; k < n; k++) {
        const aim_device_summary *d = &run->devices[order[k]];
        json_t *e = json_object();
        PUT(e, "device", STR(d->name));
        PUT(e, "kind", json_string(aim__device_kind_name(d->kind)));
        PUT(e, "model", STR_OR_NULL(d->model));
        PUT(e, "energy_j", aim__json_num(d->energy_j));
        PUT(e, "energy_kwh", aim__json_num(d->energy_j / 3.6e6));
        PUT(e, "method", json_string(aim__method_word(d->energy_method)));
        PUT(e, "detail", STR(d->energy_detail));
        PUT(e, "in_total", json_boolean(d->in_total));
        PUT(e, "share_pct", d->in_total && run->total_energy_j > 0
                                ? aim__json_num(100.0 * d->energy_j / run->total_energy_j)
                                : json_null());
        PUT(e, "carbon_g", d->in_total && run->n_intensity_points ? aim__json_num(d->carbon_g)
                                                                  : json_null());
        PUSH(devs, e);
    }
    PUT(o, "devices", devs);
    return o;
}

/* The points that applied during the run: from the one in force at its start to the last
 * one before its end. A year-long file stays out of a two-minute run's report; the store
 * keeps all of them. */
static json_t *steps_array(const aim_run_summary *run, const aim_intensity_point *p, size_t n,
                           const char *key, int *err) {
    json_t *arr = json_array();
    int64_t start_ms = run->start_wall_ns / 1000000;
    int64_t end_ms = (run->end_wall_ns ? run->end_wall_ns
                                       : run->start_wall_ns + run->duration_ns) / 1000000;
    size_t first = 0;
    while (first + 1 < n && p[first + 1].t_unix_ms <= start_ms)
        first++;
    for (size_t i = first; i < n && (i == first || p[i].t_unix_ms < end_ms); i++) {
        json_t *o = json_object();
        PUT(o, "time", aim__json_time(p[i].t_unix_ms * 1000000));
        PUT(o, key, aim__json_num(p[i].g_per_kwh));
        PUSH(arr, o);
    }
    return arr;
}

static json_t *carbon_object(const aim_run_summary *run, size_t n, int *err) {
    json_t *o = json_object();
    PUT(o, "g", n ? aim__json_num(run->carbon_g) : json_null());
    PUT(o, "kg", n ? aim__json_num(run->carbon_g / 1000.0) : json_null());
    PUT(o, "intensity_g_per_kwh", aim__json_num(run->intensity_g_per_kwh));
    PUT(o, "zone", STR_OR_NULL(run->zone));
    PUT(o, "source", STR(run->intensity_source));
    int series = run->n_intensity_points > 0;
    PUT(o, "signal", series ? json_string(aim__signal_name(run->signal)) : json_null());
    PUT(o, "basis", series ? json_string(aim__basis_name(run->basis)) : json_null());
    PUT(o, "pue", run->pue > 0 ? aim__json_num(run->pue) : json_null());
    char method[640];
    aim__report_carbon_method(method, sizeof method, run);
    PUT(o, "method", series ? aim__json_str(method, sizeof method) : json_null());
    PUT(o, "n_points", aim__json_count(run->n_intensity_points));
    PUT(o, "series", steps_array(run, run->intensity_points, run->n_intensity_points,
                                 "g_per_kwh", err));
    return o;
}

static json_t *cost_object(const aim_run_summary *run, size_t n, int *err) {
    if (!strnlen(run->currency, sizeof run->currency))
        return json_null();
    json_t *o = json_object();
    PUT(o, "amount", n ? aim__json_num(run->cost) : json_null());
    PUT(o, "currency", STR(run->currency));
    PUT(o, "price_per_kwh", aim__json_num(run->price_per_kwh));
    PUT(o, "source", STR(run->price_source));
    char method[640];
    aim__report_cost_method(method, sizeof method, run);
    PUT(o, "method", aim__json_str(method, sizeof method));
    PUT(o, "n_points", aim__json_count(run->n_price_points));
    PUT(o, "series", steps_array(run, run->price_points, run->n_price_points, "price_per_kwh",
                                 err));
    return o;
}

static json_t *stat_value(const aim_series_summary *s, double v) {
    return s->count ? aim__json_num(v) : json_null();
}

static json_t *metric_object(const aim_run_summary *run, const aim_series_summary *s, int *err) {
    const aim_metric_info *info = aim__series_metric(s);
    int id = info ? aim__metric_id_of(info) : -1;
    const char *component = aim__section_name(aim__series_section(run, s, info));
    json_t *o = json_object();
    if (strnlen(s->metric_key, sizeof s->metric_key) || !info)
        PUT(o, "key", STR(s->metric_key));
    else
        PUT(o, "key", json_string(info->key));
    PUT(o, "label", info ? json_string(info->label) : STR(s->metric_key));
    PUT(o, "unit", info ? json_string(info->unit) : json_null());
    PUT(o, "category", info ? json_string(aim_category_name(info->category)) : json_null());
    PUT(o, "component", component ? json_string(component) : json_null());
    PUT(o, "instance", s->instance >= 0 ? json_integer(s->instance) : json_null());
    PUT(o, "method", json_string(aim__method_word(s->method)));
    PUT(o, "counter", json_boolean(s->counter || (info && info->kind == AIM_KIND_COUNTER)));
    PUT(o, "detail", json_boolean(id >= 0 && aim__metric_is_detail((aim_metric_id)id)));
    PUT(o, "count", aim__json_count(s->count));
    PUT(o, "avg", stat_value(s, s->mean));
    PUT(o, "min", stat_value(s, s->min));
    PUT(o, "max", stat_value(s, s->max));
    PUT(o, "mode", stat_value(s, s->mode));
    PUT(o, "stddev", stat_value(s, s->stddev));
    PUT(o, "mode_exact", json_boolean(s->mode_exact));
    return o;
}

static json_t *devices_array(const aim_run_summary *run, int *err) {
    json_t *arr = json_array();
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        json_t *o = json_object();
        PUT(o, "name", STR(d->name));
        PUT(o, "kind", json_string(aim__device_kind_name(d->kind)));
        PUT(o, "model", STR_OR_NULL(d->model));
        json_t *metrics = json_array();
        for (int k = 0; k < run->n_series; k++)
            if (run->series[k].device == i)
                PUSH(metrics, metric_object(run, &run->series[k], err));
        PUT(o, "metrics", metrics);
        PUSH(arr, o);
    }
    return arr;
}

static json_t *warnings_array(const aim_run_summary *run, int *err) {
    json_t *arr = json_array();
    size_t pos = 0, len;
    const char *line;
    while (aim__report_next_line(run->warnings, sizeof run->warnings, &pos, &line, &len))
        PUSH(arr, aim__json_str(line, len));
    return arr;
}

int aim__report_render_json(const aim_report_model *m, char **ret_text) {
    const aim_run_summary *run = m->run;
    const int *order = m->energy_order;
    size_t n = m->n_energy_order;

    int err = 0;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.report/1"), &err);
    aim__json_put(root, "run", run_object(run, &err), &err);
    aim__json_put(root, "sampling", sampling_object(run, &err), &err);
    aim__json_put(root, "energy", energy_object(run, order, n, &err), &err);
    aim__json_put(root, "carbon", carbon_object(run, n, &err), &err);
    aim__json_put(root, "cost", cost_object(run, n, &err), &err);
    aim__json_put(root, "devices", devices_array(run, &err), &err);
    aim__json_put(root, "correlations", aim__corr_report_json(m->corr, &err), &err);
    aim__json_put(root, "workload", aim__phases_report_json(run, &err), &err);
    aim__json_put(root, "idle", aim__idle_report_json(run, &err), &err);
    aim__json_put(root, "embodied", aim__embodied_report_json(run, &err), &err);
    aim__json_put(root, "attribution", aim__attribution_report_json(run, &err), &err);
    aim__json_put(root, "warnings", warnings_array(run, &err), &err);

    int r = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return r;
}
