/* bench_job_report: `aimeter report --job` over a synthetic job of NODES nodes x SECONDS at
 * HZ (default 64 x 3600 s x 10 Hz, issue 16's target: under 2 s). Each node's run is written
 * through the store layer as the writer writes it (bench/node_run.h: 30 series, the codec's
 * chunks of 750 ms with their summaries), with the job's tags, ten "epoch K" phases whose
 * energy is accounted per tick, a samples counter, and its node's clock a few ms off the
 * others'. Then the job's report is rendered through the public API (aim_job_report_render,
 * what `aimeter report --job` calls) in text and JSON, REPEAT times each, and the best and
 * median times printed with what the store holds. The report reads the runs' summaries,
 * tags and phases only, never a chunk: its time does not grow with SECONDS or HZ.
 *
 * usage: bench_job_report STORE [NODES [SECONDS [HZ [REPEAT]]]]
 *   STORE: an SQLite path (a new file) or a postgresql:// URL (an empty database). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "clock.h"
#include "model/run_tags.h"
#include "node_run.h"
#include "processing/phases.h"
#include "processing/records.h"
#include "store/codec.h"
#include "store/db.h"
#include "store/tags_store.h"

#define JOB "bench-4242"
#define EPOCHS 10
#define CHUNKS_PER_TX 400

static int write_node(aim_db *db, int k, int nodes, double seconds, int hz) {
    static node_run n;
    char id[40], host[32];
    snprintf(id, sizeof id, "20261207-000000-%06x", k);
    snprintf(host, sizeof host, "node%03d", k);
    node_run_init(&n, id, host, 1000000000LL / hz, 0, 0x9e3779b97f4a7c15ull + (uint64_t)k);
    n.run.start_wall_ns += (int64_t)(k % 7) * 3000000; /* the node's clock: a few ms off */
    int r = node_record(db, &n);
    aim_run_tag tags[5];
    const char *kv[5][2] = { { "job", JOB }, { "node", host }, { "node_rank", "" },
                             { "user", "bench" }, { "measured_by", "run" } };
    char rank[16];
    snprintf(rank, sizeof rank, "%d", k);
    kv[2][1] = rank;
    for (int i = 0; i < 5; i++) {
        snprintf(tags[i].key, sizeof tags[i].key, "%s", kv[i][0]);
        snprintf(tags[i].value, sizeof tags[i].value, "%s", kv[i][1]);
    }
    if (r >= 0)
        r = aim__db_run_tags_store(db, id, tags, 5);
    aim_phases *phases = NULL;
    aim_records *records = NULL;
    aim_chunk_encoder *enc = NULL;
    if (r >= 0)
        r = aim__phases_new(1024, 16, &phases);
    if (r >= 0)
        r = aim__records_new(4, &records);
    if (r >= 0)
        r = aim__chunk_encoder_new(n.run.n_series, n.cols, hz + 16, &enc);
    if (r < 0) {
        fprintf(stderr, "bench_job_report: node %d: %s\n", k, aim__db_errmsg(db));
        return r;
    }
    int64_t duration = (int64_t)(seconds * 1e9);
    /* node 17 is the straggler: its epochs are 3 % longer, its last one ends at the end */
    double stretch = k == 17 % nodes ? 1.03 : 1.0 + 0.001 * (k % 5);
    int64_t epoch_ns = (int64_t)((double)duration / EPOCHS / 1.03 * stretch);
    int epoch = 0;
    char name[32];
    snprintf(name, sizeof name, "epoch %d", epoch + 1);
    aim__phases_begin(phases, 0, name);
    double values[NODE_MAX_SERIES], prev_w = NAN, energy = 0;
    uint8_t valid[NODE_MAX_SERIES];
    memset(valid, 1, sizeof valid);
    int64_t t = 0, seq = 0, prev_t = 0;
    int in_tx = 0;
    while (r >= 0) {
        node_tick(&n, values, &t);
        if (t > duration)
            break;
        while (epoch < EPOCHS && t > (int64_t)(epoch + 1) * epoch_ns) {
            aim__phases_end(phases, (int64_t)(epoch + 1) * epoch_ns, name);
            if (++epoch < EPOCHS) {
                snprintf(name, sizeof name, "epoch %d", epoch + 1);
                aim__phases_begin(phases, (int64_t)epoch * epoch_ns, name);
            }
        }
        double w = values[TRACE_SERIES]; /* the GPU's power */
        if (!isnan(prev_w)) {
            double de = (prev_w + w) / 2 * (double)(t - prev_t) / 1e9;
            energy += de;
            aim__phases_account(phases, n.run.n_devices - 1, prev_t, t, de, w, de / 3.6e6 * 56);
        }
        prev_w = w;
        prev_t = t;
        aim__chunk_encoder_add(enc, t, values, valid);
        if (aim__chunk_encoder_last_t(enc) - aim__chunk_encoder_first_t(enc) + n.run.interval_ns <
            NODE_COMMIT_NS)
            continue;
        const uint8_t *blob, *sum;
        size_t len, sum_len;
        int ticks = aim__chunk_encoder_ticks(enc);
        int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
        aim__chunk_encoder_finish(enc, &blob, &len);
        aim__chunk_encoder_summary(enc, &sum, &sum_len);
        if (!in_tx && (r = aim__db_begin(db)) >= 0)
            in_tx = 1;
        if (r >= 0)
            r = aim__db_chunk_insert_summary(db, id, 0, seq++, first, last, ticks, blob, len, sum,
                                            sum_len);
        n.run.samples += (uint64_t)ticks;
        if (r >= 0 && seq % CHUNKS_PER_TX == 0) {
            r = aim__db_commit(db);
            in_tx = 0;
        }
    }
    if (r >= 0 && in_tx)
        r = aim__db_commit(db);
    if (epoch < EPOCHS)
        aim__phases_end(phases, prev_t, NULL);
    aim__phases_finish(phases, prev_t);
    aim__records_add(records, prev_t, "samples", 1000.0 * seconds, AIM_RECORD_COUNTER);
    n.run.status = AIM_RUN_COMPLETED;
    n.run.duration_ns = prev_t;
    n.run.end_wall_ns = n.run.start_wall_ns + prev_t;
    n.devs[n.run.n_devices - 1].energy_j = energy;
    n.devs[n.run.n_devices - 1].carbon_g = energy / 3.6e6 * 56;
    n.run.total_energy_j = energy;
    n.run.facility_energy_j = energy;
    n.run.carbon_g = energy / 3.6e6 * 56;
    const aim_phase_span *spans;
    const aim_phase_mark *marks;
    size_t n_spans = aim__phases_spans(phases, &spans), n_marks = aim__phases_marks(phases, &marks);
    if (r >= 0)
        r = aim__db_begin(db);
    if (r >= 0)
        r = aim__db_workload_store(db, id, 0, phases, 0, n_spans, 0, n_marks, records, NULL, 0, 0);
    if (r >= 0)
        r = aim__db_run_update(db, &n.run);
    if (r >= 0)
        r = aim__db_commit(db);
    if (r < 0)
        fprintf(stderr, "bench_job_report: node %d: %s\n", k, aim__db_errmsg(db));
    aim__chunk_encoder_free(enc);
    aim__records_free(records);
    aim__phases_free(phases);
    return r;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_job_report STORE [NODES [SECONDS [HZ [REPEAT]]]]\n");
        return 2;
    }
    const char *store_path = argv[1];
    int nodes = argc > 2 ? atoi(argv[2]) : 64;
    double seconds = argc > 3 ? atof(argv[3]) : 3600;
    int hz = argc > 4 ? atoi(argv[4]) : 10;
    int repeat = argc > 5 ? atoi(argv[5]) : 5;
    if (nodes < 1 || seconds <= 0 || hz < 1 || hz > 1000 || repeat < 1) {
        fprintf(stderr, "bench_job_report: bad arguments\n");
        return 2;
    }
    char err[512];
    aim_db *db;
    if (aim__db_open(store_path, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_job_report: %s\n", err);
        return 1;
    }
    double w0 = now_s();
    for (int k = 0; k < nodes; k++)
        if (write_node(db, k, nodes, seconds, hz) < 0)
            return 1;
    double written = now_s() - w0;
    aim__db_close(db);

    aim_store *store;
    if (aim_store_new(&store) < 0 || aim_store_open(store, store_path, 1) < 0) {
        fprintf(stderr, "bench_job_report: %s\n", store ? aim_store_errmsg(store) : "no memory");
        return 1;
    }
    printf("| job of %d nodes x %.0f s x %d Hz x 30 series (%s) | |\n|---|---|\n", nodes, seconds,
           hz, strncmp(store_path, "postgresql:", 11) == 0 ? "PostgreSQL" : "SQLite");
    printf("| values stored | %.0f (written in %.1f s) |\n", (double)nodes * seconds * hz * 30,
           written);
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON };
    static const char *const names[] = { "text", "json" };
    for (int f = 0; f < 2; f++) {
        double *t = calloc((size_t)repeat, sizeof *t);
        size_t bytes = 0;
        for (int i = 0; i < repeat; i++) {
            char *text = NULL;
            double s0 = now_s();
            int r = aim_job_report_render(store, JOB, formats[f], &text);
            t[i] = now_s() - s0;
            if (r < 0) {
                fprintf(stderr, "bench_job_report: %s\n", aim_store_errmsg(store));
                return 1;
            }
            bytes = strlen(text);
            free(text);
        }
        qsort(t, (size_t)repeat, sizeof *t, cmp_double);
        printf("| report --job, %s (%zu bytes): best, median of %d | %.1f ms, %.1f ms |\n", names[f],
               bytes, repeat, t[0] * 1e3, t[repeat / 2] * 1e3);
        free(t);
    }
    aim_store_free(store);
    return 0;
}
