/* Sample chunks: the on-disk encoding of one rate group's ticks over about a second.
 *
 * A chunk holds n ticks of one group (the same series every tick). Timestamps are stored
 * as delta-of-delta zigzag varints in nanoseconds relative to the run's monotonic start;
 * each series is a column of values quantised to the metric's resolution (lossless at the
 * resolution the metric is measured at), delta-encoded for gauges and delta-of-delta for
 * counters, with a validity bitmap only when some value is missing. A column whose values
 * cannot be quantised (non-finite, or beyond 2^53 steps) is stored as raw doubles.
 * docs/store.md documents the byte layout. */
#ifndef AIM_CODEC_H
#define AIM_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "model/device.h"

typedef struct aim_chunk_column {
    double resolution;   /* > 0 */
    int counter;         /* 1: delta-of-delta, 0: delta */
} aim_chunk_column;

typedef struct aim_chunk_encoder aim_chunk_encoder;

/* Allocates an encoder for n_series columns holding up to max_ticks ticks (all memory is
 * allocated here; add() never allocates). -ENOMEM, -EINVAL. */
/* A value as a chunk stores it: rounded to the nearest multiple of resolution (the value
 * itself when it is too large to quantise, as the encoder then keeps raw doubles). The
 * writer integrates power through this, so a replay of the stored chunks (aimeter whatif)
 * gives the very same energy. */
double aim__codec_quantise(double value, double resolution);

int aim__chunk_encoder_new(int n_series, const aim_chunk_column *columns, int max_ticks,
                          aim_chunk_encoder **ret);
void aim__chunk_encoder_free(aim_chunk_encoder *e);

/* Appends one tick (frame->count must equal n_series; t_rel_ns is relative to the run
 * start). -ENOSPC when full: finish() first. */
int aim__chunk_encoder_add(aim_chunk_encoder *e, int64_t t_rel_ns, const double *values,
                          const uint8_t *valid);
int aim__chunk_encoder_ticks(const aim_chunk_encoder *e);
int64_t aim__chunk_encoder_first_t(const aim_chunk_encoder *e);
int64_t aim__chunk_encoder_last_t(const aim_chunk_encoder *e);

/* Encodes the buffered ticks into an internal buffer (borrowed until the next call) and
 * empties the encoder. */
int aim__chunk_encoder_finish(aim_chunk_encoder *e, const uint8_t **ret_blob, size_t *ret_len);

/* Each chunk's summary, computed by finish() from the values as the decoder will return
 * them (quantised; raw doubles as given), so that a reader can use it instead of decoding
 * the chunk and get the very same numbers (api/serve_api_series.c). Per column: */
typedef struct aim_chunk_col_summary {
    int count;                 /* valid samples */
    int dirty;                 /* 1: some tick invalid or some value non-finite (then only
                                  count is kept: a reader decodes such a chunk) */
    int64_t t[2];              /* the first two valid samples (count of them kept) */
    double v[2];
    int64_t t_min, t_max;      /* the minimum and maximum, each at its first occurrence */
    double v_min, v_max;
} aim_chunk_col_summary;

typedef struct aim_chunk_summary {
    int n_series;
    int n_ticks;
    int64_t t_first, t_last;   /* the chunk's first and last tick */
} aim_chunk_summary;

/* The summary of the chunk the last finish() encoded, as bytes (docs/store.md), borrowed
 * until the next finish(): a buffer allocated by encoder_new, so this never allocates. */
void aim__chunk_encoder_summary(const aim_chunk_encoder *e, const uint8_t **ret_blob,
                                size_t *ret_len);

/* Reads a summary written by the above, with the chunk's columns (values are stored as its
 * quanta): 0, or -EBADMSG when it is damaged, of another version, or not of n_series
 * columns. cols has n_series entries. */
int aim__chunk_summary_decode(const uint8_t *blob, size_t len, int n_series,
                              const aim_chunk_column *columns, aim_chunk_summary *ret,
                              aim_chunk_col_summary *cols);

/* Decodes a chunk; calls fn once per tick in order. Returns 0, -EBADMSG on a corrupt or
 * truncated blob (fn may have been called for the ticks before the damage), or fn's
 * negative return. values/valid point to n_series entries, valid only during the call. */
typedef int (*aim_chunk_tick_fn)(int64_t t_rel_ns, const double *values, const uint8_t *valid,
                                 void *userdata);
int aim__chunk_decode(const uint8_t *blob, size_t len, int n_series,
                     const aim_chunk_column *columns, aim_chunk_tick_fn fn, void *userdata);

#endif
