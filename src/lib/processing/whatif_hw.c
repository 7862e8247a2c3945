/* The arithmetic of `aimeter whatif --hardware` (whatif_hw.h). */
#include "processing/whatif_hw.h"

#include <errno.h>
#include <string.h>

#include "util/numfmt.h"

int aim__whatif_hw_find_gpu(const aim_hw_spec *specs, size_t n_specs, const char *name,
                           const aim_gpu_info **ret) {
    for (size_t i = 0; i < n_specs; i++)
        if (aim__hw_spec_matches(&specs[i], name)) {
            *ret = &specs[i].info;
            return 0;
        }
    return aim_gpu_lookup(name, ret);
}

/* Why name is not a usable row, with the table's nearest names. */
static void lookup_error(char *err, size_t errlen, const char *name, int r, const char *who) {
    const aim_gpu_info *cand[4];
    size_t n = aim_gpu_candidates(name, cand, 4);
    char list[256] = "";
    for (size_t i = 0; i < n && i < 4; i++)
        aim__bappendf(list, sizeof list, "%s'%s'", i ? ", " : "",
                    cand[i]->name);
    if (r == -EEXIST)
        aim__bprintf(err, errlen, "%s '%s' is ambiguous: %s%s", who, name, list,
                    n > 4 ? ", ..." : "");
    else if (n)
        aim__bprintf(err, errlen, "%s '%s' is not in the hardware table (did you mean %s?)", who,
                    name, list);
    else
        aim__bprintf(err, errlen, "%s '%s' is not in the hardware table (aimeter estimate "
                    "--list-gpus lists it; state its figures with --gpu-spec "
                    "'NAME:tdp=W,tflops=T')", who, name);
}

int aim__whatif_hw_add_alt(aim_whatif_hw_result *res, const aim_hw_spec *specs, size_t n_specs,
                          const char *name, char *err, size_t errlen) {
    const aim_gpu_info *g;
    int r = aim__whatif_hw_find_gpu(specs, n_specs, name, &g);
    if (r < 0) {
        lookup_error(err, errlen, name, r, "hardware");
        return -EINVAL;
    }
    if (res->n_alts == AIM_WHATIF_HW_MAX_ALTS) {
        aim__bprintf(err, errlen, "at most %d alternatives at a time", AIM_WHATIF_HW_MAX_ALTS);
        return -EINVAL;
    }
    aim_whatif_hw_alt *a = &res->alt[res->n_alts++];
    aim__bprintf(a->query, sizeof a->query, "%s", name);
    a->info = g;
    return 0;
}

int aim__whatif_hw_models(aim_whatif_hw_result *res, const aim_run_summary *run,
                         const aim_hw_spec *specs, size_t n_specs, int *model_of, char *err,
                         size_t errlen) {
    int any = 0;
    for (int d = 0; d < run->n_devices; d++) {
        const aim_device_summary *dev = &run->devices[d];
        model_of[d] = -1;
        if (dev->kind != AIM_DEV_GPU || !dev->has_energy || !dev->in_total)
            continue;
        any = 1;
        char model[sizeof dev->model + 1];
        aim__bprintf(model, sizeof model, "%.*s", (int)strnlen(dev->model, sizeof dev->model), dev->model);
        const aim_gpu_info *g;
        int r = model[0] ? aim__whatif_hw_find_gpu(specs, n_specs, model, &g) : -ENOENT;
        if (r < 0) {
            char who[64];
            aim__bprintf(who, sizeof who, "%.*s's model", (int)strnlen(dev->name, sizeof dev->name), dev->name);
            lookup_error(err, errlen, model[0] ? model : "(none reported)", r, who);
            return -ENODATA;
        }
        size_t m = 0;
        while (m < res->n_models && res->model[m].info != g)
            m++;
        if (m == res->n_models) {
            if (m == AIM_WHATIF_HW_MAX_MODELS) {
                aim__bprintf(err, errlen, "more than %d GPU models in one run",
                            AIM_WHATIF_HW_MAX_MODELS);
                return -ENODATA;
            }
            res->n_models++;
            res->model[m].info = g;
            for (size_t i = 0; i < n_specs; i++)
                res->model[m].stated |= g == &specs[i].info;
            aim__bprintf(res->model[m].measured_name, sizeof res->model[m].measured_name, "%s",
                        model);
        }
        aim_whatif_hw_model *hm = &res->model[m];
        size_t l = strlen(hm->devices);
        aim__bprintf(hm->devices + l, sizeof hm->devices - l, "%s%.*s", hm->n_devices ? ", " : "",
                    (int)strnlen(dev->name, sizeof dev->name), dev->name);
        hm->n_devices++;
        model_of[d] = (int)m;
    }
    if (!any) {
        aim__bprintf(err, errlen, "run %.*s measured no GPU energy: --hardware rescales the "
                    "energy of the GPUs a run measured", (int)strnlen(run->id, sizeof run->id), run->id);
        return -ENODEV;
    }
    return 0;
}

int aim__whatif_hw_ratios(aim_whatif_hw_result *res, char *err, size_t errlen) {
    for (size_t i = 0; i < res->n_alts; i++)
        for (size_t m = 0; m < res->n_models; m++) {
            int r = aim__hw_ratio_compute(res->model[m].info, res->alt[i].info,
                                         &res->alt[i].ratio[m]);
            if (r < 0) {
                aim__bprintf(err, errlen, "'%s' and '%s' share no throughput figure (tensor, "
                            "FP16 or FP32 TFLOPS) in the hardware table",
                            res->model[m].info->name, res->alt[i].info->name);
                return -ENODATA;
            }
        }
    return 0;
}

void aim__whatif_hw_combine(aim_whatif_hw_result *res, const double *all_carbon) {
    double gpu_carbon[AIM_WHATIF_HW_MAX_ZONES + 1] = { 0 };
    res->gpu_energy_j = 0;
    for (size_t m = 0; m < res->n_models; m++) {
        res->gpu_energy_j += res->model[m].energy_j;
        for (size_t k = 0; k < res->n_sc; k++)
            gpu_carbon[k] += res->model[m].carbon_g[k];
    }
    /* Every alternative is the measured run with its GPUs' energy and carbon scaled by the
     * ratio, model by model; the other devices stay as measured. */
    for (size_t i = 0; i < res->n_alts; i++) {
        aim_whatif_hw_alt *a = &res->alt[i];
        a->gpu_energy_j = 0;
        for (size_t k = 0; k < res->n_sc; k++)
            a->carbon_g[k] = all_carbon[k] - gpu_carbon[k];
        for (size_t m = 0; m < res->n_models; m++) {
            double ratio = a->ratio[m].ratio;
            a->gpu_energy_j += res->model[m].energy_j * ratio;
            for (size_t k = 0; k < res->n_sc; k++)
                a->carbon_g[k] += res->model[m].carbon_g[k] * ratio;
        }
        a->energy_j = res->energy_j - res->gpu_energy_j + a->gpu_energy_j;
    }
}
