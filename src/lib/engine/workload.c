/* The workload side of a session (workload.h). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/workload.h"
#include "util/pages.h"

int aim__workload_init(aim_workload *w, const char *control_path, const char *run_info,
                       aim_jobs *jobs) {
    memset(w, 0, sizeof *w);
    w->jobs = jobs;
    int r = aim__events_init(&w->events, AIM_WORKLOAD_QUEUE);
    if (r < 0) {
        aim__jobs_free(jobs);
        w->jobs = NULL;
        return r;
    }
    w->drain = aim__pages_alloc(AIM_WORKLOAD_QUEUE, sizeof *w->drain);
    if (!w->drain || aim__phases_new(AIM_WORKLOAD_SPANS, AIM_WORKLOAD_MARKS, &w->phases) < 0 ||
        aim__records_new(AIM_WORKLOAD_ROWS, &w->records) < 0) {
        aim__workload_free(w);
        return -ENOMEM;
    }
    w->ready = 1;
    if (control_path && *control_path && (r = aim__control_start(&w->control, control_path,
                                                                &w->events, run_info, jobs)) < 0) {
        aim__workload_free(w);
        return r;
    }
    return 0;
}

void aim__workload_close_socket(aim_workload *w) { aim__control_stop(&w->control); }

void aim__workload_free(aim_workload *w) {
    aim__control_stop(&w->control);
    aim__events_destroy(&w->events);
    aim__phases_free(w->phases);
    aim__records_free(w->records);
    aim__jobs_free(w->jobs); /* after the control thread, its writer, has stopped */
    aim__pages_free(w->drain, AIM_WORKLOAD_QUEUE, sizeof *w->drain);
    memset(w, 0, sizeof *w);
}

int aim__workload_push(aim_workload *w, const aim_control_msg *m) {
    if (!w->ready)
        return -ENODEV;
    return aim__events_push(&w->events, m, NULL);
}

void aim__workload_apply(aim_workload *w) {
    if (!w->ready)
        return;
    int64_t snapshot;
    size_t n = aim__events_drain(&w->events, w->drain, AIM_WORKLOAD_QUEUE, &snapshot);
    for (size_t i = 0; i < n; i++) {
        const aim_event *e = &w->drain[i];
        int r = 0;
        switch (e->msg.op) {
        case AIM_CTL_PHASE_BEGIN:
            r = aim__phases_begin_scoped(w->phases, e->t_ns, e->msg.name, e->msg.scope_len);
            break;
        case AIM_CTL_PHASE_END:
            r = e->msg.scope_all ? aim__phases_end_scope(w->phases, e->t_ns, e->msg.name,
                                                         e->msg.scope_len)
                                 : aim__phases_end_scoped(w->phases, e->t_ns, e->msg.name,
                                                          e->msg.scope_len);
            break;
        case AIM_CTL_MARK: r = aim__phases_mark(w->phases, e->t_ns, e->msg.name); break;
        case AIM_CTL_RECORD:
            r = aim__records_add(w->records, e->t_ns, e->msg.name, e->msg.value, e->msg.kind);
            if (r >= 0)
                aim__phases_record(w->phases, r, e->msg.value);
            break;
        case AIM_CTL_PING:
        case AIM_CTL_RUN:
        case AIM_CTL_JOB:
        case AIM_CTL_JOB_END:
        case AIM_CTL_JOB_STATUS:
        case AIM_CTL_JOB_HOLD:
        case AIM_CTL_JOB_LEAVE:
        case AIM_CTL_JOB_INFO:
        case AIM_CTL_JOB_NODE: break; /* answered by the control thread */
        }
        (void)r; /* refusals are counted by phases/records themselves */
    }
}

int aim__workload_add_channel(aim_workload *w, int slot, int device_idx, const char *key) {
    if (w->n_ch == AIM_PHASE_CHANNELS)
        return -ENOSPC;
    int c = w->n_ch++;
    w->ch_slot[c] = slot;
    w->ch_device[c] = device_idx;
    snprintf(w->ch_key[c], sizeof w->ch_key[c], "%s", key);
    w->ch_last_t[c] = 0;
    return 0;
}

void aim__workload_frame(aim_workload *w, const aim_frame *f) {
    if (!w->ready)
        return;
    for (int c = 0; c < w->n_ch; c++) {
        int i = w->ch_slot[c] - f->base;
        if (i < 0 || i >= f->count || !f->valid[i])
            continue;
        if (w->ch_last_t[c])
            aim__phases_sample(w->phases, c, w->ch_last_t[c], f->t_ns, f->values[i]);
        w->ch_last_t[c] = f->t_ns;
    }
}

void aim__workload_account(aim_workload *w, int dev, int64_t t0_ns, int64_t t1_ns, double de_j,
                          double power_w, double carbon_g) {
    if (!w->ready)
        return;
    aim__phases_account(w->phases, dev, t0_ns, t1_ns, de_j, power_w, carbon_g);
    if (dev >= 0 && dev < AIM_PHASE_DEVICES && t1_ns > w->acct_t1[dev])
        w->acct_t1[dev] = t1_ns;
}

void aim__workload_finish(aim_workload *w, int64_t t_ns) {
    if (w->ready)
        aim__phases_finish(w->phases, t_ns);
}

void aim__workload_live_records(const aim_workload *w, aim_live *l) {
    if (!w->ready)
        return;
    const aim_record_key *keys;
    size_t n = aim__records_keys(w->records, &keys);
    int slot = 0;
    for (size_t i = 0; i < n && slot < AIM_LIVE_RECORDS; i++)
        if (keys[i].kind == AIM_RECORD_COUNTER) /* a gauge's sum means nothing per joule */
            aim__live_set_record(l, slot++, keys[i].key, keys[i].total);
}

uint64_t aim__workload_dropped(aim_workload *w) {
    if (!w->ready)
        return 0;
    return aim__events_dropped(&w->events) + aim__phases_dropped(w->phases) +
           aim__records_dropped(w->records);
}

int aim__workload_store(aim_workload *w, aim_db *db, const char *run_id, int64_t start_mono_ns) {
    if (!w->ready)
        return 0;
    const aim_phase_span *spans;
    size_t n_spans = aim__phases_spans(w->phases, &spans);
    const aim_phase_mark *marks;
    size_t n_marks = aim__phases_marks(w->phases, &marks);
    const aim_record_row *rows;
    size_t n_rows = aim__records_take_rows(w->records, &rows);
    int r = aim__db_workload_store(db, run_id, start_mono_ns, w->phases, w->spans_from, n_spans,
                                  w->marks_stored, n_marks, w->records, rows, n_rows,
                                  aim__workload_dropped(w));
    if (r == 0)
        r = aim__db_phase_metrics_store(db, run_id, w->phases, w->n_ch, w->ch_device,
                                       (const char(*)[48])w->ch_key);
    if (r < 0)
        return r; /* the rows taken are lost with the failed commit; the totals are not */
    /* Next time, from the oldest span still open (its end will change). */
    size_t first_open = n_spans;
    for (size_t i = w->spans_from; i < n_spans; i++)
        if (spans[i].end_ns == INT64_MAX) {
            first_open = i;
            break;
        }
    w->spans_from = first_open;
    w->marks_stored = n_marks;
    /* An agent: the rows of ended jobs are in the store now and free their places (phases.h),
     * so a months-long run keeps taking new jobs' phases. Each device's intervals follow one
     * another, so none reaches back before the earliest of their latest ends: the closed
     * phases before it are final. A run never releases rows (its output stays as it was). */
    if (w->jobs) {
        int64_t oldest = 0;
        for (int d = 0; d < AIM_PHASE_DEVICES; d++)
            if (w->acct_t1[d] && (!oldest || w->acct_t1[d] < oldest))
                oldest = w->acct_t1[d];
        if (oldest)
            aim__phases_prune(w->phases, oldest);
        aim__phases_release(w->phases, w->spans_from);
    }
    return 0;
}
