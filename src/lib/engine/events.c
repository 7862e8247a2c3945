/* The workload-event queue (events.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "engine/events.h"
#include "util/pages.h"

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int aim__events_init(aim_events *q, size_t cap) {
    q->buf = aim__pages_alloc(cap, sizeof *q->buf);
    if (!q->buf)
        return -ENOMEM;
    q->cap = cap ? cap : 1;
    q->head = q->count = 0;
    q->dropped = 0;
    pthread_mutex_init(&q->lock, NULL);
    return 0;
}

void aim__events_destroy(aim_events *q) {
    if (!q->buf)
        return;
    pthread_mutex_destroy(&q->lock);
    aim__pages_free(q->buf, q->cap, sizeof *q->buf);
    q->buf = NULL;
}

int aim__events_push(aim_events *q, const aim_control_msg *msg, int64_t *ret_t) {
    pthread_mutex_lock(&q->lock);
    int64_t t = mono_ns();
    int r = 0;
    if (q->count == q->cap) {
        q->dropped++;
        r = -ENOBUFS;
    } else {
        aim_event *e = &q->buf[(q->head + q->count++) % q->cap];
        e->t_ns = t;
        e->msg = *msg;
    }
    pthread_mutex_unlock(&q->lock);
    if (ret_t)
        *ret_t = t;
    return r;
}

size_t aim__events_drain(aim_events *q, aim_event *out, size_t max, int64_t *ret_snapshot) {
    pthread_mutex_lock(&q->lock);
    size_t n = q->count < max ? q->count : max;
    for (size_t i = 0; i < n; i++)
        out[i] = q->buf[(q->head + i) % q->cap];
    q->head = (q->head + n) % q->cap;
    q->count -= n;
    /* With events left (max reached), the snapshot is just before the first of them. */
    *ret_snapshot = q->count ? q->buf[q->head].t_ns - 1 : mono_ns();
    pthread_mutex_unlock(&q->lock);
    return n;
}

uint64_t aim__events_dropped(aim_events *q) {
    pthread_mutex_lock(&q->lock);
    uint64_t d = q->dropped;
    pthread_mutex_unlock(&q->lock);
    return d;
}
