/* Helpers for unit tests that build synthetic stores. */
#ifndef AIM_TEST_STORE_RIG_H
#define AIM_TEST_STORE_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* Encodes ticks (values v[tick * n + i], validity ok likewise or NULL for all valid) into one
 * chunk and stores it as chunk seq of the group; fails the test on any error. */
void store_rig_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                     const aim_chunk_column *cols, int ticks, const int64_t *t, const double *v,
                     const uint8_t *ok);

/* The store tests run on both back-ends (meson suite 'store', docs/testing.md): on SQLite by
 * default, on PostgreSQL when AIMETER_TEST_PG_DIR names the directory of a server that
 * tests/tools/pg_tmp.sh started (run-tests.sh's "postgres" pass). 1 on PostgreSQL. */
int store_rig_pg(void);

/* A new store's location for aim__db_open/aim_store_open: the file dir/name (not created) on
 * SQLite; on PostgreSQL the URL of a fresh, empty database made for it (name only tells the
 * databases apart in a failure's message). Fails the test when it cannot make one. */
void store_rig_location(char *buf, size_t size, const char *dir, const char *name);

/* The first column of the first row of sql, run on the store at location by the back-end's
 * own client (sqlite3, psql), outside aimeter: a check that does not trust the store code. */
int64_t store_rig_sql_int(const char *location, const char *sql);
/* Runs sql (statements without results) on the store at location, outside aimeter. */
void store_rig_sql_exec(const char *location, const char *sql);

/* The same on the SQLite file at path whatever back-end the suite runs on (a copy's source
 * is always a file). */
int64_t store_rig_sqlite_int(const char *path, const char *sql);
void store_rig_sqlite_exec(const char *path, const char *sql);

/* aim__db_open of location; fails the test, with the store's message, when it cannot. */
aim_db *store_rig_open(const char *location, int readonly);

/* A fresh directory /tmp/PREFIX_XXXXXX into dir (size bytes), and its removal with all it
 * holds: the bodies of a cmocka setup and teardown (0, or -1 on failure). */
int store_rig_mkdtemp(char *dir, size_t size, const char *prefix);
int store_rig_rmtree(const char *dir);

/* A test about files (parent directories, SQLite headers, a foreign file, the default path)
 * has nothing to test on PostgreSQL: it says so and is skipped there. */
#define STORE_RIG_FILES_ONLY(why)                                                           \
    do {                                                                                    \
        if (store_rig_pg()) {                                                               \
            print_message("skipped on PostgreSQL: %s\n", why);                              \
            skip();                                                                         \
        }                                                                                   \
    } while (0)

#endif
