/* Workload records (records.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/records.h"
#include "util/pages.h"

struct aim_records {
    aim_record_key keys[AIM_RECORD_KEYS];
    int n_keys;
    aim_record_row *rows;
    size_t n_rows, max_rows;
    uint64_t dropped;
};

int aim__records_new(size_t max_rows, aim_records **ret) {
    aim_records *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->max_rows = max_rows;
    r->rows = aim__pages_alloc(max_rows, sizeof *r->rows);
    if (!r->rows) {
        free(r);
        return -ENOMEM;
    }
    *ret = r;
    return 0;
}

void aim__records_free(aim_records *r) {
    if (!r)
        return;
    aim__pages_free(r->rows, r->max_rows, sizeof *r->rows);
    free(r);
}

static int key_of(aim_records *r, const char *key, aim_record_kind kind) {
    for (int i = 0; i < r->n_keys; i++)
        if (strcmp(r->keys[i].key, key) == 0)
            return r->keys[i].kind == kind ? i : -EINVAL;
    if (r->n_keys == AIM_RECORD_KEYS)
        return -ENOSPC;
    aim_record_key *k = &r->keys[r->n_keys];
    memset(k, 0, sizeof *k);
    strcpy(k->key, key); /* valid keys fit: aim__record_key_valid checked the length */
    k->kind = kind;
    k->min = INFINITY;
    k->max = -INFINITY;
    return r->n_keys++;
}

int aim__records_add(aim_records *r, int64_t t_ns, const char *key, double value,
                    aim_record_kind kind) {
    if (!aim__record_key_valid(key) || !isfinite(value))
        return -EINVAL;
    int i = key_of(r, key, kind);
    if (i < 0) {
        r->dropped++;
        return i;
    }
    aim_record_key *k = &r->keys[i];
    if (k->count++ == 0)
        k->first_t_ns = t_ns;
    k->last_t_ns = t_ns;
    k->total += value;
    k->last = value;
    if (value < k->min)
        k->min = value;
    if (value > k->max)
        k->max = value;
    if (r->n_rows < r->max_rows)
        r->rows[r->n_rows++] = (aim_record_row){ i, t_ns, kind == AIM_RECORD_COUNTER ? k->total
                                                                                    : value };
    else
        r->dropped++;
    return i;
}

size_t aim__records_keys(const aim_records *r, const aim_record_key **ret) {
    *ret = r->keys;
    return (size_t)r->n_keys;
}

size_t aim__records_take_rows(aim_records *r, const aim_record_row **ret) {
    *ret = r->rows;
    size_t n = r->n_rows;
    r->n_rows = 0; /* the caller copies them out before the next add (same thread) */
    return n;
}

uint64_t aim__records_dropped(const aim_records *r) { return r->dropped; }
