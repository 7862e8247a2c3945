/* The sampler thread of one rate group: poll every source of the group at absolute
 * deadlines on CLOCK_MONOTONIC and push the frame to the ring. Nothing here allocates,
 * logs or touches the store; a failing source is only flagged for the writer to report. */
#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

#include "engine/session_internal.h"

int64_t aim__mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t aim__wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

aim_session *aim__group_session(aim_group *g) {
    /* groups[] is embedded in the session: step back to its start */
    aim_group *first = g - g->index;
    return (aim_session *)((char *)first - offsetof(aim_session, groups));
}

static void poll_group(aim_session *s, aim_group *g, int64_t now) {
    aim__frame_reset(g->frame, now);
    for (int i = 0; i < g->n_sources; i++) {
        int src = g->sources[i];
        aim_source_slot *slot = &s->slots[src];
        if (atomic_load_explicit(&slot->dropped, memory_order_relaxed))
            continue;
        int r = aim_sources[src]->poll(slot->state, g->frame);
        if (r == -ENODEV || r == -EIO || r == -ENOENT || r == -EACCES) {
            atomic_store(&slot->drop_error, r);
            atomic_store(&slot->drop_t_ns, now - s->start_mono_ns);
            atomic_store(&slot->dropped, 1);
        }
    }
    aim__ring_push(g->ring, g->frame);
    atomic_fetch_add_explicit(&g->ticks, 1, memory_order_relaxed);
}

static int sleep_until(aim_session *s, int64_t deadline) {
    struct timespec ts = { .tv_sec = deadline / 1000000000, .tv_nsec = deadline % 1000000000 };
    pthread_mutex_lock(&s->lock);
    int stop = atomic_load(&s->stopping);
    while (!stop) {
        int r = pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        stop = atomic_load(&s->stopping);
        if (r == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->lock);
    return stop;
}

void aim__sampler_first_tick(aim_group *g) {
    aim_session *s = aim__group_session(g);
    int64_t now = aim__mono_ns();
    poll_group(s, g, now);
    g->first_poll_ns = now;
}

void *aim__sampler_main(void *arg) {
    aim_group *g = arg;
    aim_session *s = aim__group_session(g);
    /* The default 50 µs timer slack would be most of our jitter budget. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    /* A group whose first tick start() took goes on from that tick's deadline. */
    int64_t deadline = g->first_poll_ns ? g->first_poll_ns : aim__mono_ns();
    for (int polled = g->first_poll_ns != 0;; polled = 0) {
        if (!polled) {
            int64_t woke = aim__mono_ns();
            aim__jitter_add(&g->jitter, woke - deadline);
            poll_group(s, g, woke);
        }
        uint64_t missed;
        deadline = aim__schedule_next(deadline, g->interval_ns, aim__mono_ns(), &missed);
        if (missed)
            atomic_fetch_add_explicit(&g->missed, missed, memory_order_relaxed);
        if (sleep_until(s, deadline))
            break;
    }
    /* One last poll at stop, so counters cover the run to its end. */
    poll_group(s, g, aim__mono_ns());
    return NULL;
}
