/* A batch job across nodes (docs/cli.md, `aimeter report --job`, `aimeter jobs`): the runs
 * that carry the job's tag (engine/job_tags.h), one per node, combined. Pure: run summaries
 * in (with their tags and workload), a result out; nothing reads the store or the samples.
 *
 * - A node is the run's `node` tag, else its host.
 * - A node measured twice (two of the job's runs on one node whose wall-clock windows
 *   overlap) is counted once: the run that measured directly (measured_by run or python)
 *   over an agent's job window, then the longer run, then the older id; a warning names both.
 * - Runs of one node one after the other (two steps of the job, or an agent's job window cut
 *   by the agent's restart and the next one after it) are all counted, summed into the
 *   node's one row, with no warning.
 * - Phases are matched across nodes by name; each node's instance is placed on the wall clock
 *   by its run's anchor (start_wall_ns + the monotonic offset within the run), and its
 *   duration and energy come from the run's own monotonic clock, so a skewed node clock
 *   moves a phase on the time axis but never changes a duration, an energy or the straggler
 *   (the node with the longest phase). docs/methodology.md, "Jobs across nodes". */
#ifndef AIM_PROCESSING_JOB_H
#define AIM_PROCESSING_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"

typedef struct aim_job_node {
    const aim_run_summary *run; /* borrowed: the node's first run counted (runs[0]) */
    const aim_run_summary **runs; /* every run counted for the node, by start (borrowed) */
    size_t n_runs;
    char node[128];
    char node_rank[16];          /* "" when unknown */
    char ranks[256];             /* "0-3", "" when unknown */
    char measured_by[32];        /* "run", "python", "agent", "" (older runs); runs that
                                    differ: their values in order, "agent,run" */
    int64_t start_wall_ns, end_wall_ns; /* the first run's start, the last end */
    int64_t duration_ns;         /* the runs' durations summed: the time measured */
    double energy_j, carbon_g;   /* the runs' totals (as their own reports give them), summed:
                                    the job's share where an agent attributed it */
    int has_carbon;              /* every run has a carbon figure */
    double node_energy_j;        /* the whole node's over the same windows (context) */
    char method[64];             /* how energy_j was made, the runs' `attribution` tags:
                                    "node" (measured whole node), "cgroup" (the job's
                                    cgroup share of CPU/DRAM), "gpus" (the GPUs allotted),
                                    "gpu-processes" (the job's processes' share of a GPU),
                                    comma-separated where parts differ */
} aim_job_node;

typedef struct aim_job_phase_node {
    size_t node;                 /* index in nodes */
    int64_t start_wall_ns, end_wall_ns; /* first begin, last end, each on its run's anchor */
    int64_t duration_ns;         /* time inside the phase (monotonic, every instance of
                                    every run of the node) */
    double energy_j;             /* devices counted in the node's total */
    uint64_t instances;
} aim_job_phase_node;

typedef struct aim_job_phase {
    char name[129];
    int64_t start_wall_ns, end_wall_ns; /* earliest start, latest end over the nodes */
    double energy_j;             /* over the nodes that ran it */
    size_t slowest;              /* index in per_node: the straggler (longest duration) */
    int64_t spread_ns;           /* slowest duration minus the fastest (0 on one node) */
    aim_job_phase_node *per_node;
    size_t n_per_node;
} aim_job_phase;

typedef struct aim_job_counter {
    char key[49];
    double total;                /* over the counted nodes */
    double j_per_unit;           /* the job's energy / total; NaN when total is 0 */
} aim_job_counter;

typedef struct aim_job_result {
    char job[65];
    char user[64];               /* the first node's `user` tag (by name), "" when none */
    int64_t start_wall_ns, end_wall_ns;
    int running;                 /* some counted run is still running */
    int failed;                  /* some counted run failed or was interrupted */
    size_t n_runs;               /* runs tagged with the job, counted or not */
    aim_job_node *nodes;         /* by node name */
    size_t n_nodes;
    double energy_j, carbon_g;
    int has_carbon;              /* every counted node has a carbon figure */
    aim_job_phase *phases;       /* by start */
    size_t n_phases;
    aim_job_counter *counters;   /* record counters (tokens, samples), by key */
    size_t n_counters;
    char **warnings;             /* one line each */
    size_t n_warnings;
} aim_job_result;

/* The job built from runs[0..n) (every run tagged job=`job`; borrowed, they must outlive
 * the result). -EINVAL (no run), -ENOMEM. Free with aim__job_free, also after an error. */
int aim__job_build(const char *job, const aim_run_summary *runs, size_t n, aim_job_result *ret);
void aim__job_free(aim_job_result *r);

/* A run's tag value, NULL when it has none. */
const char *aim__run_tag(const aim_run_summary *run, const char *key);

/* "completed", "running" or "failed": the job's state from its counted runs. */
const char *aim__job_state(const aim_job_result *r);

#endif
