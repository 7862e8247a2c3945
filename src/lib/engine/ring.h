/* A bounded single-producer single-consumer ring of sample frames. The sampler thread
 * pushes (a memcpy into a preallocated slot, never blocking: a full ring drops the tick and
 * counts it); the writer thread pops. All memory is allocated by aim__ring_new. */
#ifndef AIM_RING_H
#define AIM_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "sources/source.h"

typedef struct aim_ring aim_ring;

/* capacity is rounded up to a power of two; width = values per frame. */
int aim__ring_new(int capacity, int width, aim_ring **ret);
void aim__ring_free(aim_ring *r);

/* Producer: copies the frame in. Returns 0, or -ENOBUFS when full (the tick is dropped). */
int aim__ring_push(aim_ring *r, const aim_frame *f);

/* Consumer: copies the oldest frame into *out (out->count == width). 1 if one was popped,
 * 0 when empty. */
int aim__ring_pop(aim_ring *r, aim_frame *out);

/* Consumer: the time of the oldest frame, without popping it. 1 if there is one, 0 when empty. */
int aim__ring_peek_t(const aim_ring *r, int64_t *ret_t);

uint64_t aim__ring_dropped(const aim_ring *r);

#endif
