/* The benchmarks' scratch stores: a store is its file and SQLite's -wal and -shm beside it. */
#ifndef AIM_BENCH_STORE_FILES_H
#define AIM_BENCH_STORE_FILES_H

#include <stdio.h>
#include <unistd.h>

static inline void bench_unlink_store(const char *path) {
    char side[600];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#endif
