/* What the reading accessors (run_info.c, samples.c) take from the store, in one place:
 * when the store's multi-series reader lands, only run_load.c changes. */
#ifndef AIM_API_RUN_LOAD_H
#define AIM_API_RUN_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "aimeter.h"
#include "processing/summary.h"

/* The run's summary with its phases and records (run->workload). On error the store's
 * message is set and *ret is cleared. */
int aim__api_load_run(aim_store *store, const char *run_id, aim_run_summary *ret);

/* Calls fn for every tick of rate group `group` of the run, in time order (values in the
 * group's slot order). On error the store's message is set. */
typedef int (*aim_api_tick_fn)(int64_t t_rel_ns, const double *values, const uint8_t *valid,
                               void *userdata);
int aim__api_group_ticks(aim_store *store, const char *run_id, int group, aim_api_tick_fn fn,
                        void *userdata);

/* A series' column name as the export writes it: "gpu0.power [W]",
 * "host.cpu.core_util[3] [%]". */
void aim__api_series_column(const aim_run_summary *run, const aim_series_summary *s, char *out,
                           size_t len);
/* The same without the unit: "gpu0.power", "host.cpu.core_util[3]" (aimeter plot's -m). */
void aim__api_series_key(const aim_run_summary *run, const aim_series_summary *s, char *out,
                        size_t len);
/* Its unit, "" when none or unknown to this aimeter. */
const char *aim__api_series_unit(const aim_series_summary *s);

/* The run's cumulative energy curve (processing/energy_curve.h): every energy group of the
 * run read once through it, for aimeter forecast's interpolation at any instant. A group
 * without a chunk yet is empty. -ENOMEM, or the store's error (db's message set). */
struct aim_db;
struct aim_energy_curve;
int aim__api_energy_curve_load(struct aim_db *db, const aim_run_summary *run,
                               struct aim_energy_curve **ret);

/* The store's phase instances (store/tags_store.h) as processing's forecast takes them
 * (forecast_run.h): *ret allocated, free it with free(). -ENOMEM. */
struct aim_phase_instance;
struct aim_fc_instance;
int aim__api_fc_instances(const struct aim_phase_instance *inst, size_t n,
                          struct aim_fc_instance **ret);

/* The run's cumulative facility energy and carbon over its duration in buckets buckets
 * (processing/energy_timeline.h, the curve of the HTML report, which builds it in its own
 * pass over the samples): the run's energy groups read once, merged in time order, through
 * the what-if pricer, so it ends at the report's figures; *tl is initialised here and freed
 * with aim__energy_timeline_free, whatever the result. -ENOMEM, or the store's error (db's
 * message set). */
struct aim_energy_timeline;
int aim__api_energy_timeline_load(struct aim_db *db, const aim_run_summary *run,
                                  size_t buckets, struct aim_energy_timeline *tl);

#endif
