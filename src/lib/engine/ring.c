#include "engine/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct aim_ring {
    /* head and tail on their own cache lines: the two threads write one each */
    _Alignas(64) atomic_uint_fast64_t head; /* next slot to write (producer) */
    _Alignas(64) atomic_uint_fast64_t tail; /* next slot to read (consumer) */
    _Alignas(64) atomic_uint_fast64_t dropped;
    uint64_t mask;
    int width;
    int64_t *t;
    double *values;
    uint8_t *valid;
};

int aim__ring_new(int capacity, int width, aim_ring **ret) {
    if (capacity < 1 || width < 0)
        return -EINVAL;
    uint64_t cap = 1;
    while (cap < (uint64_t)capacity)
        cap <<= 1;
    aim_ring *r = aligned_alloc(64, sizeof *r);
    if (!r)
        return -ENOMEM;
    memset(r, 0, sizeof *r);
    size_t w = width > 0 ? (size_t)width : 1;
    r->t = calloc(cap, sizeof *r->t);
    r->values = calloc(cap * w, sizeof *r->values);
    r->valid = calloc(cap * w, 1);
    if (!r->t || !r->values || !r->valid) {
        aim__ring_free(r);
        return -ENOMEM;
    }
    r->mask = cap - 1;
    r->width = width;
    *ret = r;
    return 0;
}

void aim__ring_free(aim_ring *r) {
    if (!r)
        return;
    free(r->t);
    free(r->values);
    free(r->valid);
    free(r);
}

int aim__ring_push(aim_ring *r, const aim_frame *f) {
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail > r->mask) {
        atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
        return -ENOBUFS;
    }
    uint64_t i = head & r->mask;
    size_t w = (size_t)r->width;
    r->t[i] = f->t_ns;
    memcpy(r->values + i * w, f->values, w * sizeof *f->values);
    memcpy(r->valid + i * w, f->valid, w);
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 0;
}

int aim__ring_pop(aim_ring *r, aim_frame *out) {
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (tail == head)
        return 0;
    uint64_t i = tail & r->mask;
    size_t w = (size_t)r->width;
    out->t_ns = r->t[i];
    memcpy(out->values, r->values + i * w, w * sizeof *out->values);
    memcpy(out->valid, r->valid + i * w, w);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return 1;
}

int aim__ring_peek_t(const aim_ring *r, int64_t *ret_t) {
    aim_ring *m = (aim_ring *)r; /* atomics are loaded through a non-const pointer */
    uint64_t tail = atomic_load_explicit(&m->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&m->head, memory_order_acquire);
    if (tail == head)
        return 0;
    *ret_t = r->t[tail & r->mask];
    return 1;
}

uint64_t aim__ring_dropped(const aim_ring *r) {
    return atomic_load_explicit(&((aim_ring *)r)->dropped, memory_order_relaxed);
}
