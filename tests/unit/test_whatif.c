/* Re-pricing stored runs (processing/whatif.h, aim_whatif_render) and migration 2: runs built in
 * a store by hand, samples encoded as the writer encodes them, and the expected carbon
 * worked out in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "data/carbon.h"
#include "api/whatif.h"
#include "engine/whatif_replay.h"
#include "store/db.h"

#define T0_NS 1767614400000000000LL /* 2026-01-05T12:00:00Z */
#define T0_MS (T0_NS / 1000000)
#define S_NS 1000000000LL

static char tmpdir[64];

static int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_whatif_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void near(double got, double want, double rel) {
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

static aim_db *open_db(const char *path) {
    char err[512];
    aim_db *db = NULL;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0)
        fail_msg("%s", err);
    return db;
}

static void insert_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                         const aim_chunk_column *cols, int ticks, const int64_t *t,
                         const double *v) {
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(n, cols, ticks, &e), 0);
    for (int i = 0; i < ticks; i++)
        assert_int_equal(aim__chunk_encoder_add(e, t[i], v + i * n, NULL), 0);
    const uint8_t *blob;
    size_t len;
    int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    assert_int_equal(aim__db_chunk_insert(db, run_id, group, seq, first, last, ticks, blob, len),
                     0);
    aim__chunk_encoder_free(e);
}

/* A run of 10 s sampled every second (11 ticks at 0..10 s):
 *   cpu0  a RAPL-style energy counter, 748.5 J per second: 7485 J (group 0, slot 0);
 *   dram0 measured power, 2 W throughout, integrated: 20 J (group 1, slot 1);
 *   psys0 a counter of 1000 J/s, not in the total (group 0, slot 2).
 * Its own intensity: 56 g/kWh (FR), PUE 1. */
static void make_run(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "paper");
    run.start_wall_ns = T0_NS;
    run.interval_ns = S_NS;
    snprintf(run.zone, sizeof run.zone, "FR");
    run.intensity_g_per_kwh = 56;
    run.pue = 1.0;
    run.carbon_g = run.facility_energy_j = run.cost = run.price_per_kwh = NAN;
    run.total_energy_j = NAN;
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    static const char *names[] = { "cpu0", "dram0", "psys0" };
    static const aim_device_kind kinds[] = { AIM_DEV_CPU, AIM_DEV_DRAM, AIM_DEV_PLATFORM };
    static const aim_method methods[] = { AIM_METHOD_MEASURED, AIM_METHOD_DERIVED,
                                          AIM_METHOD_MEASURED };
    for (int d = 0; d < 3; d++) {
        aim_device_summary dev;
        memset(&dev, 0, sizeof dev);
        snprintf(dev.name, sizeof dev.name, "%s", names[d]);
        dev.kind = kinds[d];
        dev.has_energy = 1;
        dev.energy_method = methods[d];
        dev.in_total = d < 2;
        dev.carbon_g = NAN;
        assert_int_equal(aim__db_device_insert(db, id, d, &dev), 0);
    }
    static const char *keys[] = { "energy", "power", "energy" };
    static const int groups[] = { 0, 1, 0 };
    static const double res[] = { 1e-6, 0.01, 1e-6 };
    for (int i = 0; i < 3; i++) {
        aim_series_summary s;
        memset(&s, 0, sizeof s);
        s.slot = i;
        s.device = i;
        snprintf(s.metric_key, sizeof s.metric_key, "%s", keys[i]);
        s.instance = -1;
        s.method = AIM_METHOD_MEASURED;
        s.group = groups[i];
        s.resolution = res[i];
        s.counter = i != 1;
        s.mean = s.min = s.max = s.mode = s.stddev = NAN;
        assert_int_equal(aim__db_series_insert(db, id, &s), 0);
    }
    aim_intensity_point own = { T0_MS, 56 };
    assert_int_equal(aim__db_steps_insert(db, id, 0, &own, 1), 0);
    int64_t t[11];
    double g0[11 * 2], g1[11];
    for (int i = 0; i <= 10; i++) {
        t[i] = i * S_NS;
        g0[i * 2] = 748.5 * i;
        g0[i * 2 + 1] = 1000.0 * i;
        g1[i] = 2.0;
    }
    aim_chunk_column c0[2] = { { 1e-6, 1 }, { 1e-6, 1 } }, c1[1] = { { 0.01, 0 } };
    /* Group 0 in two chunks, as a long run would have it. */
    insert_chunk(db, id, 0, 0, 2, c0, 6, t, g0);
    insert_chunk(db, id, 0, 1, 2, c0, 5, t + 6, g0 + 12);
    insert_chunk(db, id, 1, 0, 1, c1, 11, t, g1);
}

static aim_run_summary load(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    assert_int_equal(aim__db_load_summary(db, id, &run), 0);
    return run;
}

/* The paper's case (WattsOnAI): 7485 J, 1.03 g in Saskatchewan and 0.07 g in Manitoba. The
 * intensities that implies, I = g / (J / 3.6e6) with 7485 J = 0.00207917 kWh:
 *   Saskatchewan 1.03 / 0.00207917 = 495.39 g/kWh;  Manitoba 0.07 / 0.00207917 = 33.67 g/kWh.
 * Priced back: 7485 / 3.6e6 × 495.39 = 1.02999 g → 1.03;  × 33.67 = 0.070006 g → 0.07.
 * Only cpu0 counts here (dram0 is left out of the total for this case). */
static void papers_case(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/paper.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-paper0");
    aim_run_summary run = load(db, "20260105-120000-paper0");
    run.devices[1].in_total = 0;
    aim_intensity_point sk = { T0_MS, 495.39 }, mb = { T0_MS, 33.67 };
    aim_whatif_scenario sc[3];
    memset(sc, 0, sizeof sc);
    sc[0].points = run.intensity_points;
    sc[0].n = run.n_intensity_points;
    sc[1].points = &sk;
    sc[1].n = 1;
    sc[2].points = &mb;
    sc[2].n = 1;
    aim_whatif_totals tot;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, sc, 3, &tot), 0);
    assert_true(tot.energy_j == 7485.0);
    assert_int_equal(tot.devices, 1);
    assert_true(tot.ticks == 11); /* group 0's; dram0's group is not needed */
    assert_true(round(sc[1].carbon_g * 100) / 100 == 1.03);
    assert_true(round(sc[2].carbon_g * 100) / 100 == 0.07);
    near(sc[1].carbon_g, 7485 / 3.6e6 * 495.39, 1e-12);
    near(sc[2].carbon_g, 7485 / 3.6e6 * 33.67, 1e-12);
    /* The run's own (56 g/kWh): 0.11643 g; Saskatchewan is 495.39 / 56 = 8.846 times it. */
    near(sc[0].carbon_g, 7485 / 3.6e6 * 56, 1e-12);
    near(sc[1].ratio, 495.39 / 56, 1e-12);
    assert_true(sc[0].ratio == 1.0);
    /* Same PUE for all: 1.2 scales every row, ratios unchanged. */
    assert_int_equal(aim__whatif_replay(db, &run, 1.2, sc, 3, &tot), 0);
    near(sc[2].carbon_g, 7485 / 3.6e6 * 33.67 * 1.2, 1e-12);
    near(sc[2].ratio, 33.67 / 56, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

/* A series that changes inside an interval, on both devices of the total: 100 g/kWh from the
 * start, 500 from 4.5 s. Energy per second: 748.5 (cpu0) + 2 (dram0) = 750.5 J.
 *   [0, 4.5 s]: 750.5 × 4.5 = 3377.25 J at 100; [4.5, 10 s]: 750.5 × 5.5 = 4127.75 J at 500.
 *   carbon = (337725 + 2063875) / 3.6e6 = 2401600 / 3.6e6 = 0.667111 g;
 *   mean intensity = 0.667111 / (7505 / 3.6e6) = 320 g/kWh. */
static void replay_a_time_series(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/series.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-series");
    aim_run_summary run = load(db, "20260105-120000-series");
    aim_intensity_point p[] = { { T0_MS, 100 }, { T0_MS + 4500, 500 } };
    aim_whatif_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.points = p;
    sc.n = 2;
    aim_whatif_totals tot;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, &sc, 1, &tot), 0);
    near(tot.energy_j, 7505, 1e-12);
    near(sc.carbon_g, 2401600 / 3.6e6, 1e-12);
    near(sc.intensity_g_per_kwh, 320, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

/* The public entry: zones from the table, a file, the text table and the JSON document. */
static void render_zones_and_file(void **state) {
    char path[128], csv[128];
    snprintf(path, sizeof path, "%s/render.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-render");
    aim__db_close(db);
    snprintf(csv, sizeof csv, "%s/sk.csv", tmpdir);
    FILE *f = fopen(csv, "w");
    fputs("timestamp,g_per_kwh\n2026-01-05T12:00:00Z,100\n2026-01-05T12:00:04.5Z,500\n", f);
    fclose(f);

    aim_store *store;
    assert_int_equal(aim_store_new(&store), 0);
    assert_int_equal(aim_store_open(store, path, 1), 0);
    char *text = NULL;
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "ca-sk,CA-MB", csv, 0,
                                       AIM_FORMAT_JSON, &text), 0);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.whatif/1");
    near(json_real_value(json_object_get(root, "energy_j")), 7505, 1e-12);
    json_t *scs = json_object_get(root, "scenarios");
    assert_int_equal(json_array_size(scs), 4);
    const aim_zone_info *sk, *mb;
    assert_int_equal(aim_zone_lookup("CA-SK", &sk), 0);
    assert_int_equal(aim_zone_lookup("CA-MB", &mb), 0);
    json_t *s0 = json_array_get(scs, 0), *s1 = json_array_get(scs, 1);
    json_t *s2 = json_array_get(scs, 2), *s3 = json_array_get(scs, 3);
    assert_true(json_is_true(json_object_get(s0, "baseline")));
    assert_string_equal(json_string_value(json_object_get(s0, "zone")), "FR");
    near(json_real_value(json_object_get(s0, "carbon_g")), 7505 / 3.6e6 * 56, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s1, "zone")), "CA-SK");
    near(json_real_value(json_object_get(s1, "carbon_g")), 7505 / 3.6e6 * sk->g_per_kwh, 1e-12);
    near(json_real_value(json_object_get(s1, "ratio")), sk->g_per_kwh / 56, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s2, "zone")), "CA-MB");
    near(json_real_value(json_object_get(s2, "intensity_g_per_kwh")), mb->g_per_kwh, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s3, "label")), "sk.csv");
    near(json_real_value(json_object_get(s3, "carbon_g")), 2401600 / 3.6e6, 1e-12);
    json_decref(root);
    free(text);

    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "CA-SK", NULL, 1.5,
                                       AIM_FORMAT_TEXT, &text), 0);
    assert_non_null(strstr(text, "PUE 1.5\n"));
    assert_non_null(strstr(text, "IT energy 7505.00 J"));
    assert_non_null(strstr(text, "\nCA-SK "));
    assert_non_null(strstr(text, "run (FR) "));
    free(text);

    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "XX-NOPE", NULL, 0,
                                       AIM_FORMAT_TEXT, &text), -EINVAL);
    assert_string_equal(aim_store_errmsg(store), "unknown zone 'XX-NOPE' (aimeter zones lists them)");
    assert_int_equal(aim_whatif_render(store, "nope", "FR", NULL, 0, AIM_FORMAT_TEXT, &text), -ENOENT);
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "FR", NULL, 0.5, AIM_FORMAT_TEXT,
                                       &text), -EINVAL);
    f = fopen(csv, "w");
    fputs("timestamp,g_per_kwh\n2026-01-05T12:00:00Z,100\n2026-01-05T11:00:00Z,5\n", f);
    fclose(f);
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", NULL, csv, 0, AIM_FORMAT_TEXT,
                                       &text), -EBADMSG);
    assert_non_null(strstr(aim_store_errmsg(store), "sk.csv:3: timestamp is before"));
    aim_store_free(store);
}

/* A store of schema 1 (tests/fixtures/store/schema1.sql) opened by this aimeter: migrated to
 * 2 with its one intensity as one point at its start, facility = IT energy, its basis from
 * its source text, and its devices' share of carbon: cpu0 7000 / 3.6e6 × 56 = 0.108889 g,
 * dram0 485 / 3.6e6 × 56 = 0.00754444 g; psys0 (not in the total) none. Replayed, it gives
 * its stored carbon back. */
static void migrates_a_schema_1_store(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/old.db", tmpdir);
    FILE *f = fopen(AIM_FIXTURES_DIR "/store/schema1.sql", "r");
    assert_non_null(f);
    static char sql[16384];
    size_t n = fread(sql, 1, sizeof sql - 1, f);
    fclose(f);
    sql[n] = '\0';
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("fixture: %s", msg);
    sqlite3_close(h);

    aim_db *db = open_db(path); /* migrates */
    const char *id = "20260105-120000-aaaaaa";
    aim_run_summary run = load(db, id);
    assert_int_equal(run.n_intensity_points, 1);
    assert_true(run.intensity_points[0].t_unix_ms == T0_MS);
    assert_true(run.intensity_points[0].g_per_kwh == 56.0);
    assert_true(run.pue == 1.0);
    assert_true(run.facility_energy_j == 7485.0);
    assert_int_equal(run.signal, AIM_SIGNAL_AVERAGE);
    assert_int_equal(run.basis, AIM_BASIS_LIFECYCLE);
    assert_string_equal(run.currency, "");
    assert_true(isnan(run.cost));
    near(run.devices[0].carbon_g, 7000 / 3.6e6 * 56, 1e-12);
    near(run.devices[1].carbon_g, 485 / 3.6e6 * 56, 1e-12);
    assert_true(isnan(run.devices[2].carbon_g));

    /* Its samples (the chunk format did not change), replayed with its own series. */
    int64_t t[11];
    double v[33];
    for (int i = 0; i <= 10; i++) {
        t[i] = i * S_NS;
        v[i * 3] = 700.0 * i;
        v[i * 3 + 1] = 48.5 * i;
        v[i * 3 + 2] = 900.0 * i;
    }
    aim_chunk_column cols[3] = { { 1e-6, 1 }, { 1e-6, 1 }, { 1e-6, 1 } };
    insert_chunk(db, id, 0, 0, 3, cols, 11, t, v);
    aim_whatif_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.points = run.intensity_points;
    sc.n = run.n_intensity_points;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, &sc, 1, NULL), 0);
    near(sc.carbon_g, 0.116433333333333, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);

    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), AIM_DB_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(papers_case),
        cmocka_unit_test(replay_a_time_series),
        cmocka_unit_test(render_zones_and_file),
        cmocka_unit_test(migrates_a_schema_1_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
