/* Energy of one device from its samples: from a counter (joules since the source opened),
 * with power derived over each interval, or by trapezoid integration of power. Pure
 * arithmetic, one call per sample, no allocation. */
#ifndef AIM_ENERGY_H
#define AIM_ENERGY_H

#include <stdint.h>

typedef struct aim_energy_meter {
    double energy_j;      /* energy so far */
    double last_power_w;  /* power over the latest interval (derived or measured) */
    int have_power;
    double last_value;    /* last counter reading (J) or power sample (W) */
    int64_t last_t;
    int have_last;
} aim_energy_meter;

/* A counter reading in joules at t_ns. Returns 1 and sets *ret_power_w when a power can be
 * derived (a previous reading exists, time advanced, the counter did not go backwards). */
int aim_energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w);

/* A power sample in watts at t_ns: adds ½ (P_prev + P) Δt. */
void aim_energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts);

#endif
