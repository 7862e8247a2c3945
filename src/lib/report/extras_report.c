/* Idle baseline, embodied carbon and attribution in the report's JSON (extras_report.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "processing/extras_figures.h"
#include "processing/report_extras.h"
#include "report/extras_report.h"
#include "processing/report_words.h"
#include "report/jsonutil.h"

json_t *aim__idle_report_json(const aim_run_summary *run, int *err) {
    const aim_run_extras *x = run->extras;
    if (!x || !x->idle_run_id[0])
        return json_null();
    json_t *o = json_object(), *devs = json_array();
    aim__json_put(o, "baseline_run", json_string(x->idle_run_id), err);
    aim__json_put(o, "found", json_boolean(x->idle_found), err);
    aim__json_put(o, "baseline_duration_s", aim__json_num(x->idle_found ? x->idle_duration_s : NAN), err);
    double pct = x->idle_found ? x->idle_cpu_pct : NAN;
    aim__json_put(o, "baseline_cpu_pct", aim__json_num(pct), err);
    aim__json_put(o, "idle_max_cpu_pct", aim__json_num(AIM_IDLE_MAX_CPU_PCT), err);
    aim__json_put(o, "baseline_idle", isnan(pct) ? json_null() : json_boolean(!aim__idle_busy(pct)),
                 err);
    double idle = 0, net = 0, idle_g = 0, net_g = 0;
    for (int i = 0; i < run->n_devices && x->idle_found; i++) {
        const aim_device_summary *d = &run->devices[i];
        aim_idle_split s = aim__idle_split_of(run, d);
        if (!d->in_total || !isfinite(s.idle_j))
            continue;
        idle += s.idle_j;
        net += s.net_j;
        idle_g += isfinite(s.idle_g) ? s.idle_g : 0;
        net_g += isfinite(s.net_g) ? s.net_g : 0;
        json_t *dv = json_object();
        aim__json_put(dv, "device", aim__json_str(d->name, strnlen(d->name, sizeof d->name)), err);
        aim__json_put(dv, "idle_power_w", aim__json_num(aim__idle_power(x, d->name)), err);
        aim__json_put(dv, "total_j", aim__json_num(d->energy_j), err);
        aim__json_put(dv, "idle_j", aim__json_num(s.idle_j), err);
        aim__json_put(dv, "net_j", aim__json_num(s.net_j), err);
        aim__json_put(dv, "idle_carbon_g", aim__json_num(s.idle_g), err);
        aim__json_put(dv, "net_carbon_g", aim__json_num(s.net_g), err);
        char why[256];
        aim__json_put(dv, "net_negative_why",
                     s.net_j < 0 ? json_string(aim__idle_negative_why(why, sizeof why, x)) : json_null(),
                     err);
        aim__json_push(devs, dv, err);
    }
    aim__json_put(o, "idle_j", aim__json_num(x->idle_found ? idle : NAN), err);
    aim__json_put(o, "net_j", aim__json_num(x->idle_found ? net : NAN), err);
    aim__json_put(o, "idle_carbon_g", aim__json_num(x->idle_found ? idle_g : NAN), err);
    aim__json_put(o, "net_carbon_g", aim__json_num(x->idle_found ? net_g : NAN), err);
    char why[256];
    aim__json_put(o, "net_negative_why", x->idle_found && net < 0
                                            ? json_string(aim__idle_negative_why(why, sizeof why, x))
                                            : json_null(), err);
    aim__json_put(o, "devices", devs, err);
    return o;
}

json_t *aim__attribution_report_json(const aim_run_summary *run, int *err) {
    const aim_run_extras *x = run->extras;
    if (!x || x->n_attr == 0)
        return json_null();
    json_t *o = json_object(), *devs = json_array();
    double total = 0;
    for (size_t i = 0; i < x->n_attr; i++) {
        const aim_attr_figure *a = &x->attr[i];
        if (a->device < 0 || a->device >= run->n_devices)
            continue;
        const aim_device_summary *d = &run->devices[a->device];
        json_t *dv = json_object();
        aim__json_put(dv, "device", aim__json_str(d->name, strnlen(d->name, sizeof d->name)), err);
        aim__json_put(dv, "attributed_j", aim__json_num(a->joules), err);
        aim__json_put(dv, "device_j", aim__json_num(d->energy_j), err);
        aim__json_put(dv, "share_pct", aim__json_num(d->energy_j > 0 ? 100 * a->joules / d->energy_j
                                                                   : NAN), err);
        aim__json_put(dv, "method", json_string(a->method), err);
        aim__json_push(devs, dv, err);
        total += a->joules;
    }
    aim__json_put(o, "attributed_j", aim__json_num(total), err);
    aim__json_put(o, "devices", devs, err);
    return o;
}

json_t *aim__embodied_report_json(const aim_run_summary *run, int *err) {
    const aim_run_extras *x = run->extras;
    if (!x || !x->embodied)
        return json_null();
    json_t *o = json_object(), *devs = json_array();
    double total = 0;
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        aim_embodied_figure e = d->in_total ? aim__embodied_of(run, d)
                                            : (aim_embodied_figure){ NULL, 1, NAN };
        const aim_embodied_info *info = e.row;
        double units = e.units, g = e.g;
        if (!isfinite(g))
            continue;
        total += g;
        json_t *dv = json_object();
        aim__json_put(dv, "device", aim__json_str(d->name, strnlen(d->name, sizeof d->name)), err);
        aim__json_put(dv, "kind", json_string(info->kind), err);
        aim__json_put(dv, "row_model", json_string(info->model), err);
        aim__json_put(dv, "kg_co2e", aim__json_num(info->kg_co2e * units), err);
        aim__json_put(dv, "lifetime_years", aim__json_num(info->lifetime_years), err);
        aim__json_put(dv, "g", aim__json_num(g), err);
        aim__json_put(dv, "source", json_string(info->source), err);
        aim__json_push(devs, dv, err);
    }
    aim__json_put(o, "g", aim__json_num(total), err);
    aim__json_put(o, "devices", devs, err);
    aim__json_put(o, "note", json_string("amortised over the run's time; not included in carbon.g"),
                 err);
    return o;
}
