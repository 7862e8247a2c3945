/* Store benchmark: ingest rate (values/s) through the codec and SQLite, bytes per stored
 * value on a realistic trace, and the time to render the report of a one-hour 100 Hz run.
 * Prints a table; never fails on a timing. Usage: bench_store [DIR] (default /tmp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aimeter.h"
#include "clock.h"
#include "store/db.h"
#include "trace.h"

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[512], wal[600];
    snprintf(path, sizeof path, "%s/aimeter-bench-%d.db", dir, (int)getpid());
    snprintf(wal, sizeof wal, "%s-wal", path);
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_store: %s\n", err);
        return 1;
    }

    /* A one-hour run at 100 Hz: 360 000 ticks of TRACE_SERIES values. */
    const int64_t interval = 10000000;
    const int ticks = 360000, per_chunk = 50; /* commits twice a second at 100 Hz */
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "bench-%d", (int)getpid());
    snprintf(run.name, sizeof run.name, "bench");
    run.interval_ns = interval;
    run.intensity_g_per_kwh = 475;
    run.status = AIM_RUN_COMPLETED;
    aim_device_summary devs[5] = { { .name = "host", .kind = AIM_DEV_HOST },
        { .name = "cpu0", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 },
        { .name = "cpu1", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 },
        { .name = "dram0", .kind = AIM_DEV_DRAM, .has_energy = 1, .in_total = 1 },
        { .name = "dram1", .kind = AIM_DEV_DRAM, .has_energy = 1, .in_total = 1 } };
    aim_series_summary series[TRACE_SERIES];
    aim_chunk_column cols[TRACE_SERIES];
    memset(series, 0, sizeof series);
    for (int i = 0; i < TRACE_SERIES; i++) {
        const aim_metric_info *m = aim__metric_by_id(trace_metric(i));
        series[i].slot = i;
        series[i].metric = (int)trace_metric(i);
        snprintf(series[i].metric_key, sizeof series[i].metric_key, "%s", m->key);
        series[i].instance = trace_metric(i) == AIM_M_CPU_CORE_UTIL ? i - 1 : -1;
        int dev = 0;
        if (trace_metric(i) == AIM_M_ENERGY || trace_metric(i) == AIM_M_POWER)
            dev = 1 + (i - TRACE_CORES - 4) % 4;
        series[i].device = dev;
        series[i].resolution = cols[i].resolution = m->resolution;
        series[i].counter = cols[i].counter = m->kind == AIM_KIND_COUNTER;
        series[i].count = (uint64_t)ticks;
        series[i].mean = series[i].min = series[i].max = series[i].mode = 1;
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
    size_t blob_bytes = 0;
    int64_t seq = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (int k = 0; k < ticks; k++) {
        trace_tick(&tr, interval, values);
        aim__chunk_encoder_add(enc, tr.t, values, valid);
        if (aim__chunk_encoder_ticks(enc) == per_chunk || k == ticks - 1) {
            int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
            int n = aim__chunk_encoder_ticks(enc);
            const uint8_t *blob;
            size_t len;
            aim__chunk_encoder_finish(enc, &blob, &len);
            blob_bytes += len;
            aim__db_begin(db);
            aim__db_chunk_insert(db, run.id, 0, seq++, first, last, n, blob, len);
            aim__db_commit(db);
        }
    }
    double t1 = now_s(), c1 = cpu_s();
    aim__db_run_update(db, &run);
    aim__db_close(db);
    double values_total = (double)ticks * TRACE_SERIES;

    /* The report of that run, through the public API as `aimeter report` does it. */
    aim_store *store;
    aim_store_new(&store);
    aim_store_open(store, path, 1);
    char *text = NULL;
    double r0 = now_s();
    int rr = aim_report_render(store, run.id, AIM_FORMAT_TEXT, &text);
    double r1 = now_s();
    free(text);
    aim_store_free(store);

    printf("| store benchmark (one-hour 100 Hz run, %d series, %d ticks) | value |\n", TRACE_SERIES, ticks);
    printf("|---|---|\n");
    printf("| values stored | %.0f |\n", values_total);
    printf("| ingest rate, encode + insert + commit every %d ticks (wall) | %.2f M values/s |\n",
           per_chunk, values_total / (t1 - t0) / 1e6);
    printf("| ingest CPU time per value | %.1f ns |\n", (c1 - c0) / values_total * 1e9);
    printf("| encoded bytes per value (chunk blobs) | %.2f |\n", (double)blob_bytes / values_total);
    printf("| file bytes per value (database + WAL) | %.2f |\n",
           (double)(file_size(path) + file_size(wal)) / values_total);
    printf("| report render of that run | %s%.1f ms |\n", rr < 0 ? "FAILED " : "", (r1 - r0) * 1e3);
    unlink(path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    aim__chunk_encoder_free(enc);
    return 0;
}
