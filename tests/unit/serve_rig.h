/* Helpers for unit tests (and bench/bench_serve_api) that call the serve API's handlers as
 * the HTTP server calls them, without a socket: the request's query is a table. */
#ifndef AIM_TEST_SERVE_RIG_H
#define AIM_TEST_SERVE_RIG_H

#include <stddef.h>

#include "serve/http_server.h"

/* The golden store's SQL (tests/fixtures/store/golden.sql); only tests define the dir. */
#define SERVE_RIG_GOLDEN_SQL AIM_FIXTURES_DIR "/store/golden.sql"

/* A request's query: key, value, ..., NULL (kv NULL: no query). */
typedef struct serve_rig_query { const char *const *kv; } serve_rig_query;

/* method path?kv as the server hands it to a handler; *q holds kv and must outlive the
 * request. The caller sets any other field (body, headers) on the result. */
aim_http_request serve_rig_request(serve_rig_query *q, const char *method, const char *path,
                                   const char *const *kv);

/* Runs the SQL script sql_path on the SQLite database db_path (created if missing):
 * 0, or -1 with the reason on stderr. */
int serve_rig_exec_file(const char *db_path, const char *sql_path);

/* A temporary directory made from the mkdtemp template dir, holding the database g.db (its
 * path in db_path, size bytes) that the SQL script sql_path made: 0, or -1. */
int serve_rig_temp_db(char *dir, char *db_path, size_t size, const char *sql_path);

/* Removes what serve_rig_temp_db made (the database with its -wal and -shm, then dir). */
void serve_rig_remove_db(const char *dir, const char *db_path);

#endif
