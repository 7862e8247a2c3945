/* The run configuration (the public aim_config is this struct). */
#ifndef AIM_CONFIG_INTERNAL_H
#define AIM_CONFIG_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "aimeter.h"
#include "model/run_tags.h"
#include "sources/source.h"

#define AIM_CONFIG_MAX_SOURCE_OPTIONS 16

struct aim_config {
    int64_t interval_ns;
    char name[128];
    char *db_path;            /* NULL: the default */
    char sources[256];        /* "" = all */
    double intensity;         /* < 0: not given */
    char zone[24];            /* "" = not given; the code only, as the tables spell it */
    int zone_year;            /* --zone CODE@YEAR: that year's average; 0 = the current row */
    int zone_marginal;        /* --zone CODE@marginal: the table's marginal row */
    char command[1024];       /* argv joined for the record */
    pid_t target_pid;
    /* aim_config_set_source_option: the options given, in the order set, each once per
     * (source, key); a source sees those it declares (aim__config_source_settings). */
    struct aim_config_source_option {
        char source[32];      /* a source's name or a vendor ("nvidia") */
        char key[32];
        char value[256];
    } source_options[AIM_CONFIG_MAX_SOURCE_OPTIONS];
    int n_source_options;
    char metrics[512];        /* --metrics, "" = the default (metric_select.h) */
    char control_path[108];   /* the control socket to listen on, "" = none */
    char idle_run_id[40];     /* the run whose device power is the idle level, "" = none */
    int embodied;             /* the report amortises the devices' manufacturing carbon */
    int agent;                /* aimeter agent: jobs on the control socket (jobs.h) */
    aim_run_tag tags[AIM_MAX_TAGS]; /* --tag KEY=VALUE, stored when the run starts */
    int n_tags;
    /* Carbon and cost (engine/choose.c reads them at the start of a run). */
    char intensity_file[4096]; /* --intensity-file, "" = not given */
    double pue;               /* >= 1.0; 1.0 by default */
    char pue_source[192];     /* where the PUE comes from, in words */
    double price;             /* per kWh, < 0: not given */
    char price_file[4096];    /* --price-file, "" = not given */
    char currency[4];         /* ISO 4217 code of price / price_file, "" = none */
    /* A live provider (engine/run_provider.h), between the file and the zone in precedence. */
    char provider[24];        /* "electricitymaps", "watttime", "ukgrid"; "" = none */
    char provider_region[64]; /* the provider's own zone/region; "" = the position or the zone */
    double lat, lon;          /* the machine's position, degrees, when have_location */
    int have_location;
    int marginal;             /* ask the provider for the marginal signal */
    /* Retention of a long session (aim_config_set_retention, sink_retention.c); 0 = none. */
    int64_t retain_ns;
    int64_t downsample_after_ns;
    int64_t downsample_step_ns;
    /* A server store's local spool (engine/uploader.c): "" = the default place. */
    char spool_path[4096];
    int64_t upload_interval_ns; /* between uploads to the server; 0 = the default (5 s) */
    char errmsg[256];         /* the last failed setter's message (aim_config_errmsg) */
};

/* 1 if the comma-separated list `sources` ("" = all) selects the source called name. */
int aim__config_selects(const aim_config *c, const char *name);

/* The options given that source ops takes, into out (at most max): one per key, the value
 * set under its own name over one set under its vendor. Borrowed from c. Returns how many. */
int aim__config_source_settings(const aim_config *c, const aim_source_ops *ops,
                               aim_source_setting *out, int max);

/* The run's batch-job id, from its tags (engine/tags.c): `job` when given (--tag job=ID),
 * else `slurm_job` (SLURM_JOB_ID), `pbs_job` (PBS_JOBID), `sge_job` (JOB_ID); NULL when
 * none. The exposition's hpc_job label (docs/metrics.md). */
const char *aim__config_job_id(const aim_config *c);

#endif
