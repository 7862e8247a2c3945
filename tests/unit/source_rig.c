#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_rig.h"

static void copy_root(char *dst, size_t size, const char *root) {
    int n = snprintf(dst, size, "%s", root ? root : "/nonexistent");
    assert_true(n >= 0 && (size_t)n < size);
}

void rig_prepare(rig *g, const aim_source_ops *ops) {
    memset(g, 0, sizeof *g);
    /* The same index the session gives the source: estimate tells its own series from the
     * ones it reads by it. */
    int index = -1;
    for (int i = 0; i < aim_source_count; i++)
        if (aim_sources[i] == ops)
            index = i;
    assert_true(index >= 0);
    g->ops = ops;
    g->cat = calloc(1, sizeof *g->cat);
    assert_non_null(g->cat);
    aim__catalog_init(g->cat);
    aim__source_ctx_init(&g->ctx, g->cat, index, 0);
    g->env.interval_ns = 100000000; /* a test may change it (and env.metrics) before opening */
}

int rig_open_prepared(rig *g, const char *sysfs_root, const char *procfs_root, pid_t target) {
    copy_root(g->sysfs_root, sizeof g->sysfs_root, sysfs_root);
    copy_root(g->procfs_root, sizeof g->procfs_root, procfs_root);
    g->env.sysfs_root = g->sysfs_root;
    g->env.procfs_root = g->procfs_root;
    g->env.target_pid = target;
    g->rc = g->ops->open(&g->env, &g->ctx, &g->state);
    if (g->rc == 0)
        assert_int_equal(aim__frame_alloc(0, g->cat->n_series, &g->frame), 0);
    return g->rc;
}

int rig_open(rig *g, const aim_source_ops *ops, const char *sysfs_root,
             const char *procfs_root, pid_t target) {
    rig_prepare(g, ops);
    return rig_open_prepared(g, sysfs_root, procfs_root, target);
}

int rig_poll(rig *g) {
    assert_non_null(g->frame);
    aim__frame_reset(g->frame, g->t_ns);
    return g->ops->poll(g->state, g->frame);
}

int rig_slot(const rig *g, const char *device, aim_metric_id metric, int instance) {
    return aim__source_ctx_find_series(&g->ctx, device, metric, instance);
}

int rig_get(const rig *g, const char *device, aim_metric_id metric, int instance,
            double *ret) {
    int slot = rig_slot(g, device, metric, instance);
    if (slot < 0)
        fail_msg("%s metric %d instance %d is not declared", device, (int)metric, instance);
    double v;
    if (!aim__frame_get(g->frame, slot, &v))
        return 0;
    if (ret)
        *ret = v;
    return 1;
}

double rig_value(const rig *g, const char *device, aim_metric_id metric, int instance) {
    double v = NAN;
    if (!rig_get(g, device, metric, instance, &v))
        fail_msg("%s metric %d instance %d is not valid", device, (int)metric, instance);
    return v;
}

const aim_catalog_device *rig_device(const rig *g, const char *name) {
    int d = aim__catalog_find_device(g->cat, name);
    if (d < 0)
        fail_msg("no device %s", name);
    return &g->cat->devices[d];
}

void rig_close(rig *g) {
    if (g->ops)
        g->ops->close(g->state);
    aim__frame_free(g->frame);
    free(g->cat);
    memset(g, 0, sizeof *g);
}
