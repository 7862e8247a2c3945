/* The uploader (uploader.h) and its sink: the thread starts with the writer, the writer's
 * commits move what it has to say into the run's warnings (so that the spool, and through
 * it the server, keeps them), and the session's stop makes the last upload, waiting a
 * bounded time for a server that is down, then removes the uploaded run from the spool.
 *
 * After any failed upload the uploader closes its connection and opens a new one for the
 * next try. Every upload, the last ones too, runs on the uploader's thread: the session's
 * end waits for it at most the final wait, then cancels what it does (aim__db_cancel: a
 * server that stalls, SIGSTOPped or behind a dead link, answers nothing) and keeps the run
 * in the spool. Connections are made on an opener's thread (engine/store_opener.h) that the
 * uploader's waits for and lets go of when the end gives up; the first may be start()'s,
 * handed on while still being made (a host that answers nothing must not hold the start). */
#include "engine/uploader.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine/session_internal.h"
#include "engine/sink.h"
#include "engine/store_opener.h"
#include "engine/upload_plan.h"
#include "store/copy_store.h"
#include "store/redact.h"
#include "store/store.h"
#include "util/log.h"
#include "util/numfmt.h"

#define MAX_NOTES 8

struct aim_uploader {
    char url[4096], spool[4096], run_id[40];
    char shown[4096];        /* url as messages show it (store/redact.h) */
    aim_db *server;          /* NULL: not connected (opened again at the next try) */
    /* The connection being made, on a thread of its own (engine/store_opener.h): the one
     * start() began and handed on while it was still pending, or the thread's own for the
     * next try. The thread's, or free_uploader's when the thread never ran. */
    aim_store_opener *opening;
    int from_start;          /* opening is start()'s: refused, the run is not uploaded */
    int opened;              /* opening finished (its notification, under lock) */
    int refused;             /* the server refused start()'s connection for a reason of the
                                user's (not an outage): nothing is uploaded, a warning says so */
    aim_db *spool_db;        /* the uploader's own handle on the spool */
    aim_upload_plan plan;
    int agent;
    char why[512];           /* the last failure's reason */
    pthread_t thread;
    int started;
    pthread_mutex_t lock;    /* stop, notes */
    pthread_cond_t wake;
    int stop;
    char notes[MAX_NOTES][2600]; /* the end's line is as long (aim__uploader_finish) */
    int n_notes;
    int uploaded;            /* the end of the run reached the server */
    uint64_t copied;         /* the run as the last successful upload read it (its fingerprint:
                                the spool removes only that, store/copy_store.h) */
    /* The end (aim__uploader_finish) asks the thread for each upload (req, done, result),
     * waiting at most the final wait; past it, cancel. Under lock. */
    int final;               /* no more periodic uploads */
    int req, req_kind, done, result;
    pthread_cond_t done_cv;
    int cancelled;           /* the end gave up: nothing more is tried */
    int running;             /* the thread has not returned */
    int abandoned;           /* the end did not wait for it: its handles are the thread's */
    int released;            /* the sink let go of u: the abandoned thread frees it */
    int clash;               /* the server holds another run under this run's id: renamed in
                                the spool at the end, once the writer is done with it */
};

enum { REQ_UPLOAD = 1, REQ_DROP };

/* A statement of the uploader that runs this long is a server in trouble, not work (each is
 * one row or one chunk). */
#define UPLOAD_STATEMENT_TIMEOUT_MS 60000

/* Uploads copy KEEP_EXTRA (a spool retention's pruning never deletes server chunks) and read
 * the fingerprint of what they copied, for the spool's clean-up. */
#define UPLOAD_FLAGS (AIM_COPY_KEEP_EXTRA | AIM_COPY_FINGERPRINT)

int aim__store_is_server(const char *path) {
    const aim_store_ops *ops;
    const char *where;
    return path && aim__store_backend_for(path, &ops, &where, NULL, 0) == 0 &&
           strcmp(ops->name, "sqlite") != 0;
}

int aim__uploader_new(const char *url, const char *spool_path, aim_db *server,
                      aim_store_opener *pending, int64_t interval_ns, int agent,
                      aim_uploader **ret) {
    aim_uploader *u = calloc(1, sizeof *u);
    if (!u) {
        aim__db_close(server);
        aim__store_pending_abandon(pending);
        return -ENOMEM;
    }
    snprintf(u->url, sizeof u->url, "%s", url);
    aim__store_redact(url, u->shown, sizeof u->shown);
    snprintf(u->spool, sizeof u->spool, "%s", spool_path);
    u->server = server;
    u->opening = pending;
    u->from_start = pending != NULL;
    u->agent = agent;
    aim__upload_plan_init(&u->plan, interval_ns, aim__mono_ns());
    pthread_mutex_init(&u->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&u->wake, &attr);
    pthread_cond_init(&u->done_cv, &attr);
    pthread_condattr_destroy(&attr);
    if (u->server)
        aim__db_statement_timeout(u->server, UPLOAD_STATEMENT_TIMEOUT_MS);
    *ret = u;
    return 0;
}

const char *aim__uploader_pending(const aim_uploader *u) {
    return u && !u->uploaded ? u->spool : NULL;
}

/* A line for the run's warnings, taken by the writer's next commit. */
static void __attribute__((format(printf, 2, 3))) note(aim_uploader *u, const char *fmt, ...) {
    va_list ap;
    pthread_mutex_lock(&u->lock);
    if (u->n_notes < MAX_NOTES) {
        va_start(ap, fmt);
        vsnprintf(u->notes[u->n_notes++], sizeof u->notes[0], fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&u->lock);
}

static int take_notes(aim_session *s, aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    int n = u->n_notes;
    for (int i = 0; i < n; i++)
        aim__session_warn(s, u->notes[i]);
    u->n_notes = 0;
    pthread_mutex_unlock(&u->lock);
    return n;
}

static void wall_text(char *buf, size_t size, int64_t wall_ns) {
    aim__iso8601_format(wall_ns / 1000000, 1, buf, size);
}

static int cancelled(aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    int c = u->cancelled;
    pthread_mutex_unlock(&u->lock);
    return c;
}

/* The server refused start()'s connection (open_handles). */
static int refused(aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    int f = u->refused;
    pthread_mutex_unlock(&u->lock);
    return f;
}

/* The end has begun: the writer is done with the run (set under the lock by the end). */
static int final(aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    int f = u->final;
    pthread_mutex_unlock(&u->lock);
    return f;
}

/* The opener's notification (store_opener.h: on its thread, under its lock). */
static void opener_done(void *arg) {
    aim_uploader *u = arg;
    pthread_mutex_lock(&u->lock);
    u->opened = 1;
    pthread_cond_broadcast(&u->wake);
    pthread_mutex_unlock(&u->lock);
}

/* The server's connection: start()'s when it handed one on, else a new one, opened on a
 * thread of the opener's own and waited for here until it is made, or the end gives up
 * (cancel) or stops the thread: a connect to a host that answers nothing (its packets
 * dropped) ends only at libpq's connect_timeout, and the end's deadline must hold. Given
 * up, the opener is let go (its thread closes what it opened). 0 with the connection in
 * *ret, or the failure (u->why says it). */
static int connect_server(aim_uploader *u, aim_db **ret) {
    aim_store_opener *o = u->opening;
    if (!o) {
        if (aim__store_pending_begin(u->url, &o) < 0) {
            snprintf(u->why, sizeof u->why, "out of memory");
            return -ENOMEM;
        }
        u->opening = o;
        u->from_start = 0;
    }
    pthread_mutex_lock(&u->lock);
    u->opened = 0;
    pthread_mutex_unlock(&u->lock);
    int done = aim__store_pending_notify(o, opener_done, u);
    pthread_mutex_lock(&u->lock);
    while (!done && !(done = u->opened) && !u->cancelled && !u->stop)
        pthread_cond_wait(&u->wake, &u->lock);
    pthread_mutex_unlock(&u->lock);
    u->opening = NULL;
    if (!done) {
        aim__store_pending_abandon(o);
        snprintf(u->why, sizeof u->why, "no answer before the end's deadline");
        return -ECANCELED;
    }
    return aim__store_pending_take(o, ret, u->why, sizeof u->why);
}

/* Both handles, opened where they are not: 0, or the failure (u->why says it). u->server
 * changes under the lock: the end's cancel reaches the connection in use. */
static int open_handles(aim_uploader *u) {
    int r = 0;
    if (cancelled(u)) {
        snprintf(u->why, sizeof u->why, "no answer before the end's deadline");
        return -ECANCELED;
    }
    if (!u->spool_db)
        r = aim__db_open(u->spool, 0, &u->spool_db, u->why, sizeof u->why);
    if (r == 0 && !u->server) {
        aim_db *db = NULL;
        int from_start = u->from_start;
        u->from_start = 0;
        r = connect_server(u, &db);
        if (r == 0)
            aim__db_statement_timeout(db, UPLOAD_STATEMENT_TIMEOUT_MS);
        pthread_mutex_lock(&u->lock);
        if (r == 0 && u->cancelled) {
            snprintf(u->why, sizeof u->why, "no answer before the end's deadline");
            r = -ECANCELED;
        } else if (r == 0) {
            u->server = db;
            db = NULL;
        } else if (from_start && r != -ECONNREFUSED && r != -ECANCELED && r != -ENOMEM) {
            /* What start() refuses when the server says it in time (a password in the URL,
             * refused credentials, no such database, a newer schema): the user's to fix,
             * not an outage; the run stays in the spool, as when the server is away at the
             * end, and no upload is tried again. */
            u->refused = 1;
        }
        pthread_mutex_unlock(&u->lock);
        aim__db_close(db);
        if (u->refused)
            /* (The reason last: a logged line is cut at 511 bytes, the run keeps it whole.) */
            note(u, "store: %.400s refused the run: it is kept in the spool %.400s and not "
                 "uploaded; `aimeter push --db %.400s --to %.400s` uploads it once this is "
                 "fixed: %.400s", u->shown, u->spool, u->spool, u->shown, u->why);
    }
    return r;
}

static void disconnect(aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    aim_db *db = u->server;
    u->server = NULL;
    pthread_mutex_unlock(&u->lock);
    aim__db_close(db);
}

/* A new id for a spooled run whose id the server holds for another run: the same second,
 * other random digits (ids are unique per store only, engine/session.c's form), taken
 * neither on the server nor in the spool; the run renamed in the spool (one transaction,
 * store/copy_store.h). 0 and new_id, or -errno (u->why says it). */
static int rename_spooled(aim_uploader *u, const char *old, char *new_id, size_t size) {
    int r = -EEXIST;
    for (int attempt = 0; attempt < 8 && r == -EEXIST; attempt++) {
        unsigned char rnd[3] = { 0 };
        if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd) {
            uint64_t x = (uint64_t)aim__mono_ns() * 2654435761u + (uint64_t)attempt;
            memcpy(rnd, &x, sizeof rnd);
        }
        /* The kept head copied by hand: gcc -O2 with ASan took old for NULL in "%.*s". */
        size_t len = strlen(old), keep = len > 6 ? len - 6 : 0;
        if (keep + 7 > size)
            return -EINVAL;
        memcpy(new_id, old, keep);
        snprintf(new_id + keep, size - keep, "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
        if (strcmp(new_id, old) == 0 || aim__db_run_exists(u->server, new_id) != -ENOENT)
            continue; /* taken there too (or the server cannot say: tried again later) */
        r = aim__store_rename_run(u->spool_db, old, new_id);
    }
    if (r < 0)
        snprintf(u->why, sizeof u->why, "cannot give run %s a new id: %s", old,
                 aim__db_errmsg(u->spool_db));
    return r;
}

/* The line a renamed run carries (and the log says). */
#define RENAMED_FMT "store: run id %s was taken on the server %s by another run; uploaded as %s"

/* A left-over run (no writer) renamed and its line added to its warnings in the spool. */
static int rename_leftover(aim_uploader *u, const char *old, char *new_id, size_t size) {
    int r = rename_spooled(u, old, new_id, size);
    if (r < 0)
        return r;
    aim_run_summary run;
    if (aim__db_load_summary(u->spool_db, new_id, &run) == 0) {
        size_t used = strlen(run.warnings);
        snprintf(run.warnings + used, sizeof run.warnings - used, "%s" RENAMED_FMT,
                 used ? "\n" : "", old, u->shown, new_id);
        aim__db_run_update(u->spool_db, &run);
        aim__run_summary_clear(&run);
    }
    aim__log(AIM_LOG_WARNING, RENAMED_FMT, old, u->shown, new_id);
    return 0;
}

/* The other runs in the spool that ended (or whose writer is gone): those earlier processes
 * left there (a run that ended while the server was down, an agent killed) and the agent's
 * own job runs (engine/jobs.h), each uploaded, then removed from the spool. The agent's,
 * after each upload of its own run: a spool without such runs costs one query.
 * A run is removed only as it was copied (aim__store_drop_run_if): an `aimeter run` whose
 * status already says completed still writes its correlations, its re-priced carbon and its
 * last warnings, and those must reach the server before the spool lets the run go; such a
 * run is copied again at the next upload. */
static void upload_leftovers(aim_uploader *u) {
    aim_run_summary *runs = NULL;
    size_t n = 0;
    if (aim__db_list_runs(u->spool_db, 0, &runs, &n) < 0)
        return;
    int done = 0;
    /* Oldest first; one that fails (the server lost, a schema it refuses) is tried again
     * after the next upload, and the others go on meanwhile. */
    for (size_t i = n; i-- > 0;) {
        const aim_run_summary *run = &runs[i];
        if (strcmp(run->id, u->run_id) == 0 || (run->status == AIM_RUN_RUNNING && !run->stale))
            continue; /* this run, or another live process's */
        if (cancelled(u))
            break;
        aim_copy_stats st;
        char id[40];
        snprintf(id, sizeof id, "%s", run->id);
        int r = aim__store_copy_run(u->spool_db, u->server, id, UPLOAD_FLAGS, &st);
        if (r == -EEXIST && rename_leftover(u, run->id, id, sizeof id) == 0)
            r = aim__store_copy_run(u->spool_db, u->server, id, UPLOAD_FLAGS, &st);
        if (r == 0 && aim__store_drop_run_if(u->spool_db, id, st.fingerprint) == 0)
            done++;
    }
    for (size_t i = 0; i < n; i++)
        aim__run_summary_clear(&runs[i]);
    free(runs);
    if (done)
        aim__log(AIM_LOG_INFO, "store: uploaded %d other run%s from the spool %s to %s", done,
                 done == 1 ? "" : "s", u->spool, u->shown);
}

/* One upload of the run: 1 done, 0 nothing to upload yet (the run's rows are not in the
 * spool), or the failure (u->why says it). The plan is told. */
static int upload(aim_uploader *u) {
    if (u->refused)
        return -EPERM; /* said once, when the server refused it */
    int r = open_handles(u);
    if (r < 0 && u->refused)
        return r;
    aim_copy_stats st;
    int ending = final(u);
    if (r == 0 && u->clash && !ending) {
        /* The run's id is another run's on the server: the writer still writes under it, so
         * the run is renamed (and uploaded) at the end; the other runs go on meanwhile. */
        u->plan.next_ns = aim__mono_ns() + u->plan.interval_ns;
        if (u->agent)
            upload_leftovers(u);
        return 0;
    }
    if (r == 0) {
        int renamed = 0; /* the rename's failure: u->why says it */
        r = aim__store_copy_run(u->spool_db, u->server, u->run_id, UPLOAD_FLAGS, &st);
        if (r == -EEXIST && !ending && !u->clash) {
            u->clash = 1;
            return upload(u);
        }
        if (r == -EEXIST && ending) {
            /* the writer is done: the spooled run takes a new id and goes up under it */
            char old[40], new_id[40];
            snprintf(old, sizeof old, "%s", u->run_id);
            r = rename_spooled(u, old, new_id, sizeof new_id);
            renamed = r;
            if (r == 0) {
                pthread_mutex_lock(&u->lock); /* follow_rename reads it */
                snprintf(u->run_id, sizeof u->run_id, "%s", new_id);
                pthread_mutex_unlock(&u->lock);
                note(u, RENAMED_FMT, old, u->shown, new_id);
                u->clash = 0;
                r = aim__store_copy_run(u->spool_db, u->server, u->run_id, UPLOAD_FLAGS, &st);
            }
        }
        if (r == 0)
            u->copied = st.fingerprint;
        if (r == -ENOENT && aim__db_run_exists(u->spool_db, u->run_id) == -ENOENT) {
            /* not recorded yet: the writer's first commit is to come */
            u->plan.next_ns = aim__mono_ns() + u->plan.interval_ns;
            return 0;
        }
        if (r < 0 && renamed == 0)
            snprintf(u->why, sizeof u->why, "%s", aim__db_errmsg(u->server));
        /* The other runs of the spool do not wait on this one's success (an agent's job
         * runs): only on a connection that still answers. */
        if (r < 0 && u->agent && r != -ECONNREFUSED && r != -ECANCELED && !cancelled(u))
            upload_leftovers(u);
    }
    int64_t now = aim__mono_ns(), wall = aim__wall_ns();
    char when[40], late[48];
    wall_text(when, sizeof when, wall);
    if (r < 0) {
        disconnect(u);
        /* (Once the end gave up, its own line says so: aim__uploader_finish.) */
        if (aim__upload_plan_failed(&u->plan, now, wall) == AIM_UPLOAD_WENT_DOWN &&
            !cancelled(u))
            note(u, "store: cannot upload to %s since %s (%s); the run is kept in the spool %s "
                 "and uploaded when the server answers", u->shown, when, u->why, u->spool);
        return r;
    }
    if (aim__upload_plan_ok(&u->plan, now, wall) == AIM_UPLOAD_CAME_BACK) {
        aim__fmt_duration(late, sizeof late, u->plan.max_delay_ns);
        note(u, "store: %s answered again at %s; the samples spooled meanwhile are uploaded, "
             "the latest %s late", u->shown, when, late);
    }
    if (u->agent)
        upload_leftovers(u);
    return 1;
}

static int drop_uploaded(aim_uploader *u);
static void free_uploader(aim_uploader *u);

static void *upload_main(void *arg) {
    aim_uploader *u = arg;
    pthread_mutex_lock(&u->lock);
    while (!u->stop) {
        if (u->req != u->done) {
            int kind = u->req_kind, seq = u->req;
            pthread_mutex_unlock(&u->lock);
            int r = kind == REQ_DROP ? drop_uploaded(u) : upload(u);
            pthread_mutex_lock(&u->lock);
            u->result = r;
            u->done = seq;
            pthread_cond_broadcast(&u->done_cv);
            continue;
        }
        if (u->final) {
            pthread_cond_wait(&u->wake, &u->lock);
            continue;
        }
        int64_t due = u->plan.next_ns;
        if (aim__mono_ns() < due) {
            struct timespec ts = { .tv_sec = due / 1000000000, .tv_nsec = due % 1000000000 };
            pthread_cond_timedwait(&u->wake, &u->lock, &ts);
            continue;
        }
        pthread_mutex_unlock(&u->lock);
        upload(u);
        pthread_mutex_lock(&u->lock);
    }
    if (!u->abandoned) {
        u->running = 0;
        pthread_cond_broadcast(&u->done_cv);
        pthread_mutex_unlock(&u->lock);
        return NULL;
    }
    /* The end went on without it (stop_thread): its handles end here, and u with the last
     * of the two to let go (release, or this). */
    pthread_mutex_unlock(&u->lock);
    disconnect(u);
    aim__db_close(u->spool_db);
    u->spool_db = NULL;
    aim__store_pending_abandon(u->opening);
    u->opening = NULL;
    pthread_mutex_lock(&u->lock);
    u->running = 0;
    int last = u->released;
    pthread_mutex_unlock(&u->lock);
    if (last)
        free_uploader(u);
    return NULL;
}

/* The thread stopped and joined, waiting at most until deadline (monotonic ns): one stuck
 * in a call that cancel could not reach is left to end on its own (detached) and close its
 * handles; u is then freed by whichever of it and release() lets go last. (A connect is not
 * such a call: it runs on an opener's thread, which the uploader's lets go of.) 1 joined,
 * 0 abandoned. */
static int stop_thread(aim_uploader *u, int64_t deadline) {
    if (!u->started)
        return !u->abandoned;
    pthread_mutex_lock(&u->lock);
    u->stop = 1;
    pthread_cond_broadcast(&u->wake);
    struct timespec ts = { .tv_sec = deadline / 1000000000, .tv_nsec = deadline % 1000000000 };
    while (u->running && pthread_cond_timedwait(&u->done_cv, &u->lock, &ts) == 0)
        ;
    int joined = !u->running;
    if (!joined)
        u->abandoned = 1;
    pthread_mutex_unlock(&u->lock);
    if (joined)
        pthread_join(u->thread, NULL);
    else
        pthread_detach(u->thread);
    u->started = 0;
    return joined;
}

/* One upload (or the spool's clean-up) by the thread, waited for until deadline: its result,
 * or -ETIMEDOUT (it goes on; the caller cancels it). */
static int request(aim_uploader *u, int kind, int64_t deadline) {
    pthread_mutex_lock(&u->lock);
    int seq = ++u->req;
    u->req_kind = kind;
    pthread_cond_broadcast(&u->wake);
    struct timespec ts = { .tv_sec = deadline / 1000000000, .tv_nsec = deadline % 1000000000 };
    while (u->done != seq && u->running &&
           pthread_cond_timedwait(&u->done_cv, &u->lock, &ts) == 0)
        ;
    int r = u->done == seq ? u->result : -ETIMEDOUT;
    pthread_mutex_unlock(&u->lock);
    return r;
}

/* Gives up on the server: the statement in flight fails at once, nothing more is tried. */
static void cancel_uploads(aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    u->cancelled = 1;
    if (u->server)
        aim__db_cancel(u->server);
    pthread_cond_broadcast(&u->wake);
    pthread_mutex_unlock(&u->lock);
}

/* ------------------------------------------------------------------ the sink */

static int start(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return 0;
    snprintf(u->run_id, sizeof u->run_id, "%s", s->run.id);
    aim__upload_plan_init(&u->plan, u->plan.interval_ns, aim__mono_ns());
    u->running = 1;
    if (pthread_create(&u->thread, NULL, upload_main, u) != 0) {
        u->running = 0;
        return aim__session_fail(s, -EAGAIN, "could not start the uploader thread");
    }
    u->started = 1;
    return 0;
}

static void commit(aim_session *s) {
    if (s->uploader)
        take_notes(s, s->uploader);
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* The run's row in the spool with the warnings added since the store's last commit. */
static void store_warnings(aim_session *s) {
    take_notes(s, s->uploader);
    if (s->run_recorded)
        aim__db_run_update(s->db, &s->run);
}

/* The thread's clean-up of the spool once the run is up: removed only as uploaded; something
 * written since (another process's `aimeter` on the spool) is uploaded once more first. */
static int drop_uploaded(aim_uploader *u) {
    int d = aim__store_drop_run_if(u->spool_db, u->run_id, u->copied);
    if (d == -ESTALE && upload(u) > 0)
        d = aim__store_drop_run_if(u->spool_db, u->run_id, u->copied);
    return d;
}

/* The session's run id follows a rename of the spooled run (the writer is done). */
static void follow_rename(aim_session *s, aim_uploader *u) {
    pthread_mutex_lock(&u->lock);
    if (strcmp(s->run.id, u->run_id) != 0)
        snprintf(s->run.id, sizeof s->run.id, "%s", u->run_id);
    pthread_mutex_unlock(&u->lock);
}

int aim__uploader_finish(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return 0;
    if (!u->started) { /* the session never started writing */
        u->uploaded = 1;
        return 0;
    }
    int64_t wait_ns = aim__upload_plan_final_wait_ns(&u->plan);
    int64_t deadline = aim__mono_ns() + wait_ns;
    pthread_mutex_lock(&u->lock);
    u->final = 1; /* the periodic uploads end; the thread makes the last ones on request */
    pthread_mutex_unlock(&u->lock);
    int r = -ETIMEDOUT;
    for (int rounds = 0; u->started; rounds++) {
        store_warnings(s);
        r = request(u, REQ_UPLOAD, deadline);
        follow_rename(s, u);
        if (r == 0) { /* the run never reached the spool (its own failure is reported) */
            stop_thread(u, deadline);
            u->uploaded = 1;
            return 0;
        }
        if (refused(u))
            break;
        pthread_mutex_lock(&u->lock);
        int notes = u->n_notes;
        pthread_mutex_unlock(&u->lock);
        if (r > 0 && (notes == 0 || rounds >= 4))
            break;
        if (r > 0)
            continue; /* the line saying the server is back (or the rename) goes up too */
        if (r == -ETIMEDOUT)
            break;
        int64_t left = deadline - aim__mono_ns();
        if (left <= 0)
            break;
        sleep_ns(u->plan.backoff_ns < left ? u->plan.backoff_ns : left);
        if (aim__mono_ns() >= deadline)
            break; /* the last failure says why */
    }
    if (r > 0) {
        u->uploaded = 1;
        /* A wait of its own: the server answered, and the spool is local. */
        int64_t drop_deadline = aim__mono_ns() + wait_ns;
        int d = request(u, REQ_DROP, drop_deadline);
        if (d == -ETIMEDOUT)
            cancel_uploads(u);
        if (stop_thread(u, drop_deadline + 2000000000LL) && d < 0)
            aim__log(AIM_LOG_WARNING, "store: the run is uploaded to %s but could not be "
                     "removed from the spool: %s", u->shown,
                     d == -ETIMEDOUT ? "no answer in time" : aim__db_errmsg(u->spool_db));
        return 0;
    }
    /* The reason, read while the thread waits for requests (-ETIMEDOUT: it may still be
     * busy, and writes u->why). */
    char why[sizeof u->why];
    if (r == -ETIMEDOUT) {
        char waited[48];
        aim__fmt_duration(waited, sizeof waited, wait_ns);
        snprintf(why, sizeof why, "no answer within %s", waited);
    } else {
        snprintf(why, sizeof why, "%s", u->why);
    }
    /* Given up: the statement in flight (a server that stalls answers nothing) fails now, a
     * connection still being made is let go; the thread is waited for a little longer, then
     * left to end on its own. */
    cancel_uploads(u);
    if (refused(u)) { /* its warning, with the push command, is the run's already */
        stop_thread(u, aim__mono_ns() + 2000000000LL);
        store_warnings(s);
        return 0;
    }
    stop_thread(u, aim__mono_ns() + 2000000000LL);
    char line[2600];
    snprintf(line, sizeof line, "store: %.400s cannot be reached at the end of the run (%.400s): "
             "the run is kept in the spool %.400s; `aimeter push --db %.400s --to %.400s` "
             "uploads it", u->shown, why, u->spool, u->spool, u->shown);
    aim__session_warn(s, line);
    store_warnings(s);
    return 0; /* the measurement is whole, in the spool */
}

static void free_uploader(aim_uploader *u) {
    aim__store_pending_abandon(u->opening); /* the thread never ran: start()'s, pending */
    aim__db_close(u->server);
    aim__db_close(u->spool_db);
    pthread_cond_destroy(&u->wake);
    pthread_cond_destroy(&u->done_cv);
    pthread_mutex_destroy(&u->lock);
    free(u);
}

static void release(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return;
    s->uploader = NULL;
    /* Not finished (a start that failed): nothing to wait for but the thread's own call. */
    stop_thread(u, aim__mono_ns() + aim__upload_plan_final_wait_ns(&u->plan));
    pthread_mutex_lock(&u->lock);
    int thread_frees = u->abandoned && u->running; /* stuck still: it frees u when done */
    u->released = 1;
    pthread_mutex_unlock(&u->lock);
    if (!thread_frees)
        free_uploader(u);
}

const aim_sink aim_sink_upload = {
    .name = "upload",
    .start = start,
    .commit = commit,
    .release = release,
};
