/* The benchmarks' clocks: wall (monotonic), this process's and this thread's CPU time. */
#ifndef AIM_BENCH_CLOCK_H
#define AIM_BENCH_CLOCK_H

#include <time.h>

static inline double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static inline double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }
static inline double thread_cpu_ns(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID) * 1e9; }

#endif
