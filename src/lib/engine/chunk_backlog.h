/* Encoded chunks that no commit has stored yet (issue 11): the writer keeps them, in time
 * order, until a commit succeeds, so a store that refuses writes for a while (a full disk)
 * loses nothing once it accepts them again. Memory is bounded: past max_bytes the oldest
 * chunks are dropped and their ticks counted per group. Writer thread only. */
#ifndef AIM_CHUNK_BACKLOG_H
#define AIM_CHUNK_BACKLOG_H

#include <stddef.h>
#include <stdint.h>

#define AIM_BACKLOG_GROUPS 8
/* 64 MiB: at 10 ms sampling a chunk of one second is a few kB, so hours of a failing store. */
#define AIM_BACKLOG_DEFAULT_BYTES ((size_t)64 << 20)

typedef struct aim_backlog_chunk {
    int group;
    int64_t seq, t_first_ns, t_last_ns;
    int n_ticks;
    uint8_t *blob;
    size_t len;
    const uint8_t *summary;       /* its summary (codec.h), in blob's allocation; NULL: none */
    size_t summary_len;
} aim_backlog_chunk;

typedef struct aim_chunk_backlog {
    aim_backlog_chunk *items;     /* [head, head + n) in time order */
    size_t head, n, cap;
    size_t bytes, max_bytes;
    uint64_t dropped_ticks[AIM_BACKLOG_GROUPS]; /* per group, since init */
    uint64_t dropped_chunks;
} aim_chunk_backlog;

/* max_bytes 0: AIM_BACKLOG_DEFAULT_BYTES. */
void aim__chunk_backlog_init(aim_chunk_backlog *b, size_t max_bytes);
void aim__chunk_backlog_free(aim_chunk_backlog *b);

/* Copies the blob and its summary (summary may be NULL; the encoder's buffers are reused)
 * and appends them, first dropping the oldest
 * chunks while the total would exceed the bound (the newest is always kept). Returns the
 * number of chunks dropped (>= 0), or -ENOMEM (the chunk is then dropped and counted) or
 * -EINVAL (group out of range). */
int aim__chunk_backlog_push(aim_chunk_backlog *b, int group, int64_t seq, int64_t t_first_ns,
                           int64_t t_last_ns, int n_ticks, const uint8_t *blob, size_t len,
                           const uint8_t *summary, size_t summary_len);

/* The i-th chunk held (0: the oldest), borrowed until the next push or clear. */
const aim_backlog_chunk *aim__chunk_backlog_at(const aim_chunk_backlog *b, size_t i);
size_t aim__chunk_backlog_count(const aim_chunk_backlog *b);
/* Ticks of `group` held. */
uint64_t aim__chunk_backlog_ticks(const aim_chunk_backlog *b, int group);

/* After a successful commit: every chunk held is stored; frees them. */
void aim__chunk_backlog_clear(aim_chunk_backlog *b);

#endif
