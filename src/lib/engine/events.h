/* Workload events on their way to the writer: phase begin/end, marks and records from the C
 * API (any thread) and from the control socket (its thread). A bounded multi-producer queue
 * under a mutex: producers are the workload's own calls, a few per second to a few thousand,
 * never the sampler. Each event is stamped on the sample clock (CLOCK_MONOTONIC) while the
 * lock is held, so the writer's drain can say "every event up to t is in": any event pushed
 * after aim__events_drain returned carries a time after its snapshot. */
#ifndef AIM_EVENTS_H
#define AIM_EVENTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "model/control_proto.h"

typedef struct aim_event {
    int64_t t_ns;
    aim_control_msg msg;
} aim_event;

typedef struct aim_events {
    pthread_mutex_t lock;
    aim_event *buf;   /* ring of cap entries */
    size_t cap, head, count;
    uint64_t dropped; /* pushed while full */
} aim_events;

int aim__events_init(aim_events *q, size_t cap);
void aim__events_destroy(aim_events *q);

/* Stamps msg with the current time and queues it; returns that time through ret_t (may be
 * NULL). -ENOBUFS when the queue is full (counted). */
int aim__events_push(aim_events *q, const aim_control_msg *msg, int64_t *ret_t);

/* Moves up to max queued events into out, oldest first, and sets *ret_snapshot to a time such
 * that every event stamped at or before it has been returned (by this call or an earlier
 * one). Returns how many were moved. */
size_t aim__events_drain(aim_events *q, aim_event *out, size_t max, int64_t *ret_snapshot);

uint64_t aim__events_dropped(aim_events *q);

#endif
