/* The store sink: the run's rows first, then every frame into its group's chunk encoder,
 * and at least once a second one commit of the chunks waiting in the backlog, every stage's
 * results (their store hooks) and the run's progress — so a kill -9 of aimeter loses at most
 * the last second and `report` never has to rescan. A commit the store refuses is retried
 * with the next, the chunks kept in memory up to a bound. */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "engine/session_internal.h"
#include "engine/sink.h"
#include "store/tags_store.h"

_Static_assert(AIM_MAX_GROUPS <= AIM_BACKLOG_GROUPS, "the backlog counts every group's losses");

/* The encoder's ticks become a chunk held in the backlog until a commit stores it: the
 * sequence is the chunk's whether or not an older one is later dropped at the bound. */
static void encode_chunk(aim_session *s, aim_group *g) {
    int n = aim__chunk_encoder_ticks(g->encoder);
    if (n == 0)
        return;
    int64_t first = aim__chunk_encoder_first_t(g->encoder);
    int64_t last = aim__chunk_encoder_last_t(g->encoder);
    const uint8_t *blob;
    size_t len;
    int r = aim__chunk_encoder_finish(g->encoder, &blob, &len);
    const uint8_t *sum;
    size_t sum_len;
    aim__chunk_encoder_summary(g->encoder, &sum, &sum_len);
    if (r >= 0)
        r = aim__chunk_backlog_push(&s->backlog, g->index, g->chunk_seq++, first, last, n, blob,
                                   len, sum, sum_len);
    else
        s->backlog.dropped_ticks[g->index] += (uint64_t)n;
    if (r != 0 && !s->backlog_warned) {
        s->backlog_warned = 1;
        char line[200];
        snprintf(line, sizeof line, "store: %s; the oldest samples not yet stored are being dropped",
                 r > 0 ? "the samples waiting for the store reached the memory bound"
                       : "out of memory for the samples waiting for the store");
        aim__session_warn(s, line);
    }
}

static void frame(aim_session *s, const aim_tick *t) {
    aim_group *g = t->group;
    const aim_frame *f = t->frame;
    int r = aim__chunk_encoder_add(g->encoder, t->t_rel, f->values, f->valid);
    if (r == -ENOSPC) { /* a full chunk waits for the next commit */
        encode_chunk(s, g);
        aim__chunk_encoder_add(g->encoder, t->t_rel, f->values, f->valid);
    }
}

/* The run's rows (run, devices, series, intensity inputs, extras, tags): the first thing
 * the writer does, and the first part of any later commit until it has succeeded once.
 * start() checked that the id is free; a run that took it since gets -EEXIST here. */
static int record_run(aim_session *s) {
    aim_run_summary *run = &s->run;
    int r = aim__db_begin(s->db);
    if (r < 0)
        return r;
    r = aim__db_run_insert(s->db, run, getpid());
    for (int d = 0; d < run->n_devices && r >= 0; d++)
        r = aim__db_device_insert(s->db, run->id, d, &run->devices[d]);
    for (int i = 0; i < run->n_series && r >= 0; i++)
        r = aim__db_series_insert(s->db, run->id, &run->series[i]);
    if (r >= 0)
        r = aim__run_carbon_store(&s->carbon, s->db, run->id);
    if (r >= 0 && (s->cfg.idle_run_id[0] || s->cfg.embodied))
        r = aim__db_run_set_extras(s->db, run->id, s->cfg.idle_run_id, s->cfg.embodied);
    if (r >= 0)
        r = aim__db_run_tags_store(s->db, run->id, s->cfg.tags, (size_t)s->cfg.n_tags);
    if (r >= 0)
        r = aim__db_commit(s->db);
    else
        aim__db_rollback(s->db);
    if (r >= 0)
        s->run_recorded = 1;
    return r;
}

/* One commit of everything since the last: the chunks waiting in the backlog (unless
 * with_chunks is 0), every stage's results and the run's row. On failure the transaction
 * is rolled back and the backlog kept for the next try. */
static int flush(aim_session *s, int with_chunks) {
    if (!s->run_recorded) {
        int r = record_run(s);
        if (r < 0)
            return r;
    }
    int r = aim__db_begin(s->db);
    if (r < 0)
        return r;
    size_t n = with_chunks ? aim__chunk_backlog_count(&s->backlog) : 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        const aim_backlog_chunk *c = aim__chunk_backlog_at(&s->backlog, i);
        r = aim__db_chunk_insert_summary(s->db, s->run.id, c->group, c->seq, c->t_first_ns,
                                        c->t_last_ns, c->n_ticks, c->blob, c->len, c->summary,
                                        c->summary_len);
    }
    for (size_t k = 0; k < s->n_stages && r >= 0; k++)
        if (s->stages[k]->store)
            r = s->stages[k]->store(s);
    if (r >= 0)
        r = aim__db_run_update(s->db, &s->run);
    if (r < 0) {
        aim__db_rollback(s->db);
        return r;
    }
    if ((r = aim__db_commit(s->db)) < 0) /* rolled back by the store */
        return r;
    if (with_chunks)
        aim__chunk_backlog_clear(&s->backlog);
    return 0;
}

static int flush_all(aim_session *s) {
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
             aim__db_errmsg(s->db));
    aim__session_warn(s, line);
}

static void open_run(aim_session *s) {
    int recorded = record_run(s);
    if (recorded < 0) /* retried with the next commit */
        note_store_failure(s, recorded);
}

static void commit(aim_session *s) {
    int r = flush_all(s);
    if (r < 0)
        note_store_failure(s, r);
    else
        s->writer_error = 0;
}

/* Three tries 0.5 s apart at the end: a disk that is being cleaned (log rotation) may take
 * the run a moment later; a store that stays full costs one second. When the store still
 * refuses samples they are counted as lost (run->samples_lost), a warning says so and the
 * run's rows are stored without them. 0 when every sample taken is stored, else the store's
 * error. */
#define FINISH_TRIES 3
#define FINISH_RETRY_NS 500000000L

static int finish(aim_session *s) {
    int r = flush_all(s);
    for (int k = 1; r < 0 && k < FINISH_TRIES; k++) {
        note_store_failure(s, r);
        struct timespec ts = { 0, FINISH_RETRY_NS };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        r = flush_all(s);
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
    snprintf(why, sizeof why, "%s", r < 0 ? aim__db_errmsg(s->db) : "memory bound reached");
    for (size_t i = 0; i < aim__chunk_backlog_count(&s->backlog); i++) {
        const aim_backlog_chunk *c = aim__chunk_backlog_at(&s->backlog, i);
        s->backlog.dropped_ticks[c->group] += (uint64_t)c->n_ticks;
    }
    aim__chunk_backlog_clear(&s->backlog);
    aim__writer_refresh_summary(s);
    char line[800];
    snprintf(line, sizeof line,
             "store: %llu of %llu samples could not be stored (%s); the run is incomplete",
             (unsigned long long)s->run.samples_lost, (unsigned long long)g0->written_ticks, why);
    aim__session_warn(s, line);
    int end = flush(s, 0);
    if (end < 0)
        note_store_failure(s, end);
    return s->store_error ? s->store_error : -EIO;
}

const aim_sink aim_sink_store = {
    .name = "store",
    .open = open_run,
    .frame = frame,
    .commit = commit,
    .finish = finish,
};
