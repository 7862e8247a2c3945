/* What the RAPL source (sources/cpu/rapl.c) shares with its two back-ends: the counters
 * it has opened, and each back-end's open and probe. rapl_perf.c reads the perf `power`
 * PMU, rapl_powercap.c the powercap sysfs zones; rapl.c chooses one at open, declares the
 * devices and series and polls, the same whichever back-end opened the counters. */
#ifndef AIM_SOURCES_RAPL_BACKEND_H
#define AIM_SOURCES_RAPL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "sources/cpu/rapl.h"
#include "sources/source.h"

#define RAPL_MAX_COUNTERS 64

typedef struct rapl_counter {
    int fd;
    int slot;
    int is_perf;
    aim_rapl_domain domain;
    int dev;            /* N of cpuN / dramN / psysN */
    double scale;       /* perf: joules per count */
    uint64_t max_range; /* powercap: wrap point in µJ (0 = unknown) */
    uint64_t last;      /* last raw reading */
    uint64_t total;     /* raw units since open */
    int dead;
} rapl_counter;

typedef struct rapl_state {
    const char *backend;
    int n;
    rapl_counter c[RAPL_MAX_COUNTERS];
} rapl_state;

/* Closes every counter of st and empties it (rapl.c). */
void aim__rapl_close_counters(rapl_state *st);

/* "package", "core", "uncore", "dram" or "psys", for probe lines (rapl.c). */
const char *aim__rapl_domain_label(aim_rapl_domain d);

/* perf back-end (rapl_perf.c). Opens every event on every package; all or nothing, so a
 * machine is measured by one back-end only. Returns the number of counters, or -errno of
 * the first failure (the perf_event_open errno: EACCES/EPERM for permission,
 * ENOENT/EINVAL/ENODEV otherwise); st is left empty on failure. */
int aim__rapl_perf_open_all(const char *root, rapl_state *st);

/* One reading of an opened perf counter: 0 or -errno (-EIO on a short read). */
int aim__rapl_perf_read(int fd, uint64_t *ret);

/* Adds a probe line per perf event; counts usable and refused events. */
void aim__rapl_perf_probe(const char *root, aim_probe_report *rep, int *avail, int *denied);

/* powercap back-end (rapl_powercap.c). Opens energy_uj of every usable zone and takes the
 * baseline reading. Returns the number of counters (> 0), -EACCES when zones exist but
 * none could be read for permission (*denied names the first refused file), -ENODEV when
 * there is nothing. */
int aim__rapl_powercap_open_all(const char *root, rapl_state *st, char *denied, size_t dsize);

/* Adds a probe line per powercap zone; counts usable and refused zones. */
void aim__rapl_powercap_probe(const char *root, aim_probe_report *rep, int *avail, int *denied);

#endif
