/* The inputs of an estimate, given or defaulted, each with its source (footprint_estimate.h).
 * The defaults are Green Algorithms' where it has one (full use, its "Any" CPU row, its
 * memory power) and aimeter's otherwise (one GPU, PUE 1, the world average intensity); every
 * source says which, so a figure can be checked by hand and cited. The arithmetic is
 * aim_footprint_compute's and aim_embodied_amortise's. */
#include "processing/footprint_estimate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "data/zone_history.h"
#include "util/numfmt.h"

static void set_item(aim_estimate_input *it, const char *symbol, const char *label,
                     const char *unit, double value, const char *source) {
    it->symbol = symbol;
    it->label = label;
    it->unit = unit;
    it->value = value;
    snprintf(it->source, sizeof it->source, "%s", source);
}

static int given(const aim_estimate_request *q, unsigned bit) { return (q->given & bit) != 0; }

/* Why a GPU name was not found: ambiguous (the candidates), a near miss, or unknown. */
static int gpu_name_error(const char *name, int rc, char *err, size_t errlen) {
    const aim_gpu_info *cand[8];
    size_t n = aim_gpu_candidates(name, cand, 8);
    char list[640] = "";
    for (size_t i = 0; i < n && i < 8; i++)
        aim__bappendf(list, sizeof list, "%s%s", i ? ", " : "", cand[i]->name);
    if (rc == -EEXIST) {
        snprintf(err, errlen, "GPU name '%s' is ambiguous: %s%s (give one of these)",
                 name, list, n > 8 ? ", ..." : "");
        return -EEXIST;
    }
    if (n == 1) {
        snprintf(err, errlen, "unknown GPU '%s'; did you mean '%s'? (aimeter "
                 "estimate --list-gpus; --gpu-tdp W for another GPU)", name, list);
        return -ENOENT;
    }
    snprintf(err, errlen, "unknown GPU '%s' (aimeter estimate --list-gpus shows "
             "the table; --gpu-tdp W for another GPU)", name);
    return -ENOENT;
}

static int gather_gpu(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                      size_t errlen) {
    char src[512];
    aim_estimate_input *in = e->in;
    e->gpu_query = q->gpu;
    int has_tdp = given(q, AIM_ESTIMATE_GPU_TDP), has_count = given(q, AIM_ESTIMATE_GPU_COUNT);
    int has_util = given(q, AIM_ESTIMATE_GPU_UTIL);
    if (!q->gpu && !has_tdp) {
        if (has_count || has_util) {
            snprintf(err, errlen, "--count and --util describe GPUs: give --gpu "
                     "NAME (or --gpu-tdp W)");
            return -EINVAL;
        }
        set_item(&in[AIM_EST_NGPU], "n_gpu", "GPUs", "", 0, "no --gpu");
        set_item(&in[AIM_EST_PGPU], "P_gpu", "power per GPU", "W", 0, "no --gpu");
        set_item(&in[AIM_EST_UGPU], "u_gpu", "GPU use", "", 0, "no --gpu");
        return 0;
    }
    if (q->gpu) {
        int rc = aim_gpu_lookup(q->gpu, &e->gpu);
        if (rc < 0) {
            e->gpu = NULL;
            if (!has_tdp) /* with --gpu-tdp the name is only a label */
                return gpu_name_error(q->gpu, rc, err, errlen);
        }
    }
    int count = has_count ? q->gpu_count : 1;
    set_item(&in[AIM_EST_NGPU], "n_gpu", "GPUs", "", count, has_count ? "--count" : "default");
    if (has_tdp) {
        snprintf(src, sizeof src, "--gpu-tdp%s%s%s", e->gpu ? " (table TDP of " : "",
                 e->gpu ? e->gpu->name : "", e->gpu ? " not used)" : "");
        set_item(&in[AIM_EST_PGPU], "P_gpu", "power per GPU", "W", q->gpu_tdp_w, src);
    } else {
        int same = strcasecmp(q->gpu, e->gpu->name) == 0;
        snprintf(src, sizeof src, "TDP of %s%s%s%s: %s; %s", e->gpu->name,
                 same ? "" : " (from '", same ? "" : q->gpu, same ? "" : "')", e->gpu->source,
                 e->gpu->licence);
        set_item(&in[AIM_EST_PGPU], "P_gpu", "power per GPU", "W", e->gpu->tdp_w, src);
    }
    set_item(&in[AIM_EST_UGPU], "u_gpu", "GPU use", "", has_util ? q->gpu_util : 1.0,
             has_util ? "--util" : "default: full use, as Green Algorithms (an upper bound)");
    return 0;
}

static int gather_cpu(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                      size_t errlen) {
    char src[512];
    aim_estimate_input *in = e->in;
    e->cpu_query = q->cpu;
    int has_tdp = given(q, AIM_ESTIMATE_CPU_TDP), has_cores = given(q, AIM_ESTIMATE_CPU_CORES);
    int has_util = given(q, AIM_ESTIMATE_CPU_UTIL);
    if (!q->cpu && !has_tdp && !has_cores) {
        if (has_util) {
            snprintf(err, errlen, "--cpu-util describes a CPU: give --cpu MODEL, "
                     "--cores N or --cpu-tdp W");
            return -EINVAL;
        }
        set_item(&in[AIM_EST_NCORES], "n_cores", "CPU cores", "", 0, "no --cpu or --cores");
        set_item(&in[AIM_EST_PCORE], "P_core", "power per core", "W", 0, "no --cpu or --cores");
        set_item(&in[AIM_EST_UCORE], "u_core", "CPU use", "", 0, "no --cpu or --cores");
        return 0;
    }
    double per_core = NAN;
    int cores = has_cores ? q->cpu_cores : 0;
    const char *cores_src = "--cores";
    if (q->cpu || !has_tdp) {
        /* --cores alone: Green Algorithms' "Any" row, its figure for an unknown CPU. */
        const char *name = q->cpu ? q->cpu : "Any";
        int rc = aim_cpu_lookup(name, &e->cpu);
        if (rc == -EEXIST) {
            snprintf(err, errlen, "CPU name '%s' is ambiguous: it begins several "
                     "models of the per-core table (docs/methodology.md); give the full "
                     "model name", name);
            return -EEXIST;
        }
        if (rc < 0) {
            snprintf(err, errlen, "unknown CPU '%s' (give --cpu-tdp W per core "
                     "with --cores N instead)", name);
            return -ENOENT;
        }
        e->have_cpu = 1;
        per_core = e->cpu.tdp_per_core_w;
        if (!has_cores && e->cpu.cores > 0) {
            cores = e->cpu.cores;
            cores_src = "default: every core of one package of this model";
        }
        if (isnan(per_core) && !has_tdp) {
            if (has_cores) {
                snprintf(err, errlen, "the core count of %s is not in the tables "
                         "(only its package TDP, %g W): give --cpu-tdp W per core with "
                         "--cores, or leave --cores out to charge the whole package",
                         e->cpu.model, e->cpu.tdp_w);
                return -EINVAL;
            }
            e->cpu_package = 1; /* one whole package at its TDP */
            cores = 1;
            per_core = e->cpu.tdp_w;
            cores_src = "default: the whole package (core count not in the tables)";
        }
    }
    if (has_tdp)
        per_core = q->cpu_core_tdp_w;
    if (cores == 0) {
        snprintf(err, errlen, "give --cores N: how many CPU cores the run used");
        return -EINVAL;
    }
    set_item(&in[AIM_EST_NCORES], "n_cores", "CPU cores", "", cores, cores_src);
    if (has_tdp)
        snprintf(src, sizeof src, "--cpu-tdp (W per core)");
    else if (e->cpu_package)
        snprintf(src, sizeof src, "package TDP of %s: %s; %s", e->cpu.model, e->cpu.source,
                 e->cpu.licence);
    else
        snprintf(src, sizeof src, "TDP per core of %s%s: %s; %s", e->cpu.model,
                 strcmp(e->cpu.model, "Any") == 0
                     ? " (Green Algorithms' figure for an unknown CPU)" : "",
                 e->cpu.source, e->cpu.licence);
    set_item(&in[AIM_EST_PCORE], "P_core", e->cpu_package ? "power per package" : "power per core",
             "W", per_core, src);
    set_item(&in[AIM_EST_UCORE], "u_core", "CPU use", "", has_util ? q->cpu_util : 1.0,
             has_util ? "--cpu-util" : "default: full use, as Green Algorithms (an upper bound)");
    return 0;
}

/* PUE: a number from 1 to 5, or a provider's name (aim_pue_lookup). */
static int gather_pue(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                      size_t errlen) {
    char src[512];
    double pue = 1.0;
    const char *pue_src = "default: the hardware's energy only (--pue X, aws, gcp, azure)";
    if (q->pue) {
        if (aim_parse_number(q->pue, strlen(q->pue), &pue) == 0) {
            if (!(pue >= 1.0) || pue > 5.0) {
                snprintf(err, errlen, "bad --pue '%s': from 1 (no overhead) to 5",
                         q->pue);
                return -ERANGE;
            }
            pue_src = "--pue";
        } else {
            const char *s;
            if (aim_pue_lookup(q->pue, &pue, &s) < 0) {
                char names[128] = "";
                for (const char *const *n = aim_pue_names(); *n; n++)
                    aim__bappendf(names, sizeof names, "%s%s",
                                 n == aim_pue_names() ? "" : ", ", *n);
                snprintf(err, errlen, "bad --pue '%s': a number from 1 to 5, or %s",
                         q->pue, names);
                return -EINVAL;
            }
            snprintf(src, sizeof src, "--pue %s: %s", q->pue, s);
            pue_src = src;
        }
    }
    set_item(&e->in[AIM_EST_PUE], "PUE", "PUE", "", pue, pue_src);
    return 0;
}

/* Grid intensity: --intensity, or a zone's row (CODE[@YEAR][@marginal|@average], the syntax
 * of run --zone and whatif --zones), the world average by default. */
static int gather_intensity(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                            size_t errlen) {
    char src[512];
    if (given(q, AIM_ESTIMATE_INTENSITY)) {
        set_item(&e->in[AIM_EST_CI], "CI", "carbon intensity", "g/kWh", q->g_per_kwh,
                 q->zone ? "--intensity (overrides --zone)" : "--intensity");
        return 0;
    }
    char code[160], why[320];
    if (q->marginal && !q->zone) {
        snprintf(err, errlen, "--marginal needs --zone (the marginal table is per "
                 "country)");
        return -EINVAL;
    }
    if (q->marginal && strcasestr(q->zone, "@average")) {
        snprintf(err, errlen, "--marginal and --zone %s disagree", q->zone);
        return -EINVAL;
    }
    snprintf(code, sizeof code, "%s%s", q->zone ? q->zone : "WORLD",
             q->marginal && !strcasestr(q->zone, "@marginal") ? "@marginal" : "");
    aim_zone_spec spec;
    if (aim__zone_spec_resolve(code, strlen(code), &spec, why, sizeof why) < 0) {
        snprintf(err, errlen, "%s", why);
        return -ENOENT;
    }
    e->zone = spec.row;
    aim__zone_spec_national_note(&spec, e->zone_note, sizeof e->zone_note);
    e->have_zone = 1;
    const aim_zone_info *z = &e->zone;
    snprintf(src, sizeof src, "%szone %s (%s): %s%s%s, %d, %s, %s basis; %s",
             q->zone ? "" : "default: ", z->code, z->name, e->zone_note,
             e->zone_note[0] ? "; " : "", z->source, z->year, z->signal, z->basis, z->licence);
    set_item(&e->in[AIM_EST_CI], "CI", "carbon intensity", "g/kWh", z->g_per_kwh, src);
    return 0;
}

static int gather_rest(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                       size_t errlen) {
    aim_estimate_input *in = e->in;
    int as_hours = given(q, AIM_ESTIMATE_HOURS), as_duration = given(q, AIM_ESTIMATE_DURATION);
    if (as_hours + as_duration != 1) {
        snprintf(err, errlen, "give the run time once: --hours H or --time DURATION");
        return -EINVAL;
    }
    set_item(&in[AIM_EST_T], "t", "time", "h", q->hours, as_duration ? "--time" : "--hours");
    const char *mem_src;
    double w_per_gb = aim_footprint_memory_w_per_gb(&mem_src);
    int has_mem = given(q, AIM_ESTIMATE_MEMORY);
    set_item(&in[AIM_EST_MEM], "mem", "memory", "GB", has_mem ? q->memory_gb : 0,
             has_mem ? "--memory" : "default: not counted (--memory GB)");
    set_item(&in[AIM_EST_PMEM], "P_mem", "memory power", "W/GB", w_per_gb, mem_src);
    int rc = gather_pue(q, e, err, errlen);
    return rc < 0 ? rc : gather_intensity(q, e, err, errlen);
}

/* Manufacturing carbon of the GPUs, the memory and the servers, amortised over the run. */
static void gather_embodied(const aim_estimate_request *q, aim_estimate_result *e) {
    double seconds = e->fi.hours * 3600;
    const aim_embodied_info *row;
    if (e->fi.gpu_count > 0 &&
        aim_embodied_lookup("gpu", e->gpu ? e->gpu->name : e->gpu_query, &row) == 0)
        e->emb[e->n_emb++] = (aim_estimate_embodied){ "GPUs", e->fi.gpu_count, row, 0 };
    if (e->fi.memory_gb > 0 && aim_embodied_lookup("dram", NULL, &row) == 0)
        e->emb[e->n_emb++] = (aim_estimate_embodied){ "memory", e->fi.memory_gb, row, 0 };
    if (q->servers > 0 &&
        aim_embodied_lookup("server", e->fi.gpu_count > 0 ? "gpu-node" : NULL, &row) == 0)
        e->emb[e->n_emb++] = (aim_estimate_embodied){ "servers", q->servers, row, 0 };
    for (int i = 0; i < e->n_emb; i++) {
        aim_estimate_embodied *it = &e->emb[i];
        it->share_kg = aim_embodied_amortise(it->count * it->row->kg_co2e,
                                             it->row->lifetime_years, seconds);
        e->emb_total_kg += it->share_kg;
    }
}

int aim__estimate_build(const aim_estimate_request *q, aim_estimate_result *e, char *err,
                       size_t errlen) {
    if (!q || !e) {
        snprintf(err, errlen, "no request");
        return -EINVAL;
    }
    memset(e, 0, sizeof *e);
    e->embodied = q->embodied;
    int rc;
    if ((rc = gather_gpu(q, e, err, errlen)) < 0 || (rc = gather_cpu(q, e, err, errlen)) < 0 ||
        (rc = gather_rest(q, e, err, errlen)) < 0)
        return rc;
    const aim_estimate_input *in = e->in;
    if (in[AIM_EST_NGPU].value == 0 && in[AIM_EST_NCORES].value == 0 &&
        in[AIM_EST_MEM].value == 0) {
        snprintf(err, errlen, "nothing to estimate: give --gpu NAME, --cpu MODEL / "
                 "--cores N, or --memory GB");
        return -EINVAL;
    }
    e->fi = (aim_footprint_input){
        .hours = in[AIM_EST_T].value,
        .gpu_count = (int)in[AIM_EST_NGPU].value, .gpu_power_w = in[AIM_EST_PGPU].value,
        .gpu_util = in[AIM_EST_UGPU].value,
        .cpu_cores = (int)in[AIM_EST_NCORES].value, .cpu_core_power_w = in[AIM_EST_PCORE].value,
        .cpu_util = in[AIM_EST_UCORE].value,
        .memory_gb = in[AIM_EST_MEM].value, .pue = in[AIM_EST_PUE].value,
        .g_per_kwh = in[AIM_EST_CI].value,
    };
    if (aim_footprint_compute(&e->fi, &e->footprint) < 0) {
        snprintf(err, errlen, "an input is out of range (run time at most 1e7 h)");
        return -ERANGE;
    }
    if (e->embodied)
        gather_embodied(q, e);
    return 0;
}
