/* Numbers from the workload (issue 5): counters (tokens, samples, requests: each record adds)
 * and gauges (loss, accuracy, latency: each record is the value now), per key, with running
 * statistics and the rows still to be stored. Pure bookkeeping for the writer thread; all
 * memory is allocated by aim__records_new. */
#ifndef AIM_RECORDS_H
#define AIM_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "model/control_proto.h"

#define AIM_RECORD_KEYS 64
/* A record figure at or beyond this magnitude is the edge of the double range, where "no value
 * yet" sentinels (±DBL_MAX, ±1e308) live: reports show it as n/a, never as a number. */
#define AIM_RECORD_SENTINEL 1e308

typedef struct aim_record_key {
    char key[AIM_CONTROL_KEY_MAX + 1];
    aim_record_kind kind;   /* fixed by the first record of the key */
    uint64_t count;         /* records */
    double total;           /* counters: the sum; gauges: the sum too (mean = total / count) */
    double last, min, max;
    int64_t first_t_ns, last_t_ns;
} aim_record_key;

/* One stored point: counters as the running total after the record, gauges as the value. */
typedef struct aim_record_row {
    int key;
    int64_t t_ns;
    double value;
} aim_record_row;

typedef struct aim_records aim_records;

/* max_rows: points kept for the store between two aim__records_take_rows calls. */
int aim__records_new(size_t max_rows, aim_records **ret);
void aim__records_free(aim_records *r);

/* Adds a record; returns the key's index, -ENOSPC past AIM_RECORD_KEYS keys (counted),
 * -EINVAL for a bad key or a non-finite value. A record whose kind differs from the key's
 * first one is refused (-EINVAL, counted): a key is one or the other for a whole run. */
int aim__records_add(aim_records *r, int64_t t_ns, const char *key, double value,
                    aim_record_kind kind);

size_t aim__records_keys(const aim_records *r, const aim_record_key **ret);
/* The rows added since the last call (oldest first), and forgets them. Rows past max_rows
 * are not kept (counted) but the statistics still include them. */
size_t aim__records_take_rows(aim_records *r, const aim_record_row **ret);
uint64_t aim__records_dropped(const aim_records *r);

#endif
