/* Opening the store beside the sources (store_opener.h). */
#include "engine/store_opener.h"

#include <stdio.h>
#include <string.h>

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
    return NULL;
}

/* Linux tends to start a new thread on the CPU of the thread that made it (half of the
 * time on the 2-vCPU VM of docs/performance.md), where it waits until that one blocks: no
 * overlap at all. So the thread starts on the process's other CPUs, and the finish gives
 * it back all of them in case those are busy. */
void aim__store_opener_begin(aim_store_opener *o, const char *path) {
    memset(o, 0, sizeof *o);
    o->path = path;
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
            for (int c = 0; c < CPU_SETSIZE; c++)
                CPU_SET(c, &o->cpus);
        }
        o->threaded = pthread_create(&o->thread, &attr, open_store, o) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!o->threaded)
        open_store(o);
}

int aim__store_opener_finish(aim_store_opener *o, aim_db **ret_db) {
    if (o->threaded) {
        pthread_setaffinity_np(o->thread, sizeof o->cpus, &o->cpus);
        pthread_join(o->thread, NULL);
        o->threaded = 0;
    }
    *ret_db = o->db;
    o->db = NULL;
    return o->result;
}
