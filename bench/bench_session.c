/* A whole session in-process at 10 Hz, 100 Hz and 1 kHz with every host source: time to the
 * first sample, the process's CPU % while sampling (sampler + writer + store), wake-up jitter
 * p50/p99 and missed deadlines. Usage: bench_session [SECONDS per rate] (default 10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "store_files.h"
#include "engine/session_internal.h"

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    char db[256];
    snprintf(db, sizeof db, "/tmp/aimeter-bench-session-%d.db", (int)getpid());
    printf("| rate | first sample after start() | CPU %% of one core | wake-up p50 | p99 | max | missed |\n");
    printf("|---|---|---|---|---|---|---|\n");
    const int64_t intervals[] = { 100000000, 10000000, 1000000 };
    for (int k = 0; k < 3; k++) {
        aim_config *c;
        aim_config_new(&c);
        aim_config_set_interval(c, intervals[k]);
        aim_config_set_db_path(c, db);
        aim_config_set_target_pid(c, getpid());
        aim_session *s;
        aim_session_new(c, &s);
        aim_config_free(c);
        double w0 = clock_s(CLOCK_MONOTONIC);
        if (aim_session_start(s) < 0) {
            fprintf(stderr, "bench_session: %s\n", aim_session_errmsg(s));
            return 1;
        }
        double first = clock_s(CLOCK_MONOTONIC) - w0;
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_s(CLOCK_MONOTONIC);
        struct timespec nap = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
        nanosleep(&nap, NULL);
        double c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t1 = clock_s(CLOCK_MONOTONIC);
        aim_session_stop(s, AIM_RUN_COMPLETED, 0);
        const aim_group *g = &s->groups[0];
        printf("| %g Hz | %.2f ms | %.3f %% | %.0f µs | %.0f µs | %.0f µs | %llu |\n",
               1e9 / (double)intervals[k], first * 1e3, (c1 - c0) / (t1 - t0) * 100,
               (double)aim__jitter_percentile(&g->jitter, 50) / 1e3,
               (double)aim__jitter_percentile(&g->jitter, 99) / 1e3, (double)g->jitter.max_ns / 1e3,
               (unsigned long long)s->run.missed_deadlines);
        aim_session_free(s);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\npeak RSS of this process after all three runs: %.1f MiB\n", ru.ru_maxrss / 1024.0);
    bench_unlink_store(db);
    return 0;
}
