/* processing/column_order.h. */
#include "processing/column_order.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/device.h"

/* The device kinds' places: the machine first, then what a workload's energy is mostly
 * spent on, the process tree (what attribution reads) last; a device of a kind this aimeter
 * does not know after the others, and a series of no device at the very end. */
static int kind_rank(aim_device_kind kind) {
    switch (kind) {
    case AIM_DEV_HOST: return 0;
    case AIM_DEV_GPU: return 1;
    case AIM_DEV_CPU: return 2;
    case AIM_DEV_DRAM: return 3;
    case AIM_DEV_PLATFORM: return 4;
    case AIM_DEV_OTHER: return 5;
    case AIM_DEV_PROCESS: return 6;
    }
    return 7;
}

typedef struct column_key {
    const aim_run_summary *run;
    int series;
} column_key;

static const aim_device_summary *device_of(const aim_run_summary *run, int series) {
    int d = run->series[series].device;
    return d >= 0 && d < run->n_devices ? &run->devices[d] : NULL;
}

static int column_cmp(const void *pa, const void *pb) {
    const column_key *a = pa, *b = pb;
    const aim_device_summary *da = device_of(a->run, a->series);
    const aim_device_summary *db = device_of(b->run, b->series);
    int ra = da ? kind_rank(da->kind) : 8, rb = db ? kind_rank(db->kind) : 8;
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (da && db && da != db) {
        int c = strverscmp(da->name, db->name); /* gpu2 before gpu10 */
        if (c)
            return c;
        return da < db ? -1 : 1; /* two devices of one name: the store's order */
    }
    /* One device: the order its sources declared them. */
    return a->series < b->series ? -1 : a->series > b->series;
}

int aim__series_column_order(const aim_run_summary *run, int *order) {
    int n = run->n_series;
    if (n <= 0)
        return 0;
    column_key *keys = malloc((size_t)n * sizeof *keys);
    if (!keys)
        return -ENOMEM;
    for (int i = 0; i < n; i++)
        keys[i] = (column_key){ run, i };
    qsort(keys, (size_t)n, sizeof *keys, column_cmp);
    for (int i = 0; i < n; i++)
        order[i] = keys[i].series;
    free(keys);
    return 0;
}
