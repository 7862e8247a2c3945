/* The writer's tables (engine/stage.h, engine/sink.h): the stages run in the documented
 * order, every frame goes through every stage before any sink, and a sink added to the
 * table receives the run from the writer's start to the last commit. A short real session
 * on the RAPL fixture (energy counters, so the energy stage derives power); the checks
 * count calls and compare figures, never timings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/session_internal.h"
#include "engine/sink.h"
#include "tmptree.h"

static void the_stages_run_in_the_documented_order(void **state) {
    /* energy closes the intervals the others price and share; carbon before the workload,
     * which takes its grams; statistics last, counting the power energy derives. */
    static const char *const want[] = { "energy", "carbon", "attribution", "job GPU shares",
                                        "workload", "correlation", "statistics" };
    assert_int_equal(aim_stage_count, sizeof want / sizeof want[0]);
    for (size_t k = 0; k < aim_stage_count; k++)
        assert_string_equal(aim_stages[k]->name, want[k]);
    /* retention after the store: its passes run once the commit has stored the chunks. */
    /* the spool's uploader after the store: its notes join the run's warnings at each
     * commit. The live snapshot last. */
    int at_store = -1, at_retention = -1, at_upload = -1;
    for (size_t k = 0; k < aim_sink_count; k++) {
        at_store = strcmp(aim_sinks[k]->name, "store") == 0 ? (int)k : at_store;
        at_retention = strcmp(aim_sinks[k]->name, "retention") == 0 ? (int)k : at_retention;
        at_upload = strcmp(aim_sinks[k]->name, "upload") == 0 ? (int)k : at_upload;
    }
    assert_int_equal(at_store, 0);
    assert_true(at_retention > at_store && at_upload > at_store);
    assert_string_equal(aim_sinks[aim_sink_count - 1]->name, "live");
    /* A stage that runs at the sampling rate never commits on its own. */
    for (size_t k = 0; k < aim_sink_count; k++)
        assert_non_null(aim_sinks[k]->name);
}

/* A probe stage after the real ones and a probe sink after the real sinks. */
static struct {
    uint64_t stage_frames, intervals, derived_seen, derived_missing;
    uint64_t opens, frames, publishes, commits, finishes, out_of_order, bad_intervals;
} rec;

static void probe_stage_frame(aim_session *s, aim_tick *t) {
    rec.stage_frames++;
    const aim_frame *f = t->frame;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        const aim_device_energy *e = &s->energy[d];
        double v;
        if (e->counter_slot < 0 || e->derived_power_slot < 0 || !aim__frame_get(f, e->counter_slot, &v))
            continue;
        if (aim__frame_get(f, e->derived_power_slot, &v))
            rec.derived_seen++;
        else if (e->meter.first_t != f->t_ns) /* a counter's first reading gives no power */
            rec.derived_missing++;
    }
}

static void probe_stage_interval(aim_session *s, aim_interval *iv) {
    rec.intervals++;
    /* (t0, t1] forward; the carbon stage ran before this one (a counter's edge refined
     * downwards may take energy and grams back, so no sign is checked on those). */
    if (iv->t1_ns < iv->t0_ns || (iv->edge_j == 0 && iv->g_edge != iv->g0) ||
        (iv->e1_j > 0 && !(iv->g1 > 0)))
        rec.bad_intervals++;
}

static const aim_stage probe_stage = {
    .name = "probe",
    .frame = probe_stage_frame,
    .interval = probe_stage_interval,
};

static void probe_open(aim_session *s) {
    rec.opens++;
    if (rec.frames)
        rec.out_of_order++;
}

static void probe_frame(aim_session *s, const aim_tick *t) {
    rec.frames++;
    if (rec.frames != rec.stage_frames || !rec.opens || rec.finishes) /* stages first */
        rec.out_of_order++;
}

static void probe_publish(aim_session *s) { rec.publishes++; }
static void probe_commit(aim_session *s) { rec.commits++; }

static int probe_finish(aim_session *s) {
    rec.finishes++;
    return 0;
}

static const aim_sink probe_sink = {
    .name = "probe",
    .open = probe_open,
    .frame = probe_frame,
    .publish = probe_publish,
    .commit = probe_commit,
    .finish = probe_finish,
};

static void a_sink_in_the_table_receives_the_run(void **state) {
    char db[256];
    snprintf(db, sizeof db, "/tmp/aim_test_writer_%d.db", (int)getpid());
    char *sys = tmptree_copy("rapl/intel-2s");
    assert_non_null(sys);
    setenv("AIMETER_SYSFS_ROOT", sys, 1);
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_int_equal(aim_config_set_interval(c, 10000000), 0);
    assert_int_equal(aim_config_set_db_path(c, db), 0);
    aim_session *s;
    assert_int_equal(aim_session_new(c, &s), 0);
    aim_config_free(c);
    const aim_stage *stages[16];
    for (size_t k = 0; k < aim_stage_count; k++)
        stages[k] = aim_stages[k];
    stages[aim_stage_count] = &probe_stage;
    const aim_sink *sinks[] = { &aim_sink_store, &aim_sink_live, &probe_sink };
    assert_true(s->stages == aim_stages && s->sinks == aim_sinks); /* the defaults */
    s->stages = stages;
    s->n_stages = aim_stage_count + 1;
    s->sinks = sinks;
    s->n_sinks = 3;
    memset(&rec, 0, sizeof rec);
    if (aim_session_start(s) != 0)
        fail_msg("start: %s", aim_session_errmsg(s));
    /* The package counter moves once the energy counters were read (the writer shows them
     * valid in the live snapshot), and the run stops once the writer has seen the new value:
     * the run has energy to show however slowly the machine runs (valgrind on a loaded
     * machine), with no fixed sleep. */
    int n_series = s->catalog.n_series;
    double *seen_v = calloc((size_t)n_series, sizeof *seen_v);
    double *first_v = calloc((size_t)n_series, sizeof *first_v);
    unsigned char *seen_ok = calloc((size_t)n_series, 1);
    assert_true(seen_v && first_v && seen_ok);
    int counters_read = 0, moved = 0;
    for (int i = 0; i < 120000 && !moved; i++) {
        aim_live live;
        aim_live_totals seen;
        assert_int_equal(aim_session_live(s, &live), 0); /* a reader: the writer publishes */
        aim__live_read(s->live, &seen, NULL, seen_v, seen_ok);
        int all = 1, any = 0;
        for (int k = 0; k < n_series; k++)
            if (s->catalog.series[k].metric == AIM_M_ENERGY) {
                any = 1;
                all &= seen_ok[k];
                moved |= counters_read && seen_ok[k] && seen_v[k] != first_v[k];
            }
        if (!counters_read && any && all) {
            counters_read = 1;
            memcpy(first_v, seen_v, (size_t)n_series * sizeof *seen_v);
            assert_int_equal(tmptree_write(sys, "class/powercap/intel-rapl:0/energy_uj",
                                           "262153000000\n"), 0);
        }
        if (!moved)
            usleep(1000);
    }
    assert_true(counters_read && moved);
    free(seen_v);
    free(first_v);
    free(seen_ok);
    /* The workload's counters reach the live snapshot (a gauge does not). */
    assert_int_equal(aim_record(s, "tokens", 100), 0);
    assert_int_equal(aim_record(s, "loss", 0.5), 0);
    assert_int_equal(aim_record(s, "tokens", 50), 0);
    assert_int_equal(aim_session_stop(s, AIM_RUN_COMPLETED, 0), 0);

    uint64_t written = 0;
    for (int g = 0; g < s->n_groups; g++)
        written += s->groups[g].written_ticks;
    assert_true(written >= 2); /* the first tick and the one at stop at least */
    assert_true(rec.opens == 1 && rec.finishes == 1);
    assert_true(rec.frames == written && rec.stage_frames == written);
    assert_true(rec.out_of_order == 0);
    assert_true(rec.bad_intervals == 0);
    assert_true(rec.derived_seen >= 1 && rec.derived_missing == 0); /* energy ran first */
    assert_true(rec.intervals >= 1);
    assert_true(rec.publishes >= 1); /* at least the drain at stop */

    /* The live sink beside it: one publication per batch and one at the end, with the
     * run's own figures. */
    aim_live_totals t;
    double dev[64];
    assert_true(s->catalog.n_devices <= 64);
    int ns = s->catalog.n_series;
    double *v = calloc((size_t)ns, sizeof *v);
    unsigned char *ok = calloc((size_t)ns, 1);
    assert_true(v && ok);
    aim__live_read(s->live, &t, dev, v, ok);
    /* Every series' latest value, the power the energy stage derived included. */
    int derived = 0;
    for (int i = 0; i < ns; i++) {
        assert_int_equal(ok[i], s->latest_ok[i]);
        if (ok[i])
            assert_true(v[i] == s->latest[i]);
        derived += ok[i] && s->catalog.series[i].method == AIM_METHOD_DERIVED;
    }
    assert_true(derived >= 1);
    free(v);
    free(ok);
    assert_true(t.generation == rec.publishes + 1);
    assert_true(t.samples == s->run.samples && t.duration_ns == s->run.duration_ns);
    assert_true(t.energy_j == s->run.total_energy_j && t.energy_j > 0);
    assert_int_equal(t.n_records, 1);
    assert_string_equal(t.records[0].key, "tokens");
    assert_true(t.records[0].total == 150);
    for (int d = 0; d < s->run.n_devices; d++)
        if (s->run.devices[d].has_energy)
            assert_true(dev[d] == s->run.devices[d].energy_j);
    aim_live public_live;
    assert_int_equal(aim_session_live(s, &public_live), 0);
    assert_true(public_live.energy_j == s->run.total_energy_j);

    aim_session_free(s);
    tmptree_remove(sys);
    char side[300];
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_stages_run_in_the_documented_order),
        cmocka_unit_test(a_sink_in_the_table_receives_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
