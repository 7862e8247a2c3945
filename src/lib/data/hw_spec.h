/* Accelerator figures a user states (aimeter whatif --gpu-spec): for a device the hardware
 * table lacks, or whose figures the user knows better (a power-capped board). One item:
 *   NAME:key=value[,key=value...]
 * keys tdp (W), tflops or tensor (peak FP16/BF16 tensor TFLOPS), fp16, fp32 (TFLOPS).
 * A NAME the table knows (aim_gpu_lookup) keeps the row's other figures, so either figure may
 * be given alone; any other NAME needs tdp and one throughput. */
#ifndef AIM_CARBON_HW_SPEC_H
#define AIM_CARBON_HW_SPEC_H

#include <stddef.h>

#include "aimeter.h"

typedef struct aim_hw_spec {
    aim_gpu_info info;        /* name and source point into this struct: never copy it */
    const aim_gpu_info *base; /* the table row it amends, NULL for a device of its own */
    char name[64];
    char source[200];
} aim_hw_spec;

/* Parses the first len bytes of item into *ret (in place). 0, or -EINVAL with one line in
 * err (always terminated). Thread-safe. */
int aim__hw_spec_parse(const char *item, size_t len, aim_hw_spec *ret, char *err, size_t errlen);

/* 1 when name means the stated device: its NAME by the table's name rule, or, when it amends
 * a row, any name that resolves to that row. */
int aim__hw_spec_matches(const aim_hw_spec *s, const char *name);

#endif
