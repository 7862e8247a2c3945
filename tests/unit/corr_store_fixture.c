#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "corr_store_fixture.h"
#include "store/codec.h"
#include "store/corr_store.h"
#include "store/db.h"

char db_path[64];

int store_setup(void **state) {
    (void)state;
    snprintf(db_path, sizeof db_path, "/tmp/aim_corr_%d.db", (int)getpid());
    unlink(db_path);
    return 0;
}

int store_teardown(void **state) {
    (void)state;
    char p[96];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return 0;
}

/* A stored run with the two groups of make_two_groups: host CPU use, cpu0 power and energy
 * at 10 ms (the main group), the process tree's memory and CPU time at 35 ms. */
static void fill_run(aim_run_summary *run, aim_device_summary *devs, aim_series_summary *ser) {
    static const struct { int dev; aim_metric_id metric; int group; } spec[NSLOT] = {
        { 0, AIM_M_CPU_UTIL, 0 }, { 1, AIM_M_POWER, 0 }, { 1, AIM_M_ENERGY, 0 },
        { 2, AIM_M_PROC_RSS, 1 }, { 2, AIM_M_PROC_CPU_TIME, 1 },
    };
    memset(run, 0, sizeof *run);
    snprintf(run->id, sizeof run->id, "corr-run");
    snprintf(run->name, sizeof run->name, "corr");
    run->interval_ns = 10000000;
    run->status = AIM_RUN_COMPLETED;
    run->samples = GRID_TICKS;
    memset(devs, 0, 3 * sizeof *devs);
    snprintf(devs[0].name, sizeof devs[0].name, "host");
    devs[0].kind = AIM_DEV_HOST;
    snprintf(devs[1].name, sizeof devs[1].name, "cpu0");
    devs[1].kind = AIM_DEV_CPU;
    snprintf(devs[2].name, sizeof devs[2].name, "process");
    devs[2].kind = AIM_DEV_PROCESS;
    for (int i = 0; i < NSLOT; i++) {
        const aim_metric_info *m = aim__metric_by_id(spec[i].metric);
        memset(&ser[i], 0, sizeof ser[i]);
        ser[i].slot = i;
        ser[i].device = spec[i].dev;
        ser[i].metric = (int)spec[i].metric;
        snprintf(ser[i].metric_key, sizeof ser[i].metric_key, "%s", m->key);
        ser[i].instance = -1;
        ser[i].group = spec[i].group;
        ser[i].resolution = m->resolution;
        ser[i].counter = m->kind == AIM_KIND_COUNTER;
        ser[i].mean = ser[i].min = ser[i].max = ser[i].mode = NAN;
    }
    run->devices = devs;
    run->n_devices = 3;
    run->series = ser;
    run->n_series = NSLOT;
}

static void store_chunks(aim_db *db, const aim_run_summary *run, const two_groups *d) {
    aim_chunk_column c0[G0], c1[G1];
    for (int i = 0; i < G0; i++)
        c0[i] = (aim_chunk_column){ run->series[i].resolution, run->series[i].counter };
    for (int i = 0; i < G1; i++)
        c1[i] = (aim_chunk_column){ run->series[G0 + i].resolution, run->series[G0 + i].counter };
    aim_chunk_encoder *e0, *e1;
    assert_int_equal(aim__chunk_encoder_new(G0, c0, 50, &e0), 0);
    assert_int_equal(aim__chunk_encoder_new(G1, c1, 15, &e1), 0);
    int64_t seq0 = 0, seq1 = 0;
    for (int pass = 0; pass < 2; pass++) {
        aim_chunk_encoder *e = pass ? e1 : e0;
        int total = pass ? SLOW_TICKS : GRID_TICKS, per = pass ? 15 : 50;
        for (int k = 0; k < total; k++) {
            assert_int_equal(aim__chunk_encoder_add(e, pass ? d->ts[k] : d->tg[k],
                                                   pass ? d->vs[k] : d->vg[k],
                                                   pass ? d->os[k] : d->og[k]), 0);
            if (aim__chunk_encoder_ticks(e) == per || k == total - 1) {
                int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
                int n = aim__chunk_encoder_ticks(e);
                const uint8_t *blob;
                size_t len;
                assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
                assert_int_equal(aim__db_chunk_insert(db, run->id, pass, pass ? seq1++ : seq0++,
                                                     first, last, n, blob, len), 0);
            }
        }
    }
    aim__chunk_encoder_free(e0);
    aim__chunk_encoder_free(e1);
}

/* The session's path: the layout from the run summary, live rings, frames in the writer's
 * batch order (250 ms of the main group, then of the slow one). */
static aim_corr_matrix *live_matrix(const aim_run_summary *run, const two_groups *d) {
    static const int64_t iv[2] = { 10000000, 35000000 };
    aim_corr_run_layout rl;
    assert_int_equal(aim__corr_run_layout_init(&rl, run, 2, 0, iv), 0);
    aim_corr *c;
    assert_int_equal(aim__corr_new(&rl.layout, &c), 0);
    aim__corr_run_layout_clear(&rl);
    int a = 0, b = 0;
    for (int64_t now = 250000000; a < GRID_TICKS || b < SLOW_TICKS; now += 250000000) {
        for (; a < GRID_TICKS && d->tg[a] < now; a++)
            aim__corr_tick(c, 0, d->tg[a], d->vg[a], d->og[a]);
        for (; b < SLOW_TICKS && d->ts[b] < now; b++)
            aim__corr_tick(c, 1, d->ts[b], d->vs[b], d->os[b]);
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    return m;
}

aim_store *open_store(void) {
    aim_store *st;
    assert_int_equal(aim_store_new(&st), 0);
    if (aim_store_open(st, db_path, 1) < 0)
        fail_msg("open: %s", aim_store_errmsg(st));
    return st;
}

void make_stored_run(two_groups *d, aim_corr_matrix **ret_live) {
    aim_run_summary run;
    aim_device_summary devs[3];
    aim_series_summary ser[NSLOT];
    fill_run(&run, devs, ser);
    make_two_groups(d);
    char err[256];
    aim_db *db;
    if (aim__db_open(db_path, 0, &db, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aim__db_device_insert(db, run.id, i, &devs[i]), 0);
    for (int i = 0; i < NSLOT; i++)
        assert_int_equal(aim__db_series_insert(db, run.id, &ser[i]), 0);
    assert_int_equal(aim__db_commit(db), 0);
    store_chunks(db, &run, d);
    assert_int_equal(aim__db_run_update(db, &run), 0);
    aim_corr_matrix *live = live_matrix(&run, d);
    assert_int_equal(aim__db_corr_save(db, run.id, live), 0);
    aim__db_close(db);
    *ret_live = live;
}
