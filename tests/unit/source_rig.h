/* Test helper: one source opened over fixture roots, with its own catalog and a frame over
 * every slot, as the session would hold it. The source tests (procfs, proctree, rapl, hwmon,
 * estimate) share it so that each one's file is about its source, not about the plumbing.
 * Every function fails the calling cmocka test on a broken rig (no memory, unknown source);
 * what the source itself returns is left to the test to assert. */
#ifndef AIM_TEST_SOURCE_RIG_H
#define AIM_TEST_SOURCE_RIG_H

#include <math.h>
#include <stdint.h>
#include <sys/types.h>

#include "sources/catalog.h"

/* Fails the test, naming the expression and both values, unless a is within 1e-9 of b. */
#define assert_near(a, b)                                                                  \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        if (fabs(a_ - b_) > 1e-9)                                                          \
            fail_msg("%s = %.12g, expected %.12g", #a, a_, b_);                            \
    } while (0)

typedef struct rig {
    const aim_source_ops *ops;
    aim_catalog *cat;         /* on the heap (about 40 KiB) */
    aim_source_ctx ctx;       /* the source's index in aim_sources[], rate group 0 */
    aim_source_env env;       /* interval 100 ms unless changed after rig_prepare; the roots
                               * point into the two arrays */
    char sysfs_root[512];
    char procfs_root[512];
    void *state;
    aim_frame *frame;         /* NULL unless open succeeded */
    int64_t t_ns;             /* frame time of the next rig_poll; 0 unless a test moves it */
    int rc;                   /* what open returned */
} rig;

/* Zeroes the rig and gives it an empty catalog and the context of ops; opens nothing. A test
 * that declares other sources' series first (estimate reads procfs's) does it here, between
 * rig_prepare and rig_open_prepared. */
void rig_prepare(rig *g, const aim_source_ops *ops);

/* Opens the prepared source over the roots (copied; NULL reads as "/nonexistent") for the
 * process tree of target (0: none). Stores and returns open's result; on success allocates
 * a frame over every slot of the catalog. */
int rig_open_prepared(rig *g, const char *sysfs_root, const char *procfs_root, pid_t target);

/* rig_prepare, then rig_open_prepared. */
int rig_open(rig *g, const aim_source_ops *ops, const char *sysfs_root,
             const char *procfs_root, pid_t target);

/* Marks the frame invalid at time g->t_ns and polls once; returns poll's result. */
int rig_poll(rig *g);

/* The slot of a series declared by any source of the catalog, or -ENOENT. */
int rig_slot(const rig *g, const char *device, aim_metric_id metric, int instance);

/* 1 and the value (ret may be NULL) when the series is valid this tick, 0 when it is not
 * (ret untouched). Fails the test
 * when the series was never declared: a misspelt name must not pass as "invalid". */
int rig_get(const rig *g, const char *device, aim_metric_id metric, int instance,
            double *ret);

/* The value of a series this tick; fails the test when it is missing or invalid. */
double rig_value(const rig *g, const char *device, aim_metric_id metric, int instance);

/* The device of that name in the catalog; fails the test when there is none. */
const aim_catalog_device *rig_device(const rig *g, const char *name);

/* Closes the source and frees the frame and the catalog; then the rig is zero again. Safe
 * after a failed open, on a prepared rig, on a zeroed one, and twice. */
void rig_close(rig *g);

#endif
