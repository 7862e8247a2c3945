/* Store internals shared by the files of store/ (not by the engine or the report). */
#ifndef AIM_DB_INTERNAL_H
#define AIM_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* Iterates one group's chunks in seq order with a statement of its own, so several
 * iterators (one per group, for the CSV export's merge) can be live on one aim_db. */
typedef struct aim_db_chunk_iter aim_db_chunk_iter;

int aim_db_chunk_iter_new(aim_db *db, const char *run_id, int group, aim_db_chunk_iter **ret);
/* 1 and a blob borrowed until the next call, 0 at the end, or -errno (db errmsg set).
 * ret_seq may be NULL. */
int aim_db_chunk_iter_next(aim_db_chunk_iter *it, const uint8_t **ret_blob, size_t *ret_len,
                           int64_t *ret_seq);
void aim_db_chunk_iter_free(aim_db_chunk_iter *it);

/* Sum of n_ticks over the group's chunks (0 when it has none). */
int aim_db_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks);

/* Sets the aim_db's error message (printf-style) and returns err, for callers in store/
 * that detect a problem above SQLite (a corrupt chunk during export). */
int aim_db_set_error(aim_db *db, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replaces SQLite's "not an error" (the reason of a later call that succeeded) in msg by
 * the text of err, a negative errno. Used by both set_error functions. */
void aim_db_fix_reason(char *msg, size_t size, int err);

/* The SQLite handle, for store/ files with queries of their own (corr_store.c). */
struct sqlite3;
struct sqlite3 *aim_db_sqlite(aim_db *db);

/* Sets the public handle's error message (store/public.c), for aim_export_csv. */
struct aim_store;
void aim_store_set_error(struct aim_store *store, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
