/* The correlation result of a run (the public aim_corr_result, aimeter.h): a matrix, and what
 * processing reads into it — which series are one quantity (metric families and identity
 * classes), which pairs aimeter's own model computes (derived), each series' state, and its
 * names. Built from a run summary and a matrix handed in; no store. api/corr_result.c exposes
 * it through the public accessors; report/ renders it through the ones below. */
#ifndef AIM_CORR_RESULT_H
#define AIM_CORR_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "aimeter.h"
#include "processing/corr.h"
#include "processing/summary.h"

/* Series that are one quantity by definition share a family key (>= 0; -1: none): memory
 * used and its share of the total, a process tree's CPU time and its CPU use, a device's
 * energy counter and its power — of the same device and instance. */
int aim__corr_family_key(const aim_series_summary *s);

/* The estimate source's models (sources/estimate.c): 1 for an estimated CPU's power or
 * energy (a line in the host's CPU use), 2 for an estimated DRAM's (proportional to memory in
 * use); -1 the host's CPU use, -2 its memory used or share; 0 otherwise (aim__corr_derived). */
int aim__corr_model_role(const aim_run_summary *run, const aim_series_summary *s);

/* A result over run's series and matrix m. own: the result frees m. recomputed: how m was
 * obtained (1: replayed from the samples). -ENOMEM (m is then freed if owned). */
int aim__corr_res_build(const aim_run_summary *run, aim_corr_matrix *m, int own, int recomputed,
                       aim_corr_result **ret);
void aim__corr_res_free(aim_corr_result *c);
/* The result's message buffer (256 bytes), which the public API fills on a failure. */
char *aim__corr_res_errmsg(aim_corr_result *c);

/* What the public accessors return (aim_corr_get_info, aim_corr_series, aim_corr_r,
 * aim_corr_pairs: aimeter.h), for the renderers. */
void aim__corr_res_info(const aim_corr_result *c, aim_corr_info *ret);
int aim__corr_res_series(const aim_corr_result *c, size_t index, aim_corr_series_info *ret);
double aim__corr_res_r(const aim_corr_result *c, size_t a, size_t b, uint64_t *ret_n);
size_t aim__corr_res_pairs(const aim_corr_result *c, aim_corr_kind kind, double min_abs,
                          aim_corr_pair *ret, size_t max);

/* Of a derived pair: the model role of its output (1 CPU, 2 DRAM: aim__corr_model_role), 0
 * when unknown. */
int aim__corr_res_derived_role(const aim_corr_result *c, size_t a, size_t b);

#endif
