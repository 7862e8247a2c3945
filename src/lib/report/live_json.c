/* The /api/live object (live_json.h, fields in docs/http-api.md). Values keep the registry's
 * keys and units (gpu.util in %, as every other aimeter output), unlike /metrics, which
 * converts to Prometheus' base units: a client of aimeter's own API reads the names it
 * knows from `aimeter report --format json`. */
#include "report/live_json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "util/json.h"

static json_t *str_or_null(const char *s) {
    return s && *s ? aim__json_str(s, strlen(s)) : json_null();
}

/* The device's latest power: its own power series (every device that measures or estimates
 * power has one, without an instance). null when it has none or no valid value yet. */
static double device_power(const aim_prom_input *in, int d) {
    for (int i = 0; i < in->n_series; i++) {
        const aim_prom_series *s = &in->series[i];
        if (s->device == d && s->metric == AIM_M_POWER && s->instance < 0)
            return s->valid ? s->value : NAN;
    }
    return NAN;
}

static json_t *devices(const aim_prom_input *in, int *err) {
    json_t *arr = json_array();
    for (int d = 0; d < in->n_devices; d++) {
        const aim_prom_device *dv = &in->devices[d];
        json_t *o = json_object();
        aim__json_put(o, "name", str_or_null(dv->name), err);
        aim__json_put(o, "kind", str_or_null(dv->kind), err);
        aim__json_put(o, "model", str_or_null(dv->model), err);
        aim__json_put(o, "index", dv->gpu >= 0 ? json_integer(dv->gpu) : json_null(), err);
        aim__json_put(o, "uuid", str_or_null(dv->uuid), err);
        aim__json_put(o, "power_w", aim__json_num(device_power(in, d)), err);
        aim__json_put(o, "energy_j", dv->has_energy ? aim__json_num(dv->energy_j) : json_null(),
                      err);
        aim__json_put(o, "energy_method", str_or_null(dv->has_energy ? dv->method : NULL), err);
        aim__json_push(arr, o, err);
    }
    return arr;
}

static json_t *series(const aim_prom_input *in, int *err) {
    json_t *arr = json_array();
    for (int i = 0; i < in->n_series; i++) {
        const aim_prom_series *s = &in->series[i];
        /* A series of a metric this aimeter does not know, or of no device, has no name to
         * give: left out, as /metrics leaves it out. */
        if ((int)s->metric < 0 || s->metric >= AIM_M__COUNT || s->device < 0 ||
            s->device >= in->n_devices)
            continue;
        const aim_metric_info *m = aim__metric_by_id(s->metric);
        json_t *o = json_object();
        aim__json_put(o, "device", str_or_null(in->devices[s->device].name), err);
        aim__json_put(o, "metric", str_or_null(m->key), err);
        aim__json_put(o, "instance", s->instance >= 0 ? json_integer(s->instance) : json_null(),
                      err);
        aim__json_put(o, "unit", json_string(m->unit), err);
        aim__json_put(o, "value", s->valid ? aim__json_num(s->value) : json_null(), err);
        aim__json_put(o, "valid", json_boolean(s->valid && isfinite(s->value)), err);
        aim__json_push(arr, o, err);
    }
    return arr;
}

/* The runs in progress: the run itself (kind "run"; an agent's own session), then an agent's
 * jobs (kind "job"). records: the run's counter records by key; a job has none, records being
 * the node's (docs/agent.md), so the field is left out of a job's entry rather than showing
 * the node's totals as the job's (docs/http-api.md). */
static json_t *runs(const aim_prom_input *in, const aim_live_json_extra *x, int *err) {
    json_t *arr = json_array(), *o = json_object(), *rec = json_object();
    aim__json_put(o, "kind", json_string("run"), err);
    aim__json_put(o, "id", str_or_null(in->run), err);
    aim__json_put(o, "name", str_or_null(in->task), err);
    aim__json_put(o, "phase", str_or_null(in->phase), err);
    aim__json_put(o, "state", json_string("running"), err);
    aim__json_put(o, "elapsed_s", aim__json_num(in->duration_s), err);
    aim__json_put(o, "energy_j", aim__json_num(in->energy_j), err);
    aim__json_put(o, "carbon_g", aim__json_num(in->carbon_g), err);
    for (int k = 0; k < x->n_records; k++)
        if (x->records[k].key && *x->records[k].key)
            aim__json_put(rec, x->records[k].key, aim__json_num(x->records[k].total), err);
    aim__json_put(o, "records", rec, err);
    aim__json_push(arr, o, err);
    for (int k = 0; k < in->n_jobs; k++) {
        const aim_prom_job *j = &in->jobs[k];
        o = json_object();
        aim__json_put(o, "kind", json_string("job"), err);
        aim__json_put(o, "id", str_or_null(j->id), err);
        aim__json_put(o, "name", json_null(), err);
        aim__json_put(o, "phase", str_or_null(j->phase), err);
        aim__json_put(o, "state", json_string(j->ended ? "ended" : "running"), err);
        aim__json_put(o, "elapsed_s", aim__json_num(j->duration_s), err);
        aim__json_put(o, "energy_j", aim__json_num(j->energy_j), err);
        aim__json_put(o, "carbon_g", aim__json_num(j->carbon_g), err);
        aim__json_push(arr, o, err);
    }
    return arr;
}

int aim__live_json_render(const aim_prom_input *in, const aim_live_json_extra *extra,
                          char **ret_text) {
    int err = 0;
    json_t *root = json_object(), *run = json_object(), *totals = json_object(),
           *sampler = json_object();
    aim__json_put(root, "schema", json_integer(AIM_LIVE_JSON_SCHEMA), &err);
    aim__json_put(run, "id", str_or_null(in->run), &err);
    aim__json_put(run, "name", str_or_null(in->task), &err);
    aim__json_put(run, "host", str_or_null(in->host), &err);
    aim__json_put(run, "zone", str_or_null(in->zone), &err);
    aim__json_put(run, "signal", str_or_null(in->signal), &err);
    aim__json_put(root, "run", run, &err);
    aim__json_put(root, "elapsed_s", aim__json_num(in->duration_s), &err);
    aim__json_put(root, "phase", str_or_null(in->phase), &err);
    aim__json_put(totals, "power_w", aim__json_num(in->power_w), &err);
    aim__json_put(totals, "energy_j", aim__json_num(in->energy_j), &err);
    aim__json_put(totals, "carbon_g", aim__json_num(in->carbon_g), &err);
    aim__json_put(root, "totals", totals, &err);
    aim__json_put(sampler, "samples", aim__json_count(extra->samples), &err);
    aim__json_put(sampler, "missed_deadlines",
                  extra->have_missed ? aim__json_count(extra->missed_deadlines) : json_null(),
                  &err);
    aim__json_put(root, "sampler", sampler, &err);
    aim__json_put(root, "devices", devices(in, &err), &err);
    aim__json_put(root, "series", series(in, &err), &err);
    aim__json_put(root, "runs", runs(in, extra, &err), &err);
    int r = err || !root ? -ENOMEM
                         : aim__json_dump_flags(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                                          JSON_REAL_PRECISION(15), 1, ret_text);
    json_decref(root);
    return r;
}
