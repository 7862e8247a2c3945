/* The writer's un-committed chunks: a ring of copies, bounded in bytes (chunk_backlog.h). */
#include "engine/chunk_backlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void aim__chunk_backlog_init(aim_chunk_backlog *b, size_t max_bytes) {
    memset(b, 0, sizeof *b);
    b->max_bytes = max_bytes ? max_bytes : AIM_BACKLOG_DEFAULT_BYTES;
}

static aim_backlog_chunk *slot(const aim_chunk_backlog *b, size_t i) {
    return &b->items[(b->head + i) % b->cap];
}

static void drop_oldest(aim_chunk_backlog *b) {
    aim_backlog_chunk *c = slot(b, 0);
    b->dropped_ticks[c->group] += (uint64_t)c->n_ticks;
    b->dropped_chunks++;
    b->bytes -= c->len + c->summary_len;
    free(c->blob);
    c->blob = NULL;
    b->head = (b->head + 1) % b->cap;
    b->n--;
}

static int grow(aim_chunk_backlog *b) {
    size_t cap = b->cap ? b->cap * 2 : 16;
    aim_backlog_chunk *items = malloc(cap * sizeof *items);
    if (!items)
        return -ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        items[i] = *slot(b, i);
    free(b->items);
    b->items = items;
    b->cap = cap;
    b->head = 0;
    return 0;
}

int aim__chunk_backlog_push(aim_chunk_backlog *b, int group, int64_t seq, int64_t t_first_ns,
                           int64_t t_last_ns, int n_ticks, const uint8_t *blob, size_t len,
                           const uint8_t *summary, size_t summary_len) {
    if (group < 0 || group >= AIM_BACKLOG_GROUPS)
        return -EINVAL;
    if (!summary)
        summary_len = 0;
    int dropped = 0;
    while (b->n && b->bytes + len + summary_len > b->max_bytes) {
        drop_oldest(b);
        dropped++;
    }
    /* one allocation: the summary right after the blob */
    uint8_t *copy = malloc(len + summary_len ? len + summary_len : 1);
    if (!copy || (b->n == b->cap && grow(b) < 0)) {
        free(copy);
        b->dropped_ticks[group] += (uint64_t)n_ticks;
        b->dropped_chunks++;
        return -ENOMEM;
    }
    if (len)
        memcpy(copy, blob, len);
    if (summary_len)
        memcpy(copy + len, summary, summary_len);
    *slot(b, b->n) = (aim_backlog_chunk){ group, seq, t_first_ns, t_last_ns, n_ticks, copy, len,
                                          summary ? copy + len : NULL, summary_len };
    b->n++;
    b->bytes += len + summary_len;
    return dropped;
}

const aim_backlog_chunk *aim__chunk_backlog_at(const aim_chunk_backlog *b, size_t i) {
    return i < b->n ? slot(b, i) : NULL;
}

size_t aim__chunk_backlog_count(const aim_chunk_backlog *b) { return b->n; }

uint64_t aim__chunk_backlog_ticks(const aim_chunk_backlog *b, int group) {
    uint64_t t = 0;
    for (size_t i = 0; i < b->n; i++)
        if (slot(b, i)->group == group)
            t += (uint64_t)slot(b, i)->n_ticks;
    return t;
}

void aim__chunk_backlog_clear(aim_chunk_backlog *b) {
    for (size_t i = 0; i < b->n; i++)
        free(slot(b, i)->blob);
    b->n = 0;
    b->head = 0;
    b->bytes = 0;
}

void aim__chunk_backlog_free(aim_chunk_backlog *b) {
    if (!b)
        return;
    aim__chunk_backlog_clear(b);
    free(b->items);
    b->items = NULL;
    b->cap = 0;
}
