/* The SQLite back-end's table of operations (store/store.h): its own open, the shared SQL
 * operations for the rest (store/sql/sql_store.h). */
#include "store/sqlite/sqlite_store.h"

const aim_store_ops aim_sqlite_store_ops = {
    .name = "sqlite",
    .open = sq_open,
    AIM_SQL_STORE_OPS
};
