/* A run's profile from the store (api/profile.h, aim_profile_render in aimeter.h). */
#include "api/profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/energy_curve.h"
#include "processing/forecast_run.h"
#include "store/db.h"
#include "store/tags_store.h"

/* The phase whose instances are a run's epochs: aimeter forecast's default. */
#define EPOCH_PHASE "epoch"

static void hardware(const aim_run_summary *run, aim_profile *p) {
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        if (d->kind == AIM_DEV_CPU && !p->cpu[0])
            snprintf(p->cpu, sizeof p->cpu, "%s", d->model);
        if (d->kind != AIM_DEV_GPU)
            continue;
        size_t g = 0;
        while (g < p->n_gpus && strncmp(p->gpus[g].model, d->model, sizeof p->gpus[g].model - 1))
            g++;
        if (g == p->n_gpus) {
            if (g == AIM_PROFILE_MAX_GPUS)
                continue;
            snprintf(p->gpus[g].model, sizeof p->gpus[g].model, "%s", d->model);
            p->n_gpus++;
        }
        p->gpus[g].count++;
    }
}

/* The energy of the devices counted in the total, by kind, in the order the kinds first come. */
static void by_device(const aim_run_summary *run, aim_profile *p) {
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        if (!d->in_total || !d->has_energy)
            continue;
        const char *kind = aim__device_kind_name(d->kind);
        size_t k = 0;
        while (k < p->n_by_device && strcmp(p->by_device[k].kind, kind) != 0)
            k++;
        if (k == p->n_by_device) {
            if (k == AIM_PROFILE_MAX_KINDS)
                continue;
            snprintf(p->by_device[k].kind, sizeof p->by_device[k].kind, "%s", kind);
            p->by_device[k].joules = 0;
            p->n_by_device++;
        }
        p->by_device[k].joules += d->energy_j;
    }
}

/* The completed epochs as forecast finds them, each measured as forecast measures it. */
static int epochs(aim_db *db, const aim_run_summary *run, aim_profile *p) {
    aim_phase_instance *inst = NULL;
    aim_fc_instance *fci = NULL;
    size_t n = 0;
    aim_forecast_result f = { 0 };
    aim_energy_curve *curve = NULL;
    int r = aim__db_phase_instances(db, run->id, &inst, &n);
    if (r == 0)
        r = aim__api_fc_instances(inst, n, &fci);
    if (r == 0)
        r = aim__forecast_points(&f, run, EPOCH_PHASE, 0, fci, n);
    if (r == 0 && f.n_pts > 0)
        r = aim__api_energy_curve_load(db, run, &curve);
    if (r == 0 && f.n_pts > 0) {
        aim__forecast_measure(&f, aim__energy_curve_at, curve);
        p->epochs = calloc(f.n_pts, sizeof *p->epochs);
        if (!p->epochs)
            r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < f.n_pts; i++)
            p->epochs[p->n_epochs++] = (aim_profile_epoch){ f.pts[i].index, f.pts[i].energy_j,
                                                            f.pts[i].seconds };
    }
    aim__energy_curve_free(curve);
    aim__forecast_result_free(&f);
    free(fci);
    free(inst);
    return r;
}

int aim__api_profile_build(aim_store *store, const char *run_id, aim_profile *p) {
    aim__profile_init(p);
    aim_db *db = aim__store_db(store);
    if (!db || !run_id) {
        if (store)
            aim__store_set_error(store, db ? "no run given" : "store not open");
        return -EINVAL;
    }
    aim_run_summary run = { 0 };
    int r = aim__db_load_summary(db, run_id, &run);
    if (r == 0) {
        snprintf(p->name, sizeof p->name, "%s", run.name);
        snprintf(p->source, sizeof p->source, "aimeter");
        snprintf(p->run, sizeof p->run, "%s", run.id);
        snprintf(p->host, sizeof p->host, "%s", run.host);
        hardware(&run, p);
        p->duration_s = (double)run.duration_ns / 1e9;
        p->energy_j = run.total_energy_j;
        by_device(&run, p);
        p->carbon_g = run.carbon_g;
        p->intensity_g_per_kwh = run.intensity_g_per_kwh;
        p->pue = run.pue >= 1.0 ? run.pue : 1.0; /* 0: an older run's "not recorded" */
        r = epochs(db, &run, p);
    }
    if (r == -ENOMEM)
        aim__store_set_error(store, "out of memory");
    else if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    aim__run_summary_clear(&run);
    return r;
}

int aim_profile_render(aim_store *store, const char *run_id, char **ret_text) {
    if (!ret_text) {
        if (store)
            aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    aim_profile p;
    int r = aim__api_profile_build(store, run_id, &p);
    if (r == 0 && (r = aim__profile_render(&p, ret_text)) < 0)
        aim__store_set_error(store, "out of memory");
    aim__profile_clear(&p);
    return r;
}
