/* The PostgreSQL benchmarks' simulated node (bench_pg_ingest, bench_pg_layout): the run a
 * node's aimeter records, written through the store API as the writer writes it
 * (engine/sink_store.c: the run's rows once, then one chunk per rate group per commit, with
 * its summary, and the run's progress rewritten). Two shapes: the host trace of trace.h plus
 * one GPU's power and utilisation (30 series, one group), or one GPU's four series at a
 * fast rate (power, SM clock, utilisation, temperature). Deterministic. */
#ifndef AIM_BENCH_NODE_RUN_H
#define AIM_BENCH_NODE_RUN_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "store/db.h"
#include "trace.h"

#define NODE_HOST_SERIES (TRACE_SERIES + 2)   /* 30 */
#define NODE_GPU_SERIES 4
#define NODE_MAX_SERIES NODE_HOST_SERIES
#define NODE_COMMIT_NS 750000000LL           /* engine/writer.c's COMMIT_INTERVAL_NS */

typedef struct node_run {
    aim_run_summary run;
    aim_device_summary devs[6];
    aim_series_summary series[NODE_MAX_SERIES];
    aim_chunk_column cols[NODE_MAX_SERIES];
    int gpu_only;                /* 1: the four GPU series */
    trace tr;
    double gpu_t;                /* the GPU shape's clock, s */
    uint64_t rng;
} node_run;

static inline double node_uniform(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static inline void node_series(node_run *n, int i, aim_metric_id id, int device, int instance) {
    const aim_metric_info *m = aim__metric_by_id(id);
    aim_series_summary *s = &n->series[i];
    s->slot = i;
    s->metric = (int)id;
    snprintf(s->metric_key, sizeof s->metric_key, "%s", m->key);
    s->instance = instance;
    s->device = device;
    s->group = 0;
    s->resolution = n->cols[i].resolution = m->resolution;
    s->counter = n->cols[i].counter = m->kind == AIM_KIND_COUNTER;
    s->mean = s->min = s->max = s->mode = 1;
}

/* A node's run: id and host given, interval_ns its sampling interval. */
static inline void node_run_init(node_run *n, const char *id, const char *host,
                                 int64_t interval_ns, int gpu_only, uint64_t seed) {
    memset(n, 0, sizeof *n);
    aim_run_summary *run = &n->run;
    snprintf(run->id, sizeof run->id, "%s", id);
    snprintf(run->name, sizeof run->name, "bench node");
    snprintf(run->host, sizeof run->host, "%s", host);
    snprintf(run->aimeter_version, sizeof run->aimeter_version, "0.1.0");
    run->start_wall_ns = 1796644800000000000LL;
    run->interval_ns = interval_ns;
    run->intensity_g_per_kwh = 56;
    run->status = AIM_RUN_RUNNING;
    n->gpu_only = gpu_only;
    n->tr.rng = seed | 1;
    n->rng = seed * 2654435761u + 7;
    int nd = 0;
    if (!gpu_only) {
        n->devs[nd++] = (aim_device_summary){ .name = "host", .kind = AIM_DEV_HOST };
        n->devs[nd++] = (aim_device_summary){ .name = "cpu0", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 };
        n->devs[nd++] = (aim_device_summary){ .name = "cpu1", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 };
        n->devs[nd++] = (aim_device_summary){ .name = "dram0", .kind = AIM_DEV_DRAM, .has_energy = 1, .in_total = 1 };
        n->devs[nd++] = (aim_device_summary){ .name = "dram1", .kind = AIM_DEV_DRAM, .has_energy = 1, .in_total = 1 };
    }
    int gpu = nd;
    n->devs[nd++] = (aim_device_summary){ .name = "gpu0", .kind = AIM_DEV_GPU, .model = "NVIDIA H100",
                                          .has_energy = 1, .in_total = 1 };
    int ns = 0;
    if (!gpu_only) {
        for (int i = 0; i < TRACE_SERIES; i++) {
            aim_metric_id m = trace_metric(i);
            int dev = m == AIM_M_ENERGY || m == AIM_M_POWER ? 1 + (i - TRACE_CORES - 4) % 4 : 0;
            node_series(n, ns++, m, dev, m == AIM_M_CPU_CORE_UTIL ? i - 1 : -1);
        }
        node_series(n, ns++, AIM_M_POWER, gpu, -1);
        node_series(n, ns++, AIM_M_GPU_UTIL, gpu, -1);
    } else {
        node_series(n, ns++, AIM_M_POWER, gpu, -1);
        node_series(n, ns++, AIM_M_GPU_CLOCK_SM, gpu, -1);
        node_series(n, ns++, AIM_M_GPU_UTIL, gpu, -1);
        node_series(n, ns++, AIM_M_TEMPERATURE, gpu, -1);
    }
    run->devices = n->devs;
    run->n_devices = nd;
    run->series = n->series;
    run->n_series = ns;
}

/* The next tick: *t_ns (since the run's start) and n->run.n_series values. */
static inline void node_tick(node_run *n, double *values, int64_t *t_ns) {
    int64_t interval = n->run.interval_ns;
    if (!n->gpu_only) {
        trace_tick(&n->tr, interval, values);
        double step = fmod((double)n->tr.t * 1e-9, 5.0) / 5.0;
        values[TRACE_SERIES] = round((600 + 70 * sin(2 * M_PI * step) + 40 * (node_uniform(&n->rng) - 0.5)) * 1000) / 1000;
        values[TRACE_SERIES + 1] = step > 0.88 ? 35 : 98;
        *t_ns = n->tr.t;
        return;
    }
    n->tr.t += interval + (int64_t)((node_uniform(&n->rng) - 0.5) * 20000); /* ±10 µs */
    double t = (double)n->tr.t * 1e-9, step = fmod(t, 5.0) / 5.0;
    double p = 600 + 70 * sin(2 * M_PI * step) + 40 * (node_uniform(&n->rng) - 0.5) + (step > 0.88 ? -180 : 0);
    values[0] = round(p * 1000) / 1000;
    values[1] = p > 650 ? 1755 - 15 * floor((p - 650) / 10) : 1980;
    values[2] = step > 0.88 ? 35 : 98;
    values[3] = round((55 + 20 * sin(2 * M_PI * t / 600) + 0.01 * p) * 10) / 10;
    *t_ns = n->tr.t;
}

/* The run's rows in one transaction, as engine/sink_store.c's record_run. */
static inline int node_record(aim_db *db, node_run *n) {
    int r = aim__db_begin(db);
    if (r < 0)
        return r;
    r = aim__db_run_insert(db, &n->run, getpid());
    for (int d = 0; d < n->run.n_devices && r >= 0; d++)
        r = aim__db_device_insert(db, n->run.id, d, &n->devs[d]);
    for (int i = 0; i < n->run.n_series && r >= 0; i++)
        r = aim__db_series_insert(db, n->run.id, &n->series[i]);
    if (r >= 0)
        return aim__db_commit(db);
    aim__db_rollback(db);
    return r;
}

#endif
