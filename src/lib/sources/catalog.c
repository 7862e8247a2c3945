#include "sources/catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aim__catalog_init(aim_catalog *cat) { memset(cat, 0, sizeof *cat); }

void aim__source_ctx_init(aim_source_ctx *ctx, aim_catalog *cat, int source, int group) {
    ctx->catalog = cat;
    ctx->source = source;
    ctx->group = group;
}

int aim__catalog_find_device(const aim_catalog *cat, const char *name) {
    for (int i = 0; i < cat->n_devices; i++)
        if (strcmp(cat->devices[i].name, name) == 0)
            return i;
    return -ENOENT;
}

int aim__source_ctx_add_device(aim_source_ctx *ctx, const char *name, aim_device_kind kind,
                              const char *model) {
    aim_catalog *cat = ctx->catalog;
    if (!name || !*name || strlen(name) >= sizeof cat->devices[0].name)
        return -EINVAL;
    int i = aim__catalog_find_device(cat, name);
    if (i >= 0) {
        /* A later source may know the model when the first did not (rapl after procfs). */
        if (model && *model && !cat->devices[i].model[0])
            snprintf(cat->devices[i].model, sizeof cat->devices[i].model, "%s", model);
        return i;
    }
    if (cat->n_devices >= AIM_MAX_DEVICES)
        return -ENOSPC;
    aim_catalog_device *d = &cat->devices[cat->n_devices];
    snprintf(d->name, sizeof d->name, "%s", name);
    d->kind = kind;
    snprintf(d->model, sizeof d->model, "%s", model ? model : "");
    return cat->n_devices++;
}

int aim__source_ctx_set_device_uuid(aim_source_ctx *ctx, int device, const char *uuid) {
    aim_catalog *cat = ctx->catalog;
    if (device < 0 || device >= cat->n_devices)
        return -EINVAL;
    if (uuid && *uuid && !cat->devices[device].uuid[0])
        snprintf(cat->devices[device].uuid, sizeof cat->devices[device].uuid, "%s", uuid);
    return 0;
}

int aim__source_ctx_add_series(aim_source_ctx *ctx, int device, aim_metric_id metric,
                              int instance, aim_method method) {
    aim_catalog *cat = ctx->catalog;
    if (device < 0 || device >= cat->n_devices || (unsigned)metric >= AIM_M__COUNT)
        return -EINVAL;
    if (cat->n_series >= AIM_MAX_SERIES)
        return -ENOSPC;
    for (int i = 0; i < cat->n_series; i++) {
        const aim_catalog_series *s = &cat->series[i];
        if (s->device == device && s->metric == metric && s->instance == instance)
            return -EEXIST;
    }
    aim_catalog_series *s = &cat->series[cat->n_series];
    s->device = device;
    s->metric = metric;
    s->instance = instance;
    s->method = method;
    s->group = ctx->group;
    s->source = ctx->source;
    return cat->n_series++;
}

int aim__source_ctx_find_series(const aim_source_ctx *ctx, const char *device,
                               aim_metric_id metric, int instance) {
    return aim__catalog_find_series(ctx->catalog, device, metric, instance);
}

int aim__catalog_find_series(const aim_catalog *cat, const char *device, aim_metric_id metric,
                            int instance) {
    int d = aim__catalog_find_device(cat, device);
    if (d < 0)
        return -ENOENT;
    for (int i = 0; i < cat->n_series; i++) {
        const aim_catalog_series *s = &cat->series[i];
        if (s->device == d && s->metric == metric && s->instance == instance)
            return i;
    }
    return -ENOENT;
}

int aim__source_ctx_find_group_series(const aim_source_ctx *ctx, const char *device,
                                     aim_metric_id metric, int instance) {
    int slot = aim__source_ctx_find_series(ctx, device, metric, instance);
    if (slot < 0 || ctx->catalog->series[slot].group != ctx->group)
        return -ENOENT;
    return slot;
}

void aim__source_ctx_warn(aim_source_ctx *ctx, const char *fmt, ...) {
    aim_catalog *cat = ctx->catalog;
    if (cat->n_warnings >= AIM_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cat->warnings[cat->n_warnings], sizeof cat->warnings[0], fmt, ap);
    va_end(ap);
    cat->n_warnings++;
}

void aim__probe_add(aim_probe_report *rep, const char *what, const char *status,
                   const char *fmt, ...) {
    if (rep->count >= (int)(sizeof rep->lines / sizeof rep->lines[0]))
        return;
    aim_probe_line *l = &rep->lines[rep->count++];
    snprintf(l->what, sizeof l->what, "%s", what);
    snprintf(l->status, sizeof l->status, "%s", status);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
}

int aim__frame_alloc(int base, int count, aim_frame **ret) {
    if (count < 0)
        return -EINVAL;
    aim_frame *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    size_t n = count > 0 ? (size_t)count : 1;
    f->values = calloc(n, sizeof *f->values);
    f->valid = calloc(n, 1);
    if (!f->values || !f->valid) {
        aim__frame_free(f);
        return -ENOMEM;
    }
    f->base = base;
    f->count = count;
    *ret = f;
    return 0;
}

void aim__frame_free(aim_frame *f) {
    if (!f)
        return;
    free(f->values);
    free(f->valid);
    free(f);
}

void aim__frame_reset(aim_frame *f, int64_t t_ns) {
    f->t_ns = t_ns;
    memset(f->valid, 0, (size_t)f->count);
}

int aim__source_ctx_series_room(const aim_source_ctx *ctx) {
    return AIM_MAX_SERIES - ctx->catalog->n_series;
}
