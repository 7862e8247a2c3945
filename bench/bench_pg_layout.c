/* PostgreSQL layout (issue 16: "chunked and encoded as in SQLite or in plain columns if
 * that is faster to query — measure both"): one run written both ways into one server, then
 * the queries the tool runs, timed on each.
 *
 *   chunked  the store's own chunks table (store/postgres): codec blobs + per-chunk summaries,
 *            written through the store API as the writer does (one transaction per 750 ms
 *            of samples), read by the store's own reader (the /series route's handler, the
 *            series reader for an integral).
 *   plain    bench_samples(run_key int, series_slot smallint, t_ns bigint, value float8,
 *            PRIMARY KEY (run_key, series_slot, t_ns)) filled with COPY (text), one
 *            transaction per 750 ms of samples too; queried with SQL (GROUP BY bucket,
 *            window functions), every row the server sends parsed by the client.
 *
 * Shapes: "10hz" (a node's 30 series at 10 Hz) or "1khz" (one GPU's 4 series at 1 kHz),
 * SECONDS of run (default one hour). Ingest: wall, client CPU (this process), server CPU
 * (postgres processes, /proc by DATADIR's postmaster.pid), size (pg_total_relation_size of
 * what the run added). Queries: the decimated series of /series?points=2000 over the run
 * (every series), the energy of every power series (trapezoid) over the run, and one
 * 144 s window (a phase: from 1800 s, or the middle of a shorter run) at 2000 points;
 * median of 5 calls, with the client's and the server's CPU per call. The plain GROUP BY
 * returns each bucket's min, max and count but not the times of the extremes that the
 * decimator keeps: a lower bound on what plain columns cost.
 *
 * push-10hz|push-1khz: `aimeter push` instead (AIMETER, the binary): the chunked run written
 * into a new SQLite store beside DATADIR, then `aimeter push --db SQLITE --to URL RUN` timed
 * (wall; its CPU by wait4; the server's), and once more (nothing new: the idempotent check).
 *
 * read-10hz|read-1khz: the chunked reads alone, PostgreSQL against SQLite: the chunked run
 * written into the server and into a new SQLite store beside DATADIR, then on each, median
 * of 5 calls: every chunk and its summary through the store's iterator (nothing decoded: the
 * driver's cost), the /series handler over the whole run, the energy of the power series
 * (series reader). On PostgreSQL twice, interleaved: results as text (the driver before issue
 * 16's binary results: store/postgres/results.h) and in binary (the driver's default).
 * usage: bench_pg_layout URL DATADIR 10hz|1khz|push-10hz|push-1khz|read-10hz|read-1khz
 * [SECONDS [AIMETER]]. Never fails on a timing. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/serve_api.h"
#include "clock.h"
#include "node_run.h"
#include "pg_server_cpu.h"
#include "serve_rig.h"
#include "store/db.h"
#include "store/postgres/results.h"
#include "store/sql/sql_store.h"
#include "store_files.h"

#define REPEAT 5

static long postmaster;
static PGconn *pq;

typedef struct cost { double wall, client, server; } cost;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void exec_ok(const char *sql) {
    PGresult *res = PQexec(pq, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
        PQresultStatus(res) != PGRES_COPY_IN) {
        fprintf(stderr, "bench_pg_layout: %s: %s", sql, PQerrorMessage(pq));
        exit(1);
    }
    PQclear(res);
}

/* ---------------------------------------------------------------- ingest */

typedef struct shape { const char *name; int gpu_only; int64_t interval_ns; double seconds; } shape;

static void fresh_run(node_run *n, const shape *s) {
    node_run_init(n, s->gpu_only ? "bench-layout-1khz" : "bench-layout-10hz", "node000",
                  s->interval_ns, s->gpu_only, 0x1234567887654321ull);
}

/* The chunks, through the store API. */
static int ingest_chunked(const char *url, const shape *s, node_run *n, cost *c) {
    char err[512];
    aim_db *db;
    if (aim__db_open(url, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_layout: %s\n", err);
        return -1;
    }
    fresh_run(n, s);
    int per_commit = (int)(NODE_COMMIT_NS / s->interval_ns) + 16;
    aim_chunk_encoder *enc;
    int r = node_record(db, n);
    if (r >= 0)
        r = aim__chunk_encoder_new(n->run.n_series, n->cols, per_commit, &enc);
    if (r < 0) {
        fprintf(stderr, "bench_pg_layout: %s\n", aim__db_errmsg(db));
        return -1;
    }
    double w0 = now_s(), c0 = cpu_s(), s0 = pg_server_cpu(postmaster);
    double values[NODE_MAX_SERIES];
    uint8_t valid[NODE_MAX_SERIES];
    memset(valid, 1, sizeof valid);
    int64_t t, end = (int64_t)(s->seconds * 1e9);
    node_tick(n, values, &t);
    for (int64_t j = 1; r >= 0 && t < end; j++) {
        while (t < j * NODE_COMMIT_NS && t < end) {
            aim__chunk_encoder_add(enc, t, values, valid);
            node_tick(n, values, &t);
        }
        int ticks = aim__chunk_encoder_ticks(enc);
        int64_t first = aim__chunk_encoder_first_t(enc), last = aim__chunk_encoder_last_t(enc);
        const uint8_t *blob, *sum;
        size_t len, sum_len;
        aim__chunk_encoder_finish(enc, &blob, &len);
        aim__chunk_encoder_summary(enc, &sum, &sum_len);
        n->run.samples += (uint64_t)ticks;
        n->run.duration_ns = last;
        r = aim__db_begin(db);
        if (r >= 0)
            r = aim__db_chunk_insert_summary(db, n->run.id, 0, j - 1, first, last, ticks, blob,
                                            len, sum, sum_len);
        if (r >= 0)
            r = aim__db_commit(db);
    }
    c->wall = now_s() - w0;
    c->client = cpu_s() - c0;
    c->server = pg_server_cpu(postmaster) - s0;
    n->run.status = AIM_RUN_COMPLETED;
    n->run.end_wall_ns = n->run.start_wall_ns + n->run.duration_ns;
    for (int i = 0; i < n->run.n_series; i++)
        n->series[i].count = n->run.samples;
    if (r >= 0)
        r = aim__db_run_update(db, &n->run);
    if (r < 0)
        fprintf(stderr, "bench_pg_layout: %s\n", aim__db_errmsg(db));
    aim__chunk_encoder_free(enc);
    aim__db_close(db);
    return r < 0 ? -1 : 0;
}

/* The same samples as rows, with COPY: each value as the chunk stores it (quantised to its
 * metric's resolution), so that both layouts hold the same numbers. */
static int ingest_plain(const shape *s, node_run *n, cost *c) {
    exec_ok("DROP TABLE IF EXISTS bench_samples");
    exec_ok("CREATE TABLE bench_samples (run_key integer NOT NULL, series_slot smallint NOT NULL, "
            "t_ns bigint NOT NULL, value double precision, PRIMARY KEY (run_key, series_slot, t_ns))");
    fresh_run(n, s);
    size_t cap = 1 << 20, used = 0;
    char *buf = malloc(cap);
    double w0 = now_s(), c0 = cpu_s(), s0 = pg_server_cpu(postmaster);
    double values[NODE_MAX_SERIES];
    int64_t t, end = (int64_t)(s->seconds * 1e9);
    node_tick(n, values, &t);
    for (int64_t j = 1; t < end; j++) {
        exec_ok("BEGIN");
        exec_ok("COPY bench_samples FROM STDIN");
        while (t < j * NODE_COMMIT_NS && t < end) {
            for (int i = 0; i < n->run.n_series; i++) {
                if (cap - used < 128) {
                    if (PQputCopyData(pq, buf, (int)used) != 1)
                        return -1;
                    used = 0;
                }
                double v = aim__codec_quantise(values[i], n->cols[i].resolution);
                used += (size_t)snprintf(buf + used, cap - used, "1\t%d\t%" PRId64 "\t%.15g\n", i, t,
                                         v);
            }
            node_tick(n, values, &t);
        }
        if ((used && PQputCopyData(pq, buf, (int)used) != 1) || PQputCopyEnd(pq, NULL) != 1)
            return -1;
        used = 0;
        PGresult *res;
        while ((res = PQgetResult(pq))) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                fprintf(stderr, "bench_pg_layout: COPY: %s", PQerrorMessage(pq));
                return -1;
            }
            PQclear(res);
        }
        exec_ok("COMMIT");
    }
    c->wall = now_s() - w0;
    c->client = cpu_s() - c0;
    c->server = pg_server_cpu(postmaster) - s0;
    free(buf);
    return 0;
}

/* ---------------------------------------------------------------- queries */

/* REPEAT calls of fn: the median wall and each side's mean CPU per call. */
static cost timed(int (*fn)(void *), void *arg, double *answer) {
    double w[REPEAT];
    double c0 = cpu_s(), s0 = pg_server_cpu(postmaster);
    for (int i = 0; i < REPEAT; i++) {
        double t0 = now_s();
        double a = fn(arg);
        w[i] = now_s() - t0;
        if (answer)
            *answer = a;
    }
    cost c = { 0, (cpu_s() - c0) / REPEAT, (pg_server_cpu(postmaster) - s0) / REPEAT };
    qsort(w, REPEAT, sizeof w[0], cmp_double);
    c.wall = w[REPEAT / 2];
    return c;
}

typedef struct query { aim_store *store; node_run *n; double from, to; int status; } query;

static int series_route(void *arg) {
    query *q = arg;
    char path[128], from[32], to[32];
    snprintf(path, sizeof path, "/api/runs/%s/series", q->n->run.id);
    snprintf(from, sizeof from, "%.3f", q->from);
    snprintf(to, sizeof to, "%.3f", q->to);
    const char *kv[] = { "points", "2000", "from", from, "to", to, NULL };
    serve_rig_query sq;
    aim_http_request req = serve_rig_request(&sq, "GET", path, kv);
    aim_serve_ctx ctx = { .store = q->store };
    aim_http_response resp = { 0 };
    int r = aim__serve_api_handle(&ctx, &req, &resp);
    q->status = r < 0 ? 500 : (int)resp.status;
    free(resp.body);
    return q->status;
}

/* The plain equivalent: per series, 1000 buckets' min, max and count (2000 points). */
static int series_sql(void *arg) {
    query *q = arg;
    int64_t from = (int64_t)(q->from * 1e9), to = (int64_t)(q->to * 1e9);
    int64_t width = (to - from) / 1000 + 1;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT series_slot, (t_ns - %" PRId64 ") / %" PRId64 " AS b, min(value), max(value), "
             "count(*) FROM bench_samples WHERE run_key = 1 AND t_ns BETWEEN %" PRId64 " AND %" PRId64
             " GROUP BY 1, 2 ORDER BY 1, 2", from, width, from, to);
    PGresult *res = PQexec(pq, sql);
    int rows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : -1;
    double sink = 0;
    for (int i = 0; i < rows; i++)
        sink += strtod(PQgetvalue(res, i, 2), NULL) + strtod(PQgetvalue(res, i, 3), NULL) +
                (double)atoll(PQgetvalue(res, i, 1)) + atoi(PQgetvalue(res, i, 0));
    PQclear(res);
    q->status = rows > 0 && isfinite(sink) ? 200 : 500;
    return q->status;
}

typedef struct integral { node_run *n; double joules, prev_t; double prev[NODE_MAX_SERIES]; int have; } integral;

static int integrate_tick(int64_t t_rel_ns, const double *values, const uint8_t *valid, void *ud) {
    integral *g = ud;
    double t = (double)t_rel_ns * 1e-9;
    for (int i = 0; i < g->n->run.n_series; i++)
        if (g->n->series[i].metric == AIM_M_POWER && valid[i]) {
            if (g->have)
                g->joules += (values[i] + g->prev[i]) / 2 * (t - g->prev_t);
            g->prev[i] = values[i];
        }
    g->prev_t = t;
    g->have = 1;
    return 0;
}

static aim_db *reader_db;

static int energy_reader(void *arg) {
    query *q = arg;
    integral g = { .n = q->n };
    int r = aim__db_for_each_tick(reader_db, q->n->run.id, 0, integrate_tick, &g);
    q->from = g.joules;
    return r;
}

static int energy_sql(void *arg) {
    query *q = arg;
    char slots[128] = "", sql[768];
    for (int i = 0, used = 0; i < q->n->run.n_series; i++)
        if (q->n->series[i].metric == AIM_M_POWER)
            used += snprintf(slots + used, sizeof slots - (size_t)used, "%s%d", used ? "," : "", i);
    snprintf(sql, sizeof sql,
             "SELECT sum((value + pv) / 2 * (t_ns - pt)) / 1e9 FROM (SELECT value, t_ns, "
             "lag(value) OVER w AS pv, lag(t_ns) OVER w AS pt FROM bench_samples WHERE run_key = 1 "
             "AND series_slot IN (%s) WINDOW w AS (PARTITION BY series_slot ORDER BY t_ns)) s", slots);
    PGresult *res = PQexec(pq, sql);
    q->from = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                  ? strtod(PQgetvalue(res, 0, 0), NULL) : NAN;
    PQclear(res);
    return 0;
}

/* `aimeter push --db src --to url id`, its wall and CPU (wait4) and the server's CPU. */
static int push_once(const char *aimeter, const char *src, const char *url, const char *id,
                     cost *c) {
    double w0 = now_s(), s0 = pg_server_cpu(postmaster);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(aimeter, aimeter, "push", "--db", src, "--to", url, id, (char *)NULL);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
        fprintf(stderr, "bench_pg_layout: %s push failed\n", aimeter);
        return -1;
    }
    c->wall = now_s() - w0;
    c->server = pg_server_cpu(postmaster) - s0;
    c->client = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
    return 0;
}

static int bench_push(const char *url, const char *datadir, const shape *s, node_run *n,
                      const char *aimeter) {
    char src[480], sql[256];
    snprintf(src, sizeof src, "%s/../push-src-%d.db", datadir, (int)getpid());
    cost w, p1, p2;
    if (ingest_chunked(src, s, n, &w) < 0)
        return 1;
    snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = '%s'", n->run.id);
    exec_ok(sql);
    long long d0 = pg_query_int(pq, "SELECT pg_database_size(current_database())");
    if (push_once(aimeter, src, url, n->run.id, &p1) < 0 || push_once(aimeter, src, url, n->run.id, &p2) < 0)
        return 1;
    long long d1 = pg_query_int(pq, "SELECT pg_database_size(current_database())");
    double vals = (double)n->run.samples * n->run.n_series;
    printf("| aimeter push, %s: %d series, %.0f s, %.0f values | wall | aimeter CPU | server CPU |\n",
           s->name, n->run.n_series, s->seconds, vals);
    printf("|---|---|---|---|\n");
    printf("| first push (every chunk new) | %.2f s = %.2f M values/s | %.2f s | %.2f s |\n", p1.wall,
           vals / p1.wall / 1e6, p1.client, p1.server);
    printf("| again (nothing new) | %.2f s | %.2f s | %.2f s |\n", p2.wall, p2.client, p2.server);
    printf("| destination growth | %.2f MB | | |\n", (double)(d1 - d0) / 1e6);
    bench_unlink_store(src);
    return 0;
}

/* Every chunk of the run's group 0 and its summary, through the store's iterator: the
 * bytes read (nothing decoded). */
static int chunks_only(void *arg) {
    query *q = arg;
    aim_db_chunk_iter *it;
    if (aim__db_chunk_iter_new(reader_db, q->n->run.id, 0, &it) < 0)
        return -1;
    const uint8_t *blob, *sum;
    size_t len, sum_len, bytes = 0;
    int r;
    while ((r = aim__db_chunk_iter_next(it, &blob, &len, NULL)) == 1) {
        bytes += len;
        if (aim__db_chunk_iter_summary(it, &sum, &sum_len) == 1)
            bytes += sum_len;
    }
    aim__db_chunk_iter_free(it);
    q->from = (double)bytes;
    return r;
}

/* Results as text (on) or in binary on the store's connections, where they are PostgreSQL. */
static void text_results(aim_store *store, int on) {
    aim_sql *c[2] = { aim__db_sql(reader_db), aim__db_sql(aim__store_db(store)) };
    for (int i = 0; i < 2; i++)
        if (aim__sql_dialect(c[i]) == AIM_SQL_POSTGRES)
            aim__pg_text_results(c[i], on);
}

typedef struct read_costs { cost chunks, series, energy; double bytes, joules; } read_costs;

static read_costs read_once(aim_store *store, node_run *n) {
    read_costs rc;
    double dur = (double)n->run.duration_ns * 1e-9;
    query whole = { store, n, 0, dur, 0 }, walk = { .n = n }, e = { .n = n };
    rc.chunks = timed(chunks_only, &walk, NULL);
    rc.series = timed(series_route, &whole, NULL);
    rc.energy = timed(energy_reader, &e, NULL);
    rc.bytes = walk.from;
    rc.joules = e.from;
    if (whole.status != 200)
        rc.joules = NAN;
    return rc;
}

static int open_reader(const char *url, aim_store **store) {
    char err[512];
    if (aim_store_new(store) < 0 || aim_store_open(*store, url, 1) < 0 ||
        aim__db_open(url, 1, &reader_db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_layout: cannot open %s read-only\n", url);
        return -1;
    }
    return 0;
}

static void read_row(const char *what, cost pg_text, cost pg_bin, cost lite) {
    printf("| %s | %.1f; %.1f + %.1f | %.1f; %.1f + %.1f | %.1f; %.1f |\n", what,
           pg_text.wall * 1e3, pg_text.client * 1e3, pg_text.server * 1e3, pg_bin.wall * 1e3,
           pg_bin.client * 1e3, pg_bin.server * 1e3, lite.wall * 1e3, lite.client * 1e3);
}

/* The chunked reads on PostgreSQL (text results, then binary, twice interleaved: the best
 * of the two of each) and on SQLite. */
static int bench_read(const char *url, const char *datadir, const shape *s, node_run *n) {
    char src[480];
    snprintf(src, sizeof src, "%s/../read-src-%d.db", datadir, (int)getpid());
    cost ci;
    if (ingest_chunked(url, s, n, &ci) < 0 || ingest_chunked(src, s, n, &ci) < 0)
        return 1;
    exec_ok("VACUUM ANALYZE chunks");
    aim_store *store;
    if (open_reader(url, &store) < 0)
        return 1;
    read_costs t[2], b[2];
    for (int round = 0; round < 2; round++) {
        text_results(store, 1);
        t[round] = read_once(store, n);
        text_results(store, 0);
        b[round] = read_once(store, n);
    }
    aim__db_close(reader_db);
    aim_store_free(store);
    if (open_reader(src, &store) < 0)
        return 1;
    read_costs l = read_once(store, n);
    aim__db_close(reader_db);
    aim_store_free(store);
    bench_unlink_store(src);
    /* The round with less client CPU, per figure. */
#define LESS(r, f) r[r[1].f.client < r[0].f.client].f
    read_costs pt = t[0], pb = b[0];
    pt.chunks = LESS(t, chunks), pt.series = LESS(t, series), pt.energy = LESS(t, energy);
    pb.chunks = LESS(b, chunks), pb.series = LESS(b, series), pb.energy = LESS(b, energy);
#undef LESS
    double vals = (double)n->run.samples * n->run.n_series;
    printf("| chunked reads, %s: %d series, %.0f s, %.0f values, %.2f MB of chunks + summaries "
           "(median of %d; per call: wall ms; CPU client + server ms) | PostgreSQL, text results | "
           "PostgreSQL, binary results | SQLite (wall; CPU) |\n", s->name, n->run.n_series,
           s->seconds, vals, pt.bytes / 1e6, REPEAT);
    printf("|---|---|---|---|\n");
    read_row("every chunk and summary through the iterator (not decoded)", pt.chunks, pb.chunks,
             l.chunks);
    read_row("/series?points=2000, whole run (route handler)", pt.series, pb.series, l.series);
    read_row("energy of the power series (series reader + trapezoid)", pt.energy, pb.energy,
             l.energy);
    printf("\nchecks: bytes read %.0f / %.0f / %.0f; energy %.6f / %.6f / %.6f J (text, binary, "
           "SQLite); other round's client CPU, chunks: text %.1f ms, binary %.1f ms\n", pt.bytes,
           pb.bytes, l.bytes, pt.joules, pb.joules, l.joules,
           t[t[1].chunks.client >= t[0].chunks.client].chunks.client * 1e3,
           b[b[1].chunks.client >= b[0].chunks.client].chunks.client * 1e3);
    return 0;
}

static void row(const char *what, cost c) {
    printf("| %s | %.1f | %.1f | %.1f |\n", what, c.wall * 1e3, c.client * 1e3, c.server * 1e3);
}

int main(int argc, char **argv) {
    const char *kind = argc > 3 ? argv[3] : "";
    int push = strncmp(kind, "push-", 5) == 0, read = strncmp(kind, "read-", 5) == 0;
    kind += push || read ? 5 : 0;
    if (argc < 4 || (strcmp(kind, "10hz") && strcmp(kind, "1khz")) || (push && argc < 6)) {
        fprintf(stderr, "usage: bench_pg_layout URL DATADIR 10hz|1khz|push-10hz|push-1khz|"
                "read-10hz|read-1khz [SECONDS [AIMETER]]\n");
        return 2;
    }
    const char *url = argv[1];
    shape s = { kind, kind[1] == 'k', kind[1] == 'k' ? 1000000 : 100000000,
                argc > 4 ? atof(argv[4]) : 3600 };
    postmaster = pg_postmaster_pid(argv[2]);
    pq = PQconnectdb(url);
    if (!postmaster || PQstatus(pq) != CONNECTION_OK) {
        fprintf(stderr, "bench_pg_layout: no server (%s)", PQerrorMessage(pq));
        return 1;
    }
    exec_ok("SET client_min_messages = warning");
    static node_run n, scratch;
    /* the store's tables, and a clean slate for this run */
    char err[512];
    aim_db *db;
    if (aim__db_open(url, 0, &db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_layout: %s\n", err);
        return 1;
    }
    aim__db_close(db);
    if (push)
        return bench_push(url, argv[2], &s, &n, argv[5]);
    if (read) {
        fresh_run(&n, &s);
        char del[256];
        snprintf(del, sizeof del, "DELETE FROM runs WHERE id = '%s'", n.run.id);
        exec_ok(del);
        return bench_read(url, argv[2], &s, &n);
    }
    fresh_run(&n, &s);
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = '%s'", n.run.id);
    exec_ok(sql);
    exec_ok("VACUUM FULL chunks");
    long long ch0 = pg_query_int(pq, "SELECT pg_total_relation_size('chunks')");
    cost ci, pi;
    if (ingest_chunked(url, &s, &n, &ci) < 0 || ingest_plain(&s, &scratch, &pi) < 0)
        return 1;
    exec_ok("VACUUM ANALYZE chunks");
    exec_ok("VACUUM ANALYZE bench_samples");
    long long ch1 = pg_query_int(pq, "SELECT pg_total_relation_size('chunks')");
    long long pl = pg_query_int(pq, "SELECT pg_total_relation_size('bench_samples')");
    double vals = (double)n.run.samples * n.run.n_series;

    aim_store *store;
    if (aim_store_new(&store) < 0 || aim_store_open(store, url, 1) < 0 ||
        aim__db_open(url, 1, &reader_db, err, sizeof err) < 0) {
        fprintf(stderr, "bench_pg_layout: cannot open the store read-only\n");
        return 1;
    }
    double dur = (double)n.run.duration_ns * 1e-9;
    double w0 = dur > 3600 ? 1800 : dur / 2 - 72, w1 = w0 + 144;
    query whole = { store, &n, 0, dur, 0 }, window = { store, &n, w0, w1, 0 };
    query e_chunked = { .n = &n }, e_plain = { .n = &n };
    cost q_c = timed(series_route, &whole, NULL), q_p = timed(series_sql, &whole, NULL);
    int st_c = whole.status;
    cost w_c = timed(series_route, &window, NULL), w_p = timed(series_sql, &window, NULL);
    cost e_c = timed(energy_reader, &e_chunked, NULL), e_p = timed(energy_sql, &e_plain, NULL);

    printf("| layout, %s: %d series, %.0f s, %.0f values | chunked (store's chunks) | plain "
           "(bench_samples, COPY) |\n", s.name, n.run.n_series, s.seconds, vals);
    printf("|---|---|---|\n");
    printf("| ingest wall | %.2f s | %.2f s |\n", ci.wall, pi.wall);
    printf("| ingest CPU, client / server | %.2f / %.2f s | %.2f / %.2f s |\n", ci.client, ci.server,
           pi.client, pi.server);
    printf("| ingest CPU per value, client + server | %.2f µs | %.2f µs |\n",
           (ci.client + ci.server) / vals * 1e6, (pi.client + pi.server) / vals * 1e6);
    printf("| disk (pg_total_relation_size) | %.2f MB = %.2f bytes/value | %.2f MB = %.2f "
           "bytes/value |\n", (double)(ch1 - ch0) / 1e6, (double)(ch1 - ch0) / vals, (double)pl / 1e6,
           (double)pl / vals);
    printf("\n| query (median of %d; CPU per call) | wall ms | client CPU ms | server CPU ms |\n",
           REPEAT);
    printf("|---|---|---|---|\n");
    row("chunked: /series?points=2000, every series, whole run (route handler)", q_c);
    row("plain: the same, SQL GROUP BY bucket (min, max, count)", q_p);
    row("chunked: /series, a 144 s window", w_c);
    row("plain: the same window", w_p);
    row("chunked: energy of the power series, series reader + trapezoid", e_c);
    row("plain: the same, SQL lag() window", e_p);
    printf("\nchecks: /series status %d and %d; energy %.3f J (chunked) vs %.3f J (plain)\n", st_c,
           window.status, e_chunked.from, e_plain.from);
    aim__db_close(reader_db);
    aim_store_free(store);
    exec_ok("DROP TABLE bench_samples");
    PQfinish(pq);
    return 0;
}
