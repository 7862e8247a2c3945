/* aimeter — measure the energy, power, hardware activity and carbon of AI workloads.
 *
 * This header is the whole public contract of libaimeter. Everything else is internal.
 *
 * Conventions (see docs/api.md):
 *  - Errors are negative errno values (0 = success). aim_strerror() names them; the object
 *    that failed keeps a detailed message (aim_session_errmsg(), aim_store_errmsg()).
 *  - Objects are opaque; _new/_open create, _free/_close destroy and accept NULL.
 *  - Returned strings are borrowed (valid while the owner lives) unless the name says _dup
 *    or the comment says "caller frees with free()".
 *  - Out-parameters are ret_* and are left untouched on error.
 *  - Time is int64_t nanoseconds, energy is reported in joules (double) at this edge.
 *  - The library never prints and never exits; messages go to the optional log callback.
 */
#ifndef AIMETER_H
#define AIMETER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AIM_PUBLIC __attribute__((visibility("default")))
#else
#define AIM_PUBLIC
#endif

/* ---------------------------------------------------------------- version, errors, logs */

/* "MAJOR.MINOR.PATCH" of the library actually loaded. Thread-safe. */
AIM_PUBLIC const char *aim_version(void);

/* Static text for a negative errno returned by any aim_ function (or for a positive errno).
 * Thread-safe. */
AIM_PUBLIC const char *aim_strerror(int err);

typedef enum aim_log_level {
    AIM_LOG_ERROR = 0,
    AIM_LOG_WARNING = 1,
    AIM_LOG_INFO = 2,
    AIM_LOG_DEBUG = 3,
} aim_log_level;

/* Receives every diagnostic the library would otherwise swallow (a source dropped mid-run,
 * a permission problem and its fix). Called from library threads: it must be thread-safe
 * and must not call back into the session. NULL removes the callback. Set it before
 * creating sessions; not thread-safe against concurrent sessions being created. */
typedef void (*aim_log_fn)(aim_log_level level, const char *message, void *userdata);
AIM_PUBLIC void aim_set_log_callback(aim_log_fn fn, void *userdata);

/* ---------------------------------------------------------------- parsing helpers */

/* Parses a duration such as "100ms", "0.5s", "2s", "1m", "250us", "1h" (a bare number means
 * seconds) into nanoseconds. Returns -EINVAL for malformed text, -ERANGE when it overflows
 * or is not positive. Thread-safe. */
AIM_PUBLIC int aim_parse_duration(const char *text, int64_t *ret_ns);

/* ---------------------------------------------------------------- metric registry */

typedef enum aim_category {
    AIM_CAT_ENERGY = 0,
    AIM_CAT_COMPUTE,
    AIM_CAT_MEMORY,
    AIM_CAT_COMMUNICATION,
    AIM_CAT_SYSTEM,
    AIM_CAT_APP,
} aim_category;

typedef enum aim_metric_kind {
    AIM_KIND_GAUGE = 0,   /* a level at an instant (W, %, °C) */
    AIM_KIND_COUNTER = 1, /* monotonically increasing total since the run started (J, s) */
} aim_metric_kind;

typedef struct aim_metric_info {
    const char *key;        /* stable identifier, e.g. "power", "cpu.util" */
    const char *label;      /* human label, e.g. "Power" */
    const char *unit;       /* unit of the values as stored and reported, e.g. "W" */
    const char *description;
    aim_category category;
    aim_metric_kind kind;
    double resolution;      /* smallest meaningful step, in unit; used for the Mode statistic */
} aim_metric_info;

/* Number of metrics aimeter knows, and the i-th (0 <= i < count). Borrowed, static.
 * Thread-safe. aim_metric_find returns NULL for an unknown key. */
AIM_PUBLIC size_t aim_metric_count(void);
AIM_PUBLIC const aim_metric_info *aim_metric_get(size_t index);
AIM_PUBLIC const aim_metric_info *aim_metric_find(const char *key);

AIM_PUBLIC const char *aim_category_name(aim_category category);

/* ---------------------------------------------------------------- sources and devices */

/* Names of the sources compiled in, in polling order (NULL-terminated, static). */
AIM_PUBLIC const char *const *aim_source_names(void);

/* What `aimeter devices` shows: for each source, whether it can measure here and why not.
 * Rendered as text (format "text") or JSON ("json") into a string the caller frees with
 * free(). Honours AIMETER_SYSFS_ROOT / AIMETER_PROCFS_ROOT. Returns -ENOMEM or -EINVAL. */
AIM_PUBLIC int aim_devices_describe(const char *format, char **ret_text);

/* ---------------------------------------------------------------- configuration */

typedef struct aim_config aim_config;

/* A configuration with the defaults: 100 ms interval, every available source, the store
 * at $AIMETER_DB or $XDG_DATA_HOME/aimeter/aimeter.db, world-average carbon intensity.
 * Returns -ENOMEM. */
AIM_PUBLIC int aim_config_new(aim_config **ret_config);
AIM_PUBLIC void aim_config_free(aim_config *config);

/* Setters copy their arguments. They return -EINVAL for values out of range (interval
 * below 1 ms, empty name, negative intensity, unknown source or zone) and leave the
 * configuration unchanged in that case. */
AIM_PUBLIC int aim_config_set_interval(aim_config *c, int64_t interval_ns);
AIM_PUBLIC int aim_config_set_name(aim_config *c, const char *name);
AIM_PUBLIC int aim_config_set_db_path(aim_config *c, const char *path);
/* Comma-separated list of source names ("procfs,rapl"); NULL or "all" means every source. */
AIM_PUBLIC int aim_config_set_sources(aim_config *c, const char *list);
/* Constant grid carbon intensity in g CO2e per kWh. Overrides the zone. */
AIM_PUBLIC int aim_config_set_intensity(aim_config *c, double g_per_kwh);
/* Zone code from the built-in table (case-insensitive), e.g. "FR", "US", "CA-SK". */
AIM_PUBLIC int aim_config_set_zone(aim_config *c, const char *zone);
/* The command being measured, for the record (argv, NULL-terminated). */
AIM_PUBLIC int aim_config_set_command(aim_config *c, char *const argv[]);
/* The root of the process tree whose CPU time is recorded (the monitored command). */
AIM_PUBLIC int aim_config_set_target_pid(aim_config *c, pid_t pid);
/* Which GPUs: comma-separated indices or UUIDs ("0,2", "GPU-8f1c..."); NULL = all, or those
 * of CUDA_VISIBLE_DEVICES when it is set. -EINVAL for an empty or malformed list. */
AIM_PUBLIC int aim_config_set_gpus(aim_config *c, const char *list);
/* A running nv-hostengine ("host", "host:port" or a Unix socket path) instead of DCGM's
 * embedded host engine. NULL = embedded. */
AIM_PUBLIC int aim_config_set_dcgm_host(aim_config *c, const char *address);
/* Which GPU metrics: "basic" (what NVML gives, nvidia-smi class), "full" (plus DCGM's
 * profiling metrics, at DCGM's ~100 ms floor when the run is faster), or a comma-separated
 * list of metric keys and presets; GPU power and energy are always sampled. NULL or "" =
 * everything available at the run's interval. -EINVAL for an unknown entry. */
AIM_PUBLIC int aim_config_set_metrics(aim_config *c, const char *spec);

/* ---------------------------------------------------------------- carbon zones */

typedef struct aim_zone_info {
    const char *code;        /* "FR" */
    const char *name;        /* "France" */
    double g_per_kwh;        /* average intensity */
    const char *basis;       /* "lifecycle" or "direct" */
    int year;
    const char *source;      /* who published it */
    const char *licence;
} aim_zone_info;

/* Looks a zone up in the built-in table (case-insensitive). -ENOENT when unknown.
 * The returned pointer is static. */
AIM_PUBLIC int aim_zone_lookup(const char *code, const aim_zone_info **ret_zone);
AIM_PUBLIC size_t aim_zone_count(void);
AIM_PUBLIC const aim_zone_info *aim_zone_get(size_t index);

/* ---------------------------------------------------------------- sessions */

typedef struct aim_session aim_session;

typedef enum aim_run_status {
    AIM_RUN_RUNNING = 0,
    AIM_RUN_COMPLETED,
    AIM_RUN_FAILED,
    AIM_RUN_INTERRUPTED,
} aim_run_status;

AIM_PUBLIC const char *aim_run_status_name(aim_run_status status);

/* Creates a session from a configuration (copied). Nothing is opened yet. -ENOMEM. */
AIM_PUBLIC int aim_session_new(const aim_config *config, aim_session **ret_session);

/* Opens the store (creating or migrating it), records the run as "running", opens the
 * sources and starts the sampler and writer threads. The first sample is taken before this
 * returns. Errors (detail in aim_session_errmsg()): -EACCES/-EROFS/-ENOENT/-EISDIR when the
 * store cannot be written; -EBADMSG when the file is not an aimeter store; -EBUSY when it
 * stays locked; -EPROTO when a newer aimeter wrote it; -ENODEV when no source measures
 * anything; -EALREADY when already started. */
AIM_PUBLIC int aim_session_start(aim_session *s);

/* Stops sampling (one last sample is taken), finalises energy, carbon and statistics,
 * and commits the run with its status and the child's exit code (-1 if none).
 * Safe to call once after start; a second call returns -EALREADY. */
AIM_PUBLIC int aim_session_stop(aim_session *s, aim_run_status status, int exit_code);

/* Frees the session. If it is still sampling it is stopped as interrupted first. */
AIM_PUBLIC void aim_session_free(aim_session *s);

/* Borrowed run id, e.g. "20261121-140312-3f9a". Valid for the session's lifetime. */
AIM_PUBLIC const char *aim_session_run_id(const aim_session *s);

/* The last error detail of this session (never NULL). */
AIM_PUBLIC const char *aim_session_errmsg(const aim_session *s);

/* Live figures for a status line. Thread-safe; cheap (atomic reads). */
typedef struct aim_live {
    int64_t elapsed_ns;
    double power_w;        /* total power over the last interval */
    double energy_j;       /* total energy so far */
    uint64_t samples;
    uint64_t missed_deadlines;
} aim_live;
AIM_PUBLIC int aim_session_live(const aim_session *s, aim_live *ret_live);

/* ---------------------------------------------------------------- the store */

typedef struct aim_store aim_store;

/* A store handle, not yet open. -ENOMEM. */
AIM_PUBLIC int aim_store_new(aim_store **ret_store);
/* Opens an aimeter store (creating or migrating it unless readonly). NULL path = the
 * default. Errors as for aim_session_start; detail in aim_store_errmsg(). */
AIM_PUBLIC int aim_store_open(aim_store *store, const char *path, int readonly);
AIM_PUBLIC void aim_store_free(aim_store *store);
AIM_PUBLIC const char *aim_store_errmsg(const aim_store *store);

/* The default store path ($AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db, else
 * ~/.local/share/aimeter/aimeter.db). Caller frees with free(). */
AIM_PUBLIC int aim_default_db_path(char **ret_path);

/* Resolves "last", a full run id or a unique prefix of one. Caller frees *ret_id with
 * free(). -ENOENT no such run, -EEXIST (ambiguous prefix: errmsg lists candidates). */
AIM_PUBLIC int aim_store_resolve_run(aim_store *store, const char *ref, char **ret_id);

/* Renders the list of runs, newest first, as "text" or "json". Caller frees. */
AIM_PUBLIC int aim_store_list_runs(aim_store *store, const char *format, size_t limit,
                                   char **ret_text);

/* ---------------------------------------------------------------- reports and export */

/* Renders a run's report: format is "text", "json" or "markdown". O(number of series),
 * independent of the run's length. Caller frees *ret_text with free(). */
AIM_PUBLIC int aim_report_render(aim_store *store, const char *run_id, const char *format,
                                 char **ret_text);

/* Writes the run's time series as CSV (one row per sample of the fastest group, every
 * series as a column, values of slower groups held until they change) to out. */
AIM_PUBLIC int aim_export_csv(aim_store *store, const char *run_id, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* AIMETER_H */
