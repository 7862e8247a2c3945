/* aimeter whatif: a stored run's energy re-priced in other zones (whatif.h). */
#include "carbon/whatif.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/energy.h"
#include "carbon/carbon.h"
#include "carbon/intensity_file.h"
#include "carbon/zone_history.h"
#include "report/format.h"
#include "report/jsonutil.h"
#include "report/strbuf.h"
#include "store/db_internal.h"

#define MAX_ZONES 64

/* ------------------------------------------------------------------ replay */

typedef struct replay_dev {
    int pos;                    /* position of its energy series within its group, or -1 */
    int group;
    int counter;                /* 1: an energy counter, 0: power to integrate */
    aim_energy_meter meter;
} replay_dev;

typedef struct replay_ctx {
    const aim_run_summary *run;
    replay_dev *dev;
    aim_whatif_scenario *sc;
    size_t n_sc;
    aim_step_acc *acc;          /* [scenario * n_dev + device] */
    int group;                  /* the group being replayed */
    uint64_t ticks;
    double pue;
} replay_ctx;

int aim_run_energy_series(const aim_run_summary *run, int d, int *ret_counter) {
    const aim_device_summary *dev = &run->devices[d];
    const char *key = dev->energy_method == AIM_METHOD_MEASURED ? "energy" : "power";
    aim_method want = dev->energy_method == AIM_METHOD_ESTIMATED ? AIM_METHOD_ESTIMATED
                                                                 : AIM_METHOD_MEASURED;
    for (int i = 0; i < run->n_series; i++) {
        const aim_series_summary *s = &run->series[i];
        if (s->device == d && s->instance == -1 && s->method == want &&
            strncmp(s->metric_key, key, sizeof s->metric_key) == 0) {
            *ret_counter = dev->energy_method == AIM_METHOD_MEASURED;
            return i;
        }
    }
    return -1;
}

static int replay_tick(int64_t t_rel, const double *values, const uint8_t *valid, void *userdata) {
    replay_ctx *x = userdata;
    const aim_run_summary *run = x->run;
    size_t n_dev = (size_t)run->n_devices;
    int64_t wall = run->start_wall_ns + t_rel;
    x->ticks++;
    for (size_t d = 0; d < n_dev; d++) {
        replay_dev *rd = &x->dev[d];
        if (rd->pos < 0 || rd->group != x->group || !valid[rd->pos])
            continue;
        /* The writer's account(), on the stored values: from the run's start (0 on this
         * clock) for a device's first reading, the edge analysis/energy.h extrapolates. */
        int64_t t0 = run->start_wall_ns + (rd->meter.have_last ? rd->meter.last_t : 0);
        double e0 = rd->meter.energy_j, p;
        if (rd->counter)
            aim_energy_meter_counter(&rd->meter, t_rel, values[rd->pos], &p);
        else
            aim_energy_meter_power(&rd->meter, t_rel, values[rd->pos]);
        if (t0 > wall)
            t0 = wall;
        int64_t t0_rel = t0 - run->start_wall_ns;
        double e1 = rd->meter.energy_j, edge = rd->meter.edge_delta_j;
        int split = edge != 0 && rd->meter.first_t > 0 && t0_rel != 0;
        for (size_t k = 0; k < x->n_sc; k++) {
            const aim_whatif_scenario *s = &x->sc[k];
            aim_step_acc *acc = &x->acc[k * n_dev + d];
            /* As the writer prices an interval for the phases: the accumulator's value
             * after it, less before (a counter's edge refinement over [0, first reading]). */
            double g0 = s->on_interval ? aim_step_acc_value(acc, s->points, s->n, e0) : 0;
            aim_step_acc_add(acc, s->points, s->n, t0, wall, e0, e1);
            if (!s->on_interval)
                continue;
            double g_edge = g0;
            if (split) {
                g_edge = aim_step_acc_value(acc, s->points, s->n, e0 + edge);
                s->on_interval(s->userdata, (int)d, 0, rd->meter.first_t, (g_edge - g0) * x->pue);
            }
            s->on_interval(s->userdata, (int)d, t0_rel, t_rel,
                           (aim_step_acc_value(acc, s->points, s->n, e1) - g_edge) * x->pue);
        }
    }
    return 0;
}

int aim_whatif_replay(aim_db *db, const aim_run_summary *run, double pue,
                      aim_whatif_scenario *sc, size_t n_sc, aim_whatif_totals *ret_totals) {
    size_t n_dev = run->n_devices > 0 ? (size_t)run->n_devices : 0;
    replay_ctx x = { .run = run, .sc = sc, .n_sc = n_sc, .pue = pue };
    x.dev = calloc(n_dev + 1, sizeof *x.dev);
    x.acc = calloc(n_sc * n_dev + 1, sizeof *x.acc);
    double *e_now = calloc(n_dev + 1, sizeof *e_now);
    unsigned char *include = calloc(n_dev + 1, 1);
    int *groups = calloc(n_dev + 1, sizeof *groups);
    int r = x.dev && x.acc && e_now && include && groups ? 0 : -ENOMEM;
    if (r < 0)
        aim_db_set_error(db, r, "out of memory");
    size_t n_groups = 0;
    aim_whatif_totals tot = { 0 };
    for (size_t d = 0; r == 0 && d < n_dev; d++) {
        replay_dev *rd = &x.dev[d];
        rd->pos = -1;
        if (!run->devices[d].has_energy || !run->devices[d].in_total)
            continue;
        int slot = aim_run_energy_series(run, (int)d, &rd->counter);
        if (slot < 0)
            continue;
        rd->group = run->series[slot].group;
        rd->pos = 0;
        for (int i = 0; i < slot; i++) /* a group's columns are its series in slot order */
            rd->pos += run->series[i].group == rd->group;
        include[d] = 1;
        tot.devices++;
        size_t g = 0;
        while (g < n_groups && groups[g] != rd->group)
            g++;
        if (g == n_groups)
            groups[n_groups++] = rd->group;
    }
    for (size_t g = 0; r == 0 && g < n_groups; g++) {
        x.group = groups[g];
        r = aim_db_for_each_tick(db, run->id, groups[g], replay_tick, &x);
    }
    if (r == 0) {
        double energy = 0;
        for (size_t d = 0; d < n_dev; d++) {
            e_now[d] = x.dev[d].meter.energy_j;
            if (include[d])
                energy += e_now[d];
        }
        tot.energy_j = energy;
        tot.ticks = x.ticks;
        double facility_kwh = energy * pue / 3.6e6;
        for (size_t k = 0; k < n_sc; k++) {
            sc[k].carbon_g = aim_step_acc_sum(&x.acc[k * n_dev], e_now, include, n_dev,
                                              sc[k].points, sc[k].n) * pue;
            sc[k].intensity_g_per_kwh = sc[k].n == 1 || !(facility_kwh > 0)
                                            ? sc[k].points[0].g_per_kwh
                                            : sc[k].carbon_g / facility_kwh;
            sc[k].ratio = n_sc && sc[0].carbon_g > 0 ? sc[k].carbon_g / sc[0].carbon_g : NAN;
            for (size_t d = 0; sc[k].device_g && d < n_dev; d++)
                sc[k].device_g[d] = include[d] ? aim_step_acc_value(&x.acc[k * n_dev + d], sc[k].points,
                                                                    sc[k].n, e_now[d]) * pue
                                               : NAN;
        }
        if (ret_totals)
            *ret_totals = tot;
    }
    free(x.dev);
    free(x.acc);
    free(e_now);
    free(include);
    free(groups);
    return r;
}

/* ------------------------------------------------------------------ scenarios */

typedef struct whatif_req {
    aim_run_summary run;
    aim_whatif_scenario sc[MAX_ZONES + 2];
    size_t n_sc;
    aim_intensity_point run_point;   /* for a run that stored no series (cannot happen after
                                        migration 2, kept for a hand-made store) */
    aim_intensity_point zone_points[MAX_ZONES];
    aim_step_file file;
    double pue;
    int pue_is_runs;
    aim_whatif_totals tot;
} whatif_req;

void aim_whatif_run_scenario(const aim_run_summary *run, aim_intensity_point *fallback,
                             aim_whatif_scenario *s) {
    size_t zl = strnlen(run->zone, sizeof run->zone);
    aim_bprintf(s->label, sizeof s->label, "run%s%.*s%s", zl ? " (" : "", (int)zl, run->zone,
                zl ? ")" : "");
    aim_bprintf(s->name, sizeof s->name, "the run's own series");
    if (run->n_intensity_points) {
        s->points = run->intensity_points;
        s->n = run->n_intensity_points;
    } else {
        fallback->t_unix_ms = run->start_wall_ns / 1000000;
        fallback->g_per_kwh = run->intensity_g_per_kwh;
        s->points = fallback;
        s->n = 1;
    }
    s->signal = run->signal;
    s->basis = run->basis;
    aim_bprintf(s->source, sizeof s->source, "%.*s",
                (int)strnlen(run->intensity_source, sizeof run->intensity_source),
                run->intensity_source);
}

void aim_whatif_zone_scenario(const aim_zone_spec *spec, const char *requested,
                              int64_t start_wall_ns, aim_intensity_point *point,
                              aim_whatif_scenario *s) {
    const aim_zone_info *z = &spec->row;
    point->t_unix_ms = start_wall_ns / 1000000;
    point->g_per_kwh = z->g_per_kwh;
    s->points = point;
    s->n = 1;
    aim_bprintf(s->label, sizeof s->label, "%s", spec->label);
    aim_bprintf(s->zone, sizeof s->zone, "%s", spec->zone);
    aim_bprintf(s->zone_used, sizeof s->zone_used, "%s", z->code);
    aim_bprintf(s->requested, sizeof s->requested, "%s", requested);
    aim_bprintf(s->name, sizeof s->name, "%s", z->name ? z->name : "");
    if (!z->signal || aim_signal_parse(z->signal, &s->signal) < 0)
        s->signal = AIM_SIGNAL_AVERAGE;
    if (!z->basis || aim_basis_parse(z->basis, &s->basis) < 0)
        s->basis = AIM_BASIS_UNKNOWN;
    s->year = z->year;
    char note[200];
    aim_zone_spec_national_note(spec, note, sizeof note);
    aim_bprintf(s->source, sizeof s->source, "%s%s%s, %d (%s)", note, note[0] ? "; " : "",
                z->source ? z->source : "", z->year, z->licence ? z->licence : "");
}

static int add_zones(whatif_req *q, aim_store *store, const char *zones) {
    size_t nz = 0;
    for (const char *p = zones; p && *p;) {
        size_t len = strcspn(p, ",");
        char code[64];
        while (len && (*p == ' '))
            p++, len--;
        size_t l = len;
        while (l && p[l - 1] == ' ')
            l--;
        if (l == 0 || l >= sizeof code) {
            aim_store_set_error(store, "bad zone list '%s': comma-separated zone codes", zones);
            return -EINVAL;
        }
        memcpy(code, p, l);
        code[l] = '\0';
        /* "FR", "FR@2010", "PL@marginal", "aws:us-east-1@2023" (zone_history.h). */
        aim_zone_spec spec;
        char err[320];
        if (aim_zone_spec_resolve(code, l, &spec, err, sizeof err) < 0) {
            aim_store_set_error(store, "%s", err);
            return -EINVAL;
        }
        if (nz == MAX_ZONES) {
            aim_store_set_error(store, "at most %d zones at a time", MAX_ZONES);
            return -EINVAL;
        }
        aim_whatif_zone_scenario(&spec, code, q->run.start_wall_ns, &q->zone_points[nz++],
                                 &q->sc[q->n_sc++]);
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int add_file(whatif_req *q, aim_store *store, const char *path) {
    char err[512];
    int r = aim_step_file_load(path, 1, &q->file, err, sizeof err);
    if (r < 0) {
        aim_store_set_error(store, "%s", err);
        return r;
    }
    aim_whatif_scenario *s = &q->sc[q->n_sc++];
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    aim_bprintf(s->label, sizeof s->label, "%s", base);
    aim_bprintf(s->name, sizeof s->name, "file, %zu point%s", q->file.n, q->file.n == 1 ? "" : "s");
    s->points = q->file.points;
    s->n = q->file.n;
    s->signal = q->file.has_signal ? q->file.signal : AIM_SIGNAL_AVERAGE;
    s->basis = AIM_BASIS_UNKNOWN;
    aim_bprintf(s->source, sizeof s->source, "file %s, aligned to the run's wall clock", path);
    return 0;
}

/* ------------------------------------------------------------------ rendering */

static void text_table(aim_strbuf *b, const whatif_req *q) {
    const aim_run_summary *run = &q->run;
    char num[AIM_NUM_MAX], num2[AIM_NUM_MAX];
    aim_strbuf_append(b, "aimeter whatif  run ");
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_endline(b);
    char num3[AIM_NUM_MAX];
    aim_strbuf_printf(b, "IT energy %s J (%s kWh) from %llu stored samples of %d device%s; "
                      "PUE %s%s\n", aim_fmt_sig(num, q->tot.energy_j, 3, 2),
                      aim_fmt_sig(num2, q->tot.energy_j / 3.6e6, 3, 6),
                      (unsigned long long)q->tot.ticks, q->tot.devices,
                      q->tot.devices == 1 ? "" : "s", aim_fmt_trim(num3, q->pue, 3),
                      q->pue_is_runs ? " (the run's own)" : "");
    /* The samples are stored at the metrics' resolution, the run accounted them unrounded:
     * say how close the replay comes to what the run stored. */
    aim_strbuf_printf(b, "Stored with the run: %s J, %s g CO2e (the replay reads the samples as "
                      "stored, at their resolution)\n", aim_fmt_sig(num, run->total_energy_j, 3, 2),
                      aim_fmt_sig(num2, run->carbon_g, 3, 2));
    aim_strbuf_append(b, "Carbon = Σ energy × intensity(t) × PUE over every sample interval\n\n");

    static const char *const head[] = { "Zone", "Intensity g/kWh", "Signal", "Basis", "Year",
                                        "Carbon g CO2e", "vs run" };
    enum { COLS = 7 };
    char cell[MAX_ZONES + 2][COLS][AIM_NUM_MAX + 16];
    size_t w[COLS];
    for (int c = 0; c < COLS; c++)
        w[c] = aim_utf8_width(head[c]);
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim_bprintf(cell[i][0], sizeof cell[i][0], "%s", s->label);
        aim_fmt_trim(cell[i][1], s->intensity_g_per_kwh, 2);
        if (s->n > 1)
            aim_bprintf(cell[i][1], sizeof cell[i][1], "%s (mean)",
                        aim_fmt_trim(num, s->intensity_g_per_kwh, 2));
        aim_bprintf(cell[i][2], sizeof cell[i][2], "%s", aim_signal_name(s->signal));
        aim_bprintf(cell[i][3], sizeof cell[i][3], "%s", aim_basis_name(s->basis));
        if (s->year)
            aim_bprintf(cell[i][4], sizeof cell[i][4], "%d", s->year);
        else
            aim_bprintf(cell[i][4], sizeof cell[i][4], "-");
        aim_fmt_sig(cell[i][5], s->carbon_g, 3, 2);
        aim_fmt_sig(cell[i][6], s->ratio, 3, 2);
        for (int c = 0; c < COLS; c++) {
            for (char *p = cell[i][c]; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    *p = '?';
            size_t cw = aim_utf8_width(cell[i][c]);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    for (int c = 0; c < COLS; c++) {
        if (c)
            aim_strbuf_append(b, "  ");
        if (c == 1 || c >= 4)
            aim_strbuf_pad_left(b, head[c], w[c]);
        else
            aim_strbuf_pad_right(b, head[c], w[c]);
    }
    aim_strbuf_endline(b);
    for (size_t i = 0; i < q->n_sc; i++) {
        for (int c = 0; c < COLS; c++) {
            if (c)
                aim_strbuf_append(b, "  ");
            if (c == 1 || c >= 4)
                aim_strbuf_pad_left(b, cell[i][c], w[c]);
            else
                aim_strbuf_pad_right(b, cell[i][c], w[c]);
        }
        aim_strbuf_endline(b);
    }
    aim_strbuf_append(b, "\nSources:\n");
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim_strbuf_append(b, "  ");
        aim_strbuf_append_clean(b, s->label, sizeof s->label);
        if (s->name[0]) {
            aim_strbuf_append(b, ": ");
            aim_strbuf_append_clean(b, s->name, sizeof s->name);
        }
        aim_strbuf_append(b, "; ");
        aim_strbuf_append_clean(b, s->source, sizeof s->source);
        aim_strbuf_endline(b);
    }
}

static int json_doc(const whatif_req *q, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = &q->run;
    json_t *root = json_object();
    aim_json_put(root, "schema", json_string("aimeter.whatif/1"), &err);
    aim_json_put(root, "run", aim_json_str(run->id, sizeof run->id), &err);
    aim_json_put(root, "name", aim_json_str(run->name, sizeof run->name), &err);
    aim_json_put(root, "energy_j", aim_json_num(q->tot.energy_j), &err);
    aim_json_put(root, "energy_kwh", aim_json_num(q->tot.energy_j / 3.6e6), &err);
    aim_json_put(root, "samples", aim_json_count(q->tot.ticks), &err);
    aim_json_put(root, "stored_energy_j", aim_json_num(run->total_energy_j), &err);
    aim_json_put(root, "stored_carbon_g", aim_json_num(run->carbon_g), &err);
    aim_json_put(root, "pue", aim_json_num(q->pue), &err);
    aim_json_put(root, "pue_is_runs", json_boolean(q->pue_is_runs), &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        json_t *o = json_object();
        aim_json_put(o, "zone", i == 0 ? aim_json_str_or_null(run->zone, sizeof run->zone)
                                : s->zone[0] ? aim_json_str(s->zone, sizeof s->zone)
                                             : aim_json_str(s->label, sizeof s->label), &err);
        aim_json_put(o, "zone_used", i == 0 ? aim_json_str_or_null(run->zone, sizeof run->zone)
                                     : aim_json_str_or_null(s->zone_used, sizeof s->zone_used),
                     &err);
        aim_json_put(o, "requested", aim_json_str_or_null(s->requested, sizeof s->requested),
                     &err);
        aim_json_put(o, "label", aim_json_str(s->label, sizeof s->label), &err);
        aim_json_put(o, "name", aim_json_str(s->name, sizeof s->name), &err);
        aim_json_put(o, "baseline", json_boolean(i == 0), &err);
        aim_json_put(o, "intensity_g_per_kwh", aim_json_num(s->intensity_g_per_kwh), &err);
        aim_json_put(o, "points", aim_json_count(s->n), &err);
        aim_json_put(o, "signal", json_string(aim_signal_name(s->signal)), &err);
        aim_json_put(o, "basis", json_string(aim_basis_name(s->basis)), &err);
        aim_json_put(o, "year", s->year ? json_integer(s->year) : json_null(), &err);
        aim_json_put(o, "source", aim_json_str(s->source, sizeof s->source), &err);
        aim_json_put(o, "carbon_g", aim_json_num(s->carbon_g), &err);
        aim_json_put(o, "ratio", aim_json_num(s->ratio), &err);
        aim_json_push(arr, o, &err);
    }
    aim_json_put(root, "scenarios", arr, &err);
    int r = err ? -ENOMEM : aim_json_dump(root, ret_text);
    json_decref(root);
    return r;
}

int aim_whatif_check_options(aim_store *store, const char *format, double pue, int *ret_json) {
    *ret_json = strcmp(format, "json") == 0;
    if (!*ret_json && strcmp(format, "text") != 0) {
        aim_store_set_error(store, "unknown format '%s' (text or json)", format);
        return -EINVAL;
    }
    if (pue != 0 && !(pue >= 1.0 && pue <= 5.0)) {
        aim_store_set_error(store, "PUE must be between 1.0 and 5.0");
        return -EINVAL;
    }
    return 0;
}

double aim_whatif_pue(double pue, const aim_run_summary *run) {
    return pue != 0 ? pue : run->pue >= 1.0 ? run->pue : 1.0;
}

int aim_whatif_render(aim_store *store, const char *run_id, const char *zones,
                      const char *intensity_file, double pue, const char *format,
                      char **ret_text) {
    aim_db *db = aim_store_db(store);
    if (!db || !run_id || !format || !ret_text) {
        if (store)
            aim_store_set_error(store, db ? "no run or no output given" : "store not open");
        return -EINVAL;
    }
    int json;
    if (aim_whatif_check_options(store, format, pue, &json) < 0)
        return -EINVAL;
    if ((!zones || !*zones) && !intensity_file) {
        aim_store_set_error(store, "no zone and no intensity file to compare with");
        return -EINVAL;
    }
    whatif_req *q = calloc(1, sizeof *q);
    if (!q) {
        aim_store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = aim_db_load_summary(db, run_id, &q->run);
    if (r < 0)
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
    if (r == 0) {
        q->pue_is_runs = pue == 0;
        q->pue = aim_whatif_pue(pue, &q->run);
        aim_whatif_run_scenario(&q->run, &q->run_point, &q->sc[q->n_sc++]);
        r = add_zones(q, store, zones);
    }
    if (r == 0 && intensity_file)
        r = add_file(q, store, intensity_file);
    if (r == 0) {
        r = aim_whatif_replay(db, &q->run, q->pue, q->sc, q->n_sc, &q->tot);
        if (r < 0)
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
    }
    if (r == 0 && json) {
        r = json_doc(q, ret_text);
    } else if (r == 0) {
        aim_strbuf b = AIM_STRBUF_INIT;
        text_table(&b, q);
        r = aim_strbuf_steal(&b, ret_text);
    }
    if (r == -ENOMEM)
        aim_store_set_error(store, "out of memory");
    aim_step_file_clear(&q->file);
    aim_run_summary_clear(&q->run);
    free(q);
    return r;
}
