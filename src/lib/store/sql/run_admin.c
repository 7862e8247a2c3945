/* store/run_admin.h over the SQL both back-ends share; the space and VACUUM are SQLite's
 * alone (its dialect is asked). */
#include "store/run_admin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/sql_store.h"
#include "util/array.h"

#define S(db) AIM_SQL_STORE(db)

static const char dependents_sql[] =
    "SELECT id FROM runs WHERE idle_run_id = ?1 AND id <> ?1 "
    "ORDER BY start_wall_ns DESC, id DESC";

int aim__store_idle_dependents(aim_db *db, const char *run_id, char (**ret)[40], size_t *ret_n) {
    aim_sql *c = aim__db_sql(db);
    if (!c || !run_id || !ret || !ret_n)
        return -EINVAL;
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, dependents_sql, &st);
    if (r < 0)
        return aim__sql_store_fail(db, r, "cannot read the idle baselines");
    aim__sql_bind_text(st, 1, run_id);
    char (*ids)[40] = NULL;
    size_t n = 0, cap = 0;
    while ((r = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(ids, cap, n + 1, 8) < 0) {
            r = -ENOMEM;
            break;
        }
        aim__sql_column_text_copy(st, 0, ids[n], sizeof ids[n]);
        n++;
    }
    if (r < 0) {
        r = r == -ENOMEM ? aim__db_set_error(db, r, "%s: out of memory", S(db)->path)
                         : aim__sql_store_fail(db, r, "cannot read the idle baselines");
        aim__sql_finalize(st);
        free(ids);
        return r;
    }
    aim__sql_finalize(st);
    *ret = ids;
    *ret_n = n;
    return 0;
}

int aim__store_host_is_here(aim_db *db, const char *host) {
    return db && db->impl && host && S(db)->host[0] && strcmp(S(db)->host, host) == 0;
}

/* One PRAGMA's integer. */
static int pragma_int(aim_db *db, const char *sql, int64_t *ret) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(aim__db_sql(db), sql, &st);
    if (r == 0 && (r = aim__sql_step(st)) == 1) {
        *ret = aim__sql_column_int64(st, 0);
        r = 0;
    } else if (r == 0) {
        r = -EIO;
    }
    aim__sql_finalize(st);
    return r < 0 ? aim__sql_store_fail(db, r, "cannot read the store's size") : 0;
}

int aim__store_space(aim_db *db, aim_store_space *ret) {
    aim_sql *c = aim__db_sql(db);
    if (!c || !ret)
        return -EINVAL;
    if (aim__sql_dialect(c) != AIM_SQL_SQLITE)
        return aim__db_set_error(db, -EOPNOTSUPP, "%s: a server's store: its server reclaims "
                                 "the space (autovacuum)", S(db)->path);
    int64_t pages = 0, free_pages = 0, page_size = 0;
    int r = pragma_int(db, "PRAGMA page_count", &pages);
    if (r == 0)
        r = pragma_int(db, "PRAGMA freelist_count", &free_pages);
    if (r == 0)
        r = pragma_int(db, "PRAGMA page_size", &page_size);
    if (r < 0)
        return r;
    ret->size_bytes = pages * page_size;
    ret->free_bytes = free_pages * page_size;
    return 0;
}

int aim__store_vacuum(aim_db *db) {
    aim_sql *c = aim__db_sql(db);
    if (!c)
        return -EINVAL;
    if (aim__sql_dialect(c) != AIM_SQL_SQLITE)
        return aim__db_set_error(db, -EOPNOTSUPP, "%s: a server's store: its server reclaims "
                                 "the space (autovacuum)", S(db)->path);
    if (aim__sql_in_transaction(c))
        return aim__db_set_error(db, -EINVAL, "%s: VACUUM inside a transaction", S(db)->path);
    int r = aim__sql_exec(c, "VACUUM");
    if (r < 0)
        return aim__sql_store_fail(db, r, "cannot reclaim the free space (VACUUM)");
    /* In WAL mode VACUUM writes the new file through the -wal: the checkpoint moves it into
     * place and empties the -wal (a reader still open keeps part of it until it ends). */
    r = aim__sql_exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
    return r < 0 ? aim__sql_store_fail(db, r, "cannot checkpoint after VACUUM") : 0;
}
