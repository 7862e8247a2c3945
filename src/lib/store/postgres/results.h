/* How the PostgreSQL driver (driver.c) takes a statement's result: a SELECT's in binary, read
 * by each column's type, every other statement's as text. This switch makes every result
 * text, as the driver took them before, so that a test or a bench can compare the two on one
 * connection (tests/unit/test_pg_driver.c, bench/bench_pg_layout.c). Seen by store/, tests
 * and benches alone. */
#ifndef AIM_STORE_PG_RESULTS_H
#define AIM_STORE_PG_RESULTS_H

#include "store/sql/sql.h"

/* on 1: every result of c as text from its next statement; 0: binary where the driver reads
 * it (the default). c must be a PostgreSQL connection (aim__pg_connect). */
void aim__pg_text_results(aim_sql *c, int on);

/* 1 when st's current result (a row stepped to) came in binary, else 0. */
int aim__pg_result_binary(aim_sql_stmt *st);

#endif
