/* A synthetic but realistic host trace for the store benchmarks: the series a 2-socket
 * machine with 16 logical CPUs produces (utilisation total and per core, memory, RAPL
 * counters and the power derived from them), sampled with a few tens of µs of jitter. */
#ifndef AIM_BENCH_TRACE_H
#define AIM_BENCH_TRACE_H

#include <math.h>
#include <stdint.h>

#include "processing/summary.h"
#include "model/metrics.h"

#define TRACE_CORES 16
#define TRACE_SERIES (TRACE_CORES + 12)

typedef struct trace {
    uint64_t rng;
    int64_t t;
    double energy[4];
} trace;

static inline double trace_uniform(trace *tr) {
    tr->rng ^= tr->rng >> 12;
    tr->rng ^= tr->rng << 25;
    tr->rng ^= tr->rng >> 27;
    return (double)((tr->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* The metric of series i, so the encoder gets each metric's own resolution. */
static inline aim_metric_id trace_metric(int i) {
    if (i == 0) return AIM_M_CPU_UTIL;
    if (i <= TRACE_CORES) return AIM_M_CPU_CORE_UTIL;
    static const aim_metric_id rest[] = { AIM_M_MEM_USED, AIM_M_MEM_TOTAL, AIM_M_MEM_UTIL,
        AIM_M_ENERGY, AIM_M_ENERGY, AIM_M_ENERGY, AIM_M_ENERGY,
        AIM_M_POWER, AIM_M_POWER, AIM_M_POWER, AIM_M_POWER };
    return rest[i - TRACE_CORES - 1];
}

/* Fills one tick at `interval` ns; values[TRACE_SERIES]. */
static inline void trace_tick(trace *tr, int64_t interval, double *values) {
    double dt = (double)interval * 1e-9;
    tr->t += interval + (int64_t)((trace_uniform(tr) - 0.5) * 100000); /* ±50 µs */
    double load = 0;
    for (int c = 1; c <= TRACE_CORES; c++) {
        double u = c <= 4 ? 90 + 10 * trace_uniform(tr) : 5 * trace_uniform(tr);
        values[c] = round(u * 10) / 10;
        load += values[c];
    }
    values[0] = round(load / TRACE_CORES * 10) / 10;
    int k = TRACE_CORES + 1;
    values[k++] = 31.25 + 0.01 * floor(trace_uniform(tr) * 4); /* mem used GiB */
    values[k++] = 62.5;
    values[k++] = round(values[TRACE_CORES + 1] / 62.5 * 1000) / 10;
    static const double watts[4] = { 120, 118, 9, 8.5 };
    for (int i = 0; i < 4; i++) {
        double p = watts[i] * (0.9 + 0.2 * trace_uniform(tr));
        tr->energy[i] += round(p * dt * 1e6 / 15.3) * 15.3e-6; /* 15.3 µJ RAPL quanta */
        values[k + i] = tr->energy[i];
        values[k + 4 + i] = round(p * 100) / 100;
    }
}

#endif
