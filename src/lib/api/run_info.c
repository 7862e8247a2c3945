/* aim_run_info (aimeter.h, "reading a stored run"): a stored run's summary read through
 * accessors, so that a binding gets the report's figures as numbers instead of parsing the
 * JSON report. The figures the report derives (a phase's energy, share and peak, a
 * counter's J per unit) come from the same processing functions the report uses
 * (phase_figures.h, efficiency.h); docs/api.md lists the fields. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "model/device.h"
#include "processing/efficiency.h"
#include "processing/phase_figures.h"
#include "processing/phases.h"
#include "processing/records.h"
#include "processing/summary.h"
#include "processing/workload_summary.h"
#include "processing/report_words.h"
#include "processing/report_model.h"
#include "util/numfmt.h"

struct aim_run_info {
    aim_run_summary run;
    char start_time[40], end_time[40];
    /* One per line, as the report lists them: at most the stored text and a newline. */
    char warnings[sizeof ((aim_run_summary *)0)->warnings + 2];
    char (*columns)[256];       /* per series: its column name */
    int *energy_rank;           /* per device: its place in the report's energy list, or -1 */
    size_t n_energy;            /* devices with energy */
};

int aim_run_info_load(aim_store *store, const char *run_id, aim_run_info **ret_info) {
    if (!store)
        return -EINVAL;
    if (!run_id || !ret_info) {
        aim__store_set_error(store, "no run or output given");
        return -EINVAL;
    }
    aim_run_info *info = calloc(1, sizeof *info);
    if (!info) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = aim__api_load_run(store, run_id, &info->run);
    if (r < 0) {
        free(info);
        return r;
    }
    const aim_run_summary *run = &info->run;
    size_t nd = (size_t)(run->n_devices > 0 ? run->n_devices : 0);
    int *order = calloc(nd ? nd : 1, sizeof *order);
    info->energy_rank = malloc((nd ? nd : 1) * sizeof *info->energy_rank);
    size_t ns = aim_run_info_series_count(info);
    info->columns = calloc(ns ? ns : 1, sizeof *info->columns);
    if (!order || !info->energy_rank || !info->columns) {
        free(order);
        aim_run_info_free(info);
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    for (size_t d = 0; d < nd; d++)
        info->energy_rank[d] = -1;
    info->n_energy = aim__report_energy_order(run, order);
    for (size_t k = 0; k < info->n_energy; k++)
        info->energy_rank[order[k]] = (int)k;
    free(order);
    for (size_t i = 0; i < ns; i++)
        aim__api_series_column(run, &run->series[i], info->columns[i], sizeof info->columns[i]);
    size_t pos = 0, len, o = 0;
    const char *line;
    while (aim__report_next_line(run->warnings, sizeof run->warnings, &pos, &line, &len)) {
        memcpy(info->warnings + o, line, len);
        o += len;
        info->warnings[o++] = '\n';
    }
    info->warnings[o ? o - 1 : 0] = '\0';
    aim__fmt_time_iso(info->start_time, sizeof info->start_time, run->start_wall_ns);
    if (run->end_wall_ns)
        aim__fmt_time_iso(info->end_time, sizeof info->end_time, run->end_wall_ns);
    *ret_info = info;
    return 0;
}

void aim_run_info_free(aim_run_info *info) {
    if (!info)
        return;
    aim__run_summary_clear(&info->run);
    free(info->energy_rank);
    free(info->columns);
    free(info);
}

/* An optional text field of the summary: NULL when empty. */
static const char *or_null(const char *field) { return *field ? field : NULL; }

const char *aim_run_info_text(const aim_run_info *info, aim_run_field field) {
    if (!info)
        return NULL;
    const aim_run_summary *run = &info->run;
    switch (field) {
    case AIM_RUN_ID: return run->id;
    case AIM_RUN_NAME: return run->name;
    case AIM_RUN_COMMAND: return run->command;
    case AIM_RUN_HOST: return run->host;
    case AIM_RUN_STATUS: return aim_run_status_name(run->status);
    case AIM_RUN_START_TIME: return info->start_time;
    case AIM_RUN_END_TIME: return or_null(info->end_time);
    case AIM_RUN_VERSION: return run->aimeter_version;
    case AIM_RUN_SOURCES: return run->sources;
    case AIM_RUN_ZONE: return or_null(run->zone);
    case AIM_RUN_CURRENCY: return or_null(run->currency);
    case AIM_RUN_WARNINGS: return info->warnings;
    default: return NULL;
    }
}

double aim_run_info_number(const aim_run_info *info, aim_run_field field) {
    if (!info)
        return NAN;
    const aim_run_summary *run = &info->run;
    int energy = info->n_energy > 0, priced = run->currency[0] != '\0';
    switch (field) {
    case AIM_RUN_EXIT_CODE: return run->exit_code >= 0 ? run->exit_code : NAN;
    case AIM_RUN_STALE: return run->stale;
    case AIM_RUN_DURATION_S: return (double)run->duration_ns / 1e9;
    case AIM_RUN_INTERVAL_S: return (double)run->interval_ns / 1e9;
    case AIM_RUN_SAMPLES: return (double)run->samples;
    case AIM_RUN_ENERGY_J: return energy ? run->total_energy_j : NAN;
    case AIM_RUN_FACILITY_J: return energy && run->pue > 0 ? run->facility_energy_j : NAN;
    case AIM_RUN_PUE: return run->pue > 0 ? run->pue : NAN;
    case AIM_RUN_CARBON_G: return energy ? run->carbon_g : NAN;
    case AIM_RUN_INTENSITY_G_PER_KWH: return run->intensity_g_per_kwh;
    case AIM_RUN_COST: return energy && priced ? run->cost : NAN;
    case AIM_RUN_PRICE_PER_KWH: return priced ? run->price_per_kwh : NAN;
    case AIM_RUN_MARKS: return run->workload ? (double)run->workload->n_marks : 0;
    case AIM_RUN_DROPPED_EVENTS: return run->workload ? (double)run->workload->dropped : 0;
    default: return NAN;
    }
}

/* ------------------------------------------------------------------ devices */

size_t aim_run_info_device_count(const aim_run_info *info) {
    return info && info->run.n_devices > 0 ? (size_t)info->run.n_devices : 0;
}

static const aim_device_summary *device_at(const aim_run_info *info, size_t i) {
    return i < aim_run_info_device_count(info) ? &info->run.devices[i] : NULL;
}

const char *aim_run_info_device_text(const aim_run_info *info, size_t device,
                                     aim_device_field field) {
    const aim_device_summary *d = device_at(info, device);
    if (!d)
        return NULL;
    switch (field) {
    case AIM_DEVICE_NAME: return d->name;
    case AIM_DEVICE_KIND: return aim__device_kind_name(d->kind);
    case AIM_DEVICE_MODEL: return or_null(d->model);
    case AIM_DEVICE_METHOD: return aim__method_word(d->energy_method);
    case AIM_DEVICE_DETAIL: return d->energy_detail;
    default: return NULL;
    }
}

double aim_run_info_device_number(const aim_run_info *info, size_t device,
                                  aim_device_field field) {
    const aim_device_summary *d = device_at(info, device);
    if (!d)
        return NAN;
    int rank = info->energy_rank[device];
    switch (field) {
    case AIM_DEVICE_ENERGY_J: return rank >= 0 ? d->energy_j : NAN;
    case AIM_DEVICE_CARBON_G:
        return d->in_total && info->run.n_intensity_points ? d->carbon_g : NAN;
    case AIM_DEVICE_IN_TOTAL: return d->in_total ? 1 : 0;
    case AIM_DEVICE_ENERGY_ORDER: return rank >= 0 ? rank : NAN;
    default: return NAN;
    }
}

/* ------------------------------------------------------------------ series */

size_t aim_run_info_series_count(const aim_run_info *info) {
    return info && info->run.n_series > 0 ? (size_t)info->run.n_series : 0;
}

static const aim_series_summary *series_at(const aim_run_info *info, size_t i) {
    return i < aim_run_info_series_count(info) ? &info->run.series[i] : NULL;
}

const char *aim_run_info_series_text(const aim_run_info *info, size_t series,
                                     aim_series_field field) {
    const aim_series_summary *s = series_at(info, series);
    if (!s)
        return NULL;
    const aim_device_summary *d =
        s->device >= 0 && s->device < info->run.n_devices ? &info->run.devices[s->device] : NULL;
    switch (field) {
    case AIM_SERIES_COLUMN: return info->columns[series];
    case AIM_SERIES_DEVICE: return d ? d->name : "?";
    case AIM_SERIES_METRIC: return s->metric_key;
    case AIM_SERIES_UNIT: return aim__api_series_unit(s);
    case AIM_SERIES_METHOD: return aim__method_word(s->method);
    default: return NULL;
    }
}

double aim_run_info_series_number(const aim_run_info *info, size_t series,
                                  aim_series_field field) {
    const aim_series_summary *s = series_at(info, series);
    if (!s)
        return NAN;
    /* Statistics of a series without samples have no value (the JSON report's null). */
    double any = s->count ? 1.0 : NAN;
    switch (field) {
    case AIM_SERIES_INSTANCE: return s->instance >= 0 ? s->instance : NAN;
    case AIM_SERIES_GROUP: return s->group;
    case AIM_SERIES_COUNT: return (double)s->count;
    case AIM_SERIES_MEAN: return any * s->mean;
    case AIM_SERIES_MIN: return any * s->min;
    case AIM_SERIES_MAX: return any * s->max;
    case AIM_SERIES_MODE: return any * s->mode;
    case AIM_SERIES_STDDEV: return any * s->stddev;
    default: return NAN;
    }
}

/* ------------------------------------------------------------------ phases */

size_t aim_run_info_phase_count(const aim_run_info *info) {
    return info && info->run.workload ? info->run.workload->n_phases : 0;
}

static const aim_phase_summary *phase_at(const aim_run_info *info, size_t i) {
    return i < aim_run_info_phase_count(info) ? &info->run.workload->phases[i] : NULL;
}

const char *aim_run_info_phase_text(const aim_run_info *info, size_t phase,
                                    aim_phase_field field) {
    const aim_phase_summary *p = phase_at(info, phase);
    return p && field == AIM_PHASE_NAME ? p->name : NULL;
}

double aim_run_info_phase_number(const aim_run_info *info, size_t phase, aim_phase_field field) {
    const aim_phase_summary *p = phase_at(info, phase);
    if (!p)
        return NAN;
    /* The report's own figures (processing/phase_figures.h), so both read the same. */
    aim_phase_figures f = aim__phase_figures_of(&info->run, p);
    switch (field) {
    case AIM_PHASE_INSTANCES: return (double)p->instances;
    case AIM_PHASE_FIRST_S: return (double)p->first_ns / 1e9;
    case AIM_PHASE_DURATION_S: return (double)p->total_ns / 1e9;
    case AIM_PHASE_SHARE_PCT: return f.share;
    case AIM_PHASE_ENERGY_J: return f.energy_j;
    case AIM_PHASE_MEAN_POWER_W: return f.mean_w;
    case AIM_PHASE_PEAK_POWER_W: return f.peak_w;
    case AIM_PHASE_CARBON_G: return p->carbon_g;
    case AIM_PHASE_UNTERMINATED: return p->unterminated;
    default: return NAN;
    }
}

double aim_run_info_phase_device_energy(const aim_run_info *info, size_t phase, size_t device) {
    const aim_phase_summary *p = phase_at(info, phase);
    if (!p || device >= aim_run_info_device_count(info))
        return NAN;
    return p->energy_j[device] == 0 && p->peak_w[device] == 0 ? NAN : p->energy_j[device];
}

double aim_run_info_phase_record(const aim_run_info *info, size_t phase, size_t record) {
    const aim_phase_summary *p = phase_at(info, phase);
    if (!p || record >= info->run.workload->n_records || !p->rec_n[record])
        return NAN;
    return info->run.workload->records[record].counter
               ? p->rec_sum[record]
               : p->rec_sum[record] / (double)p->rec_n[record];
}

/* ------------------------------------------------------------------ records */

size_t aim_run_info_record_count(const aim_run_info *info) {
    return info && info->run.workload ? info->run.workload->n_records : 0;
}

static const aim_record_summary *record_at(const aim_run_info *info, size_t i) {
    return i < aim_run_info_record_count(info) ? &info->run.workload->records[i] : NULL;
}

const char *aim_run_info_record_text(const aim_run_info *info, size_t record,
                                     aim_record_field field) {
    const aim_record_summary *r = record_at(info, record);
    if (!r)
        return NULL;
    switch (field) {
    case AIM_RECORD_FIELD_KEY: return r->key;
    case AIM_RECORD_FIELD_KIND: return r->counter ? "counter" : "gauge";
    default: return NULL;
    }
}

/* A stored last/min/max: the store's "never set" sentinel has no value. */
double aim_run_info_record_number(const aim_run_info *info, size_t record,
                                  aim_record_field field) {
    const aim_record_summary *r = record_at(info, record);
    if (!r)
        return NAN;
    const aim_run_summary *run = &info->run;
    /* min > max: never set (no record with a value); efficiency: a counter that counted
     * something, in a run that measured energy. */
    int range = r->count > 0 && r->min <= r->max;
    int eff = r->counter && r->total > 0 && run->total_energy_j > 0;
    aim_efficiency e = aim__efficiency_of(run->total_energy_j, run->carbon_g, r->total);
    switch (field) {
    case AIM_RECORD_FIELD_COUNT: return (double)r->count;
    case AIM_RECORD_FIELD_TOTAL: return r->total;
    case AIM_RECORD_FIELD_MEAN: return r->count ? r->total / (double)r->count : NAN;
    case AIM_RECORD_FIELD_LAST: return aim__record_value(r->last);
    case AIM_RECORD_FIELD_MIN: return range ? aim__record_value(r->min) : NAN;
    case AIM_RECORD_FIELD_MAX: return range ? aim__record_value(r->max) : NAN;
    case AIM_RECORD_FIELD_J_PER_UNIT: return eff ? e.j_per_unit : NAN;
    case AIM_RECORD_FIELD_UNITS_PER_J: return eff ? e.units_per_j : NAN;
    case AIM_RECORD_FIELD_KWH_PER_1000: return eff ? e.kwh_per_1000 : NAN;
    case AIM_RECORD_FIELD_G_PER_1000: return eff ? e.g_per_1000 : NAN;
    default: return NAN;
    }
}
