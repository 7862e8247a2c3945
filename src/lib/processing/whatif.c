/* What-if pricing: a stored run's samples, handed over tick by tick, priced through the
 * writer's own energy accounting in several intensity scenarios (whatif.h). */
#include "processing/whatif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/energy.h"
#include "util/numfmt.h"

typedef struct replay_dev {
    int pos;                    /* position of its energy series within its group, or -1 */
    int group;
    int counter;                /* 1: an energy counter, 0: power to integrate */
    aim_energy_meter meter;
} replay_dev;

struct aim_whatif_pricer {
    const aim_run_summary *run;
    replay_dev *dev;
    aim_whatif_scenario *sc;
    size_t n_sc;
    aim_step_acc *acc;          /* [scenario * n_dev + device] */
    int group;                  /* the group being replayed */
    uint64_t ticks;
    double pue;
    size_t n_dev;
    double *e_now;
    unsigned char *include;
    int *groups;
    size_t n_groups;
    aim_whatif_totals tot;
};

int aim__run_energy_series(const aim_run_summary *run, int d, int *ret_counter) {
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

int aim__whatif_pricer_tick(int64_t t_rel, const double *values, const uint8_t *valid,
                           void *userdata) {
    aim_whatif_pricer *x = userdata;
    const aim_run_summary *run = x->run;
    size_t n_dev = (size_t)run->n_devices;
    int64_t wall = run->start_wall_ns + t_rel;
    x->ticks++;
    for (size_t d = 0; d < n_dev; d++) {
        replay_dev *rd = &x->dev[d];
        if (rd->pos < 0 || rd->group != x->group || !valid[rd->pos])
            continue;
        /* The writer's account(), on the stored values: from the run's start (0 on this
         * clock) for a device's first reading, the edge processing/energy.h extrapolates. */
        int64_t t0 = run->start_wall_ns + (rd->meter.have_last ? rd->meter.last_t : 0);
        double e0 = rd->meter.energy_j, p;
        if (rd->counter)
            aim__energy_meter_counter(&rd->meter, t_rel, values[rd->pos], &p);
        else
            aim__energy_meter_power(&rd->meter, t_rel, values[rd->pos]);
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
            double g0 = s->on_interval ? aim__step_acc_value(acc, s->points, s->n, e0) : 0;
            aim__step_acc_add(acc, s->points, s->n, t0, wall, e0, e1);
            if (!s->on_interval)
                continue;
            double g_edge = g0;
            if (split) {
                g_edge = aim__step_acc_value(acc, s->points, s->n, e0 + edge);
                s->on_interval(s->userdata, (int)d, 0, rd->meter.first_t, (g_edge - g0) * x->pue);
            }
            s->on_interval(s->userdata, (int)d, t0_rel, t_rel,
                           (aim__step_acc_value(acc, s->points, s->n, e1) - g_edge) * x->pue);
        }
    }
    return 0;
}

void aim__whatif_pricer_free(aim_whatif_pricer *x) {
    if (!x)
        return;
    free(x->dev);
    free(x->acc);
    free(x->e_now);
    free(x->include);
    free(x->groups);
    free(x);
}

int aim__whatif_pricer_new(const aim_run_summary *run, double pue, aim_whatif_scenario *sc,
                          size_t n_sc, aim_whatif_pricer **ret) {
    size_t n_dev = run->n_devices > 0 ? (size_t)run->n_devices : 0;
    aim_whatif_pricer *x = calloc(1, sizeof *x);
    if (!x)
        return -ENOMEM;
    *x = (aim_whatif_pricer){ .run = run, .sc = sc, .n_sc = n_sc, .pue = pue, .n_dev = n_dev };
    x->dev = calloc(n_dev + 1, sizeof *x->dev);
    x->acc = calloc(n_sc * n_dev + 1, sizeof *x->acc);
    x->e_now = calloc(n_dev + 1, sizeof *x->e_now);
    x->include = calloc(n_dev + 1, 1);
    x->groups = calloc(n_dev + 1, sizeof *x->groups);
    if (!x->dev || !x->acc || !x->e_now || !x->include || !x->groups) {
        aim__whatif_pricer_free(x);
        return -ENOMEM;
    }
    for (size_t d = 0; d < n_dev; d++) {
        replay_dev *rd = &x->dev[d];
        rd->pos = -1;
        if (!run->devices[d].has_energy || !run->devices[d].in_total)
            continue;
        int slot = aim__run_energy_series(run, (int)d, &rd->counter);
        if (slot < 0)
            continue;
        rd->group = run->series[slot].group;
        rd->pos = 0;
        for (int i = 0; i < slot; i++) /* a group's columns are its series in slot order */
            rd->pos += run->series[i].group == rd->group;
        x->include[d] = 1;
        x->tot.devices++;
        size_t g = 0;
        while (g < x->n_groups && x->groups[g] != rd->group)
            g++;
        if (g == x->n_groups)
            x->groups[x->n_groups++] = rd->group;
    }
    *ret = x;
    return 0;
}

size_t aim__whatif_pricer_groups(const aim_whatif_pricer *x, const int **ret_groups) {
    *ret_groups = x->groups;
    return x->n_groups;
}

void aim__whatif_pricer_set_group(aim_whatif_pricer *x, int group) {
    x->group = group;
}

void aim__whatif_pricer_finish(aim_whatif_pricer *x, aim_whatif_totals *ret_totals) {
    size_t n_dev = x->n_dev, n_sc = x->n_sc;
    aim_whatif_scenario *sc = x->sc;
    double energy = 0;
    for (size_t d = 0; d < n_dev; d++) {
        x->e_now[d] = x->dev[d].meter.energy_j;
        if (x->include[d])
            energy += x->e_now[d];
    }
    x->tot.energy_j = energy;
    x->tot.ticks = x->ticks;
    double pue = x->pue, facility_kwh = energy * pue / 3.6e6;
    for (size_t k = 0; k < n_sc; k++) {
        sc[k].carbon_g = aim__step_acc_sum(&x->acc[k * n_dev], x->e_now, x->include, n_dev,
                                          sc[k].points, sc[k].n) * pue;
        sc[k].intensity_g_per_kwh = sc[k].n == 1 || !(facility_kwh > 0)
                                        ? sc[k].points[0].g_per_kwh
                                        : sc[k].carbon_g / facility_kwh;
        sc[k].ratio = n_sc && sc[0].carbon_g > 0 ? sc[k].carbon_g / sc[0].carbon_g : NAN;
        for (size_t d = 0; sc[k].device_g && d < n_dev; d++)
            sc[k].device_g[d] = x->include[d] ? aim__step_acc_value(&x->acc[k * n_dev + d], sc[k].points,
                                                                   sc[k].n, x->e_now[d]) * pue
                                              : NAN;
    }
    if (ret_totals)
        *ret_totals = x->tot;
}

/* ------------------------------------------------------------------ scenarios */

void aim__whatif_run_scenario(const aim_run_summary *run, aim_intensity_point *fallback,
                             aim_whatif_scenario *s) {
    size_t zl = strnlen(run->zone, sizeof run->zone);
    aim__bprintf(s->label, sizeof s->label, "run%s%.*s%s", zl ? " (" : "", (int)zl, run->zone,
                zl ? ")" : "");
    aim__bprintf(s->name, sizeof s->name, "the run's own series");
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
    aim__bprintf(s->source, sizeof s->source, "%.*s",
                (int)strnlen(run->intensity_source, sizeof run->intensity_source),
                run->intensity_source);
}

void aim__whatif_zone_scenario(const aim_zone_spec *spec, const char *requested,
                              int64_t start_wall_ns, aim_intensity_point *point,
                              aim_whatif_scenario *s) {
    const aim_zone_info *z = &spec->row;
    point->t_unix_ms = start_wall_ns / 1000000;
    point->g_per_kwh = z->g_per_kwh;
    s->points = point;
    s->n = 1;
    aim__bprintf(s->label, sizeof s->label, "%s", spec->label);
    aim__bprintf(s->zone, sizeof s->zone, "%s", spec->zone);
    aim__bprintf(s->zone_used, sizeof s->zone_used, "%s", z->code);
    aim__bprintf(s->requested, sizeof s->requested, "%s", requested);
    aim__bprintf(s->name, sizeof s->name, "%s", z->name ? z->name : "");
    if (!z->signal || aim__signal_parse(z->signal, &s->signal) < 0)
        s->signal = AIM_SIGNAL_AVERAGE;
    if (!z->basis || aim__basis_parse(z->basis, &s->basis) < 0)
        s->basis = AIM_BASIS_UNKNOWN;
    s->year = z->year;
    char note[200];
    aim__zone_spec_national_note(spec, note, sizeof note);
    aim__bprintf(s->source, sizeof s->source, "%s%s%s, %d (%s)", note, note[0] ? "; " : "",
                z->source ? z->source : "", z->year, z->licence ? z->licence : "");
}

double aim__whatif_pue(double pue, const aim_run_summary *run) {
    return pue != 0 ? pue : run->pue >= 1.0 ? run->pue : 1.0;
}
