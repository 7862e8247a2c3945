/* aimeter whatif --hardware: a stored run's GPU energy rescaled to other accelerators by the
 * power/throughput ratio of the hardware table (hw_ratio.h), priced at the run's own intensity
 * series and, with --zones, in other zones too (aim_whatif_hardware_render in aimeter.h).
 *
 * The carbon of each device group is replayed from the samples exactly as `whatif --zones`
 * prices the whole run (whatif.h), once per distinct measured GPU model with only that model's
 * GPUs counted: with a time-varying intensity the GPUs' share of the carbon is not their share
 * of the energy, and rescaling keeps the time profile (the same work, drawn at the same times,
 * scaled by the ratio). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/carbon.h"
#include "processing/hw_ratio.h"
#include "data/hw_spec.h"
#include "api/whatif.h"
#include "engine/whatif_replay.h"
#include "report/format.h"
#include "report/jsonutil.h"
#include "report/model.h"
#include "util/strbuf.h"
#include "report/table.h"
#include "api/store_error.h"

#define MAX_ALTS 16
#define MAX_HW_ZONES 16
#define MAX_MODELS 8
#define MAX_SPECS 16

typedef struct hw_model {
    const aim_gpu_info *info;     /* its table row */
    char measured_name[128];      /* as the driver reported it (the first device's) */
    char devices[128];            /* "gpu0, gpu1" */
    int n_devices;
    double energy_j;              /* replayed energy of its GPUs */
    double carbon_g[MAX_HW_ZONES + 1]; /* per scenario */
} hw_model;

typedef struct hw_alt {
    char query[64];               /* as given */
    const aim_gpu_info *info;
    aim_hw_ratio ratio[MAX_MODELS]; /* per measured model */
    double gpu_energy_j, energy_j;
    double carbon_g[MAX_HW_ZONES + 1];
} hw_alt;

typedef struct hw_req {
    aim_run_summary run;
    aim_whatif_scenario sc[MAX_HW_ZONES + 1];
    size_t n_sc;
    aim_intensity_point run_point;
    aim_intensity_point zone_points[MAX_HW_ZONES];
    hw_model model[MAX_MODELS];
    size_t n_models;
    hw_alt alt[MAX_ALTS];
    size_t n_alts;
    double pue;
    int pue_is_runs;
    double energy_j;              /* replayed, every device in the total */
    double gpu_energy_j;          /* replayed, the GPUs */
    uint64_t ticks;
    aim_hw_spec spec[MAX_SPECS];  /* --gpu-spec: figures the user stated */
    size_t n_specs;
} hw_req;

/* A device by name: a stated one first (it may amend a table row), else the table's. */
static int find_gpu(const hw_req *q, const char *name, const aim_gpu_info **ret) {
    for (size_t i = 0; i < q->n_specs; i++)
        if (aim_hw_spec_matches(&q->spec[i], name)) {
            *ret = &q->spec[i].info;
            return 0;
        }
    return aim_gpu_lookup(name, ret);
}

static int is_stated(const hw_req *q, const aim_gpu_info *g) {
    for (size_t i = 0; i < q->n_specs; i++)
        if (g == &q->spec[i].info)
            return 1;
    return 0;
}

/* Splits a ';'-separated list of --gpu-spec items (their figures are comma-separated). */
static int add_specs(hw_req *q, aim_store *store, const char *list) {
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ";");
        if (len) {
            if (q->n_specs == MAX_SPECS) {
                aim_store_set_error(store, "at most %d --gpu-spec at a time", MAX_SPECS);
                return -EINVAL;
            }
            char err[320];
            if (aim_hw_spec_parse(p, len, &q->spec[q->n_specs], err, sizeof err) < 0) {
                aim_store_set_error(store, "%s", err);
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
            aim_store_set_error(store, "bad %s list '%s': comma-separated names", what, list);
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
    if (aim_zone_spec_resolve(code, strlen(code), &spec, err, sizeof err) < 0) {
        aim_store_set_error(store, "%s", err);
        return -EINVAL;
    }
    if (q->n_sc > MAX_HW_ZONES) {
        aim_store_set_error(store, "at most %d zones with --hardware", MAX_HW_ZONES);
        return -EINVAL;
    }
    size_t k = q->n_sc - 1;
    aim_whatif_zone_scenario(&spec, code, q->run.start_wall_ns, &q->zone_points[k],
                             &q->sc[q->n_sc++]);
    return 0;
}

static int lookup_error(aim_store *store, const char *name, int r, const char *who) {
    const aim_gpu_info *cand[4];
    size_t n = aim_gpu_candidates(name, cand, 4);
    char list[256] = "";
    for (size_t i = 0; i < n && i < 4; i++)
        aim_bappendf(list, sizeof list, "%s'%s'", i ? ", " : "",
                     cand[i]->name);
    if (r == -EEXIST)
        aim_store_set_error(store, "%s '%s' is ambiguous: %s%s", who, name, list,
                            n > 4 ? ", ..." : "");
    else if (n)
        aim_store_set_error(store, "%s '%s' is not in the hardware table (did you mean %s?)",
                            who, name, list);
    else
        aim_store_set_error(store, "%s '%s' is not in the hardware table (aimeter estimate "
                            "--list-gpus lists it; state its figures with --gpu-spec "
                            "'NAME:tdp=W,tflops=T')", who, name);
    return r;
}

static int add_alt(hw_req *q, aim_store *store, const char *name) {
    const aim_gpu_info *g;
    int r = find_gpu(q, name, &g);
    if (r < 0) {
        lookup_error(store, name, r, "hardware");
        return -EINVAL;
    }
    if (q->n_alts == MAX_ALTS) {
        aim_store_set_error(store, "at most %d alternatives at a time", MAX_ALTS);
        return -EINVAL;
    }
    hw_alt *a = &q->alt[q->n_alts++];
    aim_bprintf(a->query, sizeof a->query, "%s", name);
    a->info = g;
    return 0;
}

/* The run's GPUs with an energy figure in the total, grouped by table row. */
static int find_models(hw_req *q, aim_store *store) {
    const aim_run_summary *run = &q->run;
    int any = 0;
    for (int d = 0; d < run->n_devices; d++) {
        const aim_device_summary *dev = &run->devices[d];
        if (dev->kind != AIM_DEV_GPU || !dev->has_energy || !dev->in_total)
            continue;
        any = 1;
        char model[sizeof dev->model + 1];
        aim_bprintf(model, sizeof model, "%.*s", AIM_FIELD(dev->model));
        const aim_gpu_info *g;
        int r = model[0] ? find_gpu(q, model, &g) : -ENOENT;
        if (r < 0) {
            char who[64];
            aim_bprintf(who, sizeof who, "%.*s's model", AIM_FIELD(dev->name));
            lookup_error(store, model[0] ? model : "(none reported)", r, who);
            return -ENODATA;
        }
        size_t m = 0;
        while (m < q->n_models && q->model[m].info != g)
            m++;
        if (m == q->n_models) {
            if (m == MAX_MODELS) {
                aim_store_set_error(store, "more than %d GPU models in one run", MAX_MODELS);
                return -ENODATA;
            }
            q->n_models++;
            q->model[m].info = g;
            aim_bprintf(q->model[m].measured_name, sizeof q->model[m].measured_name, "%s", model);
        }
        hw_model *hm = &q->model[m];
        size_t l = strlen(hm->devices);
        aim_bprintf(hm->devices + l, sizeof hm->devices - l, "%s%.*s", hm->n_devices ? ", " : "",
                    AIM_FIELD(dev->name));
        hm->n_devices++;
    }
    if (!any) {
        aim_store_set_error(store, "run %.*s measured no GPU energy: --hardware rescales the "
                            "energy of the GPUs a run measured", AIM_FIELD(run->id));
        return -ENODEV;
    }
    return 0;
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
    int r = aim_whatif_replay(db, &sub, q->pue, q->sc, q->n_sc, &tot);
    free(sub.devices);
    if (r < 0)
        return r;
    *ret_energy = tot.energy_j;
    for (size_t k = 0; k < q->n_sc; k++)
        ret_carbon[k] = q->sc[k].carbon_g;
    if (ret_ticks)
        *ret_ticks = tot.ticks;
    return 0;
}

static int compute(aim_db *db, hw_req *q) {
    double all_carbon[MAX_HW_ZONES + 1];
    int r = replay_subset(db, q, NULL, &q->energy_j, all_carbon, &q->ticks);
    size_t n_dev = (size_t)(q->run.n_devices > 0 ? q->run.n_devices : 0);
    unsigned char *keep = calloc(n_dev + 1, 1);
    if (r == 0 && !keep)
        r = -ENOMEM;
    double gpu_carbon[MAX_HW_ZONES + 1] = { 0 };
    for (size_t m = 0; r == 0 && m < q->n_models; m++) {
        hw_model *hm = &q->model[m];
        for (size_t d = 0; d < n_dev; d++) {
            const aim_device_summary *dev = &q->run.devices[d];
            const aim_gpu_info *g;
            char model[sizeof dev->model + 1];
            aim_bprintf(model, sizeof model, "%.*s", AIM_FIELD(dev->model));
            keep[d] = dev->kind == AIM_DEV_GPU && dev->has_energy && dev->in_total &&
                      find_gpu(q, model, &g) == 0 && g == hm->info;
        }
        r = replay_subset(db, q, keep, &hm->energy_j, hm->carbon_g, NULL);
        q->gpu_energy_j += hm->energy_j;
        for (size_t k = 0; r == 0 && k < q->n_sc; k++)
            gpu_carbon[k] += hm->carbon_g[k];
    }
    free(keep);
    if (r < 0)
        return r;
    /* The measured hardware first, as alternative "measured", so every row is computed the
     * same way; its carbon is the whole run's. */
    for (size_t i = 0; i < q->n_alts; i++) {
        hw_alt *a = &q->alt[i];
        a->gpu_energy_j = 0;
        for (size_t k = 0; k < q->n_sc; k++)
            a->carbon_g[k] = all_carbon[k] - gpu_carbon[k];
        for (size_t m = 0; m < q->n_models; m++) {
            double ratio = a->ratio[m].ratio;
            a->gpu_energy_j += q->model[m].energy_j * ratio;
            for (size_t k = 0; k < q->n_sc; k++)
                a->carbon_g[k] += q->model[m].carbon_g[k] * ratio;
        }
        a->energy_j = q->energy_j - q->gpu_energy_j + a->gpu_energy_j;
    }
    for (size_t k = 0; k < q->n_sc; k++)
        q->sc[k].carbon_g = all_carbon[k];
    return 0;
}

static int ratios(hw_req *q, aim_store *store) {
    for (size_t i = 0; i < q->n_alts; i++)
        for (size_t m = 0; m < q->n_models; m++) {
            int r = aim_hw_ratio_compute(q->model[m].info, q->alt[i].info, &q->alt[i].ratio[m]);
            if (r < 0) {
                aim_store_set_error(store, "'%s' and '%s' share no throughput figure (tensor, "
                                    "FP16 or FP32 TFLOPS) in the hardware table",
                                    q->model[m].info->name, q->alt[i].info->name);
                return -ENODATA;
            }
        }
    return 0;
}

/* ------------------------------------------------------------------ rendering */

static const char *num(char *buf, double v) { return aim_fmt_sig(buf, v, 4, 0); }
static const char *rat(char *buf, double v) { return aim_fmt_sig(buf, v, 3, 2); }

static void text_doc(aim_strbuf *b, const hw_req *q) {
    const aim_run_summary *run = &q->run;
    char n1[AIM_NUM_MAX], n2[AIM_NUM_MAX], n3[AIM_NUM_MAX], n4[AIM_NUM_MAX];
    aim_strbuf_append(b, "aimeter whatif --hardware  run ");
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_endline(b);
    for (size_t m = 0; m < q->n_models; m++) {
        const hw_model *hm = &q->model[m];
        aim_strbuf_append(b, "Measured: ");
        aim_strbuf_append_clean(b, hm->devices, sizeof hm->devices);
        aim_strbuf_append(b, " (");
        aim_strbuf_append_clean(b, hm->measured_name, sizeof hm->measured_name);
        aim_strbuf_printf(b, ") = %s %s; %s J of GPU energy\n", hm->info->name,
                          is_stated(q, hm->info) ? "as stated with --gpu-spec" : "in the table",
                          num(n1, hm->energy_j));
    }
    aim_strbuf_printf(b, "IT energy %s J from %llu stored samples (GPUs %s J, the rest %s J); "
                      "PUE %s%s\n", num(n1, q->energy_j), (unsigned long long)q->ticks,
                      num(n2, q->gpu_energy_j), num(n3, q->energy_j - q->gpu_energy_j),
                      aim_fmt_trim(n4, q->pue, 3), q->pue_is_runs ? " (the run's own)" : "");
    aim_strbuf_append(b, "E_alt = E_GPU × (TDP_alt / TDP_measured) × (TFLOPS_measured / "
                         "TFLOPS_alt); the other devices as measured\n\n");

    aim_table t;
    aim_table_init(&t, 8);
    for (size_t c = 2; c < 8; c++)
        aim_table_align_right(&t, c);
    aim_table_row(&t);
    static const char *const head[] = { "Alternative", "Measured", "TDP W", "TFLOPS",
                                        "Power ×", "Time ×", "Energy ×", "Peak figure" };
    for (size_t c = 0; c < 8; c++)
        aim_table_set(&t, c, "%s", head[c]);
    for (size_t i = 0; i < q->n_alts; i++)
        for (size_t m = 0; m < q->n_models; m++) {
            const aim_hw_ratio *h = &q->alt[i].ratio[m];
            aim_table_row(&t);
            aim_table_set(&t, 0, "%s", q->alt[i].info->name);
            aim_table_set(&t, 1, "%s", q->model[m].info->name);
            aim_table_set(&t, 2, "%s / %s", aim_fmt_trim(n1, h->power_to, 1),
                          aim_fmt_trim(n2, h->power_from, 1));
            aim_table_set(&t, 3, "%s / %s", aim_fmt_trim(n1, h->tput_to, 2),
                          aim_fmt_trim(n2, h->tput_from, 2));
            aim_table_set(&t, 4, "%s", rat(n1, h->power_ratio));
            aim_table_set(&t, 5, "%s", rat(n1, h->speed_ratio));
            aim_table_set(&t, 6, "%s", rat(n1, h->ratio));
            aim_table_set(&t, 7, "%s", h->throughput);
        }
    aim_table_text(&t, b, "", 0);
    aim_table_free(&t);

    aim_strbuf_append(b, "\n");
    size_t cols = 4 + q->n_sc;
    aim_table_init(&t, cols);
    for (size_t c = 1; c < cols; c++)
        aim_table_align_right(&t, c);
    aim_table_row(&t);
    aim_table_set(&t, 0, "Hardware");
    aim_table_set(&t, 1, "GPU energy J");
    aim_table_set(&t, 2, "IT energy J");
    aim_table_set(&t, 3, "vs measured");
    for (size_t k = 0; k < q->n_sc; k++)
        aim_table_set(&t, 4 + k, "g CO2e %s", q->sc[k].label);
    aim_table_row(&t);
    aim_table_set(&t, 0, "measured");
    aim_table_set(&t, 1, "%s", num(n1, q->gpu_energy_j));
    aim_table_set(&t, 2, "%s", num(n1, q->energy_j));
    aim_table_set(&t, 3, "%s", rat(n1, 1.0));
    for (size_t k = 0; k < q->n_sc; k++)
        aim_table_set(&t, 4 + k, "%s", num(n1, q->sc[k].carbon_g));
    for (size_t i = 0; i < q->n_alts; i++) {
        const hw_alt *a = &q->alt[i];
        aim_table_row(&t);
        aim_table_set(&t, 0, "%s", a->info->name);
        aim_table_set(&t, 1, "%s", num(n1, a->gpu_energy_j));
        aim_table_set(&t, 2, "%s", num(n1, a->energy_j));
        aim_table_set(&t, 3, "%s", rat(n1, q->energy_j > 0 ? a->energy_j / q->energy_j : NAN));
        for (size_t k = 0; k < q->n_sc; k++)
            aim_table_set(&t, 4 + k, "%s", num(n1, a->carbon_g[k]));
    }
    aim_table_text(&t, b, "", 0);
    aim_table_free(&t);
    aim_strbuf_append(b, "\nCarbon = Σ energy × intensity(t) × PUE over the stored sample "
                         "intervals, the GPUs' scaled by the ratio.\n");
    aim_strbuf_printf(b, "Peak figures from the hardware table (data/gpu_specs.csv)%s: a workload "
                      "rarely reaches either peak, and the rest of the machine is not "
                      "rescaled.\n", q->n_specs ? " or stated with --gpu-spec" : "");
}

static json_t *scenario_json(const aim_whatif_scenario *s, int baseline, const aim_run_summary *run,
                             int *err) {
    json_t *o = json_object();
    aim_json_put(o, "zone", baseline ? aim_json_str_or_null(run->zone, sizeof run->zone)
                                     : aim_json_str(s->label, sizeof s->label), err);
    aim_json_put(o, "label", aim_json_str(s->label, sizeof s->label), err);
    aim_json_put(o, "baseline", json_boolean(baseline), err);
    aim_json_put(o, "intensity_g_per_kwh", aim_json_num(s->n == 1 ? s->points[0].g_per_kwh : NAN),
                 err);
    aim_json_put(o, "signal", json_string(aim_signal_name(s->signal)), err);
    return o;
}

static json_t *carbon_array(const double *c, size_t n, int *err) {
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++)
        aim_json_push(arr, aim_json_num(c[k]), err);
    return arr;
}

static int json_doc(const hw_req *q, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = &q->run;
    json_t *root = json_object();
    aim_json_put(root, "schema", json_string("aimeter.whatif-hardware/1"), &err);
    aim_json_put(root, "run", aim_json_str(run->id, sizeof run->id), &err);
    aim_json_put(root, "name", aim_json_str(run->name, sizeof run->name), &err);
    aim_json_put(root, "energy_j", aim_json_num(q->energy_j), &err);
    aim_json_put(root, "gpu_energy_j", aim_json_num(q->gpu_energy_j), &err);
    aim_json_put(root, "samples", aim_json_count(q->ticks), &err);
    aim_json_put(root, "pue", aim_json_num(q->pue), &err);
    aim_json_put(root, "pue_is_runs", json_boolean(q->pue_is_runs), &err);
    json_t *zones = json_array();
    for (size_t k = 0; k < q->n_sc; k++)
        aim_json_push(zones, scenario_json(&q->sc[k], k == 0, run, &err), &err);
    aim_json_put(root, "zones", zones, &err);
    json_t *measured = json_array();
    for (size_t m = 0; m < q->n_models; m++) {
        const hw_model *hm = &q->model[m];
        json_t *o = json_object();
        aim_json_put(o, "devices", aim_json_str(hm->devices, sizeof hm->devices), &err);
        aim_json_put(o, "model", aim_json_str(hm->measured_name, sizeof hm->measured_name), &err);
        aim_json_put(o, "hardware", json_string(hm->info->name), &err);
        aim_json_put(o, "tdp_w", aim_json_num(hm->info->tdp_w), &err);
        aim_json_put(o, "source", json_string(hm->info->source), &err);
        aim_json_put(o, "energy_j", aim_json_num(hm->energy_j), &err);
        aim_json_put(o, "carbon_g", carbon_array(hm->carbon_g, q->n_sc, &err), &err);
        aim_json_push(measured, o, &err);
    }
    aim_json_put(root, "measured", measured, &err);
    double all[MAX_HW_ZONES + 1];
    for (size_t k = 0; k < q->n_sc; k++)
        all[k] = q->sc[k].carbon_g;
    aim_json_put(root, "carbon_g", carbon_array(all, q->n_sc, &err), &err);
    json_t *alts = json_array();
    for (size_t i = 0; i < q->n_alts; i++) {
        const hw_alt *a = &q->alt[i];
        json_t *o = json_object();
        aim_json_put(o, "query", aim_json_str(a->query, sizeof a->query), &err);
        aim_json_put(o, "hardware", json_string(a->info->name), &err);
        aim_json_put(o, "tdp_w", aim_json_num(a->info->tdp_w), &err);
        aim_json_put(o, "source", json_string(a->info->source), &err);
        json_t *rs = json_array();
        for (size_t m = 0; m < q->n_models; m++) {
            const aim_hw_ratio *h = &a->ratio[m];
            json_t *x = json_object();
            aim_json_put(x, "measured", json_string(q->model[m].info->name), &err);
            aim_json_put(x, "throughput", json_string(h->throughput), &err);
            aim_json_put(x, "tflops_measured", aim_json_num(h->tput_from), &err);
            aim_json_put(x, "tflops_alt", aim_json_num(h->tput_to), &err);
            aim_json_put(x, "tdp_measured_w", aim_json_num(h->power_from), &err);
            aim_json_put(x, "tdp_alt_w", aim_json_num(h->power_to), &err);
            aim_json_put(x, "power_ratio", aim_json_num(h->power_ratio), &err);
            aim_json_put(x, "time_ratio", aim_json_num(h->speed_ratio), &err);
            aim_json_put(x, "energy_ratio", aim_json_num(h->ratio), &err);
            aim_json_push(rs, x, &err);
        }
        aim_json_put(o, "ratios", rs, &err);
        aim_json_put(o, "gpu_energy_j", aim_json_num(a->gpu_energy_j), &err);
        aim_json_put(o, "energy_j", aim_json_num(a->energy_j), &err);
        aim_json_put(o, "energy_vs_measured",
                     aim_json_num(q->energy_j > 0 ? a->energy_j / q->energy_j : NAN), &err);
        aim_json_put(o, "carbon_g", carbon_array(a->carbon_g, q->n_sc, &err), &err);
        aim_json_push(alts, o, &err);
    }
    aim_json_put(root, "alternatives", alts, &err);
    int r = err ? -ENOMEM : aim_json_dump(root, ret_text);
    json_decref(root);
    return r;
}

int aim_whatif_hardware_render(aim_store *store, const char *run_id, const char *hardware,
                               const char *zones, double pue, const char *format,
                               char **ret_text) {
    return aim_whatif_hardware_render_specs(store, run_id, hardware, NULL, zones, pue, format,
                                            ret_text);
}

int aim_whatif_hardware_render_specs(aim_store *store, const char *run_id, const char *hardware,
                                     const char *specs, const char *zones, double pue,
                                     const char *format, char **ret_text) {
    aim_db *db = aim_store_db(store);
    if (!db || !run_id || !format || !ret_text || !hardware) {
        if (store)
            aim_store_set_error(store, db ? "no run, hardware or output given" : "store not open");
        return -EINVAL;
    }
    int json;
    if (aim_whatif_check_options(store, format, pue, &json) < 0)
        return -EINVAL;
    hw_req *q = calloc(1, sizeof *q);
    if (!q) {
        aim_store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = add_specs(q, store, specs);
    if (r == 0)
        r = each_item(hardware, store, "hardware", add_alt, q);
    if (r == 0 && q->n_alts == 0) {
        aim_store_set_error(store, "no hardware given: --hardware A100,H100,L4");
        r = -EINVAL;
    }
    if (r == 0) {
        r = aim_db_load_summary(db, run_id, &q->run);
        if (r < 0)
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
    }
    if (r == 0) {
        q->pue_is_runs = pue == 0;
        q->pue = aim_whatif_pue(pue, &q->run);
        aim_whatif_run_scenario(&q->run, &q->run_point, &q->sc[q->n_sc++]);
        r = each_item(zones, store, "zone", add_zone, q);
    }
    if (r == 0)
        r = find_models(q, store);
    if (r == 0)
        r = ratios(q, store);
    if (r == 0) {
        r = compute(db, q);
        if (r < 0 && r != -ENOMEM)
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
    }
    if (r == 0 && json) {
        r = json_doc(q, ret_text);
    } else if (r == 0) {
        aim_strbuf b = AIM_STRBUF_INIT;
        text_doc(&b, q);
        r = aim_strbuf_steal(&b, ret_text);
    }
    if (r == -ENOMEM)
        aim_store_set_error(store, "out of memory");
    aim_run_summary_clear(&q->run);
    free(q);
    return r;
}
