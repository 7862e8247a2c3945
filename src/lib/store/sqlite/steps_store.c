/* Replacing a run's stored step series (steps_store.h). */
#include "store/steps_store.h"

#include <errno.h>
#include <sqlite3.h>

#include "store/sqlite/sqlite_store.h"

int sq_steps_replace(aim_db *db, const char *run_id, int which,
                         const aim_intensity_point *points, size_t n) {
    sqlite3 *h = aim__db_sqlite(db);
    if (!h || !run_id || (n && !points))
        return -EINVAL;
    sqlite3_stmt *del = NULL;
    int rc = sqlite3_prepare_v2(h, which ? "DELETE FROM run_price WHERE run_id = ?1"
                                         : "DELETE FROM run_intensity WHERE run_id = ?1",
                                -1, &del, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(del, 1, run_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(del);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        int err = rc == SQLITE_NOMEM ? -ENOMEM : (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO;
        aim__db_set_error(db, err, "cannot replace the %s series: %s", which ? "price" : "intensity",
                         sqlite3_errmsg(h));
        sqlite3_finalize(del);
        return err;
    }
    sqlite3_finalize(del);
    return aim__db_steps_insert(db, run_id, which, points, n);
}
