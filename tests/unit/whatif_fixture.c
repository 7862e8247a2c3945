#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "whatif_fixture.h"

char tmpdir[64];

int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_whatif_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

void near(double got, double want, double rel) {
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

aim_db *open_db(const char *path) {
    char err[512];
    aim_db *db = NULL;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0)
        fail_msg("%s", err);
    return db;
}

void insert_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
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
void make_run(aim_db *db, const char *id) {
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

aim_run_summary load(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    assert_int_equal(aim__db_load_summary(db, id, &run), 0);
    return run;
}
