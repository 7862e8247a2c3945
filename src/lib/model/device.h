/* What a device is, how a series was obtained, and one poll's frame of values: the types
 * the sources write and every later layer reads. */
#ifndef AIM_MODEL_DEVICE_H
#define AIM_MODEL_DEVICE_H

#include <stdint.h>

typedef enum aim_device_kind {
    AIM_DEV_HOST = 0,  /* the machine as a whole: utilisation, memory */
    AIM_DEV_CPU,       /* one CPU package */
    AIM_DEV_DRAM,      /* memory attached to one package */
    AIM_DEV_PLATFORM,  /* psys and board-level sensors: shown, never added to the total */
    AIM_DEV_GPU,
    AIM_DEV_OTHER,     /* any other hwmon sensor */
    AIM_DEV_PROCESS,   /* the monitored process tree */
} aim_device_kind;

const char *aim__device_kind_name(aim_device_kind kind);

/* How a series was obtained: the report carries it next to every energy figure. */
typedef enum aim_method {
    AIM_METHOD_MEASURED = 0,  /* read from a sensor or counter */
    AIM_METHOD_DERIVED,       /* computed by aimeter from measured series (power from a counter) */
    AIM_METHOD_ESTIMATED,     /* from a model (see docs/methodology.md) */
} aim_method;

/* One poll's worth of values for a rate group: slots [base, base + count). */
typedef struct aim_frame {
    int64_t t_ns;      /* CLOCK_MONOTONIC when the poll began */
    int base;
    int count;
    double *values;
    uint8_t *valid;
} aim_frame;

static inline void aim__frame_set(aim_frame *f, int slot, double value) {
    f->values[slot - f->base] = value;
    f->valid[slot - f->base] = 1;
}

/* Returns 1 and stores the value when the slot is in this frame and valid this tick. */
static inline int aim__frame_get(const aim_frame *f, int slot, double *ret_value) {
    if (slot < f->base || slot >= f->base + f->count || !f->valid[slot - f->base])
        return 0;
    *ret_value = f->values[slot - f->base];
    return 1;
}

#endif
