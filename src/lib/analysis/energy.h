/* Energy of one device from its samples: from a counter, with power derived over each
 * interval, or by trapezoid integration of power. Pure arithmetic, one call per sample, no
 * allocation.
 *
 * The run's edge (docs/methodology.md, "Energy over the whole run"): a device's first
 * usable reading comes after the run started (the sources open, the store opens, the first
 * tick is taken). The energy of [start_t, first interval) is extrapolated by holding the
 * device's first known power back to start_t: the first power sample for integrated power,
 * the power of the first counter interval for a counter. A counter's value at its first
 * reading (energy since the source opened, an instant no replay knows) is its baseline, so
 * a replay of the stored samples gives the same energy. The run's end needs no edge: every
 * group takes a last sample when the run stops. */
#ifndef AIM_ENERGY_H
#define AIM_ENERGY_H

#include <stdint.h>

/* The quantum (W) a power series that is integrated into energy is stored with: 1 µW, the
 * project's unit of power, below every source's own step (session.c, docs/decisions.md). */
#define AIM_INTEGRATED_POWER_RESOLUTION 1e-6

typedef struct aim_energy_meter {
    double energy_j;      /* energy so far, from start_t */
    double last_power_w;  /* power over the latest interval (derived or measured) */
    int have_power;
    double last_value;    /* last counter reading (J) or power sample (W) */
    int64_t last_t;
    int have_last;
    int64_t start_t;      /* the run's start on the samples' clock (0 for a replay) */
    double base_j;        /* a counter's first reading */
    double edge_j;        /* energy extrapolated over [start_t, first reading] */
    int64_t edge_ns;      /* the span extrapolated (pending for a counter until its first power) */
    int edge_done;        /* the edge is in energy_j */
    int edge_now;         /* the latest call added the edge: its interval began at start_t */
} aim_energy_meter;

/* A counter reading in joules at t_ns. Returns 1 and sets *ret_power_w when a power can be
 * derived (a previous reading exists, time advanced, the counter did not go backwards). */
int aim_energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w);

/* A power sample in watts at t_ns: adds ½ (P_prev + P) Δt (P × (t − start_t) for the first). */
void aim_energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts);

/* Where the interval the latest call accounted began: start_t when it carried the edge,
 * else prev_t (the previous reading's time, read before the call). */
static inline int64_t aim_energy_meter_interval_start(const aim_energy_meter *m, int64_t prev_t) {
    return m->edge_now ? m->start_t : prev_t;
}

#endif
