/* What `aimeter rm` and `aimeter gc` ask of a store beyond reading and writing runs
 * (store/sql/run_admin.c; both back-ends): which runs lean on another, whether a run's
 * writer could be checked from here, and the space a file store holds. Removing a run is
 * aim__store_drop_run (store/copy_store.h). Internal. */
#ifndef AIM_STORE_RUN_ADMIN_H
#define AIM_STORE_RUN_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* The runs whose idle baseline is run_id (runs.idle_run_id: their reports subtract its
 * power), newest first; *ret NULL when none, else freed by the caller. -EIO, -ENOMEM (db's
 * message set). */
int aim__store_idle_dependents(aim_db *db, const char *run_id, char (**ret)[40], size_t *ret_n);

/* 1 when host (a run's stored host) is the machine this process runs on: its writer's pid
 * can be checked here (aim_run_summary.stale says it is gone); 0 when it is another's. */
int aim__store_host_is_here(aim_db *db, const char *host);

/* A file store's size and the part of it that is free pages (what VACUUM gives back):
 * SQLite's page_count and freelist_count times page_size, its -wal file not counted.
 * -EOPNOTSUPP on a server's store (PostgreSQL reclaims space itself: autovacuum), -EIO. */
typedef struct aim_store_space {
    int64_t size_bytes;
    int64_t free_bytes;
} aim_store_space;
int aim__store_space(aim_db *db, aim_store_space *ret);

/* Gives a file store's free pages back to the file system: SQLite's VACUUM (a rewrite of
 * the whole file, under the write lock: as long as a copy of it takes), then a checkpoint
 * that empties the -wal file. Outside any transaction. -EOPNOTSUPP on a server's store,
 * -EBUSY (a writer held the store beyond the busy timeout), -ENOSPC, -EIO; db's message. */
int aim__store_vacuum(aim_db *db);

#endif
