/* Opening an SQLite store file (store/sqlite/sqlite_store.h): the file checks, the WAL
 * journal, recognising the file as an aimeter store, and the schema's creation or migration
 * (schema.c); the open store is then the shared SQL store (store/sql/) over the SQLite
 * driver (driver.c).
 *
 * Concurrency: WAL, so readers never block the writer and a killed writer loses only its
 * uncommitted transaction; a 5 s busy timeout; writes take the lock up front (BEGIN
 * IMMEDIATE) so two writers never deadlock upgrading a read lock. synchronous=NORMAL: in
 * WAL mode a committed transaction survives a crash of the process (kill -9); only a power
 * loss can take the last commits back, which is the trade every time-series store makes. */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "util/log.h"

#define BUSY_TIMEOUT_MS 5000

/* A store file being opened: what its messages name, its handle, and the connection over
 * it once there is one (which then owns the handle). */
typedef struct sq_opening {
    aim_db *db;
    const char *path;
    sqlite3 *h;
    aim_sql *conn;
    int summaries;            /* chunks.summary exists (schema 11 on) */
} sq_opening;

static int db_fail(sq_opening *o, int rc, const char *what) {
    return aim__db_set_error(o->db, aim__sqlite_errno(o->h, rc), "%s: %s: %s", o->path, what,
                             aim__sqlite_why(o->h, rc));
}

/* ------------------------------------------------------------------ open */

/* snprintf through a wrapper: paths are bounded by PATH_MAX, not by the message buffer, and
 * a truncated message is acceptable where a compile-time truncation warning is not. */
static void __attribute__((format(printf, 3, 4)))
msg(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* mkdir -p of the directory part of path, new directories 0700 (the store may name the
 * commands a user ran). */
static int make_parents(const char *path, char *err, size_t errlen) {
    char dir[4096];
    if (strlen(path) >= sizeof dir) {
        msg(err, errlen, "%.64s...: path too long", path);
        return -ENAMETOOLONG;
    }
    memcpy(dir, path, strlen(path) + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            int e = errno;
            msg(err, errlen, "%s: cannot create directory %s: %s", path, dir, strerror(e));
            return e == ENOTDIR ? -ENOENT : -e;
        }
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            msg(err, errlen, "%s: %s is not a directory", path, dir);
            return -ENOENT;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    return 0;
}

enum store_kind { STORE_EMPTY, STORE_OURS, STORE_FOREIGN };

/* What the file holds, judged without writing a byte: the application id stamped at
 * creation, or nothing at all. Anything else is somebody else's database. One statement,
 * so one snapshot: read piecewise, a store being created by another aimeter could show its
 * tables without its application id yet and look foreign. */
static int pragma_int(sqlite3 *h, const char *sql, int *ret) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *ret = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Plain pragmas rather than one SELECT over the pragma_* table functions: on a store's
 * first statement those cost ~0.2 ms more (docs/performance.md). One read transaction, so
 * that another process creating the store cannot be seen half-way (its application id not
 * yet, its user_version already). The schema table is only counted when both numbers are 0
 * (empty, or another application's database). */
static int identify(sqlite3 *h, enum store_kind *kind, int *version) {
    int app = 0, uv = 0, objects = 0;
    int in_txn = !sqlite3_get_autocommit(h);
    int rc = in_txn ? SQLITE_OK : sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = pragma_int(h, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = pragma_int(h, "PRAGMA user_version", &uv);
    if (rc == SQLITE_OK && app == 0 && uv == 0)
        rc = pragma_int(h, "SELECT count(*) FROM sqlite_master", &objects);
    if (!in_txn)
        sqlite3_exec(h, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if (app == AIM_DB_APPLICATION_ID)
        *kind = STORE_OURS;
    else if (app == 0 && uv == 0 && objects == 0)
        *kind = STORE_EMPTY;
    else
        *kind = STORE_FOREIGN;
    *version = uv;
    return SQLITE_OK;
}

static int check_kind(sq_opening *o, enum store_kind kind, int version) {
    /* Our application id with a schema no aimeter ever wrote (a negative user_version):
     * damaged, not an older store to migrate. */
    if (kind == STORE_OURS && version < 0)
        return aim__db_set_error(o->db, -EBADMSG,
                                "%s is a damaged aimeter store (schema version %d, which no "
                                "aimeter writes): refused, left as it is", o->path, version);
    if (kind == STORE_FOREIGN)
        return aim__db_set_error(o->db, -EBADMSG,
                                "%s is not an aimeter store (an SQLite database of another "
                                "application; aimeter never writes into one)", o->path);
    /* Our stamp with a negative version, which no aimeter writes (a hand edit or damage;
     * 0 is a creation that stopped early): there is no migration from it (found by
     * fuzz/fuzz_store_open.c: -1 indexed migrations[-2]). */
    if (kind == STORE_OURS && version < 0)
        return aim__db_set_error(o->db, -EBADMSG,
                                "%s is a damaged aimeter store (schema version %d)", o->path,
                                version);
    if (kind == STORE_OURS && version > AIM_DB_SCHEMA_VERSION)
        return aim__db_set_error(o->db, -EPROTO,
                                "%s was written by a newer aimeter (schema %d, this one knows "
                                "%d)", o->path, version, AIM_DB_SCHEMA_VERSION);
    return 0;
}

static int open_fail(sq_opening *o, int rc, const char *what) {
    if ((rc & 0xff) == SQLITE_NOTADB)
        return aim__db_set_error(o->db, -EBADMSG, "%s is not an aimeter store (not an SQLite "
                                "database)", o->path);
    return db_fail(o, rc, what);
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Switching a new store to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at
 * once instead of calling the busy handler: retry here for as long as the busy timeout,
 * which is what two aimeters starting on one new store need. Once the file is in WAL mode
 * (it stays so) the pragma is a no-op that takes no lock. */
static int enable_wal(sq_opening *o) {
    int64_t deadline = mono_ms() + BUSY_TIMEOUT_MS;
    for (unsigned attempt = 0;; attempt++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(o->h, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                const unsigned char *mode = sqlite3_column_text(st, 0);
                if (!mode || strcmp((const char *)mode, "wal") != 0)
                    aim__log(AIM_LOG_WARNING, "%s: WAL journal not available (journal mode "
                            "%s); concurrent runs will wait for each other", o->path,
                            mode ? (const char *)mode : "?");
                rc = SQLITE_OK;
            }
            sqlite3_finalize(st);
        }
        int busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        if (!busy || mono_ms() >= deadline)
            return rc;
        /* 1..16 ms, varied per process so two waiters do not retry in lockstep. */
        usleep(1000u * (1u + (((unsigned)getpid() + attempt * 7u) & 15u)));
    }
}

/* Creates or migrates the schema and refreshes the metrics table, under the write lock so
 * two aimeter processes creating one new store cannot both run migration 1. */
static int prepare_writable(sq_opening *o) {
    sqlite3 *h = o->h;
    /* Judge the file before the first write: switching a foreign database to WAL would
     * already be writing into it. */
    enum store_kind kind;
    int version = 0;
    int rc = identify(h, &kind, &version);
    if (rc != SQLITE_OK)
        return open_fail(o, rc, "cannot read the schema");
    int r = check_kind(o, kind, version);
    if (r < 0)
        return r;

    rc = enable_wal(o);
    if (rc != SQLITE_OK)
        return open_fail(o, rc, "cannot enable the WAL journal");
    rc = sqlite3_exec(h, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", NULL, NULL,
                      NULL);
    if (rc != SQLITE_OK)
        return open_fail(o, rc, "cannot set pragmas");
    /* The usual open: a store of this schema whose metrics table is up to date needs no
     * write, and so no wait for another process's commit (or its lock held longer). */
    int current = 0;
    if (kind == STORE_OURS && version == AIM_DB_SCHEMA_VERSION &&
        aim__sql_metrics_current(o->conn, &current) == 0 && current)
        return 0;

    rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return open_fail(o, rc, "cannot lock the store");
    /* Again under the lock: another aimeter may have created or migrated it meanwhile. */
    rc = identify(h, &kind, &version);
    if (rc != SQLITE_OK) {
        r = open_fail(o, rc, "cannot read the schema");
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    r = check_kind(o, kind, version);
    if (r == 0 && version < AIM_DB_SCHEMA_VERSION) {
        char why[256] = "";
        rc = aim__schema_migrate(h, kind == STORE_EMPTY ? 0 : version, why, sizeof why);
        if (rc != SQLITE_OK)
            r = aim__db_set_error(o->db, aim__sqlite_errno(h, rc), "%s: %s", o->path, why);
    }
    if (r == 0) {
        int e = aim__sql_metrics_refresh(o->conn);
        if (e < 0)
            r = aim__db_set_error(o->db, e, "%s: cannot update the metrics table: %s", o->path,
                                  aim__sql_errmsg(o->conn));
    }
    if (r == 0) {
        rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            r = db_fail(o, rc, "cannot commit the schema");
    }
    if (r < 0)
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

static int prepare_readonly(sq_opening *o) {
    enum store_kind kind;
    int version = 0;
    int rc = identify(o->h, &kind, &version);
    if (rc != SQLITE_OK)
        return open_fail(o, rc, "cannot read the schema");
    int r = check_kind(o, kind, version);
    if (r < 0)
        return r;
    if (kind == STORE_EMPTY)
        return aim__db_set_error(o->db, -ENOENT, "%s: no aimeter store there yet (empty database)",
                                o->path);
    if (version < AIM_DB_SCHEMA_READABLE)
        return aim__db_set_error(o->db, -EPROTO,
                                "%s uses schema %d, older than this aimeter's %d: open it once "
                                "for writing (any aimeter run) to migrate it", o->path,
                                version, AIM_DB_SCHEMA_VERSION);
    o->summaries = version >= 11;
    return 0;
}

/* SQLite's last system error is that of its last try: creating a store in a directory it
 * may not write, it retries read-only and reports that the file does not exist. The
 * directory is asked directly, so that the message says what stops the store. */
static int cannot_open(sq_opening *o, const char *path, int rc) {
    int sys = sqlite3_system_errno(o->h);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        char dir[4096];
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        if (access(dir, W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
            int e = errno;
            return aim__db_set_error(o->db, -e, "%s: cannot create the store: directory %s is %s",
                                    path, dir, e == EROFS ? "on a read-only file system"
                                                          : "not writable (permission denied)");
        }
    }
    return aim__db_set_error(o->db, aim__sqlite_errno(o->h, rc), "%s: cannot open: %s%s%s%s", path,
                            sqlite3_errstr(rc), sys ? " (" : "", sys ? strerror(sys) : "",
                            sys ? ")" : "");
}

static int open_checked(sq_opening *o, const char *path, int readonly) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return aim__db_set_error(o->db, -EISDIR, "%s: is a directory", path);
        /* A device or a FIFO is no store, and SQLite would create its journal beside it
         * (/dev/null-journal, with the process's umask). */
        if (!S_ISREG(st.st_mode))
            return aim__db_set_error(o->db, -EBADMSG, "%s is not a regular file (%s): a store is "
                                    "a regular file, or a new one aimeter creates", path,
                                    S_ISCHR(st.st_mode) ? "a character device"
                                    : S_ISBLK(st.st_mode) ? "a block device"
                                    : S_ISFIFO(st.st_mode) ? "a FIFO"
                                    : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
    } else if (errno == ENOENT && !readonly) {
        int r = make_parents(path, o->db->err, sizeof o->db->err);
        if (r < 0)
            return r;
    } else {
        int e = errno;
        if (e == ENOENT)
            return aim__db_set_error(o->db, -ENOENT, "%s: no such store", path);
        return aim__db_set_error(o->db, e == ENOTDIR ? -ENOENT : -e, "%s: %s", path, strerror(e));
    }

    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &o->h, flags, NULL);
    if (rc != SQLITE_OK) {
        if (!o->h)
            return aim__db_set_error(o->db, -ENOMEM, "%s: out of memory", path);
        return cannot_open(o, path, rc);
    }
    if (aim__sqlite_conn_new(o->h, &o->conn) < 0)
        return aim__db_set_error(o->db, -ENOMEM, "%s: out of memory", path);
    sqlite3_extended_result_codes(o->h, 1);
    sqlite3_busy_timeout(o->h, BUSY_TIMEOUT_MS);
    /* SQLite quietly falls back to read-only when the file is not writable; a writer
     * must hear about it now, not at its first commit. */
    if (!readonly && sqlite3_db_readonly(o->h, "main") == 1) {
        int e = access(path, W_OK) < 0 ? errno : EACCES;
        return aim__db_set_error(o->db, e == EROFS ? -EROFS : -EACCES, "%s: not writable: %s",
                                path, strerror(e == EROFS ? EROFS : EACCES));
    }
    if (readonly)
        return prepare_readonly(o);
    int r = prepare_writable(o);
    o->summaries = 1; /* migrated to this schema */
    return r;
}

int sq_open(aim_db *db, const char *path, int readonly) {
    sq_opening o = { .db = db, .path = path };
    int r = open_checked(&o, path, readonly);
    if (r < 0) {
        if (o.conn)
            aim__sql_close(o.conn);
        else
            sqlite3_close_v2(o.h);
        return r;
    }
    return aim__sql_store_attach(db, o.conn, path, readonly, o.summaries);
}
