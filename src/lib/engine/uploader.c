/* The uploader (uploader.h) and its sink: the thread starts with the writer, the writer's
 * commits move what it has to say into the run's warnings (so that the spool, and through
 * it the server, keeps them), and the session's stop makes the last upload, waiting a
 * bounded time for a server that is down, then removes the uploaded run from the spool.
 *
 * A lost PostgreSQL connection is not re-established by the back-end (every later call is
 * -ECONNREFUSED): after any failed upload the uploader closes its connection and opens a
 * new one for the next try. */
#include "engine/uploader.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/session_internal.h"
#include "engine/sink.h"
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
    aim_db *spool_db;        /* the uploader's own handle on the spool */
    aim_upload_plan plan;
    int agent;
    char why[512];           /* the last failure's reason */
    pthread_t thread;
    int started;
    pthread_mutex_t lock;    /* stop, notes */
    pthread_cond_t wake;
    int stop;
    char notes[MAX_NOTES][700];
    int n_notes;
    int uploaded;            /* the end of the run reached the server */
};

int aim__store_is_server(const char *path) {
    const aim_store_ops *ops;
    const char *where;
    return path && aim__store_backend_for(path, &ops, &where, NULL, 0) == 0 &&
           strcmp(ops->name, "sqlite") != 0;
}

int aim__uploader_new(const char *url, const char *spool_path, aim_db *server,
                      int64_t interval_ns, int agent, aim_uploader **ret) {
    aim_uploader *u = calloc(1, sizeof *u);
    if (!u) {
        aim__db_close(server);
        return -ENOMEM;
    }
    snprintf(u->url, sizeof u->url, "%s", url);
    aim__store_redact(url, u->shown, sizeof u->shown);
    snprintf(u->spool, sizeof u->spool, "%s", spool_path);
    u->server = server;
    u->agent = agent;
    aim__upload_plan_init(&u->plan, interval_ns, aim__mono_ns());
    pthread_mutex_init(&u->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&u->wake, &attr);
    pthread_condattr_destroy(&attr);
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

/* Both handles, opened where they are not: 0, or the failure (u->why says it). */
static int open_handles(aim_uploader *u) {
    int r = 0;
    if (!u->spool_db)
        r = aim__db_open(u->spool, 0, &u->spool_db, u->why, sizeof u->why);
    if (r == 0 && !u->server)
        r = aim__db_open(u->url, 0, &u->server, u->why, sizeof u->why);
    return r;
}

static void disconnect(aim_uploader *u) {
    aim__db_close(u->server);
    u->server = NULL;
}

/* The other runs in the spool that ended (or whose writer is gone): those earlier processes
 * left there (a run that ended while the server was down, an agent killed) and the agent's
 * own job runs (engine/jobs.h), each uploaded, then removed from the spool. The agent's,
 * after each upload of its own run: a spool without such runs costs one query. */
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
        aim_copy_stats st;
        if (aim__store_copy_run(u->spool_db, u->server, run->id, AIM_COPY_KEEP_EXTRA, &st) == 0 &&
            aim__store_drop_run(u->spool_db, run->id) == 0)
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
    int r = open_handles(u);
    aim_copy_stats st;
    if (r == 0) {
        r = aim__store_copy_run(u->spool_db, u->server, u->run_id, AIM_COPY_KEEP_EXTRA, &st);
        if (r == -ENOENT && aim__db_run_exists(u->spool_db, u->run_id) == -ENOENT) {
            /* not recorded yet: the writer's first commit is to come */
            u->plan.next_ns = aim__mono_ns() + u->plan.interval_ns;
            return 0;
        }
        if (r < 0)
            snprintf(u->why, sizeof u->why, "%s", aim__db_errmsg(u->server));
    }
    int64_t now = aim__mono_ns(), wall = aim__wall_ns();
    char when[40], late[48];
    wall_text(when, sizeof when, wall);
    if (r < 0) {
        disconnect(u);
        if (aim__upload_plan_failed(&u->plan, now, wall) == AIM_UPLOAD_WENT_DOWN)
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

static void *upload_main(void *arg) {
    aim_uploader *u = arg;
    pthread_mutex_lock(&u->lock);
    while (!u->stop) {
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
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

static void stop_thread(aim_uploader *u) {
    if (!u->started)
        return;
    pthread_mutex_lock(&u->lock);
    u->stop = 1;
    pthread_cond_broadcast(&u->wake);
    pthread_mutex_unlock(&u->lock);
    pthread_join(u->thread, NULL);
    u->started = 0;
}

/* ------------------------------------------------------------------ the sink */

static int start(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return 0;
    snprintf(u->run_id, sizeof u->run_id, "%s", s->run.id);
    aim__upload_plan_init(&u->plan, u->plan.interval_ns, aim__mono_ns());
    if (pthread_create(&u->thread, NULL, upload_main, u) != 0)
        return aim__session_fail(s, -EAGAIN, "could not start the uploader thread");
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

int aim__uploader_finish(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return 0;
    stop_thread(u);
    int64_t deadline = aim__mono_ns() + aim__upload_plan_final_wait_ns(&u->plan);
    int r;
    for (int rounds = 0;; rounds++) {
        store_warnings(s);
        r = upload(u);
        if (r == 0) { /* the run never reached the spool (its own failure is reported) */
            u->uploaded = 1;
            return 0;
        }
        if (r > 0 && (u->n_notes == 0 || rounds >= 4))
            break;
        if (r > 0)
            continue; /* the line saying the server is back goes up too */
        int64_t left = deadline - aim__mono_ns();
        if (left <= 0)
            break;
        sleep_ns(u->plan.backoff_ns < left ? u->plan.backoff_ns : left);
    }
    if (r > 0) {
        u->uploaded = 1;
        if (aim__store_drop_run(u->spool_db, u->run_id) < 0)
            aim__log(AIM_LOG_WARNING, "store: the run is uploaded to %s but could not be "
                     "removed from the spool: %s", u->shown, aim__db_errmsg(u->spool_db));
        return 0;
    }
    char line[2600];
    snprintf(line, sizeof line, "store: %.400s cannot be reached at the end of the run (%.400s): "
             "the run is kept in the spool %.400s; `aimeter push --db %.400s --to %.400s` "
             "uploads it", u->shown, u->why, u->spool, u->spool, u->shown);
    aim__session_warn(s, line);
    store_warnings(s);
    return 0; /* the measurement is whole, in the spool */
}

static void release(aim_session *s) {
    aim_uploader *u = s->uploader;
    if (!u)
        return;
    stop_thread(u);
    aim__db_close(u->server);
    aim__db_close(u->spool_db);
    pthread_cond_destroy(&u->wake);
    pthread_mutex_destroy(&u->lock);
    free(u);
    s->uploader = NULL;
}

const aim_sink aim_sink_upload = {
    .name = "upload",
    .start = start,
    .commit = commit,
    .release = release,
};
