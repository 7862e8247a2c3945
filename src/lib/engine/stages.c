/* The stage and sink tables (stage.h, sink.h): a new stage or output is one row here. */
#include "engine/session_internal.h"
#include "engine/sink.h"

const aim_stage *const aim_stages[] = {
    &aim_stage_energy,      /* closes each device's interval, derives power from counters */
    &aim_stage_carbon,      /* prices the interval: the workload's phases take its grams */
    &aim_stage_attribution, /* the process tree's share of the interval */
    &aim_stage_job_gpu,     /* an agent's jobs' shares of each GPU's interval */
    &aim_stage_workload,    /* phases, markers and records */
    &aim_stage_corr,        /* correlation co-moments */
    &aim_stage_stats,       /* per-series statistics, with the derived power */
};
const size_t aim_stage_count = sizeof aim_stages / sizeof aim_stages[0];

const aim_sink *const aim_sinks[] = {
    &aim_sink_store,
    &aim_sink_job_runs, /* after the store's commit: the agent's ended jobs */
    &aim_sink_retention, /* after the store's commit: old samples deleted or coarser */
    &aim_sink_upload,    /* a server store's spool: its notes into the run's warnings */
    &aim_sink_live,
};
const size_t aim_sink_count = sizeof aim_sinks / sizeof aim_sinks[0];

void aim__stages_interval(struct aim_session *s, aim_interval *iv) {
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->interval)
            s->stages[k]->interval(s, iv);
}
