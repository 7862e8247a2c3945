#include "processing/energy.h"

int aim__energy_meter_counter(aim_energy_meter *m, int64_t t_ns, double joules, double *ret_power_w) {
    int derived = 0;
    m->edge_delta_j = 0;
    if (!m->have_last) {
        m->base_j = joules;
        m->first_t = t_ns;
    } else if (t_ns > m->last_t && joules >= m->last_value) {
        double p = (joules - m->last_value) / ((double)(t_ns - m->last_t) * 1e-9);
        m->last_power_w = p;
        m->have_power = 1;
        *ret_power_w = p;
        derived = 1;
        if (!m->edge_final && t_ns > m->first_t) {
            /* the mean power since the first reading, held back to the run's start */
            double mean = (joules - m->base_j) / ((double)(t_ns - m->first_t) * 1e-9);
            double edge = m->first_t > m->start_t ? mean * (double)(m->first_t - m->start_t) * 1e-9 : 0;
            m->edge_delta_j = edge - m->edge_j;
            m->edge_j = edge;
            m->edge_final = t_ns - m->first_t >= AIM_ENERGY_EDGE_WINDOW_NS;
        }
    }
    m->last_value = joules;
    m->last_t = t_ns;
    m->have_last = 1;
    /* the source already made it wrap-free; relative to the first reading, plus the edge */
    m->energy_j = joules - m->base_j + m->edge_j;
    return derived;
}

void aim__energy_meter_power(aim_energy_meter *m, int64_t t_ns, double watts) {
    m->edge_delta_j = 0;
    if (m->have_last && t_ns > m->last_t) {
        m->energy_j += 0.5 * (m->last_value + watts) * (double)(t_ns - m->last_t) * 1e-9;
    } else if (!m->have_last) {
        m->first_t = t_ns;
        m->edge_final = 1;
        if (t_ns > m->start_t) { /* the first sample, held back to the run's start */
            m->edge_j = watts * (double)(t_ns - m->start_t) * 1e-9;
            m->edge_delta_j = m->edge_j;
            m->energy_j += m->edge_j;
        }
    }
    m->last_value = watts;
    m->last_t = t_ns;
    m->have_last = 1;
    m->last_power_w = watts;
    m->have_power = 1;
}
