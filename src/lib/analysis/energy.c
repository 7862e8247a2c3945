#include "energy.h"

int aim_energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w) {
    int derived = 0;
    m->edge_now = 0;
    if (!m->have_last) {
        m->base_j = joules;
        m->edge_ns = t_ns > m->start_t ? t_ns - m->start_t : 0;
    } else if (t_ns > m->last_t && joules >= m->last_value) {
        double p = (joules - m->last_value) / ((double)(t_ns - m->last_t) * 1e-9);
        m->last_power_w = p;
        m->have_power = 1;
        *ret_power_w = p;
        derived = 1;
        if (!m->edge_done) { /* the first interval's power, held back to the run's start */
            m->edge_j = p * (double)m->edge_ns * 1e-9;
            m->edge_done = 1;
            m->edge_now = m->edge_ns > 0;
        }
    }
    m->last_value = joules;
    m->last_t = t_ns;
    m->have_last = 1;
    /* the source already made it wrap-free; relative to the first reading, plus the edge */
    m->energy_j = joules - m->base_j + m->edge_j;
    return derived;
}

void aim_energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts) {
    m->edge_now = 0;
    if (m->have_last && t_ns > m->last_t) {
        m->energy_j += 0.5 * (m->last_value + watts) * (double)(t_ns - m->last_t) * 1e-9;
    } else if (!m->have_last && t_ns > m->start_t) { /* the first sample, held back to the start */
        m->edge_ns = t_ns - m->start_t;
        m->edge_j = watts * (double)m->edge_ns * 1e-9;
        m->energy_j += m->edge_j;
        m->edge_now = 1;
    }
    if (!m->have_last)
        m->edge_done = 1;
    m->last_value = watts;
    m->last_t = t_ns;
    m->have_last = 1;
    m->last_power_w = watts;
    m->have_power = 1;
}
