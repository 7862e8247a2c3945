/* What `aimeter devices` shows: each source's capability report (one line per thing it
 * looked at), filled by the sources' probe() (sources/source.h) and rendered by
 * report/devices_render.h. */
#ifndef AIM_PROBE_H
#define AIM_PROBE_H

#include <string.h>

typedef struct aim_probe_line {
    char what[96];    /* "intel-rapl:0 package-0 energy_uj" */
    char status[24];  /* "available", "not supported", "no permission", "absent" */
    char detail[224]; /* why, and the fix */
} aim_probe_line;

typedef struct aim_probe_report {
    aim_probe_line lines[512]; /* 8 GPUs with a line per metric fit */
    int count;
} aim_probe_report;

/* One source's answer: its name and description, whether it can measure anything here, and
 * its report. */
typedef struct aim_source_probe {
    const char *name;        /* "procfs", "rapl", ... */
    const char *description; /* may be NULL */
    int available;           /* aim__probe_available() */
    aim_probe_report report;
} aim_source_probe;

/* A source is available when its probe succeeded (rc >= 0) and at least one line says
 * "available". */
static inline int aim__probe_available(int rc, const aim_probe_report *rep) {
    for (int k = 0; rc >= 0 && k < rep->count; k++)
        if (strcmp(rep->lines[k].status, "available") == 0)
            return 1;
    return 0;
}

#endif
