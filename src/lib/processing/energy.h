/* Energy of one device from its samples: from a counter, with power derived over each
 * interval, or by trapezoid integration of power. Pure arithmetic, one call per sample, no
 * allocation.
 *
 * The run's start edge (docs/methodology.md, "Energy over the whole run"): a device's first
 * usable reading comes after the run started (the sources open, the store opens, the first
 * tick is taken), so the energy of [start_t, first reading] is extrapolated:
 * - integrated power: the first power sample held back to start_t;
 * - a counter: its mean power from the first reading on, over its first
 *   AIM_ENERGY_EDGE_WINDOW_NS (or the run, if shorter), held back to start_t. The counter's
 *   value at its first reading (energy since the source opened, an instant no replay knows)
 *   is its baseline. The window keeps the extrapolation clear of the counter's steps (NVML's
 *   moves every ~100 ms: one 10 ms interval reads 0 or 10x the draw).
 * Both are worked out from the samples alone, so a replay of the stored chunks gives the same
 * energy. The run's end needs no edge: every group takes a last sample when the run stops. */
#ifndef AIM_ENERGY_H
#define AIM_ENERGY_H

#include <stdint.h>

/* The quantum (W) a power series that is integrated into energy is stored with: 1 µW, the
 * project's unit of power, below every source's own step (session.c, docs/decisions.md). */
#define AIM_INTEGRATED_POWER_RESOLUTION 1e-6

/* How long a counter's mean power is followed for its start edge (see above). */
#define AIM_ENERGY_EDGE_WINDOW_NS 1000000000LL

typedef struct aim_energy_meter {
    double energy_j;      /* energy so far, from start_t */
    double last_power_w;  /* power over the latest interval (derived or measured) */
    int have_power;
    double last_value;    /* last counter reading (J) or power sample (W) */
    int64_t last_t;
    int have_last;
    int64_t start_t;      /* the run's start on the samples' clock (0 for a replay) */
    int64_t first_t;      /* the first reading */
    double base_j;        /* a counter's first reading */
    double edge_j;        /* energy extrapolated over [start_t, first_t] */
    double edge_delta_j;  /* what the latest call added to edge_j (a counter's is refined
                             until its window is full): account it over [start_t, first_t] */
    int edge_final;
} aim_energy_meter;

/* A counter reading in joules at t_ns. Returns 1 and sets *ret_power_w when a power can be
 * derived (a previous reading exists, time advanced, the counter did not go backwards). */
int aim__energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w);

/* A power sample in watts at t_ns: adds ½ (P_prev + P) Δt (P × (t − start_t) for the first). */
void aim__energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts);

#endif
