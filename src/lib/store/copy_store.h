/* Copying a run from one store to another (`aimeter push`, docs/store.md "Moving runs
 * between stores"), idempotently: a run copied twice, or again after a copy that was cut
 * off, is in the destination once, row for row. The spooling writer reuses it to upload a
 * run that is still growing: each call copies only the chunks the destination lacks.
 * Both stores must be SQL stores (store/sql/sql_store.h); either back-end on either side. */
#ifndef AIM_COPY_STORE_H
#define AIM_COPY_STORE_H

#include <stdint.h>

#include "store/db.h"

/* What one copy did. */
typedef struct aim_copy_stats {
    int64_t rows;           /* rows written besides chunks: the run's row, devices, series,
                               phases, marks, records, tags, steps, correlations, ... */
    int64_t chunks_written; /* chunks of samples the destination lacked (or held in another
                               version: a retention rewrote them since) */
    int64_t chunks_present; /* chunks already there, the same: left alone */
    int64_t chunks_removed; /* destination chunks the source no longer has (a retention pruned
                               them), removed */
    int running;            /* the run was still being recorded: what it had committed then
                               was copied */
} aim_copy_stats;

/* Keep the destination's chunks that the source no longer has (a spool that drops the
 * chunks it has uploaded) instead of removing them. */
#define AIM_COPY_KEEP_EXTRA 1u

/* Copies run_id from `from` into `to` in one transaction of `to` (its own: not inside a
 * begin/commit of the caller's), reading `from` in one snapshot: the run's row is inserted or updated, each other table with a run_id column
 * (devices, series, steps, phases, marks, records, tags, correlations, ...) is replaced by
 * the source's rows, and the chunks of samples are copied by their key (run, group, seq):
 * only those the destination lacks or holds in another version; with no flag, those it has
 * but the source no longer has are removed, so that the destination equals the source. The
 * tables and columns are the stores' own (read from their catalogues when copying), so a
 * column a later migration adds is copied without a change here. The metric rows the run's
 * series name are added to the destination when it lacks them.
 * 0 and *ret (may be NULL), or -errno with to's message saying why (naming the store):
 * -ENOENT no such run in `from`, -EPROTO the destination's schema lacks a table or column
 * the source has (the stores' schemas differ), -EOPNOTSUPP a store that is not an SQL store,
 * -EINVAL, -ENOMEM, or the engines' errors (-EBUSY, -ECONNREFUSED, -EROFS, -EIO, ...). */
int aim__store_copy_run(aim_db *from, aim_db *to, const char *run_id, unsigned flags,
                        aim_copy_stats *ret);

#endif
