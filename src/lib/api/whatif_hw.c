/* aimeter whatif --hardware: a stored run's GPU energy rescaled to other accelerators by the
 * power/throughput ratio of the hardware table, priced at the run's own intensity series and,
 * with --zones, in other zones too (aim_whatif_hardware_render in aimeter.h).
 *
 * This file checks the options, loads the run, replays its samples (engine/whatif_replay.h)
 * once for the whole run and once per distinct measured GPU model with only that model's GPUs
 * counted, and hands the carbon of each to processing/whatif_hw.h, which rescales it (the
 * same work, drawn at the same times, scaled by the ratio); report/whatif_report.h renders
 * the result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/store_error.h"
#include "api/whatif.h"
#include "data/carbon.h"
#include "data/hw_spec.h"
#include "engine/whatif_replay.h"
#include "processing/whatif_hw.h"
#include "report/whatif_report.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

#define MAX_HW_ZONES AIM_WHATIF_HW_MAX_ZONES
#define MAX_SPECS 16

typedef struct hw_req {
    aim_run_summary run;
    aim_whatif_scenario sc[MAX_HW_ZONES + 1];
    aim_intensity_point run_point;
    aim_intensity_point zone_points[MAX_HW_ZONES];
    aim_hw_spec spec[MAX_SPECS];  /* --gpu-spec: figures the user stated */
    size_t n_specs;
    aim_whatif_hw_result res;     /* its sc and n_sc are the request's */
} hw_req;

/* Splits a ';'-separated list of --gpu-spec items (their figures are comma-separated). */
static int add_specs(hw_req *q, aim_store *store, const char *list) {
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ";");
        if (len) {
            if (q->n_specs == MAX_SPECS) {
                aim__store_set_error(store, "at most %d --gpu-spec at a time", MAX_SPECS);
                return -EINVAL;
            }
            char err[320];
            if (aim__hw_spec_parse(p, len, &q->spec[q->n_specs], err, sizeof err) < 0) {
                aim__store_set_error(store, "%s", err);
                return -EINVAL;
            }
            q->n_specs++;
        }
        p += len;
        if (*p == ';')
            p++;
    }
    return 0;
}

/* Splits a comma-separated list; calls fn for each trimmed, non-empty item. */
static int each_item(const char *list, aim_store *store, const char *what,
                     int (*fn)(hw_req *, aim_store *, const char *), hw_req *q) {
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        size_t s = 0, e = len;
        while (s < e && p[s] == ' ')
            s++;
        while (e > s && p[e - 1] == ' ')
            e--;
        char item[64];
        if (e == s || e - s >= sizeof item) {
            aim__store_set_error(store, "bad %s list '%s': comma-separated names", what, list);
            return -EINVAL;
        }
        memcpy(item, p + s, e - s);
        item[e - s] = '\0';
        int r = fn(q, store, item);
        if (r < 0)
            return r;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int add_zone(hw_req *q, aim_store *store, const char *code) {
    /* The same items as whatif --zones: "FR", "FR@2010", "PL@marginal" (zone_history.h). */
    aim_zone_spec spec;
    char err[320];
    if (aim__zone_spec_resolve(code, strlen(code), &spec, err, sizeof err) < 0) {
        aim__store_set_error(store, "%s", err);
        return -EINVAL;
    }
    if (q->res.n_sc > MAX_HW_ZONES) {
        aim__store_set_error(store, "at most %d zones with --hardware", MAX_HW_ZONES);
        return -EINVAL;
    }
    size_t k = q->res.n_sc - 1;
    aim__whatif_zone_scenario(&spec, code, q->run.start_wall_ns, &q->zone_points[k],
                             &q->sc[q->res.n_sc++]);
    return 0;
}

static int add_alt(hw_req *q, aim_store *store, const char *name) {
    char err[512];
    int r = aim__whatif_hw_add_alt(&q->res, q->spec, q->n_specs, name, err, sizeof err);
    if (r < 0)
        aim__store_set_error(store, "%s", err);
    return r;
}

/* Replays with only the devices keep[] in the total. */
static int replay_subset(aim_db *db, hw_req *q, const unsigned char *keep, double *ret_energy,
                         double *ret_carbon, uint64_t *ret_ticks) {
    aim_run_summary sub = q->run; /* shallow: the series and points stay the run's */
    size_t n_dev = (size_t)(q->run.n_devices > 0 ? q->run.n_devices : 0);
    sub.devices = malloc((n_dev + 1) * sizeof *sub.devices);
    if (!sub.devices)
        return -ENOMEM;
    if (n_dev)
        memcpy(sub.devices, q->run.devices, n_dev * sizeof *sub.devices);
    for (size_t d = 0; d < n_dev; d++)
        if (keep && !keep[d])
            sub.devices[d].in_total = 0;
    aim_whatif_totals tot;
    int r = aim__whatif_replay(db, &sub, q->res.pue, q->sc, q->res.n_sc, &tot);
    free(sub.devices);
    if (r < 0)
        return r;
    *ret_energy = tot.energy_j;
    for (size_t k = 0; k < q->res.n_sc; k++)
        ret_carbon[k] = q->sc[k].carbon_g;
    if (ret_ticks)
        *ret_ticks = tot.ticks;
    return 0;
}

/* The replays: the whole run, then each measured model's GPUs alone. */
static int replay_models(aim_db *db, hw_req *q, const int *model_of) {
    aim_whatif_hw_result *res = &q->res;
    double all_carbon[MAX_HW_ZONES + 1];
    int r = replay_subset(db, q, NULL, &res->energy_j, all_carbon, &res->ticks);
    size_t n_dev = (size_t)(q->run.n_devices > 0 ? q->run.n_devices : 0);
    unsigned char *keep = calloc(n_dev + 1, 1);
    if (r == 0 && !keep)
        r = -ENOMEM;
    for (size_t m = 0; r == 0 && m < res->n_models; m++) {
        aim_whatif_hw_model *hm = &res->model[m];
        for (size_t d = 0; d < n_dev; d++)
            keep[d] = model_of[d] == (int)m;
        r = replay_subset(db, q, keep, &hm->energy_j, hm->carbon_g, NULL);
    }
    free(keep);
    if (r < 0)
        return r;
    aim__whatif_hw_combine(res, all_carbon);
    for (size_t k = 0; k < res->n_sc; k++)
        q->sc[k].carbon_g = all_carbon[k];
    return 0;
}

/* The run's models and every alternative's ratio to each. */
static int plan(hw_req *q, aim_store *store, int **ret_model_of) {
    size_t n_dev = (size_t)(q->run.n_devices > 0 ? q->run.n_devices : 0);
    int *model_of = calloc(n_dev + 1, sizeof *model_of);
    if (!model_of)
        return -ENOMEM;
    char err[512];
    int r = aim__whatif_hw_models(&q->res, &q->run, q->spec, q->n_specs, model_of, err,
                                 sizeof err);
    if (r == 0)
        r = aim__whatif_hw_ratios(&q->res, err, sizeof err);
    if (r < 0) {
        aim__store_set_error(store, "%s", err);
        free(model_of);
        return r;
    }
    *ret_model_of = model_of;
    return 0;
}

int aim_whatif_hardware_render(aim_store *store, const char *run_id, const char *hardware,
                               const char *zones, double pue, aim_format format,
                               char **ret_text) {
    return aim_whatif_hardware_render_specs(store, run_id, hardware, NULL, zones, pue, format,
                                            ret_text);
}

int aim_whatif_hardware_render_specs(aim_store *store, const char *run_id, const char *hardware,
                                     const char *specs, const char *zones, double pue,
                                     aim_format format, char **ret_text) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !ret_text || !hardware) {
        if (store)
            aim__store_set_error(store, db ? "no run, hardware or output given" : "store not open");
        return -EINVAL;
    }
    int rc = aim__whatif_check_options(store, AIM_OUTPUT_WHATIF_HARDWARE, format, pue);
    if (rc < 0)
        return rc;
    hw_req *q = calloc(1, sizeof *q);
    if (!q) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = add_specs(q, store, specs);
    if (r == 0)
        r = each_item(hardware, store, "hardware", add_alt, q);
    if (r == 0 && q->res.n_alts == 0) {
        aim__store_set_error(store, "no hardware given: --hardware A100,H100,L4");
        r = -EINVAL;
    }
    if (r == 0) {
        r = aim__db_load_summary(db, run_id, &q->run);
        if (r < 0)
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
    }
    if (r == 0) {
        q->res.run = &q->run;
        q->res.sc = q->sc;
        q->res.any_stated = q->n_specs > 0;
        q->res.pue_is_runs = pue == 0;
        q->res.pue = aim__whatif_pue(pue, &q->run);
        aim__whatif_run_scenario(&q->run, &q->run_point, &q->sc[q->res.n_sc++]);
        r = each_item(zones, store, "zone", add_zone, q);
    }
    int *model_of = NULL;
    if (r == 0)
        r = plan(q, store, &model_of);
    if (r == 0) {
        r = replay_models(db, q, model_of);
        if (r < 0 && r != -ENOMEM)
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
    }
    free(model_of);
    if (r == 0)
        r = aim__render(AIM_OUTPUT_WHATIF_HARDWARE, format, &q->res, ret_text);
    if (r == -ENOMEM)
        aim__store_set_error(store, "out of memory");
    aim__run_summary_clear(&q->run);
    free(q);
    return r;
}
