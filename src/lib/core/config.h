/* The run configuration (the public aim_config is this struct). */
#ifndef AIM_CONFIG_INTERNAL_H
#define AIM_CONFIG_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "aimeter.h"

struct aim_config {
    int64_t interval_ns;
    char name[128];
    char *db_path;            /* NULL: the default */
    char sources[256];        /* "" = all */
    double intensity;         /* < 0: not given */
    char zone[24];            /* "" = not given */
    char command[1024];       /* argv joined for the record */
    pid_t target_pid;
    char gpus[256];           /* "" = all (or CUDA_VISIBLE_DEVICES) */
    char dcgm_host[256];      /* "" = embedded host engine */
    char metrics[512];        /* --metrics, "" = the default (metric_select.h) */
};

/* 1 if the comma-separated list `sources` ("" = all) selects the source called name. */
int aim_config_selects(const aim_config *c, const char *name);

#endif
