/* The inputs of an estimate (aim_estimate_compute, `aimeter estimate`): each of Green
 * Algorithms' inputs given or defaulted from the tables (GPU and CPU power, zones, PUE,
 * memory power, embodied carbon), with the source it came from, then the footprint and the
 * embodied shares computed from them. Plain data for the renderer (report/estimate_render.c);
 * no text is formatted here beyond the sources. */
#ifndef AIM_PROCESSING_FOOTPRINT_ESTIMATE_H
#define AIM_PROCESSING_FOOTPRINT_ESTIMATE_H

#include <stddef.h>

#include "aimeter.h"

/* The inputs in the order they are shown. */
enum { AIM_EST_T, AIM_EST_NGPU, AIM_EST_PGPU, AIM_EST_UGPU, AIM_EST_NCORES, AIM_EST_PCORE,
       AIM_EST_UCORE, AIM_EST_MEM, AIM_EST_PMEM, AIM_EST_PUE, AIM_EST_CI, AIM_EST_N };

typedef struct aim_estimate_input {
    const char *symbol, *label, *unit; /* static: "P_gpu", "power per GPU", "W" */
    double value;
    char source[512];                  /* where the value comes from: an option or a table */
} aim_estimate_input;

typedef struct aim_estimate_embodied {
    const char *what;                  /* "GPUs", "memory", "servers" (static) */
    double count;                      /* devices, or GB */
    const aim_embodied_info *row;      /* static */
    double share_kg;                   /* amortised over the run */
} aim_estimate_embodied;

typedef struct aim_estimate_result {
    aim_estimate_input in[AIM_EST_N];
    const char *gpu_query, *cpu_query; /* the request's names (borrowed; NULL when not given) */
    const aim_gpu_info *gpu;           /* NULL: no GPU, or not in the table (--gpu-tdp) */
    aim_cpu_info cpu;
    int have_cpu;                      /* cpu is a table row */
    int cpu_package;                   /* core count unknown: one whole package charged */
    int have_zone;                     /* zone priced CI (else --intensity) */
    aim_zone_info zone;                /* static strings */
    char zone_note[200];               /* "national figure of CA: ..." or "" */
    aim_footprint_input fi;
    aim_footprint footprint;
    int embodied;                      /* asked for */
    aim_estimate_embodied emb[3];
    int n_emb;
    double emb_total_kg;
} aim_estimate_result;

/* Fills *ret from req: every input given or defaulted, with its source, then the footprint
 * and, with req->embodied, the embodied shares. Strings of req are borrowed by *ret. On a
 * request that cannot be estimated returns -EINVAL (-ENOENT for an unknown GPU, CPU or zone,
 * -EEXIST for an ambiguous name, -ERANGE a number out of range) with one line in err saying
 * what to change, naming the option of `aimeter estimate` that sets it (err may be NULL when
 * errlen is 0); *ret is then partly filled. */
int aim__estimate_build(const aim_estimate_request *req, aim_estimate_result *ret, char *err,
                       size_t errlen);

#endif
