/* The one min/max decimation of aimeter's charts (aimeter plot, the HTML report): a series'
 * samples, pushed in time order, reduced as they come to at most a few points per bucket of
 * a window known beforehand, so that a run of any length is drawn from bounded memory and its
 * peaks survive. No I/O.
 *
 * The window [x0, x1] is cut into `buckets` equal buckets (x1 in the last one; every sample
 * in bucket 0 when x1 == x0). Within a bucket the samples between two gaps form a segment:
 *   - a segment of at most 2 samples is kept as it is (lossless);
 *   - a longer one becomes its minimum and maximum, in the order they came (one point when
 *     they are one sample: a flat segment), and the most samples one segment stood for is reported;
 *   - a gap (an invalid or non-finite value) ends the segment and is kept as a NaN point
 *     that breaks the line; consecutive gaps are one break and a line does not start with
 *     one. Only a bucket's first gap splits it: a later gap inside the same bucket, followed
 *     by a sample in that bucket, is folded into the bucket's second segment (it would not
 *     show at one bucket per pixel, and it keeps the output bounded). A gap still open when
 *     the bucket ends is kept.
 * So a bucket gives at most 2 points without a gap, and at most 6 (two segments and two
 * breaks) with one: the output is bounded by 6 x buckets whatever the number of samples. */
#ifndef AIM_PROCESSING_DECIMATE_H
#define AIM_PROCESSING_DECIMATE_H

#include <stddef.h>

/* The samples of the bucket's open segment. */
typedef struct aim_decimate_seg {
    size_t count;
    double t[2], v[2];              /* its first two samples, as they came */
    double t_min, v_min, t_max, v_max;
} aim_decimate_seg;

typedef struct aim_decimator {
    double x0, x1;
    size_t buckets;
    /* out, after aim__decimator_finish: the points (t ascending; v NaN at a break) */
    double *t, *v;
    size_t n, cap;
    size_t samples;                 /* valid samples pushed inside the window */
    size_t per_bucket;              /* 0: every sample kept; else the most samples one
                                       segment's min/max stands for */
    /* state */
    long bucket;                    /* the current bucket, -1 before the first sample */
    int gaps_here;                  /* breaks already made in the current bucket */
    int pending;                    /* a later gap of this bucket, not yet followed by a sample */
    double pending_t;
    int in_gap;                     /* the latest entry was a gap */
    int err;                        /* -ENOMEM, kept until finish */
    aim_decimate_seg seg;
} aim_decimator;

/* An empty decimator over [x0, x1] (x1 >= x0) with buckets buckets (at least 1). */
void aim__decimator_init(aim_decimator *d, double x0, double x1, size_t buckets);
/* One sample at t (s); samples come in time order. Outside the window it is ignored.
 * valid 0 or a non-finite value is a gap. 0 or -ENOMEM (and every later call fails too). */
int aim__decimator_push(aim_decimator *d, double t, double value, int valid);
/* A run of count >= 1 valid, finite samples in time order from t[0] to t_last, given by its
 * first two samples (t[1], v[1] meaningful when count > 1) and its minimum and maximum each
 * at its first occurrence: a stored chunk's summary (store/codec.h). */
typedef struct aim_decimate_run {
    size_t count;
    double t[2], v[2];
    double t_min, v_min, t_max, v_max;
    double t_last;
} aim_decimate_run;
/* Pushes such a run at once when it lies in one bucket of the window: the decimator is then
 * exactly as pushing its samples one by one would leave it. 1 when merged, 0 when not (the
 * run spans buckets or leaves the window, or is empty: push its samples instead), -ENOMEM. */
int aim__decimator_push_run(aim_decimator *d, const aim_decimate_run *run);
/* The bucket t falls in (0 to buckets - 1), or -1 outside the window: for a curve cut in
 * the same buckets. */
long aim__decimator_bucket(const aim_decimator *d, double t);
/* Closes the last bucket: t, v, n and per_bucket are final. 0 or -ENOMEM. */
int aim__decimator_finish(aim_decimator *d);
/* Frees the points (t and v may have been taken: set them to NULL first). */
void aim__decimator_free(aim_decimator *d);

#endif
