/* The job tags of a run that measures one node of a batch job (docs/cli.md, "Jobs"): job,
 * node, node_rank, ranks, user, measured_by, read from the launcher's environment (SLURM,
 * torchrun, PBS, SGE, MPI). The parser takes the environment as a function, so that tests
 * and the fuzz target give it any; it allocates nothing and never fails on bad values (a
 * value it cannot read is left out). */
#ifndef AIM_ENGINE_JOB_TAGS_H
#define AIM_ENGINE_JOB_TAGS_H

#include <stddef.h>

#include "model/run_tags.h"

#define AIM_JOB_TAGS_MAX 6

/* Looks a variable up: its value, or NULL when unset. */
typedef const char *(*aim_env_lookup)(const char *name, void *userdata);

/* The job tags for this environment into out[0..AIM_JOB_TAGS_MAX); host and user are the
 * fallbacks for node and user (may be NULL), measured_by "run", "python" or "agent". Returns
 * how many: 0 when no job id is set (a process outside a batch job gets no job tags). */
size_t aim__job_tags_from(aim_env_lookup env, void *userdata, const char *measured_by,
                          const char *host, const char *user, aim_run_tag *out);

/* "0-3,8": the numbers of a comma-separated list (SLURM_GTIDS), runs of consecutive ones
 * folded, in the list's order. -EINVAL for anything but numbers and commas, -ENOSPC when it
 * does not fit in len. */
int aim__job_ranks_fold(const char *list, char *out, size_t len);
/* The union of two rank lists of numbers and ranges ("0-3,8" and "4": "0-4,8"), sorted and
 * folded like aim__job_ranks_fold, into out (may be list itself). -EINVAL for anything but
 * numbers, ranges and commas (or more than 128 pieces), -ENOSPC when it does not fit. */
int aim__job_ranks_union(const char *list, const char *more, char *out, size_t len);

#endif
