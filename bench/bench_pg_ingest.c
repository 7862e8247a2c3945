/* PostgreSQL ingest (issue 16's bench): NODES simulated nodes (default 64), each its own
 * process with its own connection, each recording a 30-series 10 Hz run into one PostgreSQL
 * store through the store API exactly as the writer does (bench/node_run.h): the run's rows
 * once, then every 750 ms one transaction holding the chunk of the ticks since the last (the
 * real codec, with its summary) and the run's progress rewritten (aim__db_run_update).
 *
 * SPEED 1 is real time: each node commits every 750 ms of wall time, its nodes' commits
 * spread evenly over the interval (nodes are not in step). SPEED k > 1 is the same work k
 * times faster (each commit still holds 750 ms of samples, made k times as often): the load
 * of k x NODES nodes. SPEED 0: every node commits as fast as it can (the ceiling).
 *
 * Prints rows (chunks) and bytes per second, commit latency percentiles (begin to commit
 * returned), the lag (a commit's end after it fell due; kept up = no node ever a whole commit
 * interval behind), the server's CPU (its postmaster and children, /proc, by DATADIR's
 * postmaster.pid) and the nodes' CPU (getrusage in each, summed) over the run. Never fails
 * on a timing.
 * usage: bench_pg_ingest URL DATADIR [NODES [SECONDS [SPEED]]]  (64, 30, 1) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "node_run.h"
#include "pg_server_cpu.h"

#define HZ 10
#define MAX_NODES 512

typedef struct shared {
    double t0;                       /* CLOCK_MONOTONIC of the first commit interval */
    double cpu[MAX_NODES];           /* each node's CPU between go and done */
    int commits[MAX_NODES];
    int failed[MAX_NODES];
    long long payload[MAX_NODES];    /* blob + summary bytes */
    long long values[MAX_NODES];
    double last_lag[MAX_NODES];      /* ms */
    int max_commits;
    float samples[];                 /* per node: max_commits latencies, then max_commits lags (ms) */
} shared;

static double rusage_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

static void sleep_until(double t) {
    struct timespec ts = { (time_t)t, (long)((t - (double)(time_t)t) * 1e9) };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void put_byte(int fd) {
    char b = 1;
    if (write(fd, &b, 1) != 1)
        _exit(3);
}

static void get_byte(int fd) {
    char b;
    if (read(fd, &b, 1) != 1)
        _exit(3);
}

/* One node: its run, then a commit per interval until `seconds` of wall time have passed. */
static int node_main(const char *url, int k, int nodes, double seconds, double speed,
                     shared *sh, int ready, int go, int done, int bye) {
    char err[512], id[40], host[32];
    aim_db *db;
    if (aim__db_open(url, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_ingest: node %d: %s\n", k, err);
        return 1;
    }
    snprintf(id, sizeof id, "bench-%d-%03d", (int)getppid(), k);
    snprintf(host, sizeof host, "node%03d", k);
    static node_run n;
    node_run_init(&n, id, host, 1000000000LL / HZ, 0, 0x1234567887654321ull + (uint64_t)k);
    aim_chunk_encoder *enc;
    int r = node_record(db, &n);
    if (r >= 0)
        r = aim__chunk_encoder_new(n.run.n_series, n.cols, HZ + 16, &enc);
    if (r < 0) {
        fprintf(stderr, "bench_pg_ingest: node %d: %s\n", k, aim__db_errmsg(db));
        return 1;
    }
    put_byte(ready);
    get_byte(go);
    double c0 = rusage_cpu();
    float *lat = sh->samples + (size_t)k * 2 * (size_t)sh->max_commits, *lag = lat + sh->max_commits;
    double values[NODE_MAX_SERIES];
    uint8_t valid[NODE_MAX_SERIES];
    memset(valid, 1, sizeof valid);
    int64_t t_next = 0;          /* the next tick, ns since the run's start */
    double pending[NODE_MAX_SERIES];
    node_tick(&n, pending, &t_next);
    double period = speed > 0 ? 0.75 / speed : 0;
    double end = sh->t0 + seconds;
    for (int j = 1; j < sh->max_commits; j++) {
        double due = sh->t0 + ((double)(j - 1) + (double)k / nodes) * period;
        if (speed > 0) {
            if (due >= end)
                break;
            sleep_until(due);
        } else if (now_s() >= end) {
            break;
        }
        /* the ticks of this 750 ms of the run */
        while (t_next < (int64_t)j * NODE_COMMIT_NS) {
            memcpy(values, pending, sizeof values);
            aim__chunk_encoder_add(enc, t_next, values, valid);
            node_tick(&n, pending, &t_next);
        }
        int ticks = aim__chunk_encoder_ticks(enc);
        int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
        const uint8_t *blob, *sum;
        size_t len, sum_len;
        double b0 = now_s();
        aim__chunk_encoder_finish(enc, &blob, &len);
        aim__chunk_encoder_summary(enc, &sum, &sum_len);
        n.run.samples += (uint64_t)ticks;
        n.run.duration_ns = last;
        for (int i = 0; i < n.run.n_series; i++)
            n.series[i].count += (uint64_t)ticks;
        r = aim__db_begin(db);
        if (r >= 0)
            r = aim__db_chunk_insert_summary(db, n.run.id, 0, j - 1, first, last, ticks, blob, len,
                                            sum, sum_len);
        if (r >= 0)
            r = aim__db_run_update(db, &n.run);
        if (r >= 0)
            r = aim__db_commit(db);
        else
            aim__db_rollback(db);
        double e = now_s();
        if (r < 0 && !sh->failed[k]++)
            fprintf(stderr, "bench_pg_ingest: node %d: %s\n", k, aim__db_errmsg(db));
        lat[sh->commits[k]] = (float)((e - b0) * 1e3);
        lag[sh->commits[k]] = speed > 0 ? (float)((e - due) * 1e3) : 0;
        sh->last_lag[k] = lag[sh->commits[k]];
        sh->commits[k]++;
        sh->payload[k] += (long long)(len + sum_len);
        sh->values[k] += (long long)ticks * n.run.n_series;
    }
    sh->cpu[k] = rusage_cpu() - c0;
    put_byte(done);
    get_byte(bye);
    n.run.status = AIM_RUN_COMPLETED;
    aim__db_run_update(db, &n.run);
    aim__chunk_encoder_free(enc);
    aim__db_close(db);
    return 0;
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float pct(const float *v, size_t n, double p) {
    return n ? v[(size_t)(p * (double)(n - 1) + 0.5)] : 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_pg_ingest URL DATADIR [NODES [SECONDS [SPEED]]]\n");
        return 2;
    }
    const char *url = argv[1], *datadir = argv[2];
    int nodes = argc > 3 ? atoi(argv[3]) : 64;
    double seconds = argc > 4 ? atof(argv[4]) : 30, speed = argc > 5 ? atof(argv[5]) : 1;
    if (nodes < 1 || nodes > MAX_NODES || seconds <= 0 || speed < 0) {
        fprintf(stderr, "bench_pg_ingest: bad NODES, SECONDS or SPEED\n");
        return 2;
    }
    long postmaster = pg_postmaster_pid(datadir);
    if (!postmaster) {
        fprintf(stderr, "bench_pg_ingest: no postmaster.pid in %s\n", datadir);
        return 1;
    }
    /* The store's tables first, so that the nodes only open it. */
    char err[512];
    aim_db *db;
    if (aim__db_open(url, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_ingest: %s\n", err);
        return 1;
    }
    aim__db_close(db);
    PGconn *pq = PQconnectdb(url);
    if (PQstatus(pq) != CONNECTION_OK) {
        fprintf(stderr, "bench_pg_ingest: %s", PQerrorMessage(pq));
        return 1;
    }
    int max_commits = (int)(seconds * (speed > 0 ? speed : 400) / 0.75) + 2;
    size_t size = sizeof(shared) + (size_t)nodes * 2 * (size_t)max_commits * sizeof(float);
    shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 1;
    sh->max_commits = max_commits;
    int ready[2], go[2], done[2], bye[2];
    if (pipe(ready) || pipe(go) || pipe(done) || pipe(bye))
        return 1;
    fflush(NULL);
    for (int k = 0; k < nodes; k++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(node_main(url, k, nodes, seconds, speed, sh, ready[1], go[0], done[1], bye[0]));
    }
    for (int k = 0; k < nodes; k++)
        get_byte(ready[0]);
    long long db0 = pg_query_int(pq, "SELECT pg_database_size(current_database())");
    double s0 = pg_server_cpu(postmaster);
    sh->t0 = now_s() + 0.1;
    double w0 = sh->t0;
    for (int k = 0; k < nodes; k++)
        put_byte(go[1]);
    for (int k = 0; k < nodes; k++)
        get_byte(done[0]);
    double w1 = now_s(), s1 = pg_server_cpu(postmaster);
    long long db1 = pg_query_int(pq, "SELECT pg_database_size(current_database())");
    for (int k = 0; k < nodes; k++)
        put_byte(bye[1]);
    int bad = 0;
    for (int k = 0; k < nodes; k++) {
        int st;
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            bad++;
    }
    PQfinish(pq);

    size_t total = 0;
    long long payload = 0, vals = 0, failed = 0;
    double cpu = 0, final_lag = 0;
    for (int k = 0; k < nodes; k++) {
        total += (size_t)sh->commits[k];
        payload += sh->payload[k];
        vals += sh->values[k];
        failed += sh->failed[k];
        cpu += sh->cpu[k];
        final_lag = sh->last_lag[k] > final_lag ? sh->last_lag[k] : final_lag;
    }
    float *lat = malloc(total * sizeof *lat + 1), *lag = malloc(total * sizeof *lag + 1);
    size_t m = 0;
    for (int k = 0; k < nodes; k++) {
        const float *l = sh->samples + (size_t)k * 2 * (size_t)max_commits;
        memcpy(lat + m, l, (size_t)sh->commits[k] * sizeof *lat);
        memcpy(lag + m, l + max_commits, (size_t)sh->commits[k] * sizeof *lag);
        m += (size_t)sh->commits[k];
    }
    qsort(lat, total, sizeof *lat, cmp_float);
    qsort(lag, total, sizeof *lag, cmp_float);
    double wall = w1 - w0, sim = (double)total / nodes * 0.75;
    printf("| PostgreSQL ingest: %d nodes x %d series x %d Hz, %s | value |\n", nodes,
           NODE_HOST_SERIES, HZ, speed == 1 ? "real time" : speed > 0 ? "accelerated" : "as fast as it goes");
    printf("|---|---|\n");
    printf("| wall time / samples per node (run time) | %.1f s / %.1f s (%.2fx real time) |\n", wall,
           sim, sim / wall);
    printf("| commits (one chunk row + run update each), failed | %zu, %lld |\n", total, failed);
    printf("| chunk rows/s | %.1f |\n", (double)total / wall);
    printf("| values/s | %.0f (%.1fx the load of %d real nodes) |\n", (double)vals / wall,
           (double)vals / wall / ((double)nodes * NODE_HOST_SERIES * HZ), nodes);
    printf("| chunk bytes/s (blob + summary) | %.0f (%.2f bytes/value) |\n", (double)payload / wall,
           vals ? (double)payload / (double)vals : 0);
    printf("| database growth/s (pg_database_size) | %.0f (%.2f bytes/value) |\n",
           (double)(db1 - db0) / wall, vals ? (double)(db1 - db0) / (double)vals : 0);
    printf("| commit latency p50 / p90 / p99 / max | %.2f / %.2f / %.2f / %.2f ms |\n",
           pct(lat, total, .5), pct(lat, total, .9), pct(lat, total, .99), pct(lat, total, 1));
    if (speed > 0) {
        printf("| lag after due p50 / p99 / max, at the end | %.1f / %.1f / %.1f ms, %.1f ms |\n",
               pct(lag, total, .5), pct(lag, total, .99), pct(lag, total, 1), final_lag);
        printf("| kept up (no commit a whole interval, %.0f ms, late) | %s |\n", 750 / speed,
               pct(lag, total, 1) < 750 / speed ? "yes" : "NO");
    }
    printf("| server CPU (postgres processes) | %.2f s = %.1f %% of a core |\n", s1 - s0,
           (s1 - s0) / wall * 100);
    printf("| aimeter CPU (all nodes' writers) | %.2f s = %.1f %% of a core (%.3f %% per node) |\n",
           cpu, cpu / wall * 100, cpu / wall * 100 / nodes);
    printf("| CPU per value, server / aimeter | %.1f / %.1f µs |\n",
           vals ? (s1 - s0) / (double)vals * 1e6 : 0, vals ? cpu / (double)vals * 1e6 : 0);
    free(lat);
    free(lag);
    return bad || failed ? 1 : 0;
}
