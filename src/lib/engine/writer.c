/* The writer thread: pops frames from every group's ring, derives power from energy
 * counters, integrates power into energy where no counter exists, keeps running statistics,
 * encodes chunks and commits them with the run's progress at least once a second — so a
 * kill -9 of aimeter loses at most the last second and `report` never has to rescan. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/carbon.h"
#include "util/log.h"
#include "engine/session_internal.h"
#include "store/tags_store.h"
#include "util/numfmt.h"

/* The writer wakes four times a second while someone reads the live figures (a status
 * line), otherwise only to commit; every ring holds at least two seconds of ticks, so
 * nothing is dropped either way. Waking at the sampling rate instead cost more than the
 * sampling itself (each wake-up is ~100 µs of CPU in a VM). Commits are due 750 ms apart,
 * so with at most 250 ms between a commit falling due and the wake that makes it, a kill -9
 * loses at most one second of samples. */
#define WRITER_LIVE_WAKE_NS 250000000LL
#define COMMIT_INTERVAL_NS 750000000LL
#define LIVE_READER_GONE_NS 2000000000LL

static int64_t next_wake(aim_session *s, int64_t now, int64_t last_commit) {
    int64_t due = last_commit + COMMIT_INTERVAL_NS;
    if (now - atomic_load(&s->live_read_ns) < LIVE_READER_GONE_NS && now + WRITER_LIVE_WAKE_NS < due)
        return now + WRITER_LIVE_WAKE_NS;
    return due > now ? due : now;
}

/* The device's instantaneous power reading for a phase's peak (processing/phases.h), NaN when
 * it has none: the sample integrated, or the measured power beside a counter (its latest
 * value when it is sampled in another group), never the ΔE/Δt of a counter's interval. */
static double power_reading(const aim_session *s, const aim_device_energy *e, const aim_frame *f) {
    double v;
    if (e->power_slot < 0)
        return NAN;
    if (aim_frame_get(f, e->power_slot, &v))
        return v;
    if (s->latest && s->latest_ok && s->latest_ok[e->power_slot])
        return s->latest[e->power_slot];
    return NAN;
}

static void account(aim_session *s, aim_frame *f) {
    for (int d = 0; d < s->catalog.n_devices; d++) {
        aim_device_energy *e = &s->energy[d];
        double v, p;
        /* The interval this frame closes, for its carbon: from the device's previous reading
         * (none for the first: from the run's start, the edge processing/energy.h extrapolates). */
        int64_t t0 = e->meter.have_last ? e->meter.last_t : e->meter.start_t;
        double e0 = e->meter.energy_j;
        if (e->counter_slot >= 0 && aim_frame_get(f, e->counter_slot, &v)) {
            if (aim_energy_meter_counter(&e->meter, f->t_ns, v, &p) && e->derived_power_slot >= 0)
                aim_frame_set(f, e->derived_power_slot, p);
        } else if (e->counter_slot < 0 && e->power_slot >= 0 && aim_frame_get(f, e->power_slot, &v)) {
            /* As stored: a replay of the chunks then integrates exactly the same values. */
            aim_energy_meter_power(&e->meter, f->t_ns,
                                   aim_codec_quantise(v, s->run.series[e->power_slot].resolution));
        } else {
            continue;
        }
        if (t0 > f->t_ns)
            t0 = f->t_ns;
        double e1 = e->meter.energy_j, edge = e->meter.edge_delta_j;
        double g0 = aim_run_carbon_device_g(&s->carbon, d, e0);
        aim_run_carbon_account(&s->carbon, d, t0, f->t_ns, e0, e1);
        aim_session_attr_account(s, d, e1 - e0);
        double reading = power_reading(s, e, f);
        double g_edge = aim_run_carbon_device_g(&s->carbon, d, e0 + edge);
        /* A counter's edge is refined over its first second: the phases get each refinement
         * over [start, first reading], where it belongs. */
        if (edge != 0 && e->meter.first_t > e->meter.start_t && t0 != e->meter.start_t)
            aim_workload_account(&s->workload, d, e->meter.start_t, e->meter.first_t, edge, NAN,
                                 g_edge - g0);
        else
            g_edge = g0, edge = 0;
        aim_workload_account(&s->workload, d, t0, f->t_ns, e1 - e0 - edge, reading,
                             aim_run_carbon_device_g(&s->carbon, d, e1) - g_edge);
    }
}

static void update_live(aim_session *s) {
    double p = 0, energy = 0;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        if (!s->run.devices[d].in_total)
            continue;
        const aim_energy_meter *m = &s->energy[d].meter;
        energy += m->energy_j;
        if (m->have_power)
            p += m->last_power_w;
    }
    atomic_store(&s->live_energy_j, energy);
    atomic_store(&s->live_power_w, p);
}

void aim_session_warn(aim_session *s, const char *line) {
    aim_log(AIM_LOG_WARNING, "%s", line);
    size_t used = strlen(s->run.warnings);
    snprintf(s->run.warnings + used, sizeof s->run.warnings - used, "%s%s", used ? "\n" : "", line);
}

_Static_assert(AIM_MAX_GROUPS <= AIM_BACKLOG_GROUPS, "the backlog counts every group's losses");

/* The encoder's ticks become a chunk held in the backlog until a commit stores it: the
 * sequence is the chunk's whether or not an older one is later dropped at the bound. */
static void encode_chunk(aim_session *s, aim_group *g) {
    int n = aim_chunk_encoder_ticks(g->encoder);
    if (n == 0)
        return;
    int64_t first = aim_chunk_encoder_first_t(g->encoder);
    int64_t last = aim_chunk_encoder_last_t(g->encoder);
    const uint8_t *blob;
    size_t len;
    int r = aim_chunk_encoder_finish(g->encoder, &blob, &len);
    if (r >= 0)
        r = aim_chunk_backlog_push(&s->backlog, g->index, g->chunk_seq++, first, last, n, blob, len);
    else
        s->backlog.dropped_ticks[g->index] += (uint64_t)n;
    if (r != 0 && !s->backlog_warned) {
        s->backlog_warned = 1;
        char line[200];
        snprintf(line, sizeof line, "store: %s; the oldest samples not yet stored are being dropped",
                 r > 0 ? "the samples waiting for the store reached the memory bound"
                       : "out of memory for the samples waiting for the store");
        aim_session_warn(s, line);
    }
}

static void process_tick(aim_session *s, aim_group *g, aim_frame *f) {
    aim_session_attr_frame(s, f);
    aim_workload_frame(&s->workload, f);
    account(s, f);
    int64_t t_rel = f->t_ns - s->start_mono_ns;
    aim_session_corr_frame(s, g, f, t_rel);
    /* The interval this tick closes (from the run's start for a group's first). A short one,
     * the sample every group takes when the run stops 1-2 ms after its previous tick, closes
     * the energy accounting (account() above, and the chunk below) but stays out of the
     * statistics: a rate over 1 ms is mostly counter granularity (docs/methodology.md). */
    int64_t span = t_rel - (g->written_ticks ? g->last_t : 0);
    if (!aim_interval_is_short(g->written_ticks ? span : g->interval_ns, g->interval_ns))
        for (int i = 0; i < f->count; i++)
            if (f->valid[i])
                aim_stats_add(&s->stats[f->base + i], f->values[i],
                              span > 0 ? (double)span * 1e-9 : 0.0);
    int r = aim_chunk_encoder_add(g->encoder, t_rel, f->values, f->valid);
    if (r == -ENOSPC) { /* a full chunk waits for the next commit */
        encode_chunk(s, g);
        r = aim_chunk_encoder_add(g->encoder, t_rel, f->values, f->valid);
    }
    if (g->written_ticks == 0)
        g->first_t = t_rel;
    g->last_t = t_rel;
    g->written_ticks++;
}

static void report_source_events(aim_session *s) {
    for (int i = 0; i < aim_source_count; i++) {
        aim_source_slot *slot = &s->slots[i];
        if (!slot->open || !aim_sources[i]->take_event)
            continue;
        char msg[200], line[256];
        for (int k = 0; k < 8 && aim_sources[i]->take_event(slot->state, msg, sizeof msg) == 1; k++) {
            snprintf(line, sizeof line, "%s: %s", aim_sources[i]->name, msg);
            aim_session_warn(s, line);
        }
    }
}

static void report_dropped_sources(aim_session *s) {
    report_source_events(s);
    for (int i = 0; i < aim_source_count; i++) {
        aim_source_slot *slot = &s->slots[i];
        if (!slot->open || slot->drop_reported || !atomic_load(&slot->dropped))
            continue;
        slot->drop_reported = 1;
        char line[256];
        char at[AIM_NUM_MAX];
        snprintf(line, sizeof line, "%s: stopped responding at %s s (%s); the run continued without it",
                 aim_sources[i]->name, aim_fmt_fixed(at, (double)atomic_load(&slot->drop_t_ns) * 1e-9, 3),
                 aim_strerror(atomic_load(&slot->drop_error)));
        aim_session_warn(s, line);
    }
}

int aim_writer_drain(aim_session *s) {
    int n = 0;
    /* Events first: a phase that began before a frame's time is then known when the frame's
     * interval is attributed (processing/phases.h). */
    aim_workload_apply(&s->workload);
    /* Frames in time order across the rate groups, not one group's backlog after another's:
     * what uses the latest value of another group's series (attribution, phase figures,
     * the live correlation) then sees the value sampled before the frame, however late
     * the writer woke, rather than one up to a drain period old. */
    for (;;) {
        int best = -1;
        int64_t best_t = 0, t;
        for (int gi = 0; gi < s->n_groups; gi++)
            if (aim_ring_peek_t(s->groups[gi].ring, &t) && (best < 0 || t < best_t)) {
                best = gi;
                best_t = t;
            }
        if (best < 0)
            break;
        aim_group *g = &s->groups[best];
        aim_ring_pop(g->ring, g->wframe);
        process_tick(s, g, g->wframe);
        n++;
    }
    if (n) {
        aim_writer_refresh_summary(s);
        update_live(s);
    }
    report_dropped_sources(s);
    return n;
}

void aim_writer_refresh_summary(aim_session *s) {
    aim_run_summary *run = &s->run;
    const aim_group *g0 = &s->groups[s->main_group];
    /* What the store holds once the next commit succeeds: every sample but those lost. */
    run->samples_lost = s->backlog.dropped_ticks[g0->index];
    run->samples = g0->written_ticks - run->samples_lost;
    run->missed_deadlines = 0;
    for (int gi = 0; gi < s->n_groups; gi++)
        run->missed_deadlines += atomic_load(&s->groups[gi].missed) + aim_ring_dropped(s->groups[gi].ring);
    run->achieved_interval_ns = g0->written_ticks > 1
        ? (g0->last_t - g0->first_t) / (int64_t)(g0->written_ticks - 1) : 0;
    run->duration_ns = g0->written_ticks ? g0->last_t : 0;
    run->total_energy_j = 0;
    for (int d = 0; d < run->n_devices; d++) {
        aim_device_summary *dev = &run->devices[d];
        if (!dev->has_energy)
            continue;
        dev->energy_j = s->energy[d].meter.energy_j;
        if (dev->in_total)
            run->total_energy_j += dev->energy_j;
    }
    aim_run_carbon_refresh(&s->carbon, run);
    for (int i = 0; i < run->n_series; i++) {
        aim_series_summary *ss = &run->series[i];
        const aim_stats *st = &s->stats[i];
        ss->count = st->count;
        ss->mean = st->count ? st->mean : NAN; /* time-weighted (processing/stats.h) */
        ss->min = st->count ? st->min : NAN;
        ss->max = st->count ? st->max : NAN;
        ss->mode = aim_stats_mode(st);
        ss->stddev = aim_stats_stddev(st);
        ss->mode_exact = st->mode_exact;
    }
}

/* The run's rows (run, devices, series, intensity inputs, extras, tags): the first thing
 * the writer does, and the first part of any later commit until it has succeeded once.
 * start() checked that the id is free; a run that took it since gets -EEXIST here. */
static int record_run(aim_session *s) {
    aim_run_summary *run = &s->run;
    int r = aim_db_begin(s->db);
    if (r < 0)
        return r;
    r = aim_db_run_insert(s->db, run, getpid());
    for (int d = 0; d < run->n_devices && r >= 0; d++)
        r = aim_db_device_insert(s->db, run->id, d, &run->devices[d]);
    for (int i = 0; i < run->n_series && r >= 0; i++)
        r = aim_db_series_insert(s->db, run->id, &run->series[i]);
    if (r >= 0)
        r = aim_run_carbon_store(&s->carbon, s->db, run->id);
    if (r >= 0 && (s->cfg.idle_run_id[0] || s->cfg.embodied))
        r = aim_db_run_set_extras(s->db, run->id, s->cfg.idle_run_id, s->cfg.embodied);
    if (r >= 0)
        r = aim_db_run_tags_store(s->db, run->id, s->cfg.tags, (size_t)s->cfg.n_tags);
    if (r >= 0)
        r = aim_db_commit(s->db);
    else
        aim_db_rollback(s->db);
    if (r >= 0)
        s->run_recorded = 1;
    return r;
}

/* One commit of everything since the last: the chunks waiting in the backlog (unless
 * with_chunks is 0), carbon, workload, attribution and the run's row. On failure the
 * transaction is rolled back and the backlog kept for the next try. */
static int flush(aim_session *s, int with_chunks) {
    if (!s->run_recorded) {
        int r = record_run(s);
        if (r < 0)
            return r;
    }
    int r = aim_db_begin(s->db);
    if (r < 0)
        return r;
    size_t n = with_chunks ? aim_chunk_backlog_count(&s->backlog) : 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        const aim_backlog_chunk *c = aim_chunk_backlog_at(&s->backlog, i);
        r = aim_db_chunk_insert(s->db, s->run.id, c->group, c->seq, c->t_first_ns, c->t_last_ns,
                                c->n_ticks, c->blob, c->len);
    }
    if (r >= 0)
        r = aim_run_carbon_store(&s->carbon, s->db, s->run.id);
    if (r >= 0)
        r = aim_workload_store(&s->workload, s->db, s->run.id, s->start_mono_ns);
    if (r >= 0)
        r = aim_session_attr_store(s);
    if (r >= 0)
        r = aim_db_run_update(s->db, &s->run);
    if (r < 0) {
        aim_db_rollback(s->db);
        return r;
    }
    if ((r = aim_db_commit(s->db)) < 0) /* rolled back by the store */
        return r;
    if (with_chunks)
        aim_chunk_backlog_clear(&s->backlog);
    return 0;
}

int aim_writer_flush(aim_session *s) {
    for (int gi = 0; gi < s->n_groups; gi++)
        encode_chunk(s, &s->groups[gi]);
    return flush(s, 1);
}

/* A refused commit: said once per episode, and kept with the run's warnings (stored by the
 * commit that succeeds, or by the end of the run's). */
static void note_store_failure(aim_session *s, int r) {
    if (!s->store_error)
        s->store_error = r;
    if (s->writer_error)
        return;
    s->writer_error = r;
    char line[700];
    snprintf(line, sizeof line, "store: commit failed (%s); will retry, keeping the samples in memory",
             aim_db_errmsg(s->db));
    aim_session_warn(s, line);
}

/* Three tries 0.5 s apart at the end: a disk that is being cleaned (log rotation) may take
 * the run a moment later; a store that stays full costs one second. */
#define FINISH_TRIES 3
#define FINISH_RETRY_NS 500000000L

int aim_writer_finish(aim_session *s) {
    int r = aim_writer_flush(s);
    for (int k = 1; r < 0 && k < FINISH_TRIES; k++) {
        note_store_failure(s, r);
        struct timespec ts = { 0, FINISH_RETRY_NS };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        r = aim_writer_flush(s);
    }
    if (r >= 0)
        s->writer_error = 0;
    else
        note_store_failure(s, r);
    const aim_group *g0 = &s->groups[s->main_group];
    if (r >= 0 && s->backlog.dropped_ticks[g0->index] == 0)
        return 0;
    /* What the store did not take is lost: count it, say so, and store the rest. */
    char why[600];
    snprintf(why, sizeof why, "%s", r < 0 ? aim_db_errmsg(s->db) : "memory bound reached");
    for (size_t i = 0; i < aim_chunk_backlog_count(&s->backlog); i++) {
        const aim_backlog_chunk *c = aim_chunk_backlog_at(&s->backlog, i);
        s->backlog.dropped_ticks[c->group] += (uint64_t)c->n_ticks;
    }
    aim_chunk_backlog_clear(&s->backlog);
    aim_writer_refresh_summary(s);
    char line[800];
    snprintf(line, sizeof line,
             "store: %llu of %llu samples could not be stored (%s); the run is incomplete",
             (unsigned long long)s->run.samples_lost, (unsigned long long)g0->written_ticks, why);
    aim_session_warn(s, line);
    int end = flush(s, 0);
    if (end < 0)
        note_store_failure(s, end);
    return s->store_error ? s->store_error : -EIO;
}

void *aim_writer_main(void *arg) {
    aim_session *s = arg;
    int64_t last_commit = aim_mono_ns();
    int recorded = record_run(s);
    if (recorded < 0) /* retried with the next commit */
        note_store_failure(s, recorded);
    for (;;) {
        int64_t wake = next_wake(s, aim_mono_ns(), last_commit);
        struct timespec ts = { .tv_sec = wake / 1000000000, .tv_nsec = wake % 1000000000 };
        pthread_mutex_lock(&s->lock);
        if (!atomic_load(&s->stopping))
            pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        pthread_mutex_unlock(&s->lock);
        if (atomic_load(&s->stopping))
            break;
        aim_writer_drain(s);
        if (aim_mono_ns() - last_commit >= COMMIT_INTERVAL_NS) {
            int r = aim_writer_flush(s);
            if (r < 0)
                note_store_failure(s, r);
            else
                s->writer_error = 0;
            last_commit = aim_mono_ns();
        }
    }
    return NULL;
}
