/* The source contract. A source knows hardware and nothing else: it declares at open what it
 * can measure (devices and series), and at each poll writes one value per series with a
 * validity bit ("not supported" or "failed this time" is never 0).
 *
 * Lifecycle, all on one thread except poll (which runs on a sampler thread):
 *   open(env, ctx, &state)  -- declare devices and series through ctx; may read files once,
 *                              allocate, open descriptors. -ENODEV: nothing to measure here
 *                              (not an error, the source is skipped); -EACCES with
 *                              aim__source_ctx_warn() naming the fix; other -errno: failure.
 *   poll(state, frame)      -- no allocation, no blocking I/O beyond pread() on descriptors
 *                              opened in open(). Returns 0, or -ENODEV/-EIO when the source
 *                              is gone for good (the engine drops it and says so).
 *   close(state)            -- frees everything; accepts NULL.
 */
#ifndef AIM_SOURCE_H
#define AIM_SOURCE_H

#include <stdint.h>

#include "model/device.h"
#include "model/metrics.h"
#include "model/probe.h"

/* An option a source accepts (aim_config_set_source_option, docs/api.md "Source options"):
 * a source lists them in its ops table, so a new vendor's knobs need no public setter. */
typedef struct aim_source_option {
    const char *key;          /* "gpus", "host": lowercase, no blanks */
    const char *description;  /* one line: what the value is and its default */
    int (*check)(const char *value); /* 0 or -EINVAL; NULL: any non-empty value of one line */
} aim_source_option;

/* One option given for this source: key as declared, value as set (never NULL). */
typedef struct aim_source_setting {
    const char *key;
    const char *value;
} aim_source_setting;

/* What a source is told at probe and open. Tests point the roots at fixture trees. */
typedef struct aim_source_env {
    const char *sysfs_root;   /* "/sys" unless AIMETER_SYSFS_ROOT */
    const char *procfs_root;  /* "/proc" unless AIMETER_PROCFS_ROOT */
    int64_t interval_ns;      /* the run's sampling interval */
    pid_t target_pid;         /* root of the monitored process tree, or 0 */
    /* The agent's job slots (model/job_slots.h): a source that can tell which job a GPU
     * process belongs to declares gpu.job_sm_util per slot; NULL outside an agent. */
    const struct aim_job_slots *job_slots;
    const struct aim_metric_select *metrics; /* --metrics (metric_select.h), NULL: default */
    /* The options given for this source, only keys it declares (the engine fills them per
     * source); read them with aim__source_env_option(). */
    const aim_source_setting *options;
    int n_options;
} aim_source_env;

/* The value given for option key, or NULL when none was (the source's default). */
const char *aim__source_env_option(const aim_source_env *env, const char *key);

typedef struct aim_source_ctx aim_source_ctx;

/* Adds a device, or returns the existing one with the same name. Names are short and
 * stable: "host", "cpu0", "dram0", "psys0", "amdgpu0", "process". model and the
 * description may be NULL. Returns the device index (>= 0) or -errno. */
int aim__source_ctx_add_device(aim_source_ctx *ctx, const char *name, aim_device_kind kind,
                              const char *model);

/* Gives device (an index from aim__source_ctx_add_device) the vendor's stable identity, e.g.
 * NVML's "GPU-<uuid>": the uuid label of the live exposition (docs/metrics.md). The first
 * source to know it wins; NULL or "" changes nothing. Returns 0 or -EINVAL. */
int aim__source_ctx_set_device_uuid(aim_source_ctx *ctx, int device, const char *uuid);

/* Declares a series (device, metric, instance) this source will write at every poll.
 * instance is -1 unless the metric is per instance (a core number, a sensor channel).
 * Returns the slot (>= 0) to pass to aim__frame_set(), or -errno. */
int aim__source_ctx_add_series(aim_source_ctx *ctx, int device, aim_metric_id metric,
                              int instance, aim_method method);

/* How many more series the session's table takes (a source with optional series leaves
 * room for the others' essential ones). */
int aim__source_ctx_series_room(const aim_source_ctx *ctx);

/* Finds a series declared earlier by any source of this session (same device name, metric,
 * instance). Returns its slot or -ENOENT. The slot is readable with aim__frame_get() only
 * when both series are in the same rate group (true for sources with min_interval 0). */
int aim__source_ctx_find_series(const aim_source_ctx *ctx, const char *device,
                               aim_metric_id metric, int instance);

/* As aim__source_ctx_find_series, but only a series in the caller's own rate group: only
 * then does the frame of the caller's poll hold its value of the same tick. -ENOENT else. */
int aim__source_ctx_find_group_series(const aim_source_ctx *ctx, const char *device,
                                     aim_metric_id metric, int instance);

/* A human-readable warning for the run ("RAPL: permission denied on
 * /sys/class/powercap/intel-rapl:0/energy_uj; run as root or add a udev rule (see
 * docs/permissions.md)"). Shown once by the CLI and stored with the run. */
void aim__source_ctx_warn(aim_source_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Capability report for `aimeter devices`: one line per thing the source looked at
 * (model/probe.h). */
void aim__probe_add(aim_probe_report *rep, const char *what, const char *status,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

typedef struct aim_source_ops {
    const char *name;            /* "procfs", "rapl", "hwmon", "estimate" */
    const char *description;     /* one line for `aimeter devices` and --help */
    const char *vendor;          /* NULL, or a name its options may be given under for all
                                    its sources at once ("nvidia": nvml, dcgm, nvml_pcie) */
    const aim_source_option *options; /* NULL, or the options it accepts, ended by a NULL key */
    int64_t min_interval_ns;     /* 0, or the fastest this source should be polled; a slower
                                    source gets its own rate group (its own thread) */
    int64_t max_interval_ns;     /* 0, or the slowest it may be polled (a wrapping counter);
                                    with a longer run interval it gets a faster group */
    int own_thread;              /* 1: its poll blocks (nvmlDeviceGetPcieThroughput sleeps
                                    ~20 ms per call), so it never shares a sampler thread */
    int (*probe)(const aim_source_env *env, aim_probe_report *rep);
    int (*open)(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state);
    int (*poll)(void *state, aim_frame *frame);
    void (*close)(void *state);
    /* Optional. Called from the writer thread (never the sampler) a few times a second:
     * returns 1 and writes one line into buf when something happened since the last call
     * that the run's report should say ("gpu1 lost at 12.3 s: GPU is lost"), else 0. poll()
     * can only record the fact (atomics); this is where it becomes a message. */
    int (*take_event)(void *state, char *buf, size_t size);
} aim_source_ops;

/* The sources compiled in, in the order they are opened and polled (sources/registry.c).
 * estimate comes last: it fills in what nothing else measured. */
extern const aim_source_ops *const aim_sources[];
extern const int aim_source_count;

#endif
