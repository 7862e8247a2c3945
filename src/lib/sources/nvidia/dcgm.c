/* DCGM: the GPU profiling metrics NVML does not give (GR engine, SM active and occupancy,
 * tensor, DRAM and FP64/FP32/FP16 pipe activity), fields 1001-1008.
 *
 * libdcgm is loaded at run time through the dynlib table below (AIMETER_DCGM_LIBRARY names a
 * fake for the tests). By default an embedded host engine runs in this process in AUTO mode,
 * so DCGM updates its own cache at the watch frequency and a poll is a cache read that never
 * waits on the driver; --dcgm-host (its "host" option), else AIMETER_DCGM_HOST ("host",
 * "host:port" or a unix-socket path starting with '/'), connects to a running nv-hostengine
 * instead, which is the only choice where another DCGM client already owns the profiling
 * counters.
 *
 * Which GPUs: the same as the NVML source, so both measure one set: --gpus (the "gpus"
 * option), else AIMETER_GPUS, else CUDA_VISIBLE_DEVICES; comma-separated GPU ids or UUIDs
 * (a unique prefix, "GPU-" optional), "all" for all; the list ends at the first entry that
 * names no single GPU (the NVML source warns about it; this one stays quiet to say it once).
 *
 * Each GPU gets its own group, so that one GPU without profiling support (or whose counters
 * another profiler holds) costs only its own series. Every poll reads all fields of all GPUs
 * in one dcgmEntitiesGetLatestValues call. DCGM reports ratios 0..1; series are in %. Blank
 * sentinels and non-OK statuses are "no value", never 0.
 *
 * Devices are "gpu<id>" with DCGM's GPU id, the names NVML uses (both number GPUs in the
 * driver's order); a metric another source already declared for the device is not declared
 * twice. DCGM's profiling floor is about 100 ms (min_interval_ns): a faster run puts this
 * source in its own, slower rate group.
 *
 * A host engine that stops answering is reported through take_event: one line when it
 * answers again ("did not answer from X s to Y s"), or one when the source gives it up. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util/dynlib.h"
#include "model/metric_select.h"
#include "util/fileio.h"
#include "sources/source.h"
#include "sources/nvidia/gpu_select.h"
#include "sources/nvidia/dcgm_abi.h"
#include "util/numfmt.h"

#define DCGM_MIN_INTERVAL_NS 100000000LL
/* Polls in a row that fail as a whole before the host engine counts as gone for good; at
 * the 100 ms floor that is half a second, long enough to ride out one slow update. */
#define DCGM_GONE_AFTER 5
#define N_PROF 12
#define DCGM_N_EVENTS 8 /* outages waiting for the writer; more in between are not said */

static const struct {
    unsigned short field;
    aim_metric_id metric;
    double scale; /* to the metric's unit: ratio 0..1 to %, bytes/s to GB/s */
} prof_fields[N_PROF] = {
    { AIM_DCGM_FI_PROF_GR_ENGINE_ACTIVE, AIM_M_GPU_GR_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_SM_ACTIVE, AIM_M_GPU_SM_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_SM_OCCUPANCY, AIM_M_GPU_SM_OCCUPANCY, 100.0 },
    { AIM_DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, AIM_M_GPU_TENSOR_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_DRAM_ACTIVE, AIM_M_GPU_DRAM_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_PIPE_FP64_ACTIVE, AIM_M_GPU_FP64_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_PIPE_FP32_ACTIVE, AIM_M_GPU_FP32_ACTIVE, 100.0 },
    { AIM_DCGM_FI_PROF_PIPE_FP16_ACTIVE, AIM_M_GPU_FP16_ACTIVE, 100.0 },
    /* Rates in bytes per second, protocol headers included; used only where NVML has no
     * byte counters for the GPU (fields 197/198 need driver 555). */
    { AIM_DCGM_FI_PROF_PCIE_TX_BYTES, AIM_M_GPU_PCIE_TX, 1e-9 },
    { AIM_DCGM_FI_PROF_PCIE_RX_BYTES, AIM_M_GPU_PCIE_RX, 1e-9 },
    { AIM_DCGM_FI_PROF_NVLINK_TX_BYTES, AIM_M_GPU_NVLINK_TX, 1e-9 },
    { AIM_DCGM_FI_PROF_NVLINK_RX_BYTES, AIM_M_GPU_NVLINK_RX, 1e-9 },
};
/* The activity fields: a GPU is watched only when at least one of these is wanted. */
#define PROF_ACTIVITY_MASK 0xFFu

static const char *const dcgm_sonames[] = { "libdcgm.so.4", "libdcgm.so.3", NULL };

#define SYM(field, req, ...) { { __VA_ARGS__, NULL }, offsetof(aim_dcgm_api, field), req }
static const aim_dynsym dcgm_syms[] = {
    SYM(init, 1, "dcgmInit"),
    SYM(shutdown, 1, "dcgmShutdown"),
    SYM(start_embedded_v2, 0, "dcgmStartEmbedded_v2"),
    SYM(start_embedded, 0, "dcgmStartEmbedded"),
    SYM(stop_embedded, 1, "dcgmStopEmbedded"),
    SYM(connect_v2, 0, "dcgmConnect_v2"),
    SYM(disconnect, 0, "dcgmDisconnect"),
    SYM(get_all_supported_devices, 1, "dcgmGetAllSupportedDevices"),
    SYM(group_create, 1, "dcgmGroupCreate"),
    SYM(group_add_device, 1, "dcgmGroupAddDevice"),
    SYM(group_destroy, 1, "dcgmGroupDestroy"),
    SYM(field_group_create, 1, "dcgmFieldGroupCreate"),
    SYM(field_group_destroy, 1, "dcgmFieldGroupDestroy"),
    SYM(watch_fields, 1, "dcgmWatchFields"),
    SYM(unwatch_fields, 1, "dcgmUnwatchFields"),
    SYM(update_all_fields, 0, "dcgmUpdateAllFields"),
    SYM(entities_get_latest_values, 1, "dcgmEntitiesGetLatestValues"),
    SYM(error_string, 0, "errorString"),
};
#define N_SYMS (sizeof dcgm_syms / sizeof dcgm_syms[0])

typedef struct dcgm_state {
    aim_dcgm_api api;
    aim_dynlib lib;
    aim_dcgm_handle h;
    int initialized;
    int started;        /* 1 embedded, 2 connected */
    int n_gpus;
    unsigned int gpu_ids[AIM_DCGM_MAX_NUM_DEVICES];
    aim_dcgm_handle groups[AIM_DCGM_MAX_NUM_DEVICES];
    int have_group[AIM_DCGM_MAX_NUM_DEVICES];
    /* The field group watched on each GPU: all profiling fields, or the subset that DCGM
     * can read in one pass there (mask: bit k = prof_fields[k]). */
    aim_dcgm_handle fgroups[AIM_DCGM_MAX_NUM_DEVICES];
    unsigned int masks[AIM_DCGM_MAX_NUM_DEVICES];
    unsigned int want[AIM_DCGM_MAX_NUM_DEVICES]; /* bit k: --metrics wants prof_fields[k] and
                                                  * no other source measures it there */
    int watching[AIM_DCGM_MAX_NUM_DEVICES];
    int64_t watch_us;
    double keep_s;
    /* What a poll reads: the GPUs with at least one declared series. */
    aim_dcgm_entity_pair ents[AIM_DCGM_MAX_NUM_DEVICES];
    int slots[AIM_DCGM_MAX_NUM_DEVICES][N_PROF]; /* per ents[] entry; -1: not ours */
    int n_ents;
    unsigned short fields[N_PROF];
    aim_dcgm_field_value_v2 *values; /* n_ents x N_PROF, 4 KiB each */
    int failures;
    int64_t t_open_ns, fail_t_ns; /* CLOCK_MONOTONIC at open, at the first failed poll */
    int fail_err;
    /* Outages, from poll (sampler thread, the only producer) to take_event (writer thread,
     * the only consumer): poll fills ev[head % N] and then publishes head with release;
     * take_event reads ev[tail % N] after an acquire load of head, then advances tail. */
    struct dcgm_event {
        int gone;          /* 1: given up; 0: answered again at t_end */
        int err;
        int64_t t_start, t_end; /* since open */
    } ev[DCGM_N_EVENTS];
    atomic_uint ev_head, ev_tail;
} dcgm_state;

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Records an outage for take_event; dropped when the writer is DCGM_N_EVENTS behind. */
static void push_event(dcgm_state *st, int gone, int64_t t_end) {
    unsigned head = atomic_load_explicit(&st->ev_head, memory_order_relaxed);
    if (head - atomic_load_explicit(&st->ev_tail, memory_order_acquire) >= DCGM_N_EVENTS)
        return;
    struct dcgm_event *e = &st->ev[head % DCGM_N_EVENTS];
    e->gone = gone;
    e->err = st->fail_err;
    e->t_start = st->fail_t_ns - st->t_open_ns;
    e->t_end = t_end - st->t_open_ns;
    atomic_store_explicit(&st->ev_head, head + 1, memory_order_release);
}

static const char *dcgm_err(const dcgm_state *st, int r, char *buf, size_t size) {
    const char *s = st->api.error_string ? st->api.error_string(r) : NULL;
    if (s)
        snprintf(buf, size, "%s (%d)", s, r);
    else
        snprintf(buf, size, "DCGM error %d", r);
    return buf;
}

/* Whether an NVIDIA driver is loaded: only then is a missing libdcgm worth a warning (a
 * laptop without an NVIDIA GPU should not hear about DCGM at every run). */
static int nvidia_driver_loaded(const aim_source_env *env) {
    char path[512];
    if (aim__path_join(path, sizeof path, env->sysfs_root, "module/nvidia") < 0)
        return 0;
    return access(path, F_OK) == 0;
}

static void dcgm_close(void *state) {
    dcgm_state *st = state;
    if (!st)
        return;
    /* Teardown failures are ignored: a host engine that went away has dropped them already. */
    for (int i = 0; i < st->n_gpus; i++) {
        if (st->watching[i]) {
            st->api.unwatch_fields(st->h, st->groups[i], st->fgroups[i]);
            st->api.field_group_destroy(st->h, st->fgroups[i]);
        }
        if (st->have_group[i])
            st->api.group_destroy(st->h, st->groups[i]);
    }
    if (st->started == 1)
        st->api.stop_embedded(st->h);
    else if (st->started == 2 && st->api.disconnect)
        st->api.disconnect(st->h);
    if (st->initialized)
        st->api.shutdown();
    aim__dynlib_close(&st->lib);
    free(st->values);
    free(st);
}

static const char *dcgm_host(const aim_source_env *env) {
    const char *given = aim__source_env_option(env, "host");
    const char *host = given && *given ? given : getenv("AIMETER_DCGM_HOST");
    return host && *host ? host : NULL;
}

static int dcgm_start(dcgm_state *st, const aim_source_env *env, aim_source_ctx *ctx) {
    char eb[160];
    const char *host = dcgm_host(env);
    int r;
    if (host) {
        if (!st->api.connect_v2 || !st->api.disconnect) {
            aim__source_ctx_warn(ctx, "DCGM: %s lacks dcgmConnect_v2; the host engine at %s "
                                "cannot be used with this DCGM", st->lib.path, host);
            return -ENODEV;
        }
        aim_dcgm_connect_params_v2 p = {
            .version = AIM_DCGM_CONNECT_PARAMS_V2_VERSION,
            .persist_after_disconnect = 0, /* the engine forgets our watches when we go */
            .timeout_ms = 2000,
            .address_is_unix_socket = host[0] == '/',
        };
        r = st->api.connect_v2(host, &p, &st->h);
        if (r != AIM_DCGM_ST_OK) {
            aim__source_ctx_warn(ctx, "DCGM: cannot connect to nv-hostengine at %s: %s; GPU "
                                "profiling metrics are not measured", host,
                                dcgm_err(st, r, eb, sizeof eb));
            return -ENODEV;
        }
        st->started = 2;
        return 0;
    }
    if (st->api.start_embedded_v2) {
        aim_dcgm_embedded_params_v2 p = {
            .version = AIM_DCGM_EMBEDDED_PARAMS_V2_VERSION,
            .op_mode = AIM_DCGM_OPERATION_MODE_AUTO,
            .severity = 0, /* no log */
        };
        r = st->api.start_embedded_v2(&p);
        st->h = p.handle;
    } else if (st->api.start_embedded) {
        r = st->api.start_embedded(AIM_DCGM_OPERATION_MODE_AUTO, &st->h);
    } else {
        aim__source_ctx_warn(ctx, "DCGM: %s has neither dcgmStartEmbedded_v2 nor "
                            "dcgmStartEmbedded", st->lib.path);
        return -ENODEV;
    }
    if (r != AIM_DCGM_ST_OK) {
        aim__source_ctx_warn(ctx, "DCGM: cannot start the embedded host engine: %s; run "
                            "nv-hostengine and give it with --dcgm-host (or AIMETER_DCGM_HOST)",
                            dcgm_err(st, r, eb, sizeof eb));
        return -ENODEV;
    }
    st->started = 1;
    return 0;
}

/* Model names and UUIDs of all GPUs in one live read (no watch needed); left empty on any
 * failure: the model is a nicety (NVML usually knows it already) and without UUIDs only ids
 * select GPUs. */
static void read_names(dcgm_state *st, char (*models)[96], char (*uuids)[96]) {
    aim_dcgm_entity_pair ents[AIM_DCGM_MAX_NUM_DEVICES];
    for (int i = 0; i < st->n_gpus; i++)
        ents[i] = (aim_dcgm_entity_pair){ AIM_DCGM_FE_GPU, st->gpu_ids[i] };
    unsigned short fields[2] = { AIM_DCGM_FI_DEV_NAME, AIM_DCGM_FI_DEV_UUID };
    if (st->api.entities_get_latest_values(st->h, ents, (unsigned int)st->n_gpus, fields, 2,
                                           AIM_DCGM_FV_FLAG_LIVE_DATA, st->values) != 0)
        return;
    for (int k = 0; k < st->n_gpus * 2; k++) {
        const aim_dcgm_field_value_v2 *v = &st->values[k];
        if (v->status != AIM_DCGM_ST_OK || v->field_type != 's' ||
            strncmp(v->value.str, "<<<", 3) == 0)
            continue;
        for (int i = 0; i < st->n_gpus; i++) {
            if (st->gpu_ids[i] != v->entity_id)
                continue;
            char *dst = v->field_id == AIM_DCGM_FI_DEV_NAME   ? models[i]
                        : v->field_id == AIM_DCGM_FI_DEV_UUID ? uuids[i]
                                                              : NULL;
            if (dst)
                snprintf(dst, 96, "%.*s", 95, v->value.str);
        }
    }
}

/* Keeps in gpu_ids[] only the GPUs that spec names (see the top), in DCGM's order. */
static void select_gpus(dcgm_state *st, const char *spec, char (*models)[96], char (*uuids)[96]) {
    int sel[AIM_DCGM_MAX_NUM_DEVICES] = { 0 };
    char bad[72]; /* NVML already warns about a bad entry: one warning is enough */
    aim__gpu_select(spec, st->n_gpus, st->gpu_ids, uuids[0], sizeof uuids[0], sel, bad, sizeof bad);
    int n = 0;
    for (int i = 0; i < st->n_gpus; i++)
        if (sel[i]) {
            st->gpu_ids[n] = st->gpu_ids[i];
            memcpy(models[n], models[i], sizeof models[n]);
            memcpy(uuids[n], uuids[i], sizeof uuids[n]);
            n++;
        }
    st->n_gpus = n;
}

/* Watches the fields of mask on GPU i through a new field group. Returns a DCGM code; on
 * failure nothing stays watched or allocated. */
static int watch_set(dcgm_state *st, int i, unsigned int mask, aim_dcgm_handle *ret_fgroup) {
    unsigned short ids[N_PROF];
    int n = 0;
    for (int k = 0; k < N_PROF; k++)
        if (mask >> k & 1u)
            ids[n++] = prof_fields[k].field;
    /* Names are unique per host engine, which may be shared with other clients. */
    char name[64];
    snprintf(name, sizeof name, "aimeter-%ld-gpu%u-%02x", (long)getpid(), st->gpu_ids[i], mask);
    aim_dcgm_handle fg;
    int r = st->api.field_group_create(st->h, n, ids, name, &fg);
    if (r != AIM_DCGM_ST_OK)
        return r;
    r = st->api.watch_fields(st->h, st->groups[i], fg, (long long)st->watch_us, st->keep_s, 2);
    if (r != AIM_DCGM_ST_OK) {
        st->api.unwatch_fields(st->h, st->groups[i], fg); /* whatever part was accepted */
        st->api.field_group_destroy(st->h, fg);
        return r;
    }
    *ret_fgroup = fg;
    return AIM_DCGM_ST_OK;
}

/* Watches all profiling fields on GPU i, or, where DCGM needs several passes for them
 * (older GPUs multiplex the counters in metric groups that cannot all be read at once), the
 * fields that fit together, taken greedily in table order: never alternating between
 * groups, which would leave every field unmeasured part of the time. */
static int watch_gpu(dcgm_state *st, int i, int *ret_partial) {
    const unsigned int all = st->want[i];
    *ret_partial = 0;
    int r = watch_set(st, i, all, &st->fgroups[i]);
    if (r == AIM_DCGM_ST_OK)
        st->masks[i] = all;
    if (r != AIM_DCGM_ST_PROFILING_MULTI_PASS)
        return r;
    unsigned int found = 0;
    for (int k = 0; k < N_PROF; k++) {
        aim_dcgm_handle fg;
        if (!(all >> k & 1u))
            continue;
        if (watch_set(st, i, found | 1u << k, &fg) == AIM_DCGM_ST_OK) {
            st->api.unwatch_fields(st->h, st->groups[i], fg);
            st->api.field_group_destroy(st->h, fg);
            found |= 1u << k;
        }
    }
    if (!found)
        return r;
    r = watch_set(st, i, found, &st->fgroups[i]);
    if (r == AIM_DCGM_ST_OK) {
        st->masks[i] = found;
        *ret_partial = 1;
    }
    return r;
}

static int dcgm_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    dcgm_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    char err[320], eb[160];
    /* No driver and no remote host engine: DCGM has nothing to watch, not even a reason to
     * be looked for (gpu_select.h). */
    if (!dcgm_host(env) && aim__nvidia_driver_absent(env->sysfs_root, "AIMETER_DCGM_LIBRARY")) {
        free(st);
        return -ENODEV;
    }
    int r = aim__dynlib_open(&st->lib, dcgm_sonames, "AIMETER_DCGM_LIBRARY", dcgm_syms, N_SYMS,
                            &st->api, err, sizeof err);
    if (r < 0) {
        if (r != -EOPNOTSUPP)
            aim__source_ctx_warn(ctx, "DCGM: %s; GPU profiling metrics are not measured", err);
        else if (nvidia_driver_loaded(env) || dcgm_host(env))
            aim__source_ctx_warn(ctx, "DCGM: %s; GPU profiling metrics (SM, tensor, DRAM "
                                "activity) are not measured (install DCGM, "
                                "datacenter-gpu-manager, to get them)", err);
        free(st);
        return -ENODEV;
    }
    r = st->api.init();
    if (r != AIM_DCGM_ST_OK) {
        aim__source_ctx_warn(ctx, "DCGM: dcgmInit failed: %s", dcgm_err(st, r, eb, sizeof eb));
        dcgm_close(st);
        return -ENODEV;
    }
    st->initialized = 1;
    if ((r = dcgm_start(st, env, ctx)) < 0) {
        dcgm_close(st);
        return r;
    }
    int count = 0;
    r = st->api.get_all_supported_devices(st->h, st->gpu_ids, &count);
    if (r != AIM_DCGM_ST_OK || count <= 0) {
        dcgm_close(st); /* DCGM without a supported GPU: nothing to measure, nothing wrong */
        return -ENODEV;
    }
    st->n_gpus = count > AIM_DCGM_MAX_NUM_DEVICES ? AIM_DCGM_MAX_NUM_DEVICES : count;
    st->values = calloc((size_t)st->n_gpus * N_PROF, sizeof *st->values);
    if (!st->values) {
        dcgm_close(st);
        return -ENOMEM;
    }
    char models[AIM_DCGM_MAX_NUM_DEVICES][96], uuids[AIM_DCGM_MAX_NUM_DEVICES][96];
    memset(models, 0, sizeof models);
    memset(uuids, 0, sizeof uuids);
    read_names(st, models, uuids);
    const char *origin;
    const char *spec = aim__gpu_spec(aim__source_env_option(env, "gpus"), &origin);
    if (spec)
        select_gpus(st, spec, models, uuids);
    if (st->n_gpus == 0) {
        dcgm_close(st); /* none selected: nothing to measure */
        return -ENODEV;
    }

    /* The default is what the hardware offers at the run's interval (docs/cli.md,
     * --metrics): below DCGM's floor these metrics would repeat one value several ticks. */
    if (env->interval_ns < DCGM_MIN_INTERVAL_NS && !aim__metric_profiling_forced(env->metrics)) {
        if (!env->metrics || env->metrics->mode == AIM_METRICS_DEFAULT)
            aim__source_ctx_warn(ctx, "DCGM: profiling metrics (SM, tensor, DRAM activity) not "
                                "sampled: the interval is below DCGM's ~100 ms floor; "
                                "--metrics full samples them every 100 ms alongside");
        dcgm_close(st);
        return -ENODEV;
    }
    unsigned int wanted = 0;
    for (int k = 0; k < N_PROF; k++)
        if (aim__metric_selected(env->metrics, prof_fields[k].metric))
            wanted |= 1u << k;
    if (!(wanted & PROF_ACTIVITY_MASK)) {
        dcgm_close(st); /* basic, or a list without profiling metrics: DCGM is not needed */
        return -ENODEV;
    }
    for (int i = 0; i < st->n_gpus; i++) {
        char dev[16];
        snprintf(dev, sizeof dev, "gpu%u", st->gpu_ids[i]);
        st->want[i] = wanted;
        for (int k = 0; k < N_PROF; k++) /* someone else measures it already: never twice */
            if (aim__source_ctx_find_series(ctx, dev, prof_fields[k].metric, -1) >= 0)
                st->want[i] &= ~(1u << k);
    }
    for (int k = 0; k < N_PROF; k++)
        st->fields[k] = prof_fields[k].field;
    int64_t iv = env->interval_ns > DCGM_MIN_INTERVAL_NS ? env->interval_ns : DCGM_MIN_INTERVAL_NS;
    st->watch_us = iv / 1000;
    st->keep_s = (double)iv * 10 / 1e9; /* DCGM keeps only what the latest read needs */
    char refused[256] = "", partial[256] = "", name[64];
    int first_refusal = 0;
    for (int i = 0; i < st->n_gpus; i++) {
        if (!(st->want[i] & PROF_ACTIVITY_MASK))
            continue; /* NVML has it all, or nothing is wanted on this GPU */
        snprintf(name, sizeof name, "aimeter-%ld-gpu%u", (long)getpid(), st->gpu_ids[i]);
        r = st->api.group_create(st->h, AIM_DCGM_GROUP_EMPTY, name, &st->groups[i]);
        st->have_group[i] = r == AIM_DCGM_ST_OK;
        if (r == AIM_DCGM_ST_OK)
            r = st->api.group_add_device(st->h, st->groups[i], st->gpu_ids[i]);
        int is_partial = 0;
        if (r == AIM_DCGM_ST_OK)
            r = watch_gpu(st, i, &is_partial);
        if (is_partial) {
            size_t len = strlen(partial);
            snprintf(partial + len, sizeof partial - len, "%sgpu%u", len ? ", " : "",
                     st->gpu_ids[i]);
        }
        if (r != AIM_DCGM_ST_OK) {
            /* PROFILING_NOT_SUPPORTED (too old a GPU), IN_USE (another profiler holds the
             * counters), ...: this GPU's series are not declared. */
            size_t len = strlen(refused);
            snprintf(refused + len, sizeof refused - len, "%sgpu%u", len ? ", " : "",
                     st->gpu_ids[i]);
            if (!first_refusal)
                first_refusal = r;
            continue;
        }
        st->watching[i] = 1;
        char dev[16];
        snprintf(dev, sizeof dev, "gpu%u", st->gpu_ids[i]);
        int d = aim__source_ctx_add_device(ctx, dev, AIM_DEV_GPU, models[i][0] ? models[i] : NULL);
        if (d < 0) {
            dcgm_close(st);
            return d;
        }
        aim__source_ctx_set_device_uuid(ctx, d, uuids[i]);
        int e = st->n_ents, any = 0;
        for (int k = 0; k < N_PROF; k++) {
            st->slots[e][k] = -1;
            if (!(st->masks[i] >> k & 1u))
                continue; /* not wanted, or not readable in the same pass as the others */
            int s = aim__source_ctx_add_series(ctx, d, prof_fields[k].metric, -1,
                                              AIM_METHOD_MEASURED);
            if (s < 0) {
                dcgm_close(st);
                return s;
            }
            st->slots[e][k] = s;
            any = 1;
        }
        if (any)
            st->ents[st->n_ents++] = (aim_dcgm_entity_pair){ AIM_DCGM_FE_GPU, st->gpu_ids[i] };
    }
    if (refused[0])
        aim__source_ctx_warn(ctx, "DCGM: no profiling metrics on %s: %s", refused,
                            dcgm_err(st, first_refusal, eb, sizeof eb));
    if (partial[0])
        aim__source_ctx_warn(ctx, "DCGM: %s cannot read every profiling field in one pass; "
                            "the fields that fit are measured, the others left out", partial);
    if (st->n_ents == 0) {
        dcgm_close(st);
        return -ENODEV;
    }
    /* One update now so that the first poll already finds values (optional: AUTO mode
     * updates on its own at the watch frequency). */
    if (st->api.update_all_fields)
        st->api.update_all_fields(st->h, 1);
    atomic_init(&st->ev_head, 0);
    atomic_init(&st->ev_tail, 0);
    st->t_open_ns = mono_ns();
    *ret_state = st;
    return 0;
}

static int field_index(unsigned short field) {
    for (int k = 0; k < N_PROF; k++)
        if (prof_fields[k].field == field)
            return k;
    return -1;
}

static int dcgm_poll(void *state, aim_frame *frame) {
    dcgm_state *st = state;
    int r = st->api.entities_get_latest_values(st->h, st->ents, (unsigned int)st->n_ents,
                                               st->fields, N_PROF, 0, st->values);
    if (r != AIM_DCGM_ST_OK) {
        /* Values stay invalid this tick; only a failure that persists drops the source. */
        if (st->failures == 0) {
            st->fail_t_ns = mono_ns();
            st->fail_err = r;
        }
        if (++st->failures < DCGM_GONE_AFTER)
            return 0;
        if (st->failures == DCGM_GONE_AFTER) /* said once, should poll be called again */
            push_event(st, 1, mono_ns());
        return -ENODEV;
    }
    if (st->failures > 0)
        push_event(st, 0, mono_ns());
    st->failures = 0;
    int n = st->n_ents * N_PROF;
    for (int i = 0; i < n; i++) {
        const aim_dcgm_field_value_v2 *v = &st->values[i];
        int k = field_index(v->field_id);
        if (k < 0 || v->status != AIM_DCGM_ST_OK || v->entity_group != AIM_DCGM_FE_GPU)
            continue;
        double x;
        if (v->field_type == 'd') {
            x = v->value.dbl;
            if (!isfinite(x) || x >= AIM_DCGM_FP64_BLANK || x < 0)
                continue; /* blank / not found / not supported: no value, never 0 */
        } else if (v->field_type == 'i') {
            if (v->value.i64 >= AIM_DCGM_INT64_BLANK || v->value.i64 < 0)
                continue;
            x = (double)v->value.i64;
        } else {
            continue;
        }
        /* The order of the values is not promised: find the GPU by id. */
        for (int e = 0; e < st->n_ents; e++)
            if (st->ents[e].entity_id == v->entity_id) {
                if (st->slots[e][k] >= 0)
                    aim__frame_set(frame, st->slots[e][k], x * prof_fields[k].scale);
                break;
            }
    }
    return 0;
}

/* One line per outage of the host engine (writer thread; see dcgm_state). */
static int dcgm_take_event(void *state, char *buf, size_t size) {
    dcgm_state *st = state;
    unsigned tail = atomic_load_explicit(&st->ev_tail, memory_order_relaxed);
    if (tail == atomic_load_explicit(&st->ev_head, memory_order_acquire))
        return 0;
    const struct dcgm_event *e = &st->ev[tail % DCGM_N_EVENTS];
    char eb[160];
    dcgm_err(st, e->err, eb, sizeof eb);
    char from[AIM_NUM_MAX], to[AIM_NUM_MAX];
    aim__fmt_fixed(from, (double)e->t_start / 1e9, 2);
    aim__fmt_fixed(to, (double)e->t_end / 1e9, 2);
    if (e->gone)
        snprintf(buf, size, "host engine lost at %s s (%s); the profiling series stop there",
                 from, eb);
    else
        snprintf(buf, size, "host engine did not answer from %s s to %s s (%s); the "
                 "profiling series have no values there", from, to, eb);
    atomic_store_explicit(&st->ev_tail, tail + 1, memory_order_release);
    return 1;
}

static int dcgm_probe(const aim_source_env *env, aim_probe_report *rep) {
    (void)env;
    aim_dcgm_api api;
    aim_dynlib lib;
    char err[320];
    int r = aim__dynlib_open(&lib, dcgm_sonames, "AIMETER_DCGM_LIBRARY", dcgm_syms, N_SYMS, &api,
                            err, sizeof err);
    if (r < 0) {
        aim__probe_add(rep, "libdcgm", r == -EOPNOTSUPP ? "absent" : "not supported", "%s", err);
        return 0;
    }
    aim__probe_add(rep, "libdcgm", "available",
                  "%s; profiling fields 1001-1008 (start embedded: %s)", lib.path,
                  api.start_embedded_v2 ? "dcgmStartEmbedded_v2" : "dcgmStartEmbedded");
    aim__dynlib_close(&lib);
    return 0;
}

/* A host engine's address is a word: no blanks (what --dcgm-host always took). */
static int host_check(const char *address) {
    return *address && !strpbrk(address, " \t\n") ? 0 : -EINVAL;
}

static const aim_source_option dcgm_options[] = {
    AIM_NV_GPUS_OPTION,
    { "host", "a running nv-hostengine: host, host:port or a Unix socket path; default "
              "DCGM's embedded host engine (or AIMETER_DCGM_HOST)", host_check },
    { NULL, NULL, NULL },
};

const aim_source_ops aim_source_dcgm = {
    .name = "dcgm",
    .description = "NVIDIA DCGM profiling metrics: SM, tensor, DRAM and pipe activity",
    .vendor = "nvidia",
    .options = dcgm_options,
    .min_interval_ns = DCGM_MIN_INTERVAL_NS,
    .max_interval_ns = 0,
    .probe = dcgm_probe,
    .open = dcgm_open,
    .poll = dcgm_poll,
    .close = dcgm_close,
    .take_event = dcgm_take_event,
};
