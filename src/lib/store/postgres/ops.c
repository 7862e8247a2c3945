/* The PostgreSQL back-end's table (store/store.h): its own open, the shared SQL operations
 * for the rest (store/sql/sql_store.h). */
#include "store/postgres/pg.h"
#include "store/sql/sql_store.h"

const aim_store_ops aim_postgres_store_ops = {
    .name = "postgresql",
    .open = aim__pg_open,
    AIM_SQL_STORE_OPS,
    .cancel = aim__pg_store_cancel,
    .statement_timeout = aim__pg_store_statement_timeout,
};
