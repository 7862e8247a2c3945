/* The job families of an agent's /metrics (prometheus.h, docs/metrics.md "Jobs"): which jobs
 * on the node told the agent who they are, their phase, and the node's energy and carbon over
 * each job's time. A job's figures are the node's (every process on it), not the job's share:
 * what an operator compares jobs by when one job has the node, and an upper bound otherwise
 * (docs/agent.md). */
#include <string.h>

#include "report/prometheus.h"

enum { F_INFO, F_ENERGY, F_CARBON, F_DURATION, F__COUNT };

static const aim_prom_family families[F__COUNT] = {
    [F_INFO] = { "aimeter_job_info", "gauge", "", "run labels, `hpc_job`, `state`, `phase`",
                 "A job that told the agent its id; always 1. state: running or ended; phase: "
                 "its innermost open phase (left out when none)." },
    [F_ENERGY] = { "aimeter_job_energy_joules_total", "counter", "joules",
                   "run labels, `hpc_job`",
                   "Energy of the node's devices counted in the agent's total, from the job's "
                   "first message to its end (or now)." },
    [F_CARBON] = { "aimeter_job_carbon_grams_total", "counter", "grams", "run labels, `hpc_job`",
                   "Carbon of that energy in grams of CO2e (grid intensity over time, PUE "
                   "included)." },
    [F_DURATION] = { "aimeter_job_duration_seconds", "gauge", "seconds", "run labels, `hpc_job`",
                     "Time from the job's first message to its end (or now)." },
};

size_t aim__prom_job_families(const aim_prom_family **ret) {
    *ret = families;
    return F__COUNT;
}

static void put_family(aim_strbuf *out, const aim_prom_input *in, int om, int f) {
    const aim_prom_family *fam = &families[f];
    aim__prom_put_header(out, fam->name, fam->type, fam->unit, fam->help, om);
    /* The job's id is the hpc_job label here, never the agent's own (which a node agent
     * started inside a batch job would have): one label, one meaning. Not "job": Prometheus
     * keeps that name for its scrape job (docs/metrics.md). */
    aim_prom_input node = *in;
    node.job = NULL;
    for (int k = 0; k < in->n_jobs; k++) {
        const aim_prom_job *j = &in->jobs[k];
        int first = 1;
        double v = 1;
        aim__strbuf_append(out, fam->name);
        aim__prom_put_run_labels(out, &first, &node);
        aim__prom_put_label(out, &first, "hpc_job", j->id);
        switch (f) {
        case F_INFO:
            aim__prom_put_label(out, &first, "state", j->ended ? "ended" : "running");
            aim__prom_put_label(out, &first, "phase", j->phase);
            break;
        case F_ENERGY: v = j->energy_j; break;
        case F_CARBON: v = j->carbon_g; break;
        default: v = j->duration_s; break;
        }
        aim__prom_put_sample_end(out, first, v);
    }
}

void aim__prom_render_jobs(const aim_prom_input *in, int om, aim_strbuf *out) {
    if (in->n_jobs <= 0) /* no job yet: no empty families (promtool accepts them, people wonder) */
        return;
    for (int f = 0; f < F__COUNT; f++)
        put_family(out, in, om, f);
}
