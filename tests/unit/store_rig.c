/* Synthetic stores for unit tests (store_rig.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_rig.h"

void store_rig_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                     const aim_chunk_column *cols, int ticks, const int64_t *t, const double *v,
                     const uint8_t *ok) {
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(n, cols, ticks, &e), 0);
    for (int i = 0; i < ticks; i++)
        assert_int_equal(aim__chunk_encoder_add(e, t[i], v + i * n, ok ? ok + i * n : NULL), 0);
    int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    const uint8_t *sum; /* with its summary, as the writer stores it */
    size_t sum_len;
    aim__chunk_encoder_summary(e, &sum, &sum_len);
    assert_int_equal(aim__db_chunk_insert_summary(db, run_id, group, seq, first, last, ticks, blob,
                                                  len, sum, sum_len), 0);
    aim__chunk_encoder_free(e);
}

static const char *pg_dir(void) {
    const char *d = getenv("AIMETER_TEST_PG_DIR");
    return d && *d ? d : NULL;
}

int store_rig_pg(void) {
    return pg_dir() != NULL;
}

/* Runs cmd (a shell command line) and returns its first line of output in out; fails the
 * test when it exits non-zero. */
static void command_line(const char *cmd, char *out, size_t size) {
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run %s", cmd);
    out[0] = '\0';
    if (!fgets(out, (int)size, p))
        out[0] = '\0';
    char rest[256];
    while (fgets(rest, sizeof rest, p)) /* the rest, so that the command is not cut off */
        ;
    int status = pclose(p);
    if (status != 0)
        fail_msg("%s: exit status %d", cmd, status);
    out[strcspn(out, "\n")] = '\0';
}

void store_rig_location(char *buf, size_t size, const char *dir, const char *name) {
    if (!store_rig_pg()) {
        snprintf(buf, size, "%s/%s", dir, name);
        return;
    }
    /* Unique over the test programs meson runs at once and over every run on this server:
     * the pid and a count (database names: 63 bytes, lower case). */
    static int count;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "bash '%s/../tools/pg_tmp.sh' createdb '%s' u%ld_%d",
             AIM_FIXTURES_DIR, pg_dir(), (long)getpid(), ++count);
    command_line(cmd, buf, size);
    if (strncmp(buf, "postgresql://", 13) != 0)
        fail_msg("no database for %s: pg_tmp.sh printed '%s'", name, buf);
}

/* psql's command line for sql on the database at url: no psqlrc, unaligned, tuples only,
 * stop at the first error. The SQL goes through a file: no shell quoting of its text. */
static void psql(const char *url, const char *sql, char *out, size_t size) {
    char file[] = "/tmp/aim_store_rig_XXXXXX";
    int fd = mkstemp(file);
    if (fd < 0 || write(fd, sql, strlen(sql)) != (ssize_t)strlen(sql))
        fail_msg("cannot write %s", file);
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "psql -X -q -A -t -v ON_ERROR_STOP=1 -d '%s' -f '%s'", url, file);
    command_line(cmd, out, size);
    unlink(file);
}

int64_t store_rig_sqlite_int(const char *path, const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

void store_rig_sqlite_exec(const char *path, const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

aim_db *store_rig_open(const char *location, int readonly) {
    char err[512];
    aim_db *db = NULL;
    int r = aim__db_open(location, readonly, &db, err, sizeof err);
    if (r < 0)
        fail_msg("aim__db_open(%s): %d %s", location, r, err);
    return db;
}

int store_rig_mkdtemp(char *dir, size_t size, const char *prefix) {
    snprintf(dir, size, "/tmp/%s_XXXXXX", prefix);
    return mkdtemp(dir) ? 0 : -1;
}

int store_rig_rmtree(const char *dir) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int64_t store_rig_sql_int(const char *location, const char *sql) {
    if (store_rig_pg()) {
        char out[64];
        psql(location, sql, out, sizeof out);
        return strtoll(out, NULL, 10);
    }
    return store_rig_sqlite_int(location, sql);
}

void store_rig_sql_exec(const char *location, const char *sql) {
    if (store_rig_pg()) {
        char out[64];
        psql(location, sql, out, sizeof out);
        return;
    }
    store_rig_sqlite_exec(location, sql);
}
