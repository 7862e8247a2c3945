/* The streaming min/max decimation (decimate.h). */
#include "processing/decimate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

void aim__decimator_init(aim_decimator *d, double x0, double x1, size_t buckets) {
    memset(d, 0, sizeof *d);
    d->x0 = x0;
    d->x1 = x1 > x0 ? x1 : x0;
    d->buckets = buckets ? buckets : 1;
    d->bucket = -1;
}

void aim__decimator_free(aim_decimator *d) {
    if (!d)
        return;
    free(d->t);
    free(d->v);
    d->t = d->v = NULL;
    d->n = d->cap = 0;
}

static void emit(aim_decimator *d, double t, double v) {
    if (d->err)
        return;
    if (d->n == d->cap) {
        /* Times and values side by side: both grow to the one new capacity. */
        size_t cap = aim__array_next_cap(d->cap, d->n + 1, 256);
        if (cap == 0 || aim__array_resize(&d->t, cap, sizeof *d->t) < 0 ||
            aim__array_resize(&d->v, cap, sizeof *d->v) < 0) {
            d->err = -ENOMEM;
            return;
        }
        d->cap = cap;
    }
    d->t[d->n] = t;
    d->v[d->n] = v;
    d->n++;
}

/* The open segment's points: as they came, or its extremes in time order. */
static void flush_seg(aim_decimator *d) {
    aim_decimate_seg *s = &d->seg;
    if (s->count <= 2) {
        for (size_t k = 0; k < s->count; k++)
            emit(d, s->t[k], s->v[k]);
    } else {
        if (s->count > d->per_bucket)
            d->per_bucket = s->count;
        if (s->t_min == s->t_max && s->v_min == s->v_max)   /* one sample: a flat bucket */
            emit(d, s->t_min, s->v_min);
        else if (s->t_min <= s->t_max) {
            emit(d, s->t_min, s->v_min);
            emit(d, s->t_max, s->v_max);
        } else {
            emit(d, s->t_max, s->v_max);
            emit(d, s->t_min, s->v_min);
        }
    }
    s->count = 0;
}

static void close_bucket(aim_decimator *d) {
    flush_seg(d);
    if (d->pending)
        emit(d, d->pending_t, NAN);
    d->pending = 0;
    d->gaps_here = 0;
}

long aim__decimator_bucket(const aim_decimator *d, double t) {
    if (!(t >= d->x0 && t <= d->x1))
        return -1;
    double span = d->x1 - d->x0;
    if (!(span > 0))
        return 0;
    long idx = (long)((t - d->x0) / span * (double)d->buckets);
    if (idx < 0)
        idx = 0;
    if ((size_t)idx >= d->buckets)
        idx = (long)d->buckets - 1;
    return idx;
}

int aim__decimator_push(aim_decimator *d, double t, double value, int valid) {
    if (d->err)
        return d->err;
    if (!(t >= d->x0 && t <= d->x1))
        return 0;
    long idx = aim__decimator_bucket(d, t);
    if (idx != d->bucket) {
        close_bucket(d);
        d->bucket = idx;
    }
    if (!valid || !isfinite(value)) {
        /* one break is enough, and a line cannot start with one */
        if (d->in_gap || d->samples == 0)
            return d->err;
        d->in_gap = 1;
        if (d->gaps_here == 0) {
            flush_seg(d);
            emit(d, t, NAN);
            d->gaps_here = 1;
        } else {
            d->pending = 1;
            d->pending_t = t;
        }
        return d->err;
    }
    d->in_gap = 0;
    d->pending = 0;
    d->samples++;
    aim_decimate_seg *s = &d->seg;
    if (s->count < 2) {
        s->t[s->count] = t;
        s->v[s->count] = value;
    }
    if (s->count == 0 || value < s->v_min) {
        s->v_min = value;
        s->t_min = t;
    }
    if (s->count == 0 || value > s->v_max) {
        s->v_max = value;
        s->t_max = t;
    }
    s->count++;
    return 0;
}

int aim__decimator_push_run(aim_decimator *d, const aim_decimate_run *run) {
    if (d->err)
        return d->err;
    long idx = aim__decimator_bucket(d, run->t[0]);
    /* the bucket is monotonic in t: every sample between lies in the same one */
    if (run->count == 0 || idx < 0 || aim__decimator_bucket(d, run->t_last) != idx)
        return 0;
    if (idx != d->bucket) {
        close_bucket(d);
        d->bucket = idx;
    }
    /* what push() does for each valid sample, folded */
    d->in_gap = 0;
    d->pending = 0;
    d->samples += run->count;
    aim_decimate_seg *s = &d->seg;
    for (size_t k = 0; s->count + k < 2 && k < run->count; k++) {
        s->t[s->count + k] = run->t[k];
        s->v[s->count + k] = run->v[k];
    }
    if (s->count == 0 || run->v_min < s->v_min) {
        s->v_min = run->v_min;
        s->t_min = run->t_min;
    }
    if (s->count == 0 || run->v_max > s->v_max) {
        s->v_max = run->v_max;
        s->t_max = run->t_max;
    }
    s->count += run->count;
    return 1;
}

int aim__decimator_finish(aim_decimator *d) {
    close_bucket(d);
    return d->err;
}
