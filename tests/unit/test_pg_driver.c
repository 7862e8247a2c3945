/* The PostgreSQL driver (store/postgres/driver.c) and open (postgres.c) against a real server:
 * the one AIMETER_TEST_PG_URL names (tests/tools/pg_tmp.sh start DIR prints one). Without it
 * the tests that need no server run and the program exits 77 (skipped), saying why. Each
 * test works in a schema of its own (search_path in the URL's options). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "store/postgres/pg.h"
#include "store/postgres/placeholders.h"
#include "store/postgres/results.h"
#include "store/sql/sql.h"
#include "store/sql/sql_store.h"
#include "store/store.h"

static const char *base_url;

/* The schemas made, dropped at the end: NAME_PID, so that two runs of this program on one
 * server (two builds) do not meet. */
static char made[32][64];
static int n_made;

/* The server's URL with search_path set to a new, empty schema for name. */
static void schema_url(char *buf, size_t size, const char *name) {
    char schema[64];
    snprintf(schema, sizeof schema, "%s_%ld", name, (long)getpid());
    snprintf(buf, size, "%s%coptions=-csearch_path%%3D%s", base_url,
             strchr(base_url, '?') ? '&' : '?', schema);
    aim_sql *c = NULL;
    char err[512];
    assert_int_equal(aim__pg_connect(base_url, &c, err, sizeof err), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    assert_int_equal(aim__sql_exec(c, sql), 0);
    aim__sql_close(c);
    if (n_made < 32)
        snprintf(made[n_made++], sizeof made[0], "%s", schema);
}

static void drop_schemas(void) {
    aim_sql *c = NULL;
    char err[512], sql[128];
    if (aim__pg_connect(base_url, &c, err, sizeof err) < 0)
        return;
    for (int i = 0; i < n_made; i++) {
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %.63s CASCADE", made[i]);
        aim__sql_exec(c, sql);
    }
    aim__sql_close(c);
}

static aim_sql *connect_schema(const char *schema) {
    char url[1024], err[512];
    schema_url(url, sizeof url, schema);
    aim_sql *c = NULL;
    int r = aim__pg_connect(url, &c, err, sizeof err);
    if (r < 0)
        fail_msg("%s", err);
    return c;
}

static aim_sql_stmt *prep(aim_sql *c, const char *sql) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, sql, &st);
    if (r < 0)
        fail_msg("%s: %s", sql, aim__sql_errmsg(c));
    return st;
}

/* Runs ins, an INSERT of one BIGINT ?1, for k. */
static void insert_k(aim_sql_stmt *ins, int64_t k) {
    assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
    assert_int_equal(aim__sql_step(ins), 0);
    aim__sql_reset(ins);
}

/* ------------------------------------------------------------------ without a server */

static void placeholders_outside_quotes(void **state) {
    (void)state;
    char *out;
    int n;
    assert_int_equal(aim__pg_placeholders("SELECT '?1', \"a?\", ?2, ? -- ?3\n"
                                          "/* ? /* ?9 */ ? */ ?1, 'it''s ?', ?10", &out, &n), 0);
    assert_string_equal(out, "SELECT '?1', \"a?\", $2, $3 -- ?3\n"
                             "/* ? /* ?9 */ ? */ $1, 'it''s ?', $10");
    assert_int_equal(n, 10);
    free(out);
    /* A bare ? after ?N takes the next number, as SQLite numbers it. */
    assert_int_equal(aim__pg_placeholders("?5 ? ?2 ?", &out, &n), 0);
    assert_string_equal(out, "$5 $6 $2 $7");
    assert_int_equal(n, 7);
    free(out);
    assert_int_equal(aim__pg_placeholders("x = ?0", &out, &n), -EINVAL);
    assert_int_equal(aim__pg_placeholders("x = ?65536", &out, &n), -EINVAL);
    assert_int_equal(aim__pg_placeholders("x = ?99999999999999999999", &out, &n), -EINVAL);
    /* An open quote runs to the end, untouched. */
    assert_int_equal(aim__pg_placeholders("'?", &out, &n), 0);
    assert_string_equal(out, "'?");
    assert_int_equal(n, 0);
    free(out);
}

static void password_in_url_refused_before_connecting(void **state) {
    (void)state;
    char err[512];
    aim_sql *c = NULL;
    /* No server there: a refusal after trying to connect would say "cannot connect". */
    const char *urls[] = { "postgresql://u:s3cret@/db?host=/nonexistent-h3",
                           "postgres:///db?host=/nonexistent-h3&password=s3cret",
                           "postgres:///db?host=/nonexistent-h3&sslpassword=s3cret" };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(aim__pg_connect(urls[i], &c, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, i < 2 ? "~/.pgpass" : "sslpassword"));
        assert_null(strstr(err, "s3cret"));
        aim_db *db = NULL;
        assert_int_equal(aim__db_open(urls[i], 1, &db, err, sizeof err), -EINVAL);
        assert_null(strstr(err, "s3cret"));
    }
}

static void schemes_name_postgres(void **state) {
    (void)state;
    const aim_store_ops *ops = NULL;
    const char *path = NULL;
    char err[256];
    const char *url = "postgres://h/db?sslmode=require";
    assert_int_equal(aim__store_backend_for(url, &ops, &path, err, sizeof err), 0);
    assert_ptr_equal(ops, &aim_postgres_store_ops);
    assert_ptr_equal(path, url);   /* the whole URL, not its path part */
    assert_int_equal(aim__store_backend_for("postgresql://u@/d", &ops, &path, err, sizeof err), 0);
    assert_ptr_equal(ops, &aim_postgres_store_ops);
    assert_int_equal(aim__store_backend_for("mysql://x/y", &ops, &path, err, sizeof err),
                     -EPROTONOSUPPORT);
    assert_non_null(strstr(err, "postgresql://"));
    /* No "//": still a file name, as before. */
    assert_int_equal(aim__store_backend_for("postgres:old.db", &ops, &path, err, sizeof err), 0);
    assert_ptr_equal(ops, &aim_sqlite_store_ops);
}

static void unreachable_server_is_econnrefused(void **state) {
    (void)state;
    char err[512];
    aim_sql *c = NULL;
    const char *url = "postgresql://u@/db?host=/nonexistent-h3";
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), -ECONNREFUSED);
    assert_non_null(strstr(err, url));   /* messages name the URL */
    assert_null(strchr(err, '\n'));
}

/* ------------------------------------------------------------------ with a server */

static void placeholders_on_the_server(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_ph");
    aim_sql_stmt *st = prep(c, "SELECT ?2, '?1' || ?1, ?2 + 1, ? ");
    assert_int_equal(aim__sql_bind_text(st, 1, "a"), 0);
    assert_int_equal(aim__sql_bind_int64(st, 2, 41), 0);
    assert_int_equal(aim__sql_bind_text(st, 3, "bare"), 0);
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__sql_column_int64(st, 0), 41);
    assert_string_equal(aim__sql_column_text(st, 1), "?1a");
    assert_int_equal(aim__sql_column_int64(st, 2), 42);
    assert_string_equal(aim__sql_column_text(st, 3), "bare");
    assert_int_equal(aim__sql_step(st), 0);
    /* A parameter the statement lacks. */
    assert_int_equal(aim__sql_bind_int64(st, 4, 1), -ERANGE);
    aim__sql_finalize(st);
    aim__sql_close(c);
}

static void types_round_trip(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_types");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, i BIGINT, "
                                      "d DOUBLE PRECISION, s TEXT, b BYTEA)"), 0);
    static const int64_t ints[] = { INT64_MIN, INT64_MAX, 0, -1, 1700000000123456789 };
    static const double dbls[] = { 0.1, -1e300, 5e-324, DBL_MAX, 1.0 / 3, -0.0 };
    const char text[] = "naïve 'quoted' \"x\" ?1 tail";
    const unsigned char blob[] = { 0, 1, 0, 255, '\\', 'x', 0 };
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k, i, d, s, b) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (int k = 0; k < 6; k++) {
        assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
        if (k < 5)
            assert_int_equal(aim__sql_bind_int64(ins, 2, ints[k]), 0);
        else
            assert_int_equal(aim__sql_bind_null(ins, 2), 0);
        assert_int_equal(aim__sql_bind_double(ins, 3, dbls[k]), 0);
        /* A length shorter than the text: no NUL after it is needed. */
        assert_int_equal(aim__sql_bind_text_len(ins, 4, text, k == 1 ? 5 : SIZE_MAX), 0);
        assert_int_equal(aim__sql_bind_blob(ins, 5, k == 2 ? (const void *)"" : blob,
                                            k == 2 ? 0 : sizeof blob), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        assert_int_equal(aim__sql_changes(c), 1);
        aim__sql_reset(ins);
    }
    /* Infinities, and NaN as NULL (sql.c), and NULLs of every type. */
    static const double specials[] = { INFINITY, -INFINITY, NAN };
    for (int k = 0; k < 3; k++) {
        assert_int_equal(aim__sql_bind_int64(ins, 1, 10 + k), 0);
        assert_int_equal(aim__sql_bind_null(ins, 2), 0);
        assert_int_equal(aim__sql_bind_double(ins, 3, specials[k]), 0);
        assert_int_equal(aim__sql_bind_text(ins, 4, NULL), 0);
        assert_int_equal(aim__sql_bind_blob(ins, 5, NULL, 0), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    aim__sql_finalize(ins);

    aim_sql_stmt *sel = prep(c, "SELECT k, i, d, s, b FROM t ORDER BY k");
    for (int k = 0; k < 6; k++) {
        assert_int_equal(aim__sql_step(sel), 1);
        assert_int_equal(aim__sql_column_int64(sel, 0), k);
        if (k < 5)
            assert_int_equal(aim__sql_column_int64(sel, 1), ints[k]);
        else
            assert_true(aim__sql_column_is_null(sel, 1));
        double d = aim__sql_column_double(sel, 2);
        assert_memory_equal(&d, &dbls[k], sizeof d);   /* bit for bit, -0.0 too */
        assert_string_equal(aim__sql_column_text(sel, 3), k == 1 ? "naïv" : text);
        size_t len = 99;
        const void *b = aim__sql_column_blob(sel, 4, &len);
        assert_non_null(b);   /* an empty blob is not NULL */
        assert_int_equal(len, k == 2 ? 0 : sizeof blob);
        if (len)
            assert_memory_equal(b, blob, len);
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(aim__sql_step(sel), 1);
        double d = aim__sql_column_double(sel, 2);
        if (k < 2)
            assert_true(isinf(d) && (d > 0) == (k == 0));
        else
            assert_true(isnan(d) && aim__sql_column_is_null(sel, 2));
        assert_null(aim__sql_column_text(sel, 3));
        size_t len = 99;
        assert_null(aim__sql_column_blob(sel, 4, &len));
        assert_int_equal(len, 0);
        assert_int_equal(aim__sql_column_int64(sel, 1), 0);
    }
    assert_int_equal(aim__sql_step(sel), 0);
    /* Stepped to its end, it runs again. */
    assert_int_equal(aim__sql_step(sel), 1);
    assert_int_equal(aim__sql_column_int64(sel, 0), 0);
    aim__sql_finalize(sel);
    aim__sql_close(c);
}

static void booleans_and_numeric_results(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_bool");
    aim_sql_stmt *st = prep(c, "SELECT true, false, 1 < 2, sum(v), avg(v), count(*), "
                               "sum(v)::numeric * 1.5 FROM (VALUES (1::bigint), (2), "
                               "(9223372036854775806)) AS x(v)");
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__sql_column_int64(st, 0), 1);
    assert_int_equal(aim__sql_column_int64(st, 1), 0);
    assert_int_equal(aim__sql_column_int(st, 2), 1);
    /* sum() of BIGINT is numeric: beyond int64 here, read as the nearest end. */
    assert_int_equal(aim__sql_column_int64(st, 3), INT64_MAX);
    assert_true(aim__sql_column_double(st, 4) > 3.07e18);
    assert_int_equal(aim__sql_column_int64(st, 5), 3);
    aim__sql_finalize(st);
    st = prep(c, "SELECT sum(v), avg(v), avg(v)::double precision FROM (VALUES (1::bigint), "
                 "(2)) AS x(v)");
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__sql_column_int64(st, 0), 3);
    assert_int_equal(aim__sql_column_int64(st, 1), 1);   /* 1.5000...: the fraction dropped */
    assert_true(aim__sql_column_double(st, 1) == 1.5);
    assert_true(aim__sql_column_double(st, 2) == 1.5);
    aim__sql_finalize(st);
    aim__sql_close(c);
}

static void changes_count_writes_only(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_changes");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, v BIGINT)"), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (1, 0), (2, 0), (3, 1)"), 0);
    assert_int_equal(aim__sql_changes(c), 3);
    aim_sql_stmt *st = prep(c, "UPDATE t SET v = ?1 WHERE v = 0");
    assert_int_equal(aim__sql_bind_int64(st, 1, 5), 0);
    assert_int_equal(aim__sql_step(st), 0);
    assert_int_equal(aim__sql_changes(c), 2);
    aim__sql_finalize(st);
    st = prep(c, "SELECT k FROM t");
    while (aim__sql_step(st) == 1)
        ;
    aim__sql_finalize(st);
    assert_int_equal(aim__sql_changes(c), 2);   /* a SELECT is no write */
    st = prep(c, "INSERT INTO t VALUES (?1, 0) ON CONFLICT (k) DO NOTHING RETURNING k");
    assert_int_equal(aim__sql_bind_int64(st, 1, 1), 0);
    assert_int_equal(aim__sql_step(st), 0);
    assert_int_equal(aim__sql_changes(c), 0);
    assert_int_equal(aim__sql_bind_int64(st, 1, 4), 0);
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__sql_column_int64(st, 0), 4);
    assert_int_equal(aim__sql_step(st), 0);
    assert_int_equal(aim__sql_changes(c), 1);
    aim__sql_finalize(st);
    aim__sql_close(c);
}

static int64_t count_rows(aim_sql *c, const char *sql) {
    aim_sql_stmt *st = prep(c, sql);
    assert_int_equal(aim__sql_step(st), 1);
    int64_t n = aim__sql_column_int64(st, 0);
    aim__sql_finalize(st);
    return n;
}

static void transactions(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_tx");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY)"), 0);
    assert_int_equal(aim__sql_in_transaction(c), 0);
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_in_transaction(c), 1);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (1)"), 0);
    assert_int_equal(aim__sql_rollback(c), 0);
    assert_int_equal(aim__sql_in_transaction(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), 0);
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (1)"), 0);
    assert_int_equal(aim__sql_commit(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), 1);
    /* A failed statement spoils the transaction: its commit fails with that cause and
     * writes nothing. */
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (2)"), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (1)"), -EEXIST);
    assert_int_equal(aim__sql_in_transaction(c), 1);
    assert_int_equal(aim__sql_commit(c), -EEXIST);
    assert_non_null(strstr(aim__sql_errmsg(c), "rolled back"));
    assert_int_equal(aim__sql_in_transaction(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), 1);
    /* A rollback outside a transaction is no error (and prints nothing). */
    assert_int_equal(aim__sql_rollback(c), 0);
    aim__sql_close(c);
}

static void errors_map_to_errno(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_err");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE p (k BIGINT PRIMARY KEY); "
                                      "CREATE TABLE ch (k BIGINT REFERENCES p(k)); "
                                      "INSERT INTO p VALUES (1)"), 0);
    aim_sql_stmt *st = prep(c, "INSERT INTO p VALUES (?1)");
    assert_int_equal(aim__sql_bind_int64(st, 1, 1), 0);
    assert_int_equal(aim__sql_step(st), -EEXIST);
    assert_non_null(strstr(aim__sql_errmsg(c), "duplicate key"));
    assert_null(strchr(aim__sql_errmsg(c), '\n'));
    aim__sql_finalize(st);
    st = prep(c, "INSERT INTO ch VALUES (?1)");
    assert_int_equal(aim__sql_bind_int64(st, 1, 7), 0);
    assert_int_equal(aim__sql_step(st), -ENOENT);
    aim__sql_finalize(st);
    /* A syntax error is found when the statement runs (prepare is local). */
    st = prep(c, "SELEC 1");
    assert_int_equal(aim__sql_step(st), -EIO);
    assert_non_null(strstr(aim__sql_errmsg(c), "syntax error"));
    aim__sql_finalize(st);
    assert_int_equal(aim__sql_exec(c, "SET default_transaction_read_only = on"), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO p VALUES (3)"), -EROFS);
    /* The connection lost under a statement: that statement fails as a lost connection
     * (reconnects: connection_made_again). */
    assert_int_equal(aim__sql_exec(c, "SELECT pg_terminate_backend(pg_backend_pid())"), -ECONNREFUSED);
    aim__sql_close(c);
}

/* A refused start-up has no SQLSTATE: the driver tells the causes apart. */
static void refused_connections(void **state) {
    (void)state;
    char url[1024], err[512];
    aim_sql *c = NULL;
    /* The same server, as a role that does not exist (trust authentication: no password). */
    const char *at = strchr(base_url, '@');
    if (!at || strncmp(base_url, "postgresql://", 13) != 0) {
        skip();
        return;
    }
    snprintf(url, sizeof url, "postgresql://nosuchrole%s", at);
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), -EACCES);
    assert_non_null(strstr(err, "nosuchrole"));
    /* A database that does not exist. */
    const char *slash = strchr(at, '/');
    assert_non_null(slash);
    snprintf(url, sizeof url, "%.*s/nosuchdb%s", (int)(slash - base_url), base_url,
             slash + strcspn(slash, "?"));
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "nosuchdb"));
    assert_null(strchr(err, '\n'));
}

/* Run a third time a statement is prepared on the server; a type that changes prepares it
 * again; one finalized inside a failed transaction is deallocated later. */
static void repeated_statements(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_rep");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, v DOUBLE PRECISION)"),
                     0);
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k, v) VALUES (?1, ?2)");
    for (int k = 0; k < 5; k++) {
        assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
        if (k == 0 || k == 3)
            assert_int_equal(aim__sql_bind_null(ins, 2), 0);
        else if (k == 4)
            assert_int_equal(aim__sql_bind_int64(ins, 2, 7), 0);   /* int into a double */
        else
            assert_int_equal(aim__sql_bind_double(ins, 2, k + 0.5), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    /* Prepared at the third run, again at the fifth (an int64 where a double was): the
     * first waits to be deallocated with the next BEGIN. */
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_prepared_statements"), 2);
    assert_int_equal(count_rows(c, "SELECT sum(v) FROM t"), 11);   /* 1.5 + 2.5 + 7 */
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_exec(c, "SELECT 1/0"), -EIO);
    aim__sql_finalize(ins);   /* the server takes no DEALLOCATE now */
    assert_int_equal(aim__sql_rollback(c), 0);
    /* It goes with the next BEGIN. */
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_prepared_statements"), 0);
    assert_int_equal(aim__sql_rollback(c), 0);
    aim__sql_close(c);
}


/* ------------------------------------------------------------------ text, connections, names */

/* Text that is not UTF-8 (a Latin-1 argument) is stored, each bad sequence as U+FFFD. */
static void invalid_utf8_is_repaired(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_utf8");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, s TEXT)"), 0);
    static const char *const in[] = { "caf\xe9", "ok \xc3\xa9t\xc3\xa9", "\xff\xfe", "a\xc3",
                                      "\xed\xa0\x80x", "" };
    static const char *const out[] = { "caf\xef\xbf\xbd", "ok \xc3\xa9t\xc3\xa9",
                                       "\xef\xbf\xbd\xef\xbf\xbd", "a\xef\xbf\xbd",
                                       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx", "" };
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k, s) VALUES (?1, ?2)");
    for (int k = 0; k < 6; k++) {   /* past PREPARE_AFTER: named and unnamed runs alike */
        assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
        assert_int_equal(aim__sql_bind_text(ins, 2, in[k]), 0);
        if (aim__sql_step(ins) != 0)
            fail_msg("%s", aim__sql_errmsg(c));
        aim__sql_reset(ins);
    }
    /* A NUL inside a length: the text ends there (PostgreSQL's text holds none). */
    assert_int_equal(aim__sql_bind_int64(ins, 1, 6), 0);
    assert_int_equal(aim__sql_bind_text_len(ins, 2, "ab\0\xe9", 4), 0);
    assert_int_equal(aim__sql_step(ins), 0);
    aim__sql_finalize(ins);
    aim_sql_stmt *sel = prep(c, "SELECT s FROM t ORDER BY k");
    for (int k = 0; k < 6; k++) {
        assert_int_equal(aim__sql_step(sel), 1);
        assert_string_equal(aim__sql_column_text(sel, 0), out[k]);
    }
    assert_int_equal(aim__sql_step(sel), 1);
    assert_string_equal(aim__sql_column_text(sel, 0), "ab");
    aim__sql_finalize(sel);
    aim__sql_close(c);
}

/* ------------------------------------------------------------------ binary results */

/* One column of one row as every accessor read it, copied (the pointers die with the row). */
typedef struct read_cell {
    int is_null;
    int64_t i;
    double d;
    char *text;
    unsigned char *blob;
    size_t blob_len;
    int blob_null;
} read_cell;

static read_cell read_all(aim_sql_stmt *st, int col) {
    read_cell r = { 0 };
    r.is_null = aim__sql_column_is_null(st, col);
    r.i = aim__sql_column_int64(st, col);
    r.d = aim__sql_column_double(st, col);
    const char *t = aim__sql_column_text(st, col);
    r.text = t ? strdup(t) : NULL;
    size_t len = 99;
    const void *b = aim__sql_column_blob(st, col, &len);
    r.blob_null = b == NULL;
    r.blob_len = len;
    if (b) {
        r.blob = malloc(len ? len : 1);
        assert_non_null(r.blob);
        memcpy(r.blob, b, len);
    }
    return r;
}

static void free_cell(read_cell *r) {
    free(r->text);
    free(r->blob);
}

/* a and b the same to the bit (NaN equal to NaN, -0.0 not to 0.0). */
static void same_cell(const read_cell *a, const read_cell *b, int row, int col) {
    if (a->is_null != b->is_null || a->i != b->i || (a->text == NULL) != (b->text == NULL) ||
        (a->text && strcmp(a->text, b->text) != 0) || a->blob_null != b->blob_null ||
        a->blob_len != b->blob_len || (a->blob && memcmp(a->blob, b->blob, a->blob_len) != 0) ||
        !(memcmp(&a->d, &b->d, sizeof a->d) == 0 || (isnan(a->d) && isnan(b->d))))
        fail_msg("row %d column %d: text result null %d int %lld double %.17g text \"%.60s\" "
                 "blob %zu; binary null %d int %lld double %.17g text \"%.60s\" blob %zu", row, col,
                 a->is_null, (long long)a->i, a->d, a->text ? a->text : "(null)", a->blob_len,
                 b->is_null, (long long)b->i, b->d, b->text ? b->text : "(null)", b->blob_len);
}

static uint64_t xorshift(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A SELECT's result comes in binary and every accessor reads it as it reads the same result
 * as text (results.h switches that): integers at their ends, doubles to the bit (-0.0, the
 * smallest subnormal, infinities, NaN), numerics of every shape, bytea empty and large and
 * with NULs, text in UTF-8, NULLs of each. */
static void binary_results_read_as_text_ones(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_binary");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE v (k BIGINT PRIMARY KEY, i8 BIGINT, "
                                      "i4 INTEGER, i2 SMALLINT, d DOUBLE PRECISION, n NUMERIC, "
                                      "b BYTEA, t TEXT, vc VARCHAR(64), bo BOOLEAN)"), 0);
    static const int64_t i8s[] = { INT64_MIN, INT64_MAX, 0, -1, 1, 9007199254740993LL,
                                   -9007199254740993LL, 1700000000123456789LL };
    static const int64_t i4s[] = { INT32_MIN, INT32_MAX, 0, -1, 123456 };
    static const int64_t i2s[] = { INT16_MIN, INT16_MAX, 0, -1, 42 };
    static const double ds[] = { 0.1, -0.0, 0.0, DBL_MAX, -DBL_MAX, DBL_MIN, 5e-324, INFINITY,
                                 -INFINITY, 1e15, 1e14, 123456789012345.6, 1e-4, 1e-5, 1.0 / 3,
                                 9007199254740992.0, -2.5, 1e21, 0.5, 0 /* NaN, below */ };
    enum { NAN_ROW = 19 };
    static const char *const ns[] = {
        "0", "-0.5", "1.5", "12345678901234567890.123456789", "0.00000000000000000001", "NaN",
        "Infinity", "-Infinity", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "123.4500", "10000", "0.0001", "100000000", "-1e-3",
        "3.14159265358979323846264338327950288419716939937510", "-0.00001230", "1e30", "-7" };
    const char *ts[] = { "", "naïve ✓ 😀 'q' \"x\"", "\\x41 is not a bytea", "plain", "t" };
    enum { N_ROWS = 20, BIG = 1 << 20 };
    unsigned char *big = malloc(BIG);
    assert_non_null(big);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < BIG; k++)
        big[k] = (unsigned char)xorshift(&x);
    static const unsigned char nuls[] = { 0, 1, 0, 255, '\\', 'x', 0 };
    aim_sql_stmt *ins = prep(c, "INSERT INTO v VALUES (?1, ?2, CAST(?3 AS INTEGER), "
                                "CAST(?4 AS SMALLINT), ?5, CAST(?6 AS NUMERIC), ?7, ?8, ?9, "
                                "?10 <> 0)");
    for (int k = 0; k < N_ROWS; k++) {
        assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
        assert_int_equal(aim__sql_bind_int64(ins, 2, i8s[k % 8]), 0);
        assert_int_equal(aim__sql_bind_int64(ins, 3, i4s[k % 5]), 0);
        assert_int_equal(aim__sql_bind_int64(ins, 4, i2s[k % 5]), 0);
        assert_int_equal(aim__sql_bind_double(ins, 5, ds[k]), 0);
        assert_int_equal(aim__sql_bind_text(ins, 6, ns[k]), 0);
        if (k % 4 == 0)
            assert_int_equal(aim__sql_bind_blob(ins, 7, "", 0), 0);
        else if (k % 4 == 1)
            assert_int_equal(aim__sql_bind_blob(ins, 7, big, BIG - k), 0);
        else if (k % 4 == 2)
            assert_int_equal(aim__sql_bind_blob(ins, 7, nuls, sizeof nuls), 0);
        else
            assert_int_equal(aim__sql_bind_null(ins, 7), 0);
        assert_int_equal(aim__sql_bind_text(ins, 8, ts[k % 5]), 0);
        assert_int_equal(aim__sql_bind_text(ins, 9, ts[(k + 1) % 5]), 0);
        assert_int_equal(aim__sql_bind_int64(ins, 10, k % 2), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    /* A row of NULLs, and a NaN (bound, a NaN is NULL: sql.h). */
    assert_int_equal(aim__sql_bind_int64(ins, 1, N_ROWS), 0);
    for (int p = 2; p <= 10; p++)
        assert_int_equal(aim__sql_bind_null(ins, p), 0);
    assert_int_equal(aim__sql_step(ins), 0);
    aim__sql_finalize(ins);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE v SET d = 'NaN' WHERE k = %d", NAN_ROW);
    assert_int_equal(aim__sql_exec(c, sql), 0);

    enum { COLS = 10 };
    static read_cell text_cells[N_ROWS + 1][COLS];
    aim_sql_stmt *sel = prep(c, "SELECT i8, i4, i2, d, n, b, t, vc, bo, k FROM v ORDER BY k");
    aim__pg_text_results(c, 1);
    for (int k = 0; k <= N_ROWS; k++) {
        assert_int_equal(aim__sql_step(sel), 1);
        assert_int_equal(aim__pg_result_binary(sel), 0);
        for (int col = 0; col < COLS; col++)
            text_cells[k][col] = read_all(sel, col);
    }
    assert_int_equal(aim__sql_step(sel), 0);
    aim__pg_text_results(c, 0);
    for (int k = 0; k <= N_ROWS; k++) {
        assert_int_equal(aim__sql_step(sel), 1);
        assert_int_equal(aim__pg_result_binary(sel), 1);
        for (int col = 0; col < COLS; col++) {
            read_cell b = read_all(sel, col);
            same_cell(&text_cells[k][col], &b, k, col);
            free_cell(&b);
        }
        if (k == N_ROWS) {
            for (int col = 0; col < COLS - 1; col++)
                assert_true(aim__sql_column_is_null(sel, col));
            size_t len = 99;
            assert_null(aim__sql_column_blob(sel, 5, &len));
            assert_int_equal(len, 0);
            assert_null(aim__sql_column_text(sel, 6));
            assert_int_equal(aim__sql_column_int64(sel, 0), 0);
            assert_true(isnan(aim__sql_column_double(sel, 3)));
            continue;
        }
        /* And right, not only the same. */
        assert_int_equal(aim__sql_column_int64(sel, 0), i8s[k % 8]);
        assert_int_equal(aim__sql_column_int64(sel, 1), i4s[k % 5]);
        assert_int_equal(aim__sql_column_int64(sel, 2), i2s[k % 5]);
        double d = aim__sql_column_double(sel, 3);
        if (k == NAN_ROW)
            assert_true(isnan(d) && !aim__sql_column_is_null(sel, 3));
        else
            assert_memory_equal(&d, &ds[k], sizeof d);
        size_t len = 99;
        const unsigned char *b = aim__sql_column_blob(sel, 5, &len);
        if (k % 4 == 3) {
            assert_null(b);
        } else {
            assert_non_null(b);   /* an empty blob is not NULL */
            assert_int_equal(len, k % 4 == 0 ? 0 : k % 4 == 1 ? (size_t)(BIG - k) : sizeof nuls);
            if (len)
                assert_memory_equal(b, k % 4 == 1 ? big : nuls, len);
        }
        assert_string_equal(aim__sql_column_text(sel, 6), ts[k % 5]);
        assert_string_equal(aim__sql_column_text(sel, 7), ts[(k + 1) % 5]);
        assert_int_equal(aim__sql_column_int64(sel, 8), k % 2);
        assert_string_equal(aim__sql_column_text(sel, 8), k % 2 ? "t" : "f");
    }
    assert_int_equal(aim__sql_step(sel), 0);
    for (int k = 0; k <= N_ROWS; k++)
        for (int col = 0; col < COLS; col++)
            free_cell(&text_cells[k][col]);
    aim__sql_finalize(sel);
    free(big);

    /* Some numerics by value. */
    sel = prep(c, "SELECT n FROM v WHERE k = ?1");
    static const struct { int k; int64_t i; double d; const char *text; } nv[] = {
        { 2, 1, 1.5, "1.5" }, { 1, 0, -0.5, "-0.5" },
        { 8, INT64_MAX, 9223372036854775807.0, NULL },
        { 9, INT64_MAX, 9223372036854775808.0, NULL },
        { 10, INT64_MIN, -9223372036854775808.0, NULL },
        { 11, 123, 123.45, "123.4500" }, { 4, 0, 1e-20, "0.00000000000000000001" },
        { 15, 0, -0.001, "-0.001" }, { 17, 0, -0.0000123, "-0.00001230" },
        { 18, INT64_MAX, 1e30, "1000000000000000000000000000000" },
    };
    for (size_t j = 0; j < sizeof nv / sizeof nv[0]; j++) {
        assert_int_equal(aim__sql_bind_int64(sel, 1, nv[j].k), 0);
        assert_int_equal(aim__sql_step(sel), 1);
        assert_int_equal(aim__pg_result_binary(sel), 1);
        assert_int_equal(aim__sql_column_int64(sel, 0), nv[j].i);
        assert_true(aim__sql_column_double(sel, 0) == nv[j].d);
        if (nv[j].text)
            assert_string_equal(aim__sql_column_text(sel, 0), nv[j].text);
        aim__sql_reset(sel);
    }
    for (int k = 5; k <= 7; k++) {   /* NaN, Infinity, -Infinity */
        assert_int_equal(aim__sql_bind_int64(sel, 1, k), 0);
        assert_int_equal(aim__sql_step(sel), 1);
        double d = aim__sql_column_double(sel, 0);
        assert_true(k == 5 ? isnan(d) : isinf(d) && (d > 0) == (k == 6));
        assert_string_equal(aim__sql_column_text(sel, 0), ns[k]);
        aim__sql_reset(sel);
    }
    aim__sql_finalize(sel);
    aim__sql_close(c);
}

/* A binary float8 or numeric read as text is the server's own text for it: checked against
 * d::text over the powers of two (every exponent: the shortest digits' edge cases), random
 * bit patterns and decimals; and numerics of random shapes, and the server's quotients. */
static void binary_numbers_as_the_servers_text(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_binary_text");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE f (k BIGINT PRIMARY KEY, d DOUBLE PRECISION); "
                                      "CREATE TABLE n (k BIGINT PRIMARY KEY, n NUMERIC)"), 0);
    assert_int_equal(aim__sql_begin(c), 0);
    aim_sql_stmt *ins = prep(c, "INSERT INTO f VALUES (?1, ?2)");
    int64_t k = 0;
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (int e = -1074; e <= 1023; e++)
        for (int sign = 0; sign < 2; sign++) {
            assert_int_equal(aim__sql_bind_int64(ins, 1, k++), 0);
            assert_int_equal(aim__sql_bind_double(ins, 2, (sign ? -1 : 1) * ldexp(1.0, e)), 0);
            assert_int_equal(aim__sql_step(ins), 0);
            aim__sql_reset(ins);
        }
    for (int j = 0; j < 6000; j++) {
        double d;
        if (j < 3000) {   /* any bit pattern but a NaN's */
            uint64_t u = xorshift(&x);
            memcpy(&d, &u, sizeof d);
            if (isnan(d))
                continue;
        } else {          /* decimals of a few digits, at every scale */
            d = (double)(xorshift(&x) % 100000) * pow(10, (int)(xorshift(&x) % 60) - 30);
            if (j % 3 == 0)
                d = nextafter(d, INFINITY);
        }
        assert_int_equal(aim__sql_bind_int64(ins, 1, k++), 0);
        assert_int_equal(aim__sql_bind_double(ins, 2, d), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    aim__sql_finalize(ins);
    ins = prep(c, "INSERT INTO n VALUES (?1, CAST(?2 AS NUMERIC))");
    for (int j = 0; j < 2000; j++) {
        char num[128];
        int at = 0, ints = (int)(xorshift(&x) % 30), fracs = (int)(xorshift(&x) % 30);
        if (xorshift(&x) % 2)
            num[at++] = '-';
        num[at++] = (char)('0' + xorshift(&x) % 10);
        for (int i = 0; i < ints; i++)
            num[at++] = (char)('0' + xorshift(&x) % 10);
        if (fracs) {
            num[at++] = '.';
            for (int i = 0; i < fracs; i++)
                num[at++] = (char)('0' + (j % 5 == 0 && i < fracs - 1 ? 0 : xorshift(&x) % 10));
        }
        num[at] = '\0';
        assert_int_equal(aim__sql_bind_int64(ins, 1, j), 0);
        assert_int_equal(aim__sql_bind_text(ins, 2, num), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    aim__sql_finalize(ins);
    assert_int_equal(aim__sql_commit(c), 0);

    const char *const checks[] = {
        "SELECT d::text, d FROM f ORDER BY k",
        "SELECT n::text, n FROM n ORDER BY k",
        "SELECT (n / 7)::text, n / 7 FROM n ORDER BY k",
        "SELECT (n * n * 1e-40)::text, n * n * 1e-40 FROM n ORDER BY k",
        "SELECT avg(n)::text, avg(n), sum(n)::text, sum(n) FROM n",
    };
    for (size_t q = 0; q < sizeof checks / sizeof checks[0]; q++) {
        aim_sql_stmt *sel = prep(c, checks[q]);
        int rows = 0;
        while (aim__sql_step(sel) == 1) {
            assert_int_equal(aim__pg_result_binary(sel), 1);
            for (int col = 0; col + 1 < (q == 4 ? 4 : 2); col += 2) {
                const char *server = aim__sql_column_text(sel, col);
                const char *ours = aim__sql_column_text(sel, col + 1);
                if (!server || !ours || strcmp(server, ours) != 0)
                    fail_msg("%s, row %d: the server writes \"%s\", the driver \"%s\"", checks[q],
                             rows, server ? server : "(null)", ours ? ours : "(null)");
                /* And it reads as the number the text reads as. */
                double a = aim__sql_column_double(sel, col);
                double b = aim__sql_column_double(sel, col + 1);
                assert_true(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)));
                assert_int_equal(aim__sql_column_int64(sel, col),
                                 aim__sql_column_int64(sel, col + 1));
            }
            rows++;
        }
        assert_true(rows > 0);
        aim__sql_finalize(sel);
    }
    aim__sql_close(c);
}

/* A SELECT with a column of a type without a binary reader here (a timestamp) is run once
 * more as text, and as text from then on; a statement that is not a SELECT takes text (run
 * twice it would write twice); a SELECT behind comments and parentheses is one. */
static void other_results_as_text(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_binary_fallback");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, at TIMESTAMPTZ)"), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t VALUES (1, '2026-12-07 12:00:00+00')"), 0);
    aim_sql_stmt *st = prep(c, "SELECT k, at, at::text FROM t");
    for (int run = 0; run < 4; run++) {   /* unnamed, then prepared on the server */
        assert_int_equal(aim__sql_step(st), 1);
        assert_int_equal(aim__pg_result_binary(st), 0);
        assert_int_equal(aim__sql_column_int64(st, 0), 1);
        assert_string_equal(aim__sql_column_text(st, 1), aim__sql_column_text(st, 2));
        assert_int_equal(aim__sql_step(st), 0);
    }
    aim__sql_finalize(st);
    st = prep(c, "INSERT INTO t (k) VALUES (?1) RETURNING k, 0.5::float8");
    assert_int_equal(aim__sql_bind_int64(st, 1, 2), 0);
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__pg_result_binary(st), 0);
    assert_int_equal(aim__sql_column_int64(st, 0), 2);
    assert_true(aim__sql_column_double(st, 1) == 0.5);
    assert_int_equal(aim__sql_step(st), 0);
    aim__sql_finalize(st);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), 2);   /* written once */
    st = prep(c, "WITH x AS (SELECT 5::bigint AS a) SELECT a FROM x");
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__pg_result_binary(st), 0);
    assert_int_equal(aim__sql_column_int64(st, 0), 5);
    aim__sql_finalize(st);
    st = prep(c, " /* a /* nested */ comment */ -- and a line\n (SeLeCt 6::bigint)");
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__pg_result_binary(st), 1);
    assert_int_equal(aim__sql_column_int64(st, 0), 6);
    aim__sql_finalize(st);
    /* A function returning void (the store's advisory lock) is read in binary. */
    st = prep(c, "SELECT pg_advisory_xact_lock(7), 'a'::name, 'b'::char(3), 'c'::varchar, "
                 "'{\"j\": 1}'::json, 32767::int2, 2147483647::int4");
    assert_int_equal(aim__sql_step(st), 1);
    assert_int_equal(aim__pg_result_binary(st), 1);
    assert_string_equal(aim__sql_column_text(st, 0), "");
    assert_false(aim__sql_column_is_null(st, 0));
    assert_string_equal(aim__sql_column_text(st, 1), "a");
    assert_string_equal(aim__sql_column_text(st, 2), "b  ");
    assert_string_equal(aim__sql_column_text(st, 3), "c");
    assert_string_equal(aim__sql_column_text(st, 4), "{\"j\": 1}");
    assert_int_equal(aim__sql_column_int64(st, 5), 32767);
    assert_string_equal(aim__sql_column_text(st, 5), "32767");
    assert_true(aim__sql_column_double(st, 6) == 2147483647.0);
    assert_string_equal(aim__sql_column_text(st, 6), "2147483647");
    aim__sql_finalize(st);
    aim__sql_close(c);
}

/* The backend pid of c's connection. */
static int64_t backend_pid(aim_sql *c) {
    return count_rows(c, "SELECT pg_backend_pid()");
}

/* Terminates the backend pid from a connection of its own, waiting until it is gone. */
static void terminate(int64_t pid) {
    aim_sql *killer = NULL;
    char err[512], sql[128];
    assert_int_equal(aim__pg_connect(base_url, &killer, err, sizeof err), 0);
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld, 60000)::int", (long long)pid);
    assert_int_equal(count_rows(killer, sql), 1);
    aim__sql_close(killer);
}

/* A connection the server dropped (a restart, a terminated backend) is made again by the
 * next BEGIN or statement outside a transaction, with the session's settings and its
 * statements prepared again; a loss inside a transaction fails that transaction. */
static void connection_made_again(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_reset");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, d DOUBLE PRECISION, "
                                      "b BYTEA)"), 0);
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k, d, b) VALUES (?1, ?2, ?3)");
    int64_t k = 0;
    for (; k < 3; k++) {   /* prepared on the server by the third run */
        assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
        assert_int_equal(aim__sql_bind_double(ins, 2, 0.1), 0);
        assert_int_equal(aim__sql_bind_blob(ins, 3, "\x01", 1), 0);
        assert_int_equal(aim__sql_step(ins), 0);
        aim__sql_reset(ins);
    }
    int64_t first = backend_pid(c);
    terminate(first);
    /* The next transaction works, on a new connection, its statement prepared there. */
    if (aim__sql_begin(c) < 0)
        fail_msg("begin after the backend was terminated: %s", aim__sql_errmsg(c));
    assert_int_equal(aim__sql_bind_int64(ins, 1, k++), 0);
    assert_int_equal(aim__sql_bind_double(ins, 2, 0.1), 0);
    assert_int_equal(aim__sql_bind_blob(ins, 3, "\x01", 1), 0);
    if (aim__sql_step(ins) != 0)
        fail_msg("insert on the new connection: %s", aim__sql_errmsg(c));
    aim__sql_reset(ins);
    assert_int_equal(aim__sql_commit(c), 0);
    assert_true(backend_pid(c) != first);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_prepared_statements"), 1);
    /* The session's settings are back: doubles exact, bytea in hex. */
    aim_sql_stmt *sel = prep(c, "SELECT d, b FROM t WHERE k = 3");
    assert_int_equal(aim__sql_step(sel), 1);
    assert_true(aim__sql_column_double(sel, 0) == 0.1);
    size_t len = 0;
    const unsigned char *b = aim__sql_column_blob(sel, 1, &len);
    assert_int_equal(len, 1);
    assert_int_equal(b[0], 1);
    aim__sql_finalize(sel);
    /* Lost inside a transaction: that transaction fails, the next one works. */
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_exec(c, "INSERT INTO t (k) VALUES (100)"), 0);
    terminate(backend_pid(c));
    assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
    assert_int_equal(aim__sql_bind_double(ins, 2, 0.1), 0);
    assert_int_equal(aim__sql_bind_blob(ins, 3, "\x01", 1), 0);
    assert_int_equal(aim__sql_step(ins), -ECONNREFUSED);
    aim__sql_reset(ins);
    assert_int_equal(aim__sql_in_transaction(c), 1);
    assert_true(aim__sql_commit(c) < 0);
    assert_int_equal(aim__sql_in_transaction(c), 0);
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
    assert_int_equal(aim__sql_bind_double(ins, 2, 0.1), 0);
    assert_int_equal(aim__sql_bind_blob(ins, 3, "\x01", 1), 0);
    assert_int_equal(aim__sql_step(ins), 0);
    assert_int_equal(aim__sql_commit(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), k + 1);   /* not row 100 */
    aim__sql_finalize(ins);
    aim__sql_close(c);
}

/* A read-only store's session stays read-only on its new connection. */
static void read_only_survives_a_new_connection(void **state) {
    (void)state;
    char url[1024], err[512];
    schema_url(url, sizeof url, "pgt_ro_reset");
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(url, 0, &db, err, sizeof err), 0);
    aim__db_close(db);
    assert_int_equal(aim__db_open(url, 1, &db, err, sizeof err), 0);
    aim_sql *c = aim__db_sql(db);
    terminate(backend_pid(c));
    assert_int_equal(aim__sql_exec(c, "SELECT 1"), 0);
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE x (k int)"), -EROFS);
    aim__db_close(db);
}

/* Behind a pooler in transaction mode (PgBouncer) a prepared name is gone by the next
 * transaction (SQLSTATE 26000): the driver runs unnamed from then on. Here the name is
 * deallocated behind its back. */
static void statement_name_gone(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_bouncer");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY)"), 0);
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k) VALUES (?1)");
    aim_sql_stmt *cnt = prep(c, "SELECT count(*) FROM t WHERE k >= ?1");
    int64_t k = 0;
    for (; k < 3; k++) {
        insert_k(ins, k);
        assert_int_equal(aim__sql_bind_int64(cnt, 1, 0), 0);
        assert_int_equal(aim__sql_step(cnt), 1);
        aim__sql_reset(cnt);
    }
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_prepared_statements"), 2);
    assert_int_equal(aim__sql_exec(c, "DEALLOCATE ALL"), 0);
    /* Outside a transaction: run again unnamed, at once. */
    assert_int_equal(aim__sql_bind_int64(ins, 1, k++), 0);
    if (aim__sql_step(ins) != 0)
        fail_msg("after DEALLOCATE ALL: %s", aim__sql_errmsg(c));
    aim__sql_reset(ins);
    /* Inside one: the other statement's name is not used either. */
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_bind_int64(cnt, 1, 0), 0);
    assert_int_equal(aim__sql_step(cnt), 1);
    assert_int_equal(aim__sql_column_int64(cnt, 0), k);
    aim__sql_reset(cnt);
    assert_int_equal(aim__sql_commit(c), 0);
    for (int i = 0; i < 3; i++, k++) {
        insert_k(ins, k);
    }
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_prepared_statements"), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), k);
    aim__sql_finalize(ins);
    aim__sql_finalize(cnt);
    aim__sql_close(c);
}

/* A name gone inside a transaction fails that transaction; its retry works. */
static void statement_name_gone_in_a_transaction(void **state) {
    (void)state;
    aim_sql *c = connect_schema("pgt_bouncer_tx");
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE t (k BIGINT PRIMARY KEY)"), 0);
    aim_sql_stmt *ins = prep(c, "INSERT INTO t (k) VALUES (?1)");
    int64_t k = 0;
    for (; k < 3; k++) {
        insert_k(ins, k);
    }
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_exec(c, "DEALLOCATE ALL"), 0);
    assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
    assert_true(aim__sql_step(ins) < 0);
    aim__sql_reset(ins);
    assert_true(aim__sql_commit(c) < 0);
    assert_int_equal(aim__sql_begin(c), 0);
    assert_int_equal(aim__sql_bind_int64(ins, 1, k), 0);
    assert_int_equal(aim__sql_step(ins), 0);
    assert_int_equal(aim__sql_commit(c), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM t"), k + 1);
    aim__sql_finalize(ins);
    aim__sql_close(c);
}

/* ------------------------------------------------------------------ opening a store */

static void open_creates_and_reopens(void **state) {
    (void)state;
    char url[1024], err[512];
    schema_url(url, sizeof url, "pgt_open");
    aim_db *db = NULL;
    /* Read-only, nothing there yet. */
    assert_int_equal(aim__db_open(url, 1, &db, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "no aimeter store at"));
    assert_non_null(strstr(err, url));
    assert_int_equal(aim__db_open(url, 0, &db, err, sizeof err), 0);
    aim__db_close(db);
    assert_int_equal(aim__db_open(url, 1, &db, err, sizeof err), 0);
    aim__db_close(db);
    aim_sql *c = NULL;
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), 0);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT value::bigint = %d FROM aimeter_meta WHERE key = "
             "'schema_version'", AIM_DB_SCHEMA_VERSION);
    assert_int_equal(count_rows(c, sql), 1);
    assert_true(count_rows(c, "SELECT count(*) FROM metrics") > 10);
    aim__sql_close(c);
}

static void foreign_database_refused(void **state) {
    (void)state;
    char url[1024], err[512];
    schema_url(url, sizeof url, "pgt_foreign");
    aim_sql *c = NULL;
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), 0);
    assert_int_equal(aim__sql_exec(c, "CREATE TABLE runs (x int)"), 0);
    aim_db *db = NULL;
    for (int ro = 0; ro < 2; ro++) {
        assert_int_equal(aim__db_open(url, ro, &db, err, sizeof err), -EBADMSG);
        assert_non_null(strstr(err, "not an aimeter store"));
    }
    /* Untouched. */
    assert_int_equal(count_rows(c, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                   "current_schema()"), 1);
    aim__sql_close(c);
}

static void newer_schema_refused(void **state) {
    (void)state;
    char url[1024], err[512];
    schema_url(url, sizeof url, "pgt_newer");
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(url, 0, &db, err, sizeof err), 0);
    aim__db_close(db);
    aim_sql *c = NULL;
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), 0);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE aimeter_meta SET value = '%d' WHERE key = "
             "'schema_version'", AIM_DB_SCHEMA_VERSION + 1);
    assert_int_equal(aim__sql_exec(c, sql), 0);
    for (int ro = 0; ro < 2; ro++) {
        assert_int_equal(aim__db_open(url, ro, &db, err, sizeof err), -EPROTO);
        assert_non_null(strstr(err, "newer aimeter"));
    }
    aim__sql_close(c);
}

/* Two nodes opening one new store at once: both succeed, one schema. The test holds the
 * store's schema lock (postgres.c's advisory key) while both children open, so that both are
 * inside the window for sure (each found no store and waits to create it) before it lets
 * them go: no child may finish while the lock is held. */
#define SCHEMA_LOCK_KEY "27418991315412338"

static void concurrent_creation(void **state) {
    (void)state;
    char url[1024], err[512], kid_url[1200], sql[512];
    schema_url(url, sizeof url, "pgt_race");
    /* The children's backends, told apart from any other's by their application_name. */
    char app[64];
    snprintf(app, sizeof app, "pgt_race_%ld", (long)getpid());
    snprintf(kid_url, sizeof kid_url, "%s&application_name=%s", url, app);
    aim_sql *holder = NULL;
    assert_int_equal(aim__pg_connect(base_url, &holder, err, sizeof err), 0);
    assert_int_equal(aim__sql_exec(holder, "SELECT pg_advisory_lock(" SCHEMA_LOCK_KEY ")"), 0);
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            aim_db *db = NULL;
            int r = aim__db_open(kid_url, 0, &db, err, sizeof err);
            if (r < 0)
                fprintf(stderr, "child %d: %s\n", i, err);
            aim__db_close(db);
            _exit(r == 0 ? 0 : 1);
        }
    }
    /* Until both wait for the lock (a condition, not a time: the bound is for a hang). */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON "
             "a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND "
             "a.application_name = '%s'", app);
    int waiting = 0;
    for (int tries = 0; tries < 60 * 100 && waiting < 2; tries++) {
        for (int i = 0; i < 2; i++) {
            int status;
            if (waitpid(kids[i], &status, WNOHANG) == kids[i])
                fail_msg("child %d finished its open while the schema lock was held: the "
                         "open does not take it", i);
        }
        waiting = (int)count_rows(holder, sql);
        if (waiting < 2)
            usleep(10000);
    }
    assert_int_equal(waiting, 2);
    assert_int_equal(aim__sql_exec(holder, "SELECT pg_advisory_unlock(" SCHEMA_LOCK_KEY ")"), 0);
    aim__sql_close(holder);
    for (int i = 0; i < 2; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    aim_sql *c = NULL;
    assert_int_equal(aim__pg_connect(url, &c, err, sizeof err), 0);
    assert_int_equal(count_rows(c, "SELECT count(*) FROM aimeter_meta WHERE key = "
                                   "'schema_version'"), 1);
    aim__sql_close(c);
}

int main(void) {
    const struct CMUnitTest offline[] = {
        cmocka_unit_test(placeholders_outside_quotes),
        cmocka_unit_test(password_in_url_refused_before_connecting),
        cmocka_unit_test(schemes_name_postgres),
        cmocka_unit_test(unreachable_server_is_econnrefused),
    };
    int failed = cmocka_run_group_tests_name("pg_offline", offline, NULL, NULL);
    base_url = getenv("AIMETER_TEST_PG_URL");
    if (failed || !base_url || !*base_url) {
        if (!failed)
            printf("test_pg_driver: AIMETER_TEST_PG_URL is not set (the URL "
                   "`bash tests/tools/pg_tmp.sh start DIR` prints): server tests skipped\n");
        return failed ? failed : 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(placeholders_on_the_server),
        cmocka_unit_test(types_round_trip),
        cmocka_unit_test(booleans_and_numeric_results),
        cmocka_unit_test(binary_results_read_as_text_ones),
        cmocka_unit_test(binary_numbers_as_the_servers_text),
        cmocka_unit_test(other_results_as_text),
        cmocka_unit_test(changes_count_writes_only),
        cmocka_unit_test(transactions),
        cmocka_unit_test(errors_map_to_errno),
        cmocka_unit_test(refused_connections),
        cmocka_unit_test(repeated_statements),
        cmocka_unit_test(invalid_utf8_is_repaired),
        cmocka_unit_test(connection_made_again),
        cmocka_unit_test(read_only_survives_a_new_connection),
        cmocka_unit_test(statement_name_gone),
        cmocka_unit_test(statement_name_gone_in_a_transaction),
        cmocka_unit_test(open_creates_and_reopens),
        cmocka_unit_test(foreign_database_refused),
        cmocka_unit_test(newer_schema_refused),
        cmocka_unit_test(concurrent_creation),
    };
    failed = cmocka_run_group_tests_name("pg_server", tests, NULL, NULL);
    drop_schemas();
    return failed;
}
