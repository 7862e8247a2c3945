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
    int64_t chunks_kept;    /* AIM_COPY_KEEP_EXTRA: destination chunks the source no longer
                               has, or has in another version, left as they are */
    int running;            /* the run was still being recorded: what it had committed then
                               was copied */
    uint64_t fingerprint;   /* AIM_COPY_FINGERPRINT: the source's run as the copy read it, for
                               aim__store_drop_run_if */
} aim_copy_stats;

/* Keep the destination's chunks that the source no longer has (a retention pruned them, a
 * spool dropped the chunks it uploaded) or has in another version under the same key (a
 * retention downsampled them: the destination's raw samples are worth more), instead of
 * removing or replacing them. Without it the destination is made equal to the source
 * (`aimeter push --mirror`). */
#define AIM_COPY_KEEP_EXTRA 1u

/* Also read the source run's fingerprint (aim__store_run_fingerprint) in the copy's snapshot
 * into stats.fingerprint: what was copied, so that the spool deletes only that. */
#define AIM_COPY_FINGERPRINT 2u

/* Copies run_id from `from` into `to` in one transaction of `to` (its own: not inside a
 * begin/commit of the caller's), reading `from` in one snapshot: the run's row is inserted or updated, each other table with a run_id column
 * (devices, series, steps, phases, marks, records, tags, correlations, ...) is replaced by
 * the source's rows, and the chunks of samples are copied by their key (run, group, seq):
 * only those the destination lacks, and with no flag those it holds in another version; with
 * no flag, those it has but the source no longer has are removed, so that the destination
 * equals the source (AIM_COPY_KEEP_EXTRA keeps them). The
 * tables and columns are the stores' own (read from their catalogues when copying), so a
 * column a later migration adds is copied without a change here. The metric rows the run's
 * series name are added to the destination when it lacks them.
 * 0 and *ret (may be NULL), or -errno with to's message saying why (naming the store):
 * -ENOENT no such run in `from`, -EEXIST the destination has another run under that id (its
 * host or start time differ: ids are unique per store only; nothing is written), -EPROTO
 * the destination's schema lacks a table or column
 * the source has (the stores' schemas differ), -EOPNOTSUPP a store that is not an SQL store,
 * -EINVAL, -ENOMEM, or the engines' errors (-EBUSY, -ECONNREFUSED, -EROFS, -EIO, ...). */
int aim__store_copy_run(aim_db *from, aim_db *to, const char *run_id, unsigned flags,
                        aim_copy_stats *ret);

/* Removes run_id and every row of it from db, in one transaction: the spool's clean-up once
 * a run that ended is uploaded (docs/store.md, "When the server is unreachable: the spool").
 * 0 (also when there was no such run), or -errno with db's message. */
int aim__store_drop_run(aim_db *db, const char *run_id);

/* A hash of every row of run_id in db (the run's row and every per-run table's rows, each
 * column's value, and its chunks' keys, times, ticks and sizes): another commit to the run
 * (a chunk, a warning, a correlation, a re-priced carbon) changes it. 0, -errno (db's
 * message). Rows are hashed as a set (their order is the engine's). */
int aim__store_run_fingerprint(aim_db *db, const char *run_id, uint64_t *ret);

/* aim__store_drop_run, only when the run is still what was copied: its fingerprint, read in
 * the drop's own write transaction (nothing else can commit to the store meanwhile:
 * SQLite's write lock; PostgreSQL's serializable isolation), equals `copied` (the copy's
 * stats.fingerprint, AIM_COPY_FINGERPRINT). -ESTALE, nothing removed, when something was
 * written to the run since the copy read it: copy it again first. The uploader's clean-up
 * of the spool (docs/store.md, "When the server is unreachable: the spool"). */
int aim__store_drop_run_if(aim_db *db, const char *run_id, uint64_t copied);

/* Gives run_id the id new_id in db, in one transaction: its row and every row of each
 * per-run table (the tables read from the catalogue, as the copy reads them). The uploader's
 * answer to a run id the server holds for another run (docs/store.md, "When the server is
 * unreachable: the spool"): the spooled run is uploaded under a new id. 0, or -errno with
 * db's message: -ENOENT no such run, -EEXIST new_id is taken in db. */
int aim__store_rename_run(aim_db *db, const char *run_id, const char *new_id);

/* Where a server store's runs are spooled when no --spool is given: $STATE_DIRECTORY/spool.db
 * (systemd's StateDirectory=), else $XDG_DATA_HOME/aimeter/spool.db, else
 * ~/.local/share/aimeter/spool.db. Caller frees. -ENOENT (no home), -ENOMEM. */
int aim__default_spool_path(char **ret_path);

#endif
