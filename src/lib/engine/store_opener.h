/* The store, opened on a thread of its own while start() opens the sources: the two are the
 * largest parts of start() (SQLite parses the schema on a connection's first statement;
 * sources read procfs and look for vendor libraries), and neither needs the other.
 *
 * A server's connection is opened the same way but need not be waited for to its end: a
 * host that drops packets answers nothing until libpq's connect_timeout (10 s unless the URL
 * sets one; 0 is never), and the measured command must not wait on it. So a pending opener
 * (aim__store_pending_*) can be waited for a bounded time, handed on (the spool's uploader
 * takes the start's over, engine/uploader.c), or let go while it still connects: its thread
 * then closes what it opened and frees the opener itself when the open returns. */
#ifndef AIM_STORE_OPENER_H
#define AIM_STORE_OPENER_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#include "store/db.h"

typedef struct aim_store_opener {
    const char *path;   /* kept by the caller until aim__store_opener_finish (a pending
                           opener's: its own copy, own_path) */
    aim_db *db;
    int result;
    char err[512];
    pthread_t thread;
    int threaded;       /* 0: opened on the caller's thread (no thread could be made) */
    cpu_set_t cpus;     /* the process's CPUs, given back to the thread at the finish */
    int cpus_given;
    /* A pending opener's (aim__store_pending_begin), under lock: */
    char *own_path;
    int pending;
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    int finished;       /* the open returned: result, db and err are set */
    int abandoned;      /* its owner let go: the thread frees it */
    void (*notify)(void *arg);
    void *notify_arg;
} aim_store_opener;

/* Starts opening path for writing: the store is opened and its write lock taken and given
 * back, so that a store another process keeps locked fails now (after the busy timeout),
 * not at the first commit. */
void aim__store_opener_begin(aim_store_opener *o, const char *path);
/* Waits for it: 0 with the store in *ret_db, or the negative errno with the message in
 * o->err. */
int aim__store_opener_finish(aim_store_opener *o, aim_db **ret_db);

/* A pending opener of path (copied), on the heap: 0, or -ENOMEM. Its owner (one thread at a
 * time) ends it with aim__store_pending_take once it finished, or aim__store_pending_abandon
 * at any time; exactly one of them. */
int aim__store_pending_begin(const char *path, aim_store_opener **ret);
/* Waits until it finished or the monotonic clock passes deadline_ns: 1 finished, 0 not yet. */
int aim__store_pending_wait(aim_store_opener *o, int64_t deadline_ns);
/* fn(arg) is called once, on the opener's thread, when the open returns; 1 when it has
 * returned already (fn is not called). fn runs under the opener's lock: it must not call
 * the opener's functions, and whatever lock it takes must never be held while calling them
 * (the uploader's: fn takes it to wake the uploader's thread). */
int aim__store_pending_notify(aim_store_opener *o, void (*fn)(void *arg), void *arg);
/* It finished (wait or notify said so): its result, 0 with the store in *ret_db, or the
 * negative errno with its message in err; the opener freed. */
int aim__store_pending_take(aim_store_opener *o, aim_db **ret_db, char *err, size_t errlen);
/* Lets go of it: freed now when it finished (the store it opened closed), else by its own
 * thread when the open returns; no notification comes after this returns. */
void aim__store_pending_abandon(aim_store_opener *o);

#endif
