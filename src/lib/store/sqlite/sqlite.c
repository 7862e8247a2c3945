/* The SQLite store (db.h). One connection per aim_db, statements prepared once and cached.
 *
 * Concurrency: WAL, so readers never block the writer and a killed writer loses only its
 * uncommitted transaction; a 5 s busy timeout; writes take the lock up front (BEGIN
 * IMMEDIATE) so two writers never deadlock upgrading a read lock. synchronous=NORMAL: in
 * WAL mode a committed transaction survives a crash of the process (kill -9); only a power
 * loss can take the last commits back, which is the trade every time-series store makes. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aimeter.h"
#include "util/log.h"
#include "store/db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/schema.h"
#include "util/array.h"
#include "util/number.h"

#define BUSY_TIMEOUT_MS 5000

enum {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_RUN_INSERT, ST_DEVICE_INSERT, ST_SERIES_INSERT, ST_CHUNK_INSERT,
    ST_RUN_UPDATE, ST_DEVICE_UPDATE, ST_SERIES_UPDATE,
    ST_RUN_SELECT, ST_DEVICES_SELECT, ST_SERIES_SELECT, ST_RUN_LIST,
    ST_LAST, ST_EXACT, ST_PREFIX, ST_GROUP_COLUMNS, ST_GROUP_TICKS,
    ST_INTENSITY_INSERT, ST_PRICE_INSERT, ST_INTENSITY_SELECT, ST_PRICE_SELECT,
    ST_INTENSITY_COUNT, ST_PRICE_COUNT,
    ST__COUNT
};

#define RUN_COLUMNS                                                                           \
    "id, name, command, host, aimeter_version, writer_pid, start_wall_ns, end_wall_ns, "     \
    "duration_ns, status, exit_code, interval_ns, achieved_interval_ns, samples, "            \
    "missed_deadlines, sources, zone, intensity_g_per_kwh, intensity_source, total_energy_j, " \
    "carbon_g, warnings, intensity_signal, intensity_basis, pue, pue_source, "                \
    "facility_energy_j, price_per_kwh, currency, price_source, cost, samples_lost"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_RUN_INSERT] = "INSERT INTO runs (" RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                      "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
                      "?26, ?27, ?28, ?29, ?30, ?31, ?32)",
    [ST_DEVICE_INSERT] = "INSERT INTO devices (run_id, idx, name, kind, model, energy_j, "
                         "energy_method, energy_detail, in_total, carbon_g) VALUES (?1, ?2, "
                         "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_SERIES_INSERT] = "INSERT INTO series (run_id, slot, device_idx, metric_key, instance, "
                         "method, grp, resolution, counter, count, mean, min, max, mode, "
                         "stddev, mode_exact) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                         "?11, ?12, ?13, ?14, ?15, ?16)",
    [ST_CHUNK_INSERT] = "INSERT INTO chunks (run_id, grp, seq, t_first_ns, t_last_ns, n_ticks, "
                        "data, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_RUN_UPDATE] = "UPDATE runs SET status = ?2, exit_code = ?3, end_wall_ns = ?4, "
                      "duration_ns = ?5, achieved_interval_ns = ?6, samples = ?7, "
                      "missed_deadlines = ?8, sources = ?9, zone = ?10, "
                      "intensity_g_per_kwh = ?11, intensity_source = ?12, "
                      "total_energy_j = ?13, carbon_g = ?14, warnings = ?15, "
                      "intensity_signal = ?16, intensity_basis = ?17, pue = ?18, "
                      "pue_source = ?19, facility_energy_j = ?20, price_per_kwh = ?21, "
                      "currency = ?22, price_source = ?23, cost = ?24, samples_lost = ?25 "
                      "WHERE id = ?1",
    [ST_DEVICE_UPDATE] = "UPDATE devices SET energy_j = ?3, energy_method = ?4, "
                         "energy_detail = ?5, in_total = ?6, model = ?7, carbon_g = ?8 "
                         "WHERE run_id = ?1 AND idx = ?2",
    [ST_SERIES_UPDATE] = "UPDATE series SET count = ?3, mean = ?4, min = ?5, max = ?6, "
                         "mode = ?7, stddev = ?8, mode_exact = ?9 WHERE run_id = ?1 AND slot = ?2",
    [ST_RUN_SELECT] = "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1",
    [ST_DEVICES_SELECT] = "SELECT idx, name, kind, model, energy_j, energy_method, "
                          "energy_detail, in_total, carbon_g FROM devices WHERE run_id = ?1 "
                          "ORDER BY idx",
    [ST_SERIES_SELECT] = "SELECT slot, device_idx, metric_key, instance, method, grp, "
                         "resolution, counter, count, mean, min, max, mode, stddev, mode_exact "
                         "FROM series WHERE run_id = ?1 ORDER BY slot",
    [ST_RUN_LIST] = "SELECT " RUN_COLUMNS " FROM runs ORDER BY start_wall_ns DESC, id DESC "
                    "LIMIT ?1",
    [ST_LAST] = "SELECT id FROM runs ORDER BY start_wall_ns DESC, id DESC LIMIT 1",
    [ST_EXACT] = "SELECT id FROM runs WHERE id = ?1",
    [ST_PREFIX] = "SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id "
                  "LIMIT 6",
    [ST_GROUP_COLUMNS] = "SELECT resolution, counter FROM series WHERE run_id = ?1 AND grp = ?2 "
                         "ORDER BY slot",
    [ST_GROUP_TICKS] = "SELECT count(*), coalesce(sum(n_ticks), 0) FROM chunks "
                       "WHERE run_id = ?1 AND grp = ?2",
    [ST_INTENSITY_INSERT] = "INSERT INTO run_intensity (run_id, t_unix_ms, g_per_kwh) "
                            "VALUES (?1, ?2, ?3)",
    [ST_PRICE_INSERT] = "INSERT INTO run_price (run_id, t_unix_ms, price_per_kwh) "
                        "VALUES (?1, ?2, ?3)",
    [ST_INTENSITY_SELECT] = "SELECT t_unix_ms, g_per_kwh FROM run_intensity WHERE run_id = ?1 "
                            "ORDER BY t_unix_ms",
    [ST_PRICE_SELECT] = "SELECT t_unix_ms, price_per_kwh FROM run_price WHERE run_id = ?1 "
                        "ORDER BY t_unix_ms",
    [ST_INTENSITY_COUNT] = "SELECT count(*) FROM run_intensity WHERE run_id = ?1",
    [ST_PRICE_COUNT] = "SELECT count(*) FROM run_price WHERE run_id = ?1",
};

/* The back-end's state behind aim_db.impl (store/store.h). */
typedef struct sq_state {
    sqlite3 *h;
    int readonly;
    sqlite3_stmt *st[ST__COUNT];
    char path[4096];
    char host[256];
    /* AIMETER_TEST_STORE_FAULT (tests only): commits of samples number fault_first to
     * fault_last (1-based; last 0: for ever) fail as on a full disk. */
    int64_t fault_first, fault_last;
    int64_t sample_commits;          /* commits of transactions that inserted a chunk */
    int tx_chunks;                   /* the open transaction inserted a chunk */
    int summaries;                   /* chunks.summary exists (schema 11 on) */
} sq_state;

#define SQ(db) ((sq_state *)(db)->impl)

/* ------------------------------------------------------------------ errors */

static int errno_from_sqlite(sqlite3 *h, int rc) {
    int sys = h ? sqlite3_system_errno(h) : 0;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return -ENOENT;
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
        return -EBADMSG;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return sys == EROFS ? -EROFS : -EACCES;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_CONSTRAINT:
        return -EEXIST;
    case SQLITE_CANTOPEN:
        switch (sys) {
        case EROFS: case ENOENT: case EISDIR: return -sys;
        case ENOTDIR: return -ENOENT;
        default: return -EACCES;
        }
    case SQLITE_IOERR:
        return sys == EROFS || sys == EACCES || sys == ENOSPC || sys == EDQUOT ? -sys : -EIO;
    default:
        return -EIO;
    }
}

static int db_fail(aim_db *db, int rc, const char *what) {
    /* The handle's message is that of its last call: after a ROLLBACK that succeeded it is
     * "not an error", and rc's own text is the reason. */
    sq_state *q = SQ(db);
    const char *why = sqlite3_errcode(q->h) != SQLITE_OK ? sqlite3_errmsg(q->h) : sqlite3_errstr(rc);
    return aim__db_set_error(db, errno_from_sqlite(q->h, rc), "%s: %s: %s", q->path, what, why);
}

/* ------------------------------------------------------------------ statements */

static int stmt(aim_db *db, int which, sqlite3_stmt **ret) {
    if (!SQ(db)->st[which]) {
        int rc = sqlite3_prepare_v3(SQ(db)->h, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &SQ(db)->st[which], NULL);
        if (rc != SQLITE_OK)
            return db_fail(db, rc, "preparing a statement");
    }
    *ret = SQ(db)->st[which];
    return 0;
}

/* Runs a statement that returns no row, then resets it so it holds no lock. */
static int step_done(aim_db *db, sqlite3_stmt *st, const char *what) {
    int rc = sqlite3_step(st);
    int r = rc == SQLITE_DONE ? 0 : db_fail(db, rc, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r;
}

static void finish(sqlite3_stmt *st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* NaN means "no value" inside aimeter; SQLite would store it as NULL anyway, say so. */
static void bind_real(sqlite3_stmt *st, int i, double v) {
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_TRANSIENT);
}

static double col_real(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t size) {
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
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

static int check_kind(aim_db *db, enum store_kind kind, int version) {
    /* Our application id with a schema no aimeter ever wrote (a negative user_version):
     * damaged, not an older store to migrate. */
    if (kind == STORE_OURS && version < 0)
        return aim__db_set_error(db, -EBADMSG,
                                "%s is a damaged aimeter store (schema version %d, which no "
                                "aimeter writes): refused, left as it is", SQ(db)->path, version);
    if (kind == STORE_FOREIGN)
        return aim__db_set_error(db, -EBADMSG,
                                "%s is not an aimeter store (an SQLite database of another "
                                "application; aimeter never writes into one)", SQ(db)->path);
    /* Our stamp with a negative version, which no aimeter writes (a hand edit or damage;
     * 0 is a creation that stopped early): there is no migration from it (found by
     * fuzz/fuzz_store_open.c: -1 indexed migrations[-2]). */
    if (kind == STORE_OURS && version < 0)
        return aim__db_set_error(db, -EBADMSG,
                                "%s is a damaged aimeter store (schema version %d)", SQ(db)->path,
                                version);
    if (kind == STORE_OURS && version > AIM_DB_SCHEMA_VERSION)
        return aim__db_set_error(db, -EPROTO,
                                "%s was written by a newer aimeter (schema %d, this one knows "
                                "%d)", SQ(db)->path, version, AIM_DB_SCHEMA_VERSION);
    return 0;
}

static int open_fail(aim_db *db, int rc, const char *what) {
    if ((rc & 0xff) == SQLITE_NOTADB)
        return aim__db_set_error(db, -EBADMSG, "%s is not an aimeter store (not an SQLite "
                                "database)", SQ(db)->path);
    return db_fail(db, rc, what);
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
static int enable_wal(aim_db *db) {
    int64_t deadline = mono_ms() + BUSY_TIMEOUT_MS;
    for (unsigned attempt = 0;; attempt++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(SQ(db)->h, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                const unsigned char *mode = sqlite3_column_text(st, 0);
                if (!mode || strcmp((const char *)mode, "wal") != 0)
                    aim__log(AIM_LOG_WARNING, "%s: WAL journal not available (journal mode "
                            "%s); concurrent runs will wait for each other", SQ(db)->path,
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
static int prepare_writable(aim_db *db) {
    sqlite3 *h = SQ(db)->h;
    /* Judge the file before the first write: switching a foreign database to WAL would
     * already be writing into it. */
    enum store_kind kind;
    int version = 0;
    int rc = identify(h, &kind, &version);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, "cannot read the schema");
    int r = check_kind(db, kind, version);
    if (r < 0)
        return r;

    rc = enable_wal(db);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, "cannot enable the WAL journal");
    rc = sqlite3_exec(h, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", NULL, NULL,
                      NULL);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, "cannot set pragmas");
    /* The usual open: a store of this schema whose metrics table is up to date needs no
     * write, and so no wait for another process's commit (or its lock held longer). */
    int current = 0;
    if (kind == STORE_OURS && version == AIM_DB_SCHEMA_VERSION &&
        aim__schema_metrics_current(h, &current) == SQLITE_OK && current)
        return 0;

    rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, "cannot lock the store");
    /* Again under the lock: another aimeter may have created or migrated it meanwhile. */
    rc = identify(h, &kind, &version);
    if (rc != SQLITE_OK) {
        r = open_fail(db, rc, "cannot read the schema");
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    r = check_kind(db, kind, version);
    if (r == 0 && version < AIM_DB_SCHEMA_VERSION) {
        char why[256] = "";
        rc = aim__schema_migrate(h, kind == STORE_EMPTY ? 0 : version, why, sizeof why);
        if (rc != SQLITE_OK)
            r = aim__db_set_error(db, errno_from_sqlite(h, rc), "%s: %s", SQ(db)->path, why);
    }
    if (r == 0) {
        rc = aim__schema_sync_metrics(h);
        if (rc != SQLITE_OK)
            r = db_fail(db, rc, "cannot update the metrics table");
    }
    if (r == 0) {
        rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            r = db_fail(db, rc, "cannot commit the schema");
    }
    if (r < 0)
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

static int prepare_readonly(aim_db *db) {
    enum store_kind kind;
    int version = 0;
    int rc = identify(SQ(db)->h, &kind, &version);
    if (rc != SQLITE_OK)
        return open_fail(db, rc, "cannot read the schema");
    int r = check_kind(db, kind, version);
    if (r < 0)
        return r;
    if (kind == STORE_EMPTY)
        return aim__db_set_error(db, -ENOENT, "%s: no aimeter store there yet (empty database)",
                                SQ(db)->path);
    if (version < AIM_DB_SCHEMA_READABLE)
        return aim__db_set_error(db, -EPROTO,
                                "%s uses schema %d, older than this aimeter's %d: open it once "
                                "for writing (any aimeter run) to migrate it", SQ(db)->path,
                                version, AIM_DB_SCHEMA_VERSION);
    SQ(db)->summaries = version >= 11;
    return 0;
}

/* SQLite's last system error is that of its last try: creating a store in a directory it
 * may not write, it retries read-only and reports that the file does not exist. The
 * directory is asked directly, so that the message says what stops the store. */
static int cannot_open(aim_db *db, const char *path, int rc) {
    int sys = sqlite3_system_errno(SQ(db)->h);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        char dir[4096];
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        if (access(dir, W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
            int e = errno;
            return aim__db_set_error(db, -e, "%s: cannot create the store: directory %s is %s",
                                    path, dir, e == EROFS ? "on a read-only file system"
                                                          : "not writable (permission denied)");
        }
    }
    return aim__db_set_error(db, errno_from_sqlite(SQ(db)->h, rc), "%s: cannot open: %s%s%s%s", path,
                            sqlite3_errstr(rc), sys ? " (" : "", sys ? strerror(sys) : "",
                            sys ? ")" : "");
}

static int open_checked(aim_db *db, const char *path, int readonly) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return aim__db_set_error(db, -EISDIR, "%s: is a directory", path);
        /* A device or a FIFO is no store, and SQLite would create its journal beside it
         * (/dev/null-journal, with the process's umask). */
        if (!S_ISREG(st.st_mode))
            return aim__db_set_error(db, -EBADMSG, "%s is not a regular file (%s): a store is "
                                    "a regular file, or a new one aimeter creates", path,
                                    S_ISCHR(st.st_mode) ? "a character device"
                                    : S_ISBLK(st.st_mode) ? "a block device"
                                    : S_ISFIFO(st.st_mode) ? "a FIFO"
                                    : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
    } else if (errno == ENOENT && !readonly) {
        int r = make_parents(path, db->err, sizeof db->err);
        if (r < 0)
            return r;
    } else {
        int e = errno;
        if (e == ENOENT)
            return aim__db_set_error(db, -ENOENT, "%s: no such store", path);
        return aim__db_set_error(db, e == ENOTDIR ? -ENOENT : -e, "%s: %s", path, strerror(e));
    }

    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &SQ(db)->h, flags, NULL);
    if (rc != SQLITE_OK) {
        if (!SQ(db)->h)
            return aim__db_set_error(db, -ENOMEM, "%s: out of memory", path);
        return cannot_open(db, path, rc);
    }
    sqlite3_extended_result_codes(SQ(db)->h, 1);
    sqlite3_busy_timeout(SQ(db)->h, BUSY_TIMEOUT_MS);
    /* SQLite quietly falls back to read-only when the file is not writable; a writer
     * must hear about it now, not at its first commit. */
    if (!readonly && sqlite3_db_readonly(SQ(db)->h, "main") == 1) {
        int e = access(path, W_OK) < 0 ? errno : EACCES;
        return aim__db_set_error(db, e == EROFS ? -EROFS : -EACCES, "%s: not writable: %s",
                                path, strerror(e == EROFS ? EROFS : EACCES));
    }
    if (readonly)
        return prepare_readonly(db);
    int r = prepare_writable(db);
    SQ(db)->summaries = 1; /* migrated to this schema */
    return r;
}

/* "FIRST", "FIRST-LAST" or "FIRST-" (for ever): the store's test seam for a disk that fills
 * and (perhaps) frees again, without a mount. Anything else leaves the store alone. */
static void read_fault(aim_db *db) {
    const char *v = getenv("AIMETER_TEST_STORE_FAULT");
    if (!v || !*v)
        return;
    const char *dash = strchr(v, '-');
    double first, last = 0;
    if (aim__parse_decimal(v, dash ? (size_t)(dash - v) : strlen(v), 0, &first) < 0 || first < 1 ||
        (dash && dash[1] && aim__parse_decimal(dash + 1, strlen(dash + 1), 0, &last) < 0))
        return;
    SQ(db)->fault_first = (int64_t)first;
    SQ(db)->fault_last = dash ? (int64_t)last : (int64_t)first;
}

int sq_open(aim_db *db, const char *path, int readonly) {
    sq_state *q = calloc(1, sizeof *q);
    if (!q)
        return aim__db_set_error(db, -ENOMEM, "%s: out of memory", path);
    db->impl = q;
    q->readonly = readonly;
    snprintf(q->path, sizeof q->path, "%s", path);
    if (gethostname(q->host, sizeof q->host - 1) < 0)
        q->host[0] = '\0';
    if (!readonly)
        read_fault(db);
    int r = open_checked(db, path, readonly);
    if (r < 0)
        sq_close(db);
    return r;
}

void sq_close(aim_db *db) {
    sq_state *q = db ? SQ(db) : NULL;
    if (!q)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close_v2(q->h);
    free(q);
    db->impl = NULL;
}

/* ------------------------------------------------------------------ transactions */

static int exec_cached(aim_db *db, int which, const char *what) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, which, &st);
    return r < 0 ? r : step_done(db, st, what);
}

int sq_begin(aim_db *db) {
    SQ(db)->tx_chunks = 0;
    return exec_cached(db, ST_BEGIN, "cannot begin a transaction");
}

int sq_rollback(aim_db *db) {
    SQ(db)->tx_chunks = 0;
    return exec_cached(db, ST_ROLLBACK, "cannot roll back");
}

/* A failed COMMIT (SQLITE_FULL, an I/O error) may leave the transaction open; it is rolled
 * back here, so that the caller's next BEGIN works and its data is what it still holds. */
int sq_commit(aim_db *db) {
    int injected = 0;
    if (SQ(db)->tx_chunks && SQ(db)->fault_first > 0) {
        int64_t n = ++SQ(db)->sample_commits;
        injected = n >= SQ(db)->fault_first && (SQ(db)->fault_last == 0 || n <= SQ(db)->fault_last);
    }
    int r = injected ? -ENOSPC : exec_cached(db, ST_COMMIT, "cannot commit");
    if (r < 0 && !sqlite3_get_autocommit(SQ(db)->h)) {
        char keep[sizeof db->err];
        memcpy(keep, db->err, sizeof keep);
        aim__db_rollback(db);
        memcpy(db->err, keep, sizeof keep);
    }
    if (injected)
        return aim__db_set_error(db, -ENOSPC, "%s: database or disk is full (AIMETER_TEST_STORE_FAULT)",
                                SQ(db)->path);
    SQ(db)->tx_chunks = 0;
    return r;
}

/* Multi-statement writes are atomic whether or not the caller opened a transaction. */
static int auto_begin(aim_db *db, int *began) {
    *began = 0;
    if (!sqlite3_get_autocommit(SQ(db)->h))
        return 0;
    int r = aim__db_begin(db);
    *began = r == 0;
    return r;
}

static int auto_end(aim_db *db, int began, int r) {
    if (!began)
        return r;
    if (r < 0) {
        char keep[sizeof db->err];
        memcpy(keep, db->err, sizeof keep);
        aim__db_rollback(db);
        memcpy(db->err, keep, sizeof keep);
        return r;
    }
    return aim__db_commit(db);
}

/* ------------------------------------------------------------------ writing */

/* The twenty columns the insert (from ?13) and the end-of-run update (from ?6) both write,
 * in the same order: achieved_interval_ns to warnings, then the carbon method and cost of
 * schema 2, then schema 10's samples_lost. One binder keeps the two in step. */
static void bind_run_results(sqlite3_stmt *st, int first, const aim_run_summary *run) {
    sqlite3_bind_int64(st, first, run->achieved_interval_ns);
    sqlite3_bind_int64(st, first + 1, (sqlite3_int64)run->samples);
    sqlite3_bind_int64(st, first + 2, (sqlite3_int64)run->missed_deadlines);
    bind_text(st, first + 3, run->sources);
    bind_text(st, first + 4, run->zone);
    bind_real(st, first + 5, run->intensity_g_per_kwh);
    bind_text(st, first + 6, run->intensity_source);
    bind_real(st, first + 7, run->total_energy_j);
    bind_real(st, first + 8, run->carbon_g);
    bind_text(st, first + 9, run->warnings);
    const char *signal = aim__signal_name(run->signal), *basis = aim__basis_name(run->basis);
    bind_text(st, first + 10, signal ? signal : "average");
    bind_text(st, first + 11, basis ? basis : "unknown");
    sqlite3_bind_double(st, first + 12, run->pue >= 1.0 ? run->pue : 1.0);
    bind_text(st, first + 13, run->pue_source);
    bind_real(st, first + 14, run->facility_energy_j);
    int priced = run->currency[0] != '\0';
    bind_real(st, first + 15, priced ? run->price_per_kwh : NAN);
    bind_text(st, first + 16, run->currency);
    bind_text(st, first + 17, run->price_source);
    bind_real(st, first + 18, priced ? run->cost : NAN);
    sqlite3_bind_int64(st, first + 19, (sqlite3_int64)run->samples_lost);
}

int sq_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_RUN_INSERT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run->id);
    bind_text(st, 2, run->name);
    bind_text(st, 3, run->command);
    bind_text(st, 4, run->host[0] ? run->host : SQ(db)->host);
    bind_text(st, 5, run->aimeter_version[0] ? run->aimeter_version : aim_version());
    sqlite3_bind_int64(st, 6, writer_pid);
    sqlite3_bind_int64(st, 7, run->start_wall_ns);
    sqlite3_bind_int64(st, 8, run->end_wall_ns);
    sqlite3_bind_int64(st, 9, run->duration_ns);
    bind_text(st, 10, aim__status_text(AIM_RUN_RUNNING));
    sqlite3_bind_int(st, 11, run->exit_code);
    sqlite3_bind_int64(st, 12, run->interval_ns);
    bind_run_results(st, 13, run);
    return step_done(db, st, "cannot insert the run");
}

int sq_device_insert(aim_db *db, const char *run_id, int index,
                         const aim_device_summary *dev) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_DEVICE_INSERT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    sqlite3_bind_int(st, 2, index);
    bind_text(st, 3, dev->name);
    bind_text(st, 4, aim__device_kind_name(dev->kind));
    bind_text(st, 5, dev->model);
    bind_real(st, 6, dev->has_energy ? dev->energy_j : NAN);
    bind_text(st, 7, aim__method_text(dev->energy_method));
    bind_text(st, 8, dev->energy_detail);
    sqlite3_bind_int(st, 9, dev->in_total != 0);
    bind_real(st, 10, dev->in_total && dev->has_energy ? dev->carbon_g : NAN);
    return step_done(db, st, "cannot insert a device");
}

int sq_series_insert(aim_db *db, const char *run_id, const aim_series_summary *s) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_SERIES_INSERT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    sqlite3_bind_int(st, 2, s->slot);
    sqlite3_bind_int(st, 3, s->device);
    bind_text(st, 4, s->metric_key);
    sqlite3_bind_int(st, 5, s->instance);
    bind_text(st, 6, aim__method_text(s->method));
    sqlite3_bind_int(st, 7, s->group);
    sqlite3_bind_double(st, 8, s->resolution);
    sqlite3_bind_int(st, 9, s->counter != 0);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)s->count);
    bind_real(st, 11, s->mean);
    bind_real(st, 12, s->min);
    bind_real(st, 13, s->max);
    bind_real(st, 14, s->mode);
    bind_real(st, 15, s->stddev);
    sqlite3_bind_int(st, 16, s->mode_exact != 0);
    return step_done(db, st, "cannot insert a series");
}

int sq_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq,
                        int64_t t_first_ns, int64_t t_last_ns, int n_ticks, const void *blob,
                        size_t len, const void *summary, size_t summary_len) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_CHUNK_INSERT, &st);
    if (r < 0)
        return r;
    if (len > INT32_MAX)
        return aim__db_set_error(db, -EFBIG, "%s: chunk too large", SQ(db)->path);
    bind_text(st, 1, run_id);
    sqlite3_bind_int(st, 2, group);
    sqlite3_bind_int64(st, 3, seq);
    sqlite3_bind_int64(st, 4, t_first_ns);
    sqlite3_bind_int64(st, 5, t_last_ns);
    sqlite3_bind_int(st, 6, n_ticks);
    /* STATIC: the blob (the writer's backlog copy) outlives this step, and copying it again
     * would be an avoidable memcpy of the ingest path. */
    sqlite3_bind_blob(st, 7, blob ? blob : "", (int)len, SQLITE_STATIC);
    if (summary && summary_len <= INT32_MAX)
        sqlite3_bind_blob(st, 8, summary, (int)summary_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    SQ(db)->tx_chunks = 1;
    return step_done(db, st, "cannot insert a chunk");
}

int sq_steps_insert(aim_db *db, const char *run_id, int which,
                        const aim_intensity_point *points, size_t n) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, which ? ST_PRICE_INSERT : ST_INTENSITY_INSERT, &st);
    for (size_t i = 0; r == 0 && i < n; i++) {
        bind_text(st, 1, run_id);
        sqlite3_bind_int64(st, 2, points[i].t_unix_ms);
        sqlite3_bind_double(st, 3, points[i].g_per_kwh);
        r = step_done(db, st, which ? "cannot store the price series"
                                    : "cannot store the intensity series");
    }
    return r;
}

int sq_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, which ? ST_PRICE_COUNT : ST_INTENSITY_COUNT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ret_n = (size_t)sqlite3_column_int64(st, 0);
    else
        r = db_fail(db, rc, "cannot count the intensity series");
    finish(st);
    return r;
}

static int update_run_row(aim_db *db, const aim_run_summary *run) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_RUN_UPDATE, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run->id);
    bind_text(st, 2, aim__status_text(run->status));
    sqlite3_bind_int(st, 3, run->exit_code);
    sqlite3_bind_int64(st, 4, run->end_wall_ns);
    sqlite3_bind_int64(st, 5, run->duration_ns);
    bind_run_results(st, 6, run);
    r = step_done(db, st, "cannot update the run");
    if (r == 0 && sqlite3_changes(SQ(db)->h) == 0)
        r = aim__db_set_error(db, -ENOENT, "%s: no run %s to update", SQ(db)->path, run->id);
    return r;
}

static int update_devices(aim_db *db, const aim_run_summary *run) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_DEVICE_UPDATE, &st);
    for (int i = 0; r == 0 && i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        bind_text(st, 1, run->id);
        sqlite3_bind_int(st, 2, i);
        bind_real(st, 3, d->has_energy ? d->energy_j : NAN);
        bind_text(st, 4, aim__method_text(d->energy_method));
        bind_text(st, 5, d->energy_detail);
        sqlite3_bind_int(st, 6, d->in_total != 0);
        bind_text(st, 7, d->model);
        bind_real(st, 8, d->in_total && d->has_energy ? d->carbon_g : NAN);
        r = step_done(db, st, "cannot update a device");
    }
    return r;
}

static int update_series(aim_db *db, const aim_run_summary *run) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_SERIES_UPDATE, &st);
    for (int i = 0; r == 0 && i < run->n_series; i++) {
        const aim_series_summary *s = &run->series[i];
        bind_text(st, 1, run->id);
        sqlite3_bind_int(st, 2, s->slot);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)s->count);
        bind_real(st, 4, s->mean);
        bind_real(st, 5, s->min);
        bind_real(st, 6, s->max);
        bind_real(st, 7, s->mode);
        bind_real(st, 8, s->stddev);
        sqlite3_bind_int(st, 9, s->mode_exact != 0);
        r = step_done(db, st, "cannot update a series");
    }
    return r;
}

int sq_run_update(aim_db *db, const aim_run_summary *run) {
    int began;
    int r = auto_begin(db, &began);
    if (r < 0)
        return r;
    r = update_run_row(db, run);
    if (r == 0)
        r = update_devices(db, run);
    if (r == 0)
        r = update_series(db, run);
    return auto_end(db, began, r);
}

/* ------------------------------------------------------------------ reading */

/* Same host (the pid means something here) and the pid is gone. A reused pid makes a
 * dead run look alive, never the reverse: "stale" is only ever said when it is true. */
static int writer_gone(const aim_db *db, const char *host, int64_t pid) {
    if (!SQ(db)->host[0] || strcmp(SQ(db)->host, host) != 0 || pid <= 0 || pid > INT32_MAX)
        return 0;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void read_run_row(aim_db *db, sqlite3_stmt *st, aim_run_summary *run) {
    memset(run, 0, sizeof *run);
    sq_col_text(st, 0, run->id, sizeof run->id);
    sq_col_text(st, 1, run->name, sizeof run->name);
    sq_col_text(st, 2, run->command, sizeof run->command);
    sq_col_text(st, 3, run->host, sizeof run->host);
    sq_col_text(st, 4, run->aimeter_version, sizeof run->aimeter_version);
    int64_t pid = sqlite3_column_int64(st, 5);
    run->start_wall_ns = sqlite3_column_int64(st, 6);
    run->end_wall_ns = sqlite3_column_int64(st, 7);
    run->duration_ns = sqlite3_column_int64(st, 8);
    char status[24];
    sq_col_text(st, 9, status, sizeof status);
    /* An unknown status comes from a newer aimeter; "failed" is the honest reading. */
    run->status = aim__status_parse(status, AIM_RUN_FAILED);
    run->exit_code = sqlite3_column_int(st, 10);
    run->interval_ns = sqlite3_column_int64(st, 11);
    run->achieved_interval_ns = sqlite3_column_int64(st, 12);
    run->samples = (uint64_t)sqlite3_column_int64(st, 13);
    run->missed_deadlines = (uint64_t)sqlite3_column_int64(st, 14);
    sq_col_text(st, 15, run->sources, sizeof run->sources);
    sq_col_text(st, 16, run->zone, sizeof run->zone);
    run->intensity_g_per_kwh = col_real(st, 17);
    sq_col_text(st, 18, run->intensity_source, sizeof run->intensity_source);
    run->total_energy_j = col_real(st, 19);
    run->carbon_g = col_real(st, 20);
    sq_col_text(st, 21, run->warnings, sizeof run->warnings);
    char text[24];
    sq_col_text(st, 22, text, sizeof text);
    if (aim__signal_parse(text, &run->signal) < 0)
        run->signal = AIM_SIGNAL_AVERAGE;
    sq_col_text(st, 23, text, sizeof text);
    if (aim__basis_parse(text, &run->basis) < 0)
        run->basis = AIM_BASIS_UNKNOWN;
    run->pue = col_real(st, 24);
    sq_col_text(st, 25, run->pue_source, sizeof run->pue_source);
    run->facility_energy_j = col_real(st, 26);
    run->price_per_kwh = col_real(st, 27);
    sq_col_text(st, 28, run->currency, sizeof run->currency);
    sq_col_text(st, 29, run->price_source, sizeof run->price_source);
    run->cost = col_real(st, 30);
    run->samples_lost = (uint64_t)sqlite3_column_int64(st, 31);
    run->stale = run->status == AIM_RUN_RUNNING && writer_gone(db, run->host, pid);
}

static int load_devices(aim_db *db, const char *run_id, aim_run_summary *run, int **ret_idx) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_DEVICES_SELECT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    size_t cap = 0;
    int rc;
    int *idx = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)run->n_devices == cap) {
            /* Two arrays of the same length: both grow to the one new capacity. */
            size_t grown = aim__array_next_cap(cap, cap + 1, 8);
            if (grown == 0 || aim__array_resize(&run->devices, grown, sizeof *run->devices) < 0 ||
                aim__array_resize(&idx, grown, sizeof *idx) < 0) {
                r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", SQ(db)->path);
                break;
            }
            cap = grown;
        }
        aim_device_summary *d = &run->devices[run->n_devices];
        memset(d, 0, sizeof *d);
        idx[run->n_devices] = sqlite3_column_int(st, 0);
        sq_col_text(st, 1, d->name, sizeof d->name);
        char text[24];
        sq_col_text(st, 2, text, sizeof text);
        d->kind = aim__device_kind_parse(text, AIM_DEV_OTHER);
        sq_col_text(st, 3, d->model, sizeof d->model);
        d->has_energy = sqlite3_column_type(st, 4) != SQLITE_NULL;
        d->energy_j = col_real(st, 4);
        sq_col_text(st, 5, text, sizeof text);
        d->energy_method = aim__method_parse(text, AIM_METHOD_ESTIMATED);
        sq_col_text(st, 6, d->energy_detail, sizeof d->energy_detail);
        d->in_total = sqlite3_column_int(st, 7) != 0;
        d->carbon_g = col_real(st, 8);
        run->n_devices++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = db_fail(db, rc, "cannot read devices");
    finish(st);
    if (r < 0)
        free(idx);
    else
        *ret_idx = idx;
    return r;
}

static int load_series(aim_db *db, const char *run_id, aim_run_summary *run, const int *dev_idx) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_SERIES_SELECT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(run->series, cap, (size_t)run->n_series + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", SQ(db)->path);
            break;
        }
        aim_series_summary *s = &run->series[run->n_series];
        memset(s, 0, sizeof *s);
        s->slot = sqlite3_column_int(st, 0);
        /* devices.idx is dense when aimeter wrote it; map it anyway so a gap cannot make
         * the report index past the array. */
        int stored = sqlite3_column_int(st, 1);
        s->device = -1;
        for (int i = 0; i < run->n_devices; i++)
            if (dev_idx[i] == stored)
                s->device = i;
        sq_col_text(st, 2, s->metric_key, sizeof s->metric_key);
        s->metric = aim__metric_id_of(aim_metric_find(s->metric_key));
        s->instance = sqlite3_column_int(st, 3);
        char text[24];
        sq_col_text(st, 4, text, sizeof text);
        s->method = aim__method_parse(text, AIM_METHOD_ESTIMATED);
        s->group = sqlite3_column_int(st, 5);
        s->resolution = sqlite3_column_double(st, 6);
        s->counter = sqlite3_column_int(st, 7) != 0;
        s->count = (uint64_t)sqlite3_column_int64(st, 8);
        s->mean = col_real(st, 9);
        s->min = col_real(st, 10);
        s->max = col_real(st, 11);
        s->mode = col_real(st, 12);
        s->stddev = col_real(st, 13);
        s->mode_exact = sqlite3_column_int(st, 14) != 0;
        run->n_series++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = db_fail(db, rc, "cannot read series");
    finish(st);
    return r;
}

static int load_steps(aim_db *db, int which, const char *run_id, aim_intensity_point **ret,
                      size_t *ret_n) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, which, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    aim_intensity_point *pts = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(pts, cap, n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", SQ(db)->path);
            break;
        }
        pts[n].t_unix_ms = sqlite3_column_int64(st, 0);
        pts[n].g_per_kwh = sqlite3_column_double(st, 1);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = db_fail(db, rc, "cannot read the intensity series");
    finish(st);
    if (r < 0) {
        free(pts);
        return r;
    }
    *ret = pts;
    *ret_n = n;
    return 0;
}

int sq_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_RUN_SELECT, &st);
    if (r < 0)
        return r;
    aim_run_summary *run = calloc(1, sizeof *run);
    if (!run)
        return aim__db_set_error(db, -ENOMEM, "%s: out of memory", SQ(db)->path);
    bind_text(st, 1, run_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_run_row(db, st, run);
    else if (rc == SQLITE_DONE)
        r = aim__db_set_error(db, -ENOENT, "%s: no run %s", SQ(db)->path, run_id);
    else
        r = db_fail(db, rc, "cannot read the run");
    finish(st);

    int *dev_idx = NULL;
    if (r == 0)
        r = load_devices(db, run_id, run, &dev_idx);
    if (r == 0)
        r = load_series(db, run_id, run, dev_idx);
    if (r == 0)
        r = load_steps(db, ST_INTENSITY_SELECT, run_id, &run->intensity_points,
                       &run->n_intensity_points);
    if (r == 0)
        r = load_steps(db, ST_PRICE_SELECT, run_id, &run->price_points, &run->n_price_points);
    free(dev_idx);
    if (r < 0) {
        aim__run_summary_clear(run);
        free(run);
        return r;
    }
    *ret = *run;
    free(run);
    return 0;
}

/* The runs st's rows are (RUN_COLUMNS), st finished. */
static int collect_runs(aim_db *db, sqlite3_stmt *st, aim_run_summary **ret_runs,
                        size_t *ret_count) {
    int r = 0;
    aim_run_summary *runs = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(runs, cap, n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", SQ(db)->path);
            break;
        }
        read_run_row(db, st, &runs[n++]);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = db_fail(db, rc, "cannot list runs");
    finish(st);
    if (r < 0) {
        free(runs);
        return r;
    }
    *ret_runs = runs;
    *ret_count = n;
    return 0;
}

int sq_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_RUN_LIST, &st);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
    return collect_runs(db, st, ret_runs, ret_count);
}

/* One statement whatever the filter (an absent one is bound NULL): no SQL is built from a
 * request. The job is the first non-empty of the agent's job tags (engine/tags.c). */
static const char list_where_sql[] =
    "SELECT " RUN_COLUMNS " FROM runs r WHERE (?1 IS NULL OR instr(r.name, ?1) > 0) "
    "AND (?2 IS NULL OR r.host = ?2) AND r.start_wall_ns BETWEEN ?3 AND ?4 "
    "AND (?5 IS NULL OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ?5 "
    "AND t.value = ?6)) "
    "AND (?7 IS NULL OR ?7 = COALESCE("
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'slurm_job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'pbs_job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'sge_job' AND value <> ''))) "
    "ORDER BY r.start_wall_ns DESC, r.id DESC LIMIT ?8 OFFSET ?9";

static void bind_opt(sqlite3_stmt *st, int i, const char *s, size_t n) {
    if (s)
        sqlite3_bind_text(st, i, s, (int)n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int sq_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                       size_t *ret_count) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(SQ(db)->h, list_where_sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "cannot list runs");
    bind_opt(st, 1, f->name_part, f->name_part ? strlen(f->name_part) : 0);
    bind_opt(st, 2, f->host, f->host ? strlen(f->host) : 0);
    sqlite3_bind_int64(st, 3, f->from_ns);
    sqlite3_bind_int64(st, 4, f->to_ns);
    bind_opt(st, 5, f->tag_key, f->tag_key_len);
    bind_opt(st, 6, f->tag_value, f->tag_value ? strlen(f->tag_value) : 0);
    bind_opt(st, 7, f->job, f->job ? strlen(f->job) : 0);
    sqlite3_bind_int64(st, 8, f->limit == 0 || f->limit > INT64_MAX ? -1 : (sqlite3_int64)f->limit);
    sqlite3_bind_int64(st, 9, f->offset > INT64_MAX ? INT64_MAX : (sqlite3_int64)f->offset);
    int r = collect_runs(db, st, ret_runs, ret_count);
    sqlite3_finalize(st); /* prepared here, not one of the handle's cached statements */
    return r;
}

/* Runs a one-column id query; collects up to max ids. Returns the count or -errno. */
static int collect_ids(aim_db *db, sqlite3_stmt *st, char ids[][40], int max) {
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n < max)
            sq_col_text(st, 0, ids[n], sizeof ids[n]);
        n++;
    }
    int r = rc == SQLITE_DONE ? n : db_fail(db, rc, "cannot look the run up");
    finish(st);
    return r;
}

int sq_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen) {
    char ids[6][40];
    sqlite3_stmt *st = NULL;
    int n, r;
    if (err && errlen)
        err[0] = '\0';
    if (!ref || !*ref) {
        r = aim__db_set_error(db, -EINVAL, "no run given");
        goto out;
    }
    if (strcmp(ref, "last") == 0) {
        r = stmt(db, ST_LAST, &st);
        if (r < 0)
            goto out;
        n = collect_ids(db, st, ids, 1);
        if (n == 0)
            n = aim__db_set_error(db, -ENOENT, "no runs in %s yet", SQ(db)->path);
    } else {
        r = stmt(db, ST_EXACT, &st);
        if (r < 0)
            goto out;
        bind_text(st, 1, ref);
        n = collect_ids(db, st, ids, 1);
        if (n == 0) {
            r = stmt(db, ST_PREFIX, &st);
            if (r < 0)
                goto out;
            bind_text(st, 1, ref);
            n = collect_ids(db, st, ids, 6);
        }
        if (n == 0)
            n = aim__db_set_error(db, -ENOENT, "no run matches '%s' in %s", ref, SQ(db)->path);
        if (n > 1) {
            char list[256] = "";
            size_t used = 0;
            for (int i = 0; i < n && i < 5; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         i ? ", " : "", ids[i]);
            n = aim__db_set_error(db, -EEXIST, "run '%s' is ambiguous: it matches %s%s", ref,
                                 list, n > 5 ? ", ..." : "");
        }
    }
    r = n < 0 ? n : 0;
    if (r == 0) {
        char *id = strdup(ids[0]);
        if (!id)
            r = aim__db_set_error(db, -ENOMEM, "out of memory");
        else
            *ret_id = id;
    }
out:
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s", db->err);
    return r;
}

/* ------------------------------------------------------------------ chunks */

typedef struct sq_chunk_iter {
    aim_db *db;
    sqlite3_stmt *st;
} sq_chunk_iter;

int sq_chunk_iter_new(aim_db *db, const char *run_id, int group, int64_t from_ns, void **ret) {
    sq_chunk_iter *it = calloc(1, sizeof *it);
    if (!it)
        return aim__db_set_error(db, -ENOMEM, "out of memory");
    it->db = db;
    /* A store of schema 10 read as it is has no summaries: NULL in their place. */
    int rc = sqlite3_prepare_v2(SQ(db)->h, SQ(db)->summaries
                                ? "SELECT data, seq, summary FROM chunks WHERE run_id = ?1 AND "
                                  "grp = ?2 AND t_last_ns >= ?3 ORDER BY seq"
                                : "SELECT data, seq, NULL FROM chunks WHERE run_id = ?1 AND "
                                  "grp = ?2 AND t_last_ns >= ?3 ORDER BY seq", -1, &it->st, NULL);
    if (rc != SQLITE_OK) {
        free(it);
        return db_fail(db, rc, "cannot read chunks");
    }
    bind_text(it->st, 1, run_id);
    sqlite3_bind_int(it->st, 2, group);
    sqlite3_bind_int64(it->st, 3, from_ns);
    *ret = it;
    return 0;
}

int sq_chunk_iter_next(void *iter, const uint8_t **ret_blob, size_t *ret_len,
                       int64_t *ret_seq) {
    sq_chunk_iter *it = iter;
    int rc = sqlite3_step(it->st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return db_fail(it->db, rc, "cannot read chunks");
    const void *blob = sqlite3_column_blob(it->st, 0);
    int len = sqlite3_column_bytes(it->st, 0);
    *ret_blob = blob ? blob : (const uint8_t *)"";
    *ret_len = (size_t)(len > 0 ? len : 0);
    if (ret_seq)
        *ret_seq = sqlite3_column_int64(it->st, 1);
    return 1;
}

int sq_chunk_iter_summary(void *iter, const uint8_t **ret, size_t *ret_len) {
    sq_chunk_iter *it = iter;
    const void *blob = sqlite3_column_blob(it->st, 2);
    int len = sqlite3_column_bytes(it->st, 2);
    *ret = blob;
    *ret_len = (size_t)(blob && len > 0 ? len : 0);
    return blob && len > 0;
}

void sq_chunk_iter_free(void *iter) {
    sq_chunk_iter *it = iter;
    if (!it)
        return;
    sqlite3_finalize(it->st);
    free(it);
}

int sq_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_GROUP_TICKS, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    sqlite3_bind_int(st, 2, group);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ret_ticks = sqlite3_column_int64(st, 1);
    else
        r = db_fail(db, rc, "cannot count ticks");
    finish(st);
    return r;
}

int sq_run_exists(aim_db *db, const char *run_id) {
    sqlite3_stmt *st = NULL;
    char ids[1][40];
    int r = stmt(db, ST_EXACT, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    int n = collect_ids(db, st, ids, 1);
    if (n == 0)
        return aim__db_set_error(db, -ENOENT, "%s: no run %s", SQ(db)->path, run_id);
    return n < 0 ? n : 0;
}

int sq_group_columns(aim_db *db, const char *run_id, int group, aim_chunk_column **ret,
                         int *ret_n) {
    sqlite3_stmt *st = NULL;
    int r = stmt(db, ST_GROUP_COLUMNS, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    sqlite3_bind_int(st, 2, group);
    aim_chunk_column *cols = NULL;
    int n = 0, rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(cols, cap, (size_t)n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "out of memory");
            break;
        }
        cols[n].resolution = sqlite3_column_double(st, 0);
        cols[n].counter = sqlite3_column_int(st, 1) != 0;
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = db_fail(db, rc, "cannot read series");
    finish(st);
    if (r < 0) {
        free(cols);
        return r;
    }
    *ret = cols;
    *ret_n = n;
    return 0;
}

sqlite3 *aim__db_sqlite(aim_db *db) { return db ? SQ(db)->h : NULL; }
