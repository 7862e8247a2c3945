/* The writer thread: pops frames from every group's ring in time order and hands each to
 * the processing stages (stage.h: energy, carbon, attribution, workload, correlation,
 * statistics) and then to the sinks (sink.h: the store, the live snapshot); after each
 * batch it refreshes the run's summary and lets the sinks publish it, and when a commit is
 * due it asks them to commit. What each stage and sink does is in its own file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "data/carbon.h"
#include "util/log.h"
#include "engine/session_internal.h"
#include "engine/sink.h"
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
    /* An agent's jobs take the node's figures from the snapshot when they begin and end
     * (jobs.h): it is kept as fresh as for a reader, always. */
    int fresh = s->cfg.agent || now - aim__live_reader_ns(s->live) < LIVE_READER_GONE_NS;
    if (fresh && now + WRITER_LIVE_WAKE_NS < due)
        return now + WRITER_LIVE_WAKE_NS;
    return due > now ? due : now;
}

void aim__session_warn(aim_session *s, const char *line) {
    aim__log(AIM_LOG_WARNING, "%s", line);
    size_t used = strlen(s->run.warnings);
    snprintf(s->run.warnings + used, sizeof s->run.warnings - used, "%s%s", used ? "\n" : "", line);
}

/* The frame's valid values become their series' latest (s->latest). */
static void note_latest(aim_session *s, const aim_frame *f) {
    for (int i = 0; i < f->count; i++)
        if (f->valid[i]) {
            s->latest[f->base + i] = f->values[i];
            s->latest_ok[f->base + i] = 1;
        }
}

static void process_tick(aim_session *s, aim_group *g, aim_frame *f) {
    /* The stages see this frame's values as the latest of their series. */
    note_latest(s, f);
    aim_tick t = { .group = g, .frame = f, .t_rel = f->t_ns - s->start_mono_ns };
    /* The interval this tick closes (from the run's start for a group's first). A short one,
     * the sample every group takes when the run stops 1-2 ms after its previous tick, closes
     * the energy accounting and the chunk but stays out of the statistics: a rate over 1 ms
     * is mostly counter granularity (docs/methodology.md). */
    t.span_ns = t.t_rel - (g->written_ticks ? g->last_t : 0);
    t.in_stats = !aim__interval_is_short(g->written_ticks ? t.span_ns : g->interval_ns, g->interval_ns);
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->frame)
            s->stages[k]->frame(s, &t);
    for (size_t k = 0; k < s->n_sinks; k++)
        if (s->sinks[k]->frame)
            s->sinks[k]->frame(s, &t);
    if (g->written_ticks == 0)
        g->first_t = t.t_rel;
    g->last_t = t.t_rel;
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
            aim__session_warn(s, line);
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
                 aim_sources[i]->name, aim__fmt_fixed(at, (double)atomic_load(&slot->drop_t_ns) * 1e-9, 3),
                 aim_strerror(atomic_load(&slot->drop_error)));
        aim__session_warn(s, line);
    }
}

/* An agent's ended jobs whose runs were dropped (jobs.h: more waited than the queue holds). */
static void report_dropped_job_runs(aim_session *s) {
    uint64_t n = s->workload.jobs ? aim__jobs_take_dropped(s->workload.jobs) : 0;
    if (!n)
        return;
    char line[200];
    snprintf(line, sizeof line, "agent: the runs of %llu ended jobs were not stored (more than "
             "%d waited for the store)", (unsigned long long)n, AIM_JOBS_PENDING);
    aim__session_warn(s, line);
}

int aim__writer_drain(aim_session *s) {
    int n = 0;
    /* Before the frames (the workload's events): a phase that began before a frame's time
     * is then known when the frame's interval is attributed (processing/phases.h). */
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->batch)
            s->stages[k]->batch(s);
    /* Frames in time order across the rate groups, not one group's backlog after another's:
     * what uses the latest value of another group's series (attribution, phase figures,
     * the live correlation) then sees the value sampled before the frame, however late
     * the writer woke, rather than one up to a drain period old. */
    for (;;) {
        int best = -1;
        int64_t best_t = 0, t;
        for (int gi = 0; gi < s->n_groups; gi++)
            if (aim__ring_peek_t(s->groups[gi].ring, &t) && (best < 0 || t < best_t)) {
                best = gi;
                best_t = t;
            }
        if (best < 0)
            break;
        aim_group *g = &s->groups[best];
        aim__ring_pop(g->ring, g->wframe);
        process_tick(s, g, g->wframe);
        n++;
    }
    if (n) {
        aim__writer_refresh_summary(s);
        for (size_t k = 0; k < s->n_sinks; k++)
            if (s->sinks[k]->publish)
                s->sinks[k]->publish(s);
    }
    report_dropped_sources(s);
    report_dropped_job_runs(s);
    return n;
}

void aim__writer_refresh_summary(aim_session *s) {
    aim_run_summary *run = &s->run;
    const aim_group *g0 = &s->groups[s->main_group];
    /* What the store holds once the next commit succeeds: every sample but those lost. */
    run->samples_lost = s->backlog.dropped_ticks[g0->index];
    run->samples = g0->written_ticks - run->samples_lost;
    run->missed_deadlines = 0;
    for (int gi = 0; gi < s->n_groups; gi++)
        run->missed_deadlines += atomic_load(&s->groups[gi].missed) + aim__ring_dropped(s->groups[gi].ring);
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
    aim__run_carbon_refresh(&s->carbon, run);
    for (int i = 0; i < run->n_series; i++) {
        aim_series_summary *ss = &run->series[i];
        const aim_stats *st = &s->stats[i];
        ss->count = st->count;
        ss->mean = st->count ? st->mean : NAN; /* time-weighted (processing/stats.h) */
        ss->min = st->count ? st->min : NAN;
        ss->max = st->count ? st->max : NAN;
        ss->mode = aim__stats_mode(st);
        ss->stddev = aim__stats_stddev(st);
        ss->mode_exact = st->mode_exact;
    }
}

void *aim__writer_main(void *arg) {
    aim_session *s = arg;
    int64_t last_commit = aim__mono_ns();
    for (size_t k = 0; k < s->n_sinks; k++)
        if (s->sinks[k]->open)
            s->sinks[k]->open(s);
    for (;;) {
        int64_t wake = next_wake(s, aim__mono_ns(), last_commit);
        struct timespec ts = { .tv_sec = wake / 1000000000, .tv_nsec = wake % 1000000000 };
        pthread_mutex_lock(&s->lock);
        if (!atomic_load(&s->stopping))
            pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        pthread_mutex_unlock(&s->lock);
        if (atomic_load(&s->stopping))
            break;
        aim__writer_drain(s);
        if (aim__mono_ns() - last_commit >= COMMIT_INTERVAL_NS) {
            for (size_t k = 0; k < s->n_sinks; k++)
                if (s->sinks[k]->commit)
                    s->sinks[k]->commit(s);
            last_commit = aim__mono_ns();
        }
    }
    return NULL;
}
