/* Opening the store beside the sources (store_opener.h). */
#include "engine/store_opener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void free_pending(aim_store_opener *o) {
    aim__db_close(o->db);
    pthread_cond_destroy(&o->done_cv);
    pthread_mutex_destroy(&o->lock);
    free(o->own_path);
    free(o);
}

static void *open_store(void *arg) {
    aim_store_opener *o = arg;
    o->result = aim__db_open(o->path, 0, &o->db, o->err, sizeof o->err);
    /* The run's rows are written later, by the writer; the lock is taken and given back
     * now (no write, no sync) so that a locked store fails before any command runs. */
    if (o->result == 0 && (o->result = aim__db_begin(o->db)) == 0)
        o->result = aim__db_rollback(o->db);
    if (o->result < 0 && o->db) {
        snprintf(o->err, sizeof o->err, "%s", aim__db_errmsg(o->db));
        aim__db_close(o->db);
        o->db = NULL;
    }
    if (!o->pending)
        return NULL;
    pthread_mutex_lock(&o->lock);
    o->finished = 1;
    if (o->abandoned) { /* nobody waits for it any more: detached, and its own to free */
        pthread_mutex_unlock(&o->lock);
        free_pending(o);
        return NULL;
    }
    if (o->notify)
        o->notify(o->notify_arg);
    pthread_cond_broadcast(&o->done_cv);
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

/* Linux tends to start a new thread on the CPU of the thread that made it (half of the
 * time on the 2-vCPU VM of docs/performance.md), where it waits until that one blocks: no
 * overlap at all. So the thread starts on the process's other CPUs, and the finish gives
 * it back all of them in case those are busy. */
static void start(aim_store_opener *o) {
    CPU_ZERO(&o->cpus);
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) == 0) {
        int here = sched_getcpu();
        if (sched_getaffinity(0, sizeof o->cpus, &o->cpus) == 0 && here >= 0 &&
            CPU_ISSET(here, &o->cpus) && CPU_COUNT(&o->cpus) > 1) {
            cpu_set_t others = o->cpus;
            CPU_CLR(here, &others);
            pthread_attr_setaffinity_np(&attr, sizeof others, &others);
        } else {
            o->cpus_given = 1; /* not restricted */
        }
        o->threaded = pthread_create(&o->thread, &attr, open_store, o) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!o->threaded)
        open_store(o);
}

/* The thread gets all the process's CPUs back (not joined or detached yet: its id holds). */
static void give_cpus(aim_store_opener *o) {
    if (o->threaded && !o->cpus_given)
        pthread_setaffinity_np(o->thread, sizeof o->cpus, &o->cpus);
    o->cpus_given = 1;
}

void aim__store_opener_begin(aim_store_opener *o, const char *path) {
    memset(o, 0, sizeof *o);
    o->path = path;
    start(o);
}

int aim__store_opener_finish(aim_store_opener *o, aim_db **ret_db) {
    if (o->threaded) {
        give_cpus(o);
        pthread_join(o->thread, NULL);
        o->threaded = 0;
    }
    *ret_db = o->db;
    o->db = NULL;
    return o->result;
}

/* ------------------------------------------------------------------ pending */

int aim__store_pending_begin(const char *path, aim_store_opener **ret) {
    aim_store_opener *o = calloc(1, sizeof *o);
    if (!o || !(o->own_path = strdup(path))) {
        free(o);
        return -ENOMEM;
    }
    o->path = o->own_path;
    o->pending = 1;
    pthread_mutex_init(&o->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&o->done_cv, &attr);
    pthread_condattr_destroy(&attr);
    start(o);
    *ret = o;
    return 0;
}

int aim__store_pending_wait(aim_store_opener *o, int64_t deadline_ns) {
    struct timespec ts = { .tv_sec = (time_t)(deadline_ns / 1000000000),
                           .tv_nsec = (long)(deadline_ns % 1000000000) };
    pthread_mutex_lock(&o->lock);
    while (!o->finished && pthread_cond_timedwait(&o->done_cv, &o->lock, &ts) != ETIMEDOUT)
        ;
    int done = o->finished;
    pthread_mutex_unlock(&o->lock);
    if (!done)
        give_cpus(o); /* it goes on beside the run: not only on the CPUs start() did not use */
    return done;
}

int aim__store_pending_notify(aim_store_opener *o, void (*fn)(void *arg), void *arg) {
    give_cpus(o);
    pthread_mutex_lock(&o->lock);
    int done = o->finished;
    if (!done) {
        o->notify = fn;
        o->notify_arg = arg;
    }
    pthread_mutex_unlock(&o->lock);
    return done;
}

int aim__store_pending_take(aim_store_opener *o, aim_db **ret_db, char *err, size_t errlen) {
    if (o->threaded)
        pthread_join(o->thread, NULL); /* it finished: returns at once */
    int r = o->result;
    *ret_db = o->db;
    o->db = NULL;
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s", o->err);
    free_pending(o);
    return r;
}

void aim__store_pending_abandon(aim_store_opener *o) {
    if (!o)
        return;
    pthread_mutex_lock(&o->lock);
    o->notify = NULL;
    int done = o->finished;
    o->abandoned = !done;
    int threaded = o->threaded;
    pthread_t thread = o->thread; /* o is the thread's once unlocked */
    pthread_mutex_unlock(&o->lock);
    if (done) {
        if (threaded)
            pthread_join(thread, NULL);
        free_pending(o);
    } else {
        pthread_detach(thread);
    }
}
