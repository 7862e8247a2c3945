/* Replacing a run's stored step series (steps_store.h). */
#include "store/steps_store.h"

#include <errno.h>

#include "store/sql/sql_store.h"

int sql_steps_replace(aim_db *db, const char *run_id, int which,
                      const aim_intensity_point *points, size_t n) {
    aim_sql *c = aim__db_sql(db);
    if (!c || !run_id || (n && !points))
        return -EINVAL;
    aim_sql_stmt *del = NULL;
    int rc = aim__sql_prepare(c, which ? "DELETE FROM run_price WHERE run_id = ?1"
                                       : "DELETE FROM run_intensity WHERE run_id = ?1", &del);
    if (rc == 0) {
        aim__sql_bind_text(del, 1, run_id);
        rc = aim__sql_step(del);
    }
    aim__sql_finalize(del);
    if (rc != 0) {
        int err = rc == -ENOMEM || rc == -EBUSY ? rc : -EIO;
        return aim__db_set_error(db, err, "cannot replace the %s series: %s",
                                 which ? "price" : "intensity", aim__sql_errmsg(c));
    }
    return aim__db_steps_insert(db, run_id, which, points, n);
}
