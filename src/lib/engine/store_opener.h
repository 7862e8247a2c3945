/* The store, opened on a thread of its own while start() opens the sources: the two are the
 * largest parts of start() (SQLite parses the schema on a connection's first statement;
 * sources read procfs and look for vendor libraries), and neither needs the other. */
#ifndef AIM_STORE_OPENER_H
#define AIM_STORE_OPENER_H

#include <pthread.h>
#include <sched.h>

#include "store/db.h"

typedef struct aim_store_opener {
    const char *path;   /* kept by the caller until aim__store_opener_finish */
    aim_db *db;
    int result;
    char err[512];
    pthread_t thread;
    int threaded;       /* 0: opened on the caller's thread (no thread could be made) */
    cpu_set_t cpus;     /* the process's CPUs, given back to the thread at the finish */
} aim_store_opener;

/* Starts opening path for writing: the store is opened and its write lock taken and given
 * back, so that a store another process keeps locked fails now (after the busy timeout),
 * not at the first commit. */
void aim__store_opener_begin(aim_store_opener *o, const char *path);
/* Waits for it: 0 with the store in *ret_db, or the negative errno with the message in
 * o->err. */
int aim__store_opener_finish(aim_store_opener *o, aim_db **ret_db);

#endif
