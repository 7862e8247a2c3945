/* aimeter serve's API benchmark (issue 15's targets): GET /api/runs on a store of 10,000
 * runs (target < 200 ms) and GET /api/runs/{id}/series?points=2000 on a one-hour 1 kHz run
 * (target < 100 ms), each the route's handler called as the HTTP server calls it (no socket:
 * what is timed is the store and the JSON, not the loopback). The runs are written through
 * the store layer as the writer writes them (two devices and two tags each); the long run is
 * bench/synth_run's (one GPU, four series at 1 kHz). Prints the median and the slowest of 7
 * calls per query (wall time) and the median of the thread's CPU time (what the call cost on
 * a machine busy with other work); never fails on a timing. Usage: bench_serve_api [DIR [list|series]]
 * (default /tmp, both). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aimeter.h"
#include "api/serve_api.h"
#include "clock.h"
#include "store/db.h"
#include "store/store.h"
#include "store_files.h"
#include "serve_rig.h"

#define N_RUNS 10000
#define REPEAT 7
#define SYNTH_ID "20261207-120000-5e1f0a"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times REPEAT calls of GET path?kv and prints a row. */
static void time_get(aim_store *store, const char *label, const char *path,
                     const char *const *kv, double target_ms) {
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, "GET", path, kv);
    aim_serve_ctx ctx = { .store = store };
    double ms[REPEAT], cpu[REPEAT];
    size_t bytes = 0;
    unsigned status = 0;
    for (int i = 0; i < REPEAT; i++) {
        aim_http_response resp = { 0 };
        double t0 = now_s(), c0 = thread_cpu_ns();
        int r = aim__serve_api_handle(&ctx, &req, &resp);
        ms[i] = (now_s() - t0) * 1e3;
        cpu[i] = (thread_cpu_ns() - c0) * 1e-6;
        status = r < 0 ? 500 : resp.status;
        bytes = resp.len;
        free(resp.body);
    }
    qsort(ms, REPEAT, sizeof ms[0], cmp_double);
    qsort(cpu, REPEAT, sizeof cpu[0], cmp_double);
    printf("%-46s %6u %9zu %9.1f %9.1f %9.1f %7s\n", label, status, bytes, ms[REPEAT / 2],
           ms[REPEAT - 1], cpu[REPEAT / 2],
           target_ms > 0 ? (ms[REPEAT / 2] < target_ms ? "met" : "MISSED") : "");
}

/* N_RUNS completed runs, a few seconds apart, through the store layer. */
static int make_runs(const char *path) {
    char err[256];
    aim_db *db;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_serve_api: %s\n", err);
        return -1;
    }
    aim_device_summary devs[2] = {
        { .name = "cpu0", .kind = AIM_DEV_CPU, .model = "AMD EPYC", .has_energy = 1,
          .in_total = 1, .energy_j = 1000 },
        { .name = "gpu0", .kind = AIM_DEV_GPU, .model = "NVIDIA H100", .has_energy = 1,
          .in_total = 1, .energy_j = 50000 },
    };
    int r = aim__db_begin(db);
    for (int i = 0; i < N_RUNS && r == 0; i++) {
        aim_run_summary run = { 0 };
        snprintf(run.id, sizeof run.id, "20260101-%06d-%06x", i, (unsigned)i * 2654435761u >> 8);
        snprintf(run.name, sizeof run.name, "%s-%05d", i % 3 ? "train" : "infer", i);
        snprintf(run.command, sizeof run.command, "python train.py --seed %d", i);
        snprintf(run.host, sizeof run.host, "node%02d", i % 16);
        snprintf(run.aimeter_version, sizeof run.aimeter_version, "0.1.0");
        run.start_wall_ns = 1767225600000000000LL + (int64_t)i * 60000000000LL;
        run.duration_ns = 30000000000LL;
        run.end_wall_ns = run.start_wall_ns + run.duration_ns;
        run.interval_ns = 100000000;
        run.intensity_g_per_kwh = 56;
        run.total_energy_j = 51000;
        run.carbon_g = 51000 / 3.6e6 * 56;
        run.pue = 1.2;
        run.devices = devs;
        run.n_devices = 2;
        aim_run_tag tags[2];
        snprintf(tags[0].key, sizeof tags[0].key, "team");
        snprintf(tags[0].value, sizeof tags[0].value, "%c", 'a' + i % 4);
        snprintf(tags[1].key, sizeof tags[1].key, "job");
        snprintf(tags[1].value, sizeof tags[1].value, "%d", 1000 + i);
        r = aim__db_run_insert(db, &run, getpid());
        for (int d = 0; d < 2 && r == 0; d++)
            r = aim__db_device_insert(db, run.id, d, &devs[d]);
        run.status = AIM_RUN_COMPLETED;
        if (r == 0)
            r = aim__db_run_update(db, &run);
        if (r == 0)
            r = aim__db_run_tags_store(db, run.id, tags, 2);
    }
    if (r == 0)
        r = aim__db_commit(db);
    if (r < 0)
        fprintf(stderr, "bench_serve_api: %s\n", aim__db_errmsg(db));
    aim__db_close(db);
    return r < 0 ? -1 : 0;
}

/* bench/synth_run beside this program: one GPU, one hour at 1 kHz. */
static int make_long_run(const char *self, const char *path) {
    char exe[PATH_MAX];
    const char *slash = strrchr(self, '/');
    snprintf(exe, sizeof exe, "%.*ssynth_run", slash ? (int)(slash - self + 1) : 0, self);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(exe, exe, path, "3600", "1000", "one hour at 1 kHz", "1", (char *)NULL);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_serve_api: %s failed\n", exe);
        return -1;
    }
    return 0;
}

static aim_store *open_ro(const char *path) {
    aim_store *s;
    if (aim_store_new(&s) < 0 || aim_store_open(s, path, 1) < 0) {
        fprintf(stderr, "bench_serve_api: cannot open %s\n", path);
        exit(1);
    }
    return s;
}

static void bench_list(const char *path) {
    aim_store *s = open_ro(path);
    time_get(s, "GET /api/runs (all 10,000)", "/api/runs", NULL, 200);
    static const char *const page[] = { "limit", "50", NULL };
    time_get(s, "GET /api/runs?limit=50", "/api/runs", page, 200);
    static const char *const q[] = { "q", "infer-0999", NULL };
    time_get(s, "GET /api/runs?q=infer-0999", "/api/runs", q, 200);
    static const char *const tag[] = { "tag", "team=b", "limit", "100", NULL };
    time_get(s, "GET /api/runs?tag=team=b&limit=100", "/api/runs", tag, 200);
    static const char *const host[] = { "host", "node03", "from", "2026-01-02", NULL };
    time_get(s, "GET /api/runs?host=node03&from=2026-01-02", "/api/runs", host, 200);
    aim_store_free(s);
}

static void bench_series(const char *path) {
    aim_store *s = open_ro(path);
    static const char *const pts[] = { "points", "2000", NULL };
    time_get(s, "GET .../series?points=2000 (4 series)", "/api/runs/" SYNTH_ID "/series", pts,
             100);
    static const char *const one[] = { "points", "2000", "metrics", "gpu0.power", NULL };
    time_get(s, "GET .../series?metrics=gpu0.power&points=2000", "/api/runs/" SYNTH_ID "/series",
             one, 100);
    static const char *const zoom[] = { "points", "2000", "from", "1800", "to", "1860", NULL };
    time_get(s, "GET .../series?from=1800&to=1860&points=2000", "/api/runs/" SYNTH_ID "/series",
             zoom, 100);
    aim_store_free(s);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    const char *only = argc > 2 ? argv[2] : "";
    int list = strcmp(only, "series") != 0, series = strcmp(only, "list") != 0;
    char runs_db[512], long_db[512];
    snprintf(runs_db, sizeof runs_db, "%s/aimeter-bench-runs-%d.db", dir, (int)getpid());
    snprintf(long_db, sizeof long_db, "%s/aimeter-bench-hour-%d.db", dir, (int)getpid());
    double t0 = now_s();
    if (list && make_runs(runs_db) < 0)
        return 1;
    double t1 = now_s();
    if (series && make_long_run(argv[0], long_db) < 0) {
        bench_unlink_store(runs_db);
        return 1;
    }
    printf("stores: %d runs written in %.1f s, the 1 kHz hour in %.1f s\n\n", list ? N_RUNS : 0,
           t1 - t0, now_s() - t1);
    printf("%-46s %6s %9s %9s %9s %9s %7s\n", "request (handler, no socket)", "status", "bytes",
           "median ms", "max ms", "CPU ms", "target");
    if (list)
        bench_list(runs_db);
    if (series)
        bench_series(long_db);
    bench_unlink_store(runs_db);
    bench_unlink_store(long_db);
    return 0;
}
