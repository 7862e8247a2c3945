#include "energy.h"

int aim_energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w) {
    int derived = 0;
    if (m->have_last && t_ns > m->last_t && joules >= m->last_value) {
        double p = (joules - m->last_value) / ((double)(t_ns - m->last_t) * 1e-9);
        m->last_power_w = p;
        m->have_power = 1;
        *ret_power_w = p;
        derived = 1;
    }
    m->last_value = joules;
    m->last_t = t_ns;
    m->have_last = 1;
    m->energy_j = joules; /* the source already made it wrap-free and relative to its open */
    return derived;
}

void aim_energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts) {
    if (m->have_last && t_ns > m->last_t)
        m->energy_j += 0.5 * (m->last_value + watts) * (double)(t_ns - m->last_t) * 1e-9;
    m->last_value = watts;
    m->last_t = t_ns;
    m->have_last = 1;
    m->last_power_w = watts;
    m->have_power = 1;
}
