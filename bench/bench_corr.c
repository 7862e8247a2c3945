/* Correlation benchmark: the upkeep per tick while sampling (200 series, as the issue asks,
 * in the usual and the unfavourable validity patterns), and `aimeter corr --matrix` on a
 * one-hour 100 Hz run: read from the matrix the run stored, and replayed from its samples.
 * Prints tables; never fails on a timing. Usage: bench_corr [DIR] (default /tmp). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimeter.h"
#include "clock.h"
#include "store_files.h"
#include "processing/corr.h"
#include "engine/corr_replay.h"
#include "store/corr_store.h"
#include "store/db.h"
#include "trace.h"

/* ------------------------------------------------------------------ upkeep per tick */

enum { N_UPKEEP = 200, SLOW = 50 };

typedef enum { ALL_VALID, ONE_FLAPPING, RANDOM_GAPS, TWO_GROUPS } pattern;

/* CPU µs per grid tick for 200 series fed like the writer feeds them (main-group frames,
 * and for TWO_GROUPS a 10x slower second group in batches). */
static double upkeep(pattern p, int ticks, int n_series) {
    int group[N_UPKEEP];
    double res[N_UPKEEP];
    uint8_t counter[N_UPKEEP];
    int n_main = p == TWO_GROUPS ? n_series - SLOW : n_series;
    for (int i = 0; i < N_UPKEEP; i++) {
        group[i] = i < n_main ? 0 : 1;
        res[i] = 0.01;
        counter[i] = i % 10 == 9; /* some counters, correlated as rates */
    }
    int64_t iv[2] = { 10000000, 100000000 };
    aim_corr_layout l = { .n_series = n_series, .group = group, .resolution = res,
                          .counter = counter, .n_groups = p == TWO_GROUPS ? 2 : 1,
                          .group_interval_ns = iv, .grid_group = 0, .interval_ns = iv[0] };
    aim_corr *c;
    if (aim__corr_new(&l, &c) < 0)
        return NAN;
    /* values and gaps are drawn beforehand: only the upkeep is timed */
    enum { POOL = 256 };
    static double pool[POOL][N_UPKEEP];
    static uint8_t gaps[POOL][N_UPKEEP];
    trace tr = { .rng = 0x1234567887654321ull };
    for (int k = 0; k < POOL; k++) {
        double load = trace_uniform(&tr);
        for (int i = 0; i < N_UPKEEP; i++) {
            pool[k][i] = load * (i % 7) + trace_uniform(&tr);
            gaps[k][i] = 1;
        }
        if (p == ONE_FLAPPING)
            gaps[k][3] = k & 1;
        if (p == RANDOM_GAPS)
            for (int j = 0; j < 3; j++)
                gaps[k][(int)(trace_uniform(&tr) * N_UPKEEP)] = 0;
    }
    static double v[N_UPKEEP];
    double acc[N_UPKEEP] = { 0 };
    double t0 = cpu_s();
    for (int k = 0; k < ticks; k++) {
        const double *x = pool[k % POOL];
        for (int i = 0; i < N_UPKEEP; i++) {
            acc[i] += x[i];
            v[i] = counter[i] ? acc[i] : x[i];
        }
        const uint8_t *ok = gaps[k % POOL];
        int64_t t = (int64_t)k * iv[0];
        aim__corr_tick(c, 0, t, v, ok);
        if (p == TWO_GROUPS && k % 10 == 0)
            aim__corr_tick(c, 1, t + 1000, v + n_main, ok + n_main);
    }
    double t1 = cpu_s();
    aim__corr_free(c);
    return (t1 - t0) / ticks * 1e6;
}

static double finish_ms(void) {
    int group[N_UPKEEP];
    double res[N_UPKEEP];
    uint8_t counter[N_UPKEEP];
    for (int i = 0; i < N_UPKEEP; i++) {
        group[i] = 0;
        res[i] = 0.01;
        counter[i] = 0;
    }
    aim_corr_layout l = { .n_series = N_UPKEEP, .group = group, .resolution = res,
                          .counter = counter, .n_groups = 1, .grid_group = 0,
                          .interval_ns = 10000000 };
    aim_corr *c;
    aim__corr_new(&l, &c);
    static double v[N_UPKEEP];
    trace tr = { .rng = 42 };
    for (int k = 0; k < 1000; k++) {
        for (int i = 0; i < N_UPKEEP; i++)
            v[i] = trace_uniform(&tr);
        aim__corr_tick(c, 0, (int64_t)k * 10000000, v, NULL);
    }
    double t0 = cpu_s();
    aim_corr_matrix *m;
    aim__corr_finish(c, &m);
    double t1 = cpu_s();
    aim__corr_matrix_free(m);
    aim__corr_free(c);
    return (t1 - t0) * 1e3;
}

/* ------------------------------------------------------------------ a one-hour run */

static int build_store(const char *path, const char *id, int ticks) {
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_corr: %s\n", err);
        return -1;
    }
    const int64_t interval = 10000000;
    const int per_chunk = 100;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "bench");
    run.interval_ns = interval;
    run.status = AIM_RUN_COMPLETED;
    run.samples = (uint64_t)ticks;
    aim_device_summary devs[5] = { { .name = "host", .kind = AIM_DEV_HOST },
        { .name = "cpu0", .kind = AIM_DEV_CPU }, { .name = "cpu1", .kind = AIM_DEV_CPU },
        { .name = "dram0", .kind = AIM_DEV_DRAM }, { .name = "dram1", .kind = AIM_DEV_DRAM } };
    aim_series_summary series[TRACE_SERIES];
    aim_chunk_column cols[TRACE_SERIES];
    memset(series, 0, sizeof series);
    for (int i = 0; i < TRACE_SERIES; i++) {
        const aim_metric_info *m = aim__metric_by_id(trace_metric(i));
        series[i].slot = i;
        series[i].metric = (int)trace_metric(i);
        snprintf(series[i].metric_key, sizeof series[i].metric_key, "%s", m->key);
        series[i].instance = trace_metric(i) == AIM_M_CPU_CORE_UTIL ? i - 1 : -1;
        if (trace_metric(i) == AIM_M_ENERGY || trace_metric(i) == AIM_M_POWER)
            series[i].device = 1 + (i - TRACE_CORES - 4) % 4;
        series[i].resolution = cols[i].resolution = m->resolution;
        series[i].counter = cols[i].counter = m->kind == AIM_KIND_COUNTER;
    }
    run.devices = devs;
    run.n_devices = 5;
    run.series = series;
    run.n_series = TRACE_SERIES;
    aim__db_begin(db);
    aim__db_run_insert(db, &run, getpid());
    for (int d = 0; d < 5; d++)
        aim__db_device_insert(db, run.id, d, &devs[d]);
    for (int i = 0; i < TRACE_SERIES; i++)
        aim__db_series_insert(db, run.id, &series[i]);
    aim__db_commit(db);
    aim_chunk_encoder *enc;
    aim__chunk_encoder_new(TRACE_SERIES, cols, per_chunk, &enc);
    trace tr = { .rng = 0x1234567887654321ull };
    double values[TRACE_SERIES];
    uint8_t valid[TRACE_SERIES];
    memset(valid, 1, sizeof valid);
    int64_t seq = 0;
    aim__db_begin(db);
    for (int k = 0; k < ticks; k++) {
        trace_tick(&tr, interval, values);
        aim__chunk_encoder_add(enc, tr.t, values, valid);
        if (aim__chunk_encoder_ticks(enc) == per_chunk || k == ticks - 1) {
            int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
            int n = aim__chunk_encoder_ticks(enc);
            const uint8_t *blob;
            size_t len;
            aim__chunk_encoder_finish(enc, &blob, &len);
            aim__db_chunk_insert(db, run.id, 0, seq++, first, last, n, blob, len);
        }
    }
    aim__db_commit(db);
    aim__db_run_update(db, &run);
    aim__chunk_encoder_free(enc);
    aim__db_close(db);
    return 0;
}

/* `aimeter corr --matrix --format csv` through the public API; wall ms. */
static double corr_matrix_ms(const char *path, const char *id, unsigned flags, int *ok) {
    aim_store *st;
    aim_store_new(&st);
    double t0 = now_s();
    int r = aim_store_open(st, path, 1);
    aim_corr_result *res = NULL;
    char *text = NULL;
    if (r == 0)
        r = aim_corr_compute(st, id, NULL, 0, flags, &res);
    if (r == 0)
        r = aim_corr_render(res, AIM_FORMAT_CSV, 1, 0, 0, &text);
    double t1 = now_s();
    if (r < 0)
        fprintf(stderr, "bench_corr: %s\n", aim_store_errmsg(st));
    *ok = r == 0;
    free(text);
    aim_corr_result_free(res);
    aim_store_free(st);
    return (t1 - t0) * 1e3;
}

static int store_matrix(const char *path, const char *id) {
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0)
        return -1;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    aim_corr_matrix *m = NULL;
    int r = aim__db_load_summary(db, id, &run);
    if (r == 0)
        r = aim__corr_replay_run(db, &run, NULL, 0, &m);
    if (r == 0)
        r = aim__db_corr_save(db, id, m);
    aim__corr_matrix_free(m);
    aim__run_summary_clear(&run);
    aim__db_close(db);
    return r;
}

/* A run of 200 series with a stored matrix (no samples needed): what the report and
 * `corr --matrix` cost when they read it. Returns 0 and the two timings in ms. */
static int stored_200(const char *path, double *ret_save_ms, double *ret_report_ms,
                      double *ret_matrix_ms) {
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0)
        return -1;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "bench-corr-200");
    run.interval_ns = 10000000;
    run.status = AIM_RUN_COMPLETED;
    aim_device_summary dev = { .name = "host", .kind = AIM_DEV_HOST };
    static aim_series_summary series[N_UPKEEP];
    for (int i = 0; i < N_UPKEEP; i++) {
        const aim_metric_info *m = aim__metric_by_id(AIM_M_CPU_CORE_UTIL);
        series[i] = (aim_series_summary){ .slot = i, .metric = AIM_M_CPU_CORE_UTIL,
                                          .instance = i, .resolution = m->resolution,
                                          .count = 1000, .mean = 1, .min = 0, .max = 2,
                                          .mode = 1, .mode_exact = 1 };
        snprintf(series[i].metric_key, sizeof series[i].metric_key, "%s", m->key);
    }
    run.devices = &dev;
    run.n_devices = 1;
    run.series = series;
    run.n_series = N_UPKEEP;
    aim_corr_matrix *m = NULL;
    int r = aim__corr_matrix_new(N_UPKEEP, &m);
    trace tr = { .rng = 7 };
    for (int i = 0; r == 0 && i < N_UPKEEP; i++) {
        m->slot[i] = i;
        m->self_n[i] = 1000;
        m->varying[i] = 1;
        for (int j = i + 1; j < N_UPKEEP; j++) {
            size_t ij = aim__corr_pair_index(N_UPKEEP, i, j);
            m->pn[ij] = 1000;
            m->r[ij] = 2 * trace_uniform(&tr) - 1;
        }
    }
    m->ticks = 1000;
    m->interval_ns = run.interval_ns;
    if (r == 0) {
        aim__db_begin(db);
        aim__db_run_insert(db, &run, getpid());
        aim__db_device_insert(db, run.id, 0, &dev);
        for (int i = 0; i < N_UPKEEP; i++)
            aim__db_series_insert(db, run.id, &series[i]);
        aim__db_commit(db);
        double s0 = now_s();
        r = aim__db_corr_save(db, run.id, m);
        *ret_save_ms = (now_s() - s0) * 1e3;
    }
    aim__corr_matrix_free(m);
    aim__db_close(db);
    if (r < 0)
        return r;
    aim_store *st;
    aim_store_new(&st);
    aim_store_open(st, path, 1);
    char *text = NULL;
    double t0 = now_s();
    r = aim_report_render(st, "bench-corr-200", AIM_FORMAT_TEXT, &text);
    double t1 = now_s();
    free(text);
    text = NULL;
    aim_corr_result *res = NULL;
    if (r == 0)
        r = aim_corr_compute(st, "bench-corr-200", NULL, 0, 0, &res);
    if (r == 0)
        r = aim_corr_render(res, AIM_FORMAT_CSV, 1, 0, 0, &text);
    double t2 = now_s();
    free(text);
    aim_corr_result_free(res);
    aim_store_free(st);
    *ret_report_ms = (t1 - t0) * 1e3;
    *ret_matrix_ms = (t2 - t1) * 1e3;
    return r;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    const int ticks = 20000;
    printf("| correlation upkeep, %d series (%d pairs), 100 Hz grid | CPU µs per tick | "
           "%% of a core at 100 Hz |\n|---|---|---|\n", N_UPKEEP, N_UPKEEP * (N_UPKEEP - 1) / 2);
    static const struct { pattern p; const char *what; } cases[] = {
        { ALL_VALID, "every series valid every tick (the usual case)" },
        { TWO_GROUPS, "150 at 100 Hz + 50 in a 10 Hz group, fed in writer batches" },
        { ONE_FLAPPING, "one series valid every other tick (two blocks)" },
        { RANDOM_GAPS, "3 random series missing per tick (a new pattern each tick)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double us = upkeep(cases[i].p, cases[i].p == RANDOM_GAPS ? ticks / 4 : ticks, N_UPKEEP);
        printf("| %s | %.2f | %.3f %% |\n", cases[i].what, us, us / 10000.0 * 100.0);
    }
    double host = upkeep(ALL_VALID, ticks, TRACE_SERIES);
    printf("| for comparison: %d series (a 16-CPU host's trace), all valid | %.2f | %.3f %% |\n",
           TRACE_SERIES, host, host / 10000.0 * 100.0);
    printf("| finishing the matrix at stop (%d series) | %.2f ms | |\n\n", N_UPKEEP, finish_ms());

    char path[512], id[64];
    snprintf(path, sizeof path, "%s/aimeter-bench-corr-%d.db", dir, (int)getpid());
    snprintf(id, sizeof id, "bench-corr-%d", (int)getpid());
    const int hour = 360000;
    double b0 = now_s();
    if (build_store(path, id, hour) < 0)
        return 1;
    double b1 = now_s();
    int ok1, ok2, ok3;
    double replay = corr_matrix_ms(path, id, 0, &ok1); /* nothing stored yet: replayed */
    int saved = store_matrix(path, id);
    double stored = corr_matrix_ms(path, id, 0, &ok2);
    double forced = corr_matrix_ms(path, id, AIM_CORR_RECOMPUTE, &ok3);
    printf("| `corr --matrix --format csv`, one-hour 100 Hz run (%d series, %d ticks) | wall |\n"
           "|---|---|\n", TRACE_SERIES, hour);
    printf("| (building the synthetic store) | %.0f ms |\n", (b1 - b0) * 1e3);
    printf("| run without a stored matrix: replayed from the samples | %s%.0f ms |\n",
           ok1 ? "" : "FAILED ", replay);
    printf("| run with its stored matrix (what `aimeter run` leaves) | %s%.1f ms |\n",
           ok2 && saved == 0 ? "" : "FAILED ", stored);
    printf("| --recompute | %s%.0f ms |\n", ok3 ? "" : "FAILED ", forced);
    bench_unlink_store(path);
    double save_ms = 0, rep_ms = 0, mat_ms = 0;
    int r200 = stored_200(path, &save_ms, &rep_ms, &mat_ms);
    printf("\n| a run of %d series with its stored matrix (%d pairs) | wall |\n|---|---|\n",
           N_UPKEEP, N_UPKEEP * (N_UPKEEP - 1) / 2);
    printf("| storing the matrix when the run stops | %s%.1f ms |\n", r200 ? "FAILED " : "",
           save_ms);
    printf("| `aimeter report` (summary, matrix, top pairs) | %s%.1f ms |\n",
           r200 ? "FAILED " : "", rep_ms);
    printf("| `corr --matrix --format csv` | %s%.1f ms |\n", r200 ? "FAILED " : "", mat_ms);
    bench_unlink_store(path);
    return 0;
}
