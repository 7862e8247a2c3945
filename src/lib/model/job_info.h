/* `job info KEY=VALUE...` (docs/control.md): what a batch system's node hook (the SLURM
 * plugin, contrib/slurm) tells the node's agent about a job that starts there, as root: the
 * job's user, its cgroup, the node's place in the job and the GPUs it was given. The agent
 * keeps it with the job (engine/jobs.h) and writes it as the tags of the job's run
 * (engine/job_run.c). A pure parser over the text after "job info ", like control_proto.h. */
#ifndef AIM_JOB_INFO_H
#define AIM_JOB_INFO_H

#include <stddef.h>
#include <stdint.h>

#define AIM_JOB_INFO_TAGS 8

typedef struct aim_job_info {
    int64_t uid;          /* the job's owner, -1 when not said: the job becomes theirs */
    char user[33];        /* "" when not said */
    char cgroup[256];     /* cgroup v2 path relative to /sys/fs/cgroup, "/x/y"; "" none */
    char node[65];        /* node name, "" none */
    int node_rank;        /* -1 none */
    char ranks[128];      /* global ranks on the node, "0-3,8" ("" none) */
    char gpus[64];        /* GPU indices given to the job, "0,1" ("" none: not known) */
    int n_tags;           /* tag=K=V words (--aimeter=tag:K=V) */
    char tag_key[AIM_JOB_INFO_TAGS][64];
    char tag_value[AIM_JOB_INFO_TAGS][64];
} aim_job_info;

/* Parses "KEY=VALUE KEY=VALUE..." (keys uid, user, cgroup, node, node_rank, ranks, gpus,
 * tag; each at most once but tag; a tag's key not one of the run's own, below) of len
 * bytes into ret. 0, or -EINVAL with one line in err.
 * Values have no spaces; every field has its own character set (job_info.c). */
int aim__job_info_parse(const char *text, size_t len, aim_job_info *ret, char *err,
                        size_t errlen);
/* Whether key is one of the job run's own tags (job node node_rank ranks user measured_by
 * agent_run cgroup), which a tag=K=V word may not set: the parser refuses it. */
int aim__job_info_tag_reserved(const char *key);

#endif
