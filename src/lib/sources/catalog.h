/* The catalog of a run: the devices and series its sources declared at open. Series slots
 * are dense and, within a rate group, contiguous: sources are opened group by group. */
#ifndef AIM_CATALOG_H
#define AIM_CATALOG_H

#include "sources/source.h"

#define AIM_MAX_DEVICES 64
#define AIM_MAX_SERIES 1024
#define AIM_MAX_WARNINGS 16

typedef struct aim_catalog_device {
    char name[32];
    aim_device_kind kind;
    char model[128];
    char uuid[96];     /* the vendor's stable identity ("GPU-..."), "" when none */
} aim_catalog_device;

typedef struct aim_catalog_series {
    int device;
    aim_metric_id metric;
    int instance;
    aim_method method;
    int group;
    int source;        /* index into aim_sources[], or -1 for series the engine derives */
} aim_catalog_series;

typedef struct aim_catalog {
    aim_catalog_device devices[AIM_MAX_DEVICES];
    int n_devices;
    aim_catalog_series series[AIM_MAX_SERIES];
    int n_series;
    char warnings[AIM_MAX_WARNINGS][256];
    int n_warnings;
} aim_catalog;

struct aim_source_ctx {
    aim_catalog *catalog;
    int source;        /* index of the source being opened */
    int group;         /* rate group its series join */
};

void aim__catalog_init(aim_catalog *cat);
void aim__source_ctx_init(aim_source_ctx *ctx, aim_catalog *cat, int source, int group);

/* Allocates a zeroed frame covering slots [base, base + count). Free with aim__frame_free. */
int aim__frame_alloc(int base, int count, aim_frame **ret);
void aim__frame_free(aim_frame *f);
/* Marks every value of the frame invalid (start of a poll). */
void aim__frame_reset(aim_frame *f, int64_t t_ns);

int aim__catalog_find_device(const aim_catalog *cat, const char *name);
/* The slot of device's series of metric and instance, or -ENOENT. */
int aim__catalog_find_series(const aim_catalog *cat, const char *device, aim_metric_id metric,
                            int instance);

#endif
