/* CPU time per sampling tick of each source, on this machine's /proc and /sys and on the
 * fixture trees (for the sources this machine lacks). Prints a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sources/catalog.h"
#include "util/fileio.h"
#include "sources/source.h"

static void bench_one(const char *label, const aim_source_env *env, const char *only, int polls) {
    static aim_catalog cat;
    aim__catalog_init(&cat);
    void *states[16] = { 0 };
    int opened[16] = { 0 };
    for (int i = 0; i < aim_source_count; i++) {
        const aim_source_ops *ops = aim_sources[i];
        if (only && strcmp(ops->name, only) != 0 && strcmp(ops->name, "procfs") != 0)
            continue;
        aim_source_ctx ctx;
        aim__source_ctx_init(&ctx, &cat, i, 0);
        int first = cat.n_series;
        if (ops->open(env, &ctx, &states[i]) < 0) {
            cat.n_series = first;
            continue;
        }
        opened[i] = cat.n_series - first + 1;
    }
    aim_frame *f;
    aim__frame_alloc(0, cat.n_series, &f);
    for (int i = 0; i < aim_source_count; i++) {
        if (!opened[i] || (only && strcmp(aim_sources[i]->name, only) != 0))
            continue;
        for (int w = 0; w < 10; w++)
            aim_sources[i]->poll(states[i], f);
        double c0 = thread_cpu_ns();
        for (int k = 0; k < polls; k++) {
            aim__frame_reset(f, k);
            aim_sources[i]->poll(states[i], f);
        }
        double per = (thread_cpu_ns() - c0) / polls;
        printf("| %-9s | %-22s | %5d | %8.2f |\n", aim_sources[i]->name, label, opened[i] - 1, per / 1e3);
    }
    for (int i = 0; i < aim_source_count; i++)
        if (opened[i])
            aim_sources[i]->close(states[i]);
    aim__frame_free(f);
}

int main(int argc, char **argv) {
    const char *fixtures = argc > 1 ? argv[1] : "tests/fixtures";
    int polls = 20000;
    printf("| source | tree | series | CPU µs per poll |\n|---|---|---|---|\n");
    aim_source_env env = { .sysfs_root = "/sys", .procfs_root = "/proc", .interval_ns = 10000000,
                           .target_pid = getpid() };
    bench_one("this machine", &env, NULL, polls);
    char sys[512];
    snprintf(sys, sizeof sys, "%s/rapl/intel-2s", fixtures);
    env.sysfs_root = sys;
    bench_one("fixture: 2-socket RAPL", &env, "rapl", polls);
    snprintf(sys, sizeof sys, "%s/hwmon", fixtures);
    env.sysfs_root = sys;
    bench_one("fixture: hwmon", &env, "hwmon", polls);
    return 0;
}
