/* A fake libdcgm for the tests: the subset of the DCGM ABI that src/lib/sources/nvidia/dcgm.c uses,
 * driven by a scenario file so the production dlopen/watch/read path runs unchanged.
 *
 * AIMETER_FAKE_DCGM_SCENARIO names the file, read at dcgmInit. One directive per line; '#'
 * starts a comment; times are seconds on CLOCK_MONOTONIC since dcgmInit:
 *   gpus N                       N GPUs, ids 0 .. N-1 (default 1, at most 32)
 *   name G TEXT...               DEV_NAME of GPU G (field 50, read with the live flag)
 *   uuid G TEXT                  DEV_UUID of GPU G (field 54, likewise)
 *   value G FIELD T=V [T=V ...]  piecewise constant: V from T on (the first V before that)
 *   blank G FIELD                the field reads as a "not supported" blank sentinel
 *   noprof G                     watching a profiling field (>= 1001) on GPU G returns
 *                                PROFILING_NOT_SUPPORTED
 *   pass G FIELD...              one metric group of GPU G: once any are given, a watch
 *                                whose profiling fields do not all fit in one of them
 *                                returns PROFILING_MULTI_PASS (at most 4 per GPU)
 *   gone T                       from T on every call returns CONNECTION_NOT_VALID
 *   back T                       ... until T, when the host engine answers again
 *   no_embedded                  dcgmStartEmbedded* fail: only dcgmConnect_v2 works
 *   host ADDRESS                 dcgmConnect_v2 succeeds only for this address
 *   step_file PATH               the traces' clock is the workload's, not time: they read
 *                                their first value until PATH exists, then their last (a
 *                                test's phase switch and the values' then coincide however
 *                                loaded the machine is)
 * A watched field with no value line reads as a blank, as DCGM's own do before their first
 * update. Values come back in reverse order, since DCGM does not promise any.
 * Built twice: FAKE_DCGM_OLD leaves out dcgmStartEmbedded_v2, as a DCGM before 2.4 does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sources/nvidia/dcgm_abi.h"

#define MAX_GPUS 32
#define MAX_POINTS 16
#define MAX_TRACES 256
#define MAX_GROUPS 64
#define MAX_FIELDS 2048

typedef struct trace {
    int gpu, field, n, blank;
    double t[MAX_POINTS], v[MAX_POINTS];
} trace;

static struct {
    int n_gpus;
    char names[MAX_GPUS][96];
    char uuids[MAX_GPUS][96];
    trace traces[MAX_TRACES];
    int n_traces;
    unsigned char noprof[MAX_GPUS];
    unsigned int passes[MAX_GPUS][4]; /* bit f - 1001 */
    int n_passes[MAX_GPUS];
    double gone_at; /* < 0: never */
    double back_at; /* < 0: never */
    int no_embedded;
    char host[128];
    char step_file[512];
    double t0;
    int initialized;
    unsigned int group_gpus[MAX_GROUPS]; /* bit g: GPU g is a member; index = handle - 1 */
    int group_used[MAX_GROUPS];
    unsigned short fgroup_ids[MAX_GROUPS][128];
    int fgroup_n[MAX_GROUPS];
    unsigned char watched[MAX_GPUS][MAX_FIELDS];
} fk;

int dcgmInit(void);
int dcgmShutdown(void);
#ifndef FAKE_DCGM_OLD
int dcgmStartEmbedded_v2(aim_dcgm_embedded_params_v2 *params);
#endif
int dcgmStartEmbedded(int op_mode, aim_dcgm_handle *ret_handle);
int dcgmStopEmbedded(aim_dcgm_handle h);
int dcgmConnect_v2(const char *address, aim_dcgm_connect_params_v2 *params,
                   aim_dcgm_handle *ret_handle);
int dcgmDisconnect(aim_dcgm_handle h);
int dcgmGetAllSupportedDevices(aim_dcgm_handle h, unsigned int *gpu_ids, int *ret_count);
int dcgmGroupCreate(aim_dcgm_handle h, int type, const char *name, aim_dcgm_handle *ret_group);
int dcgmGroupAddDevice(aim_dcgm_handle h, aim_dcgm_handle group, unsigned int gpu_id);
int dcgmGroupDestroy(aim_dcgm_handle h, aim_dcgm_handle group);
int dcgmFieldGroupCreate(aim_dcgm_handle h, int n_fields, const unsigned short *field_ids,
                         const char *name, aim_dcgm_handle *ret_field_group);
int dcgmFieldGroupDestroy(aim_dcgm_handle h, aim_dcgm_handle field_group);
int dcgmWatchFields(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group,
                    long long update_freq_us, double max_keep_age_s, int max_keep_samples);
int dcgmUnwatchFields(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group);
int dcgmUpdateAllFields(aim_dcgm_handle h, int wait_for_update);
int dcgmEntitiesGetLatestValues(aim_dcgm_handle h, aim_dcgm_entity_pair *entities,
                                unsigned int n_entities, unsigned short *field_ids,
                                unsigned int n_fields, unsigned int flags,
                                aim_dcgm_field_value_v2 *values);
const char *errorString(int result);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int gone(void) {
    double t = now_s() - fk.t0;
    return !fk.initialized ||
           (fk.gone_at >= 0 && t >= fk.gone_at && !(fk.back_at >= 0 && t >= fk.back_at));
}

static trace *find_trace(int gpu, int field, int create) {
    for (int i = 0; i < fk.n_traces; i++)
        if (fk.traces[i].gpu == gpu && fk.traces[i].field == field)
            return &fk.traces[i];
    if (!create || fk.n_traces >= MAX_TRACES)
        return NULL;
    trace *t = &fk.traces[fk.n_traces++];
    memset(t, 0, sizeof *t);
    t->gpu = gpu;
    t->field = field;
    return t;
}

static void parse_line(char *line) {
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    char word[32];
    int gpu, field, used = 0;
    if (sscanf(line, " %31s%n", word, &used) != 1)
        return;
    char *rest = line + used;
    if (strcmp(word, "gpus") == 0 && sscanf(rest, "%d", &fk.n_gpus) == 1) {
        if (fk.n_gpus < 0 || fk.n_gpus > MAX_GPUS)
            fk.n_gpus = 0;
    } else if (strcmp(word, "name") == 0 && sscanf(rest, "%d %n", &gpu, &used) == 1 &&
               gpu >= 0 && gpu < MAX_GPUS) {
        snprintf(fk.names[gpu], sizeof fk.names[gpu], "%s", rest + used);
    } else if (strcmp(word, "uuid") == 0 && sscanf(rest, "%d %n", &gpu, &used) == 1 &&
               gpu >= 0 && gpu < MAX_GPUS) {
        sscanf(rest + used, "%95s", fk.uuids[gpu]);
    } else if (strcmp(word, "value") == 0 && sscanf(rest, "%d %d%n", &gpu, &field, &used) == 2) {
        trace *t = find_trace(gpu, field, 1);
        char *p = rest + used;
        double tt, vv;
        int k;
        while (t && t->n < MAX_POINTS && sscanf(p, " %lf=%lf%n", &tt, &vv, &k) == 2) {
            t->t[t->n] = tt;
            t->v[t->n++] = vv;
            p += k;
        }
    } else if (strcmp(word, "blank") == 0 && sscanf(rest, "%d %d", &gpu, &field) == 2) {
        trace *t = find_trace(gpu, field, 1);
        if (t)
            t->blank = 1;
    } else if (strcmp(word, "noprof") == 0 && sscanf(rest, "%d", &gpu) == 1 && gpu >= 0 &&
               gpu < MAX_GPUS) {
        fk.noprof[gpu] = 1;
    } else if (strcmp(word, "pass") == 0 && sscanf(rest, "%d%n", &gpu, &used) == 1 && gpu >= 0 &&
               gpu < MAX_GPUS && fk.n_passes[gpu] < 4) {
        unsigned int bits = 0;
        char *p = rest + used;
        int k;
        while (sscanf(p, " %d%n", &field, &k) == 1) {
            if (field >= 1001 && field < 1001 + 32)
                bits |= 1u << (field - 1001);
            p += k;
        }
        fk.passes[gpu][fk.n_passes[gpu]++] = bits;
    } else if (strcmp(word, "gone") == 0) {
        sscanf(rest, "%lf", &fk.gone_at);
    } else if (strcmp(word, "back") == 0) {
        sscanf(rest, "%lf", &fk.back_at);
    } else if (strcmp(word, "no_embedded") == 0) {
        fk.no_embedded = 1;
    } else if (strcmp(word, "host") == 0) {
        sscanf(rest, "%127s", fk.host);
    } else if (strcmp(word, "step_file") == 0) {
        sscanf(rest, "%511s", fk.step_file);
    }
}

int dcgmInit(void) {
    memset(&fk, 0, sizeof fk);
    fk.n_gpus = 1;
    fk.gone_at = -1;
    fk.back_at = -1;
    const char *path = getenv("AIMETER_FAKE_DCGM_SCENARIO");
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    if (path && *path && !f)
        return AIM_DCGM_ST_INIT_ERROR;
    char line[1024];
    while (f && fgets(line, sizeof line, f))
        parse_line(line);
    if (f)
        fclose(f);
    fk.t0 = now_s();
    fk.initialized = 1;
    return AIM_DCGM_ST_OK;
}

int dcgmShutdown(void) {
    fk.initialized = 0;
    return AIM_DCGM_ST_OK;
}

#ifndef FAKE_DCGM_OLD
int dcgmStartEmbedded_v2(aim_dcgm_embedded_params_v2 *params) {
    if (!fk.initialized)
        return AIM_DCGM_ST_UNINITIALIZED;
    if (!params || params->version != AIM_DCGM_EMBEDDED_PARAMS_V2_VERSION)
        return -12; /* DCGM_ST_VER_MISMATCH */
    if (fk.no_embedded)
        return AIM_DCGM_ST_INIT_ERROR;
    params->handle = 1;
    return AIM_DCGM_ST_OK;
}
#endif

int dcgmStartEmbedded(int op_mode, aim_dcgm_handle *ret_handle) {
    if (!fk.initialized)
        return AIM_DCGM_ST_UNINITIALIZED;
    if (fk.no_embedded || (op_mode != 1 && op_mode != 2))
        return AIM_DCGM_ST_INIT_ERROR;
    *ret_handle = 1;
    return AIM_DCGM_ST_OK;
}

int dcgmStopEmbedded(aim_dcgm_handle h) {
    return h == 1 ? AIM_DCGM_ST_OK : AIM_DCGM_ST_BADPARAM;
}

int dcgmConnect_v2(const char *address, aim_dcgm_connect_params_v2 *params,
                   aim_dcgm_handle *ret_handle) {
    if (!fk.initialized)
        return AIM_DCGM_ST_UNINITIALIZED;
    if (!params || params->version != AIM_DCGM_CONNECT_PARAMS_V2_VERSION)
        return -12;
    if (!address || strcmp(address, fk.host) != 0)
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    *ret_handle = 2;
    return AIM_DCGM_ST_OK;
}

int dcgmDisconnect(aim_dcgm_handle h) {
    return h == 2 ? AIM_DCGM_ST_OK : AIM_DCGM_ST_BADPARAM;
}

int dcgmGetAllSupportedDevices(aim_dcgm_handle h, unsigned int *gpu_ids, int *ret_count) {
    (void)h;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    for (int g = 0; g < fk.n_gpus; g++)
        gpu_ids[g] = (unsigned int)g;
    *ret_count = fk.n_gpus;
    return AIM_DCGM_ST_OK;
}

int dcgmGroupCreate(aim_dcgm_handle h, int type, const char *name, aim_dcgm_handle *ret_group) {
    (void)h;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    if (type != AIM_DCGM_GROUP_EMPTY || !name)
        return AIM_DCGM_ST_BADPARAM;
    for (int i = 0; i < MAX_GROUPS; i++)
        if (!fk.group_used[i]) {
            fk.group_used[i] = 1;
            fk.group_gpus[i] = 0;
            *ret_group = (aim_dcgm_handle)i + 1;
            return AIM_DCGM_ST_OK;
        }
    return -24; /* DCGM_ST_MAX_LIMIT */
}

static int group_index(aim_dcgm_handle group) {
    return group >= 1 && group <= MAX_GROUPS && fk.group_used[group - 1] ? (int)group - 1 : -1;
}

int dcgmGroupAddDevice(aim_dcgm_handle h, aim_dcgm_handle group, unsigned int gpu_id) {
    (void)h;
    int i = group_index(group);
    if (i < 0 || gpu_id >= (unsigned int)fk.n_gpus)
        return AIM_DCGM_ST_BADPARAM;
    fk.group_gpus[i] |= 1u << gpu_id;
    return AIM_DCGM_ST_OK;
}

int dcgmGroupDestroy(aim_dcgm_handle h, aim_dcgm_handle group) {
    (void)h;
    int i = group_index(group);
    if (i < 0)
        return AIM_DCGM_ST_BADPARAM;
    fk.group_used[i] = 0;
    return AIM_DCGM_ST_OK;
}

int dcgmFieldGroupCreate(aim_dcgm_handle h, int n_fields, const unsigned short *field_ids,
                         const char *name, aim_dcgm_handle *ret_field_group) {
    (void)h;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    if (n_fields < 1 || n_fields > 128 || !name)
        return AIM_DCGM_ST_BADPARAM;
    for (int i = 0; i < MAX_GROUPS; i++)
        if (fk.fgroup_n[i] == 0) {
            memcpy(fk.fgroup_ids[i], field_ids, (size_t)n_fields * sizeof *field_ids);
            fk.fgroup_n[i] = n_fields;
            *ret_field_group = (aim_dcgm_handle)i + 1;
            return AIM_DCGM_ST_OK;
        }
    return -24;
}

int dcgmFieldGroupDestroy(aim_dcgm_handle h, aim_dcgm_handle field_group) {
    (void)h;
    if (field_group < 1 || field_group > MAX_GROUPS || !fk.fgroup_n[field_group - 1])
        return AIM_DCGM_ST_BADPARAM;
    fk.fgroup_n[field_group - 1] = 0;
    return AIM_DCGM_ST_OK;
}

static int set_watch(aim_dcgm_handle group, aim_dcgm_handle field_group, unsigned char on) {
    int gi = group_index(group);
    if (gi < 0 || field_group < 1 || field_group > MAX_GROUPS || !fk.fgroup_n[field_group - 1])
        return AIM_DCGM_ST_BADPARAM;
    const unsigned short *ids = fk.fgroup_ids[field_group - 1];
    int n = fk.fgroup_n[field_group - 1];
    for (int g = 0; g < fk.n_gpus && on; g++) {
        if (!(fk.group_gpus[gi] >> g & 1u))
            continue;
        unsigned int want = 0;
        for (int k = 0; k < n; k++) {
            if (ids[k] >= 1001 && fk.noprof[g])
                return AIM_DCGM_ST_PROFILING_NOT_SUPPORTED;
            if (ids[k] >= 1001 && ids[k] < 1001 + 32)
                want |= 1u << (ids[k] - 1001);
        }
        int fits = fk.n_passes[g] == 0;
        for (int p = 0; p < fk.n_passes[g]; p++)
            fits |= (want & ~fk.passes[g][p]) == 0;
        if (!fits)
            return AIM_DCGM_ST_PROFILING_MULTI_PASS;
    }
    for (int g = 0; g < fk.n_gpus; g++)
        for (int k = 0; k < n && (fk.group_gpus[gi] >> g & 1u); k++)
            if (ids[k] < MAX_FIELDS)
                fk.watched[g][ids[k]] = on;
    return AIM_DCGM_ST_OK;
}

int dcgmWatchFields(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group,
                    long long update_freq_us, double max_keep_age_s, int max_keep_samples) {
    (void)h;
    (void)max_keep_age_s;
    (void)max_keep_samples;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    if (update_freq_us <= 0)
        return AIM_DCGM_ST_BADPARAM;
    return set_watch(group, field_group, 1);
}

int dcgmUnwatchFields(aim_dcgm_handle h, aim_dcgm_handle group, aim_dcgm_handle field_group) {
    (void)h;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    return set_watch(group, field_group, 0);
}

int dcgmUpdateAllFields(aim_dcgm_handle h, int wait_for_update) {
    (void)h;
    (void)wait_for_update;
    return gone() ? AIM_DCGM_ST_CONNECTION_NOT_VALID : AIM_DCGM_ST_OK;
}

static void fill(aim_dcgm_field_value_v2 *out, unsigned int gpu, unsigned short field,
                 unsigned int flags, double t) {
    memset(out, 0, sizeof *out);
    out->version = AIM_DCGM_FIELD_VALUE_V2_VERSION;
    out->entity_group = AIM_DCGM_FE_GPU;
    out->entity_id = gpu;
    out->field_id = field;
    out->ts = (int64_t)time(NULL) * 1000000;
    if (field == AIM_DCGM_FI_DEV_NAME || field == AIM_DCGM_FI_DEV_UUID) {
        const char *text = gpu >= MAX_GPUS ? ""
                           : field == AIM_DCGM_FI_DEV_NAME ? fk.names[gpu] : fk.uuids[gpu];
        out->field_type = 's';
        if (text[0] && (flags & AIM_DCGM_FV_FLAG_LIVE_DATA))
            snprintf(out->value.str, sizeof out->value.str, "%s", text);
        else
            snprintf(out->value.str, sizeof out->value.str, "<<<NULL>>>");
        return;
    }
    /* The byte-rate fields are INT64 in DCGM, the activity ratios DOUBLE. */
    int is_int = field >= AIM_DCGM_FI_PROF_PCIE_TX_BYTES && field <= AIM_DCGM_FI_PROF_NVLINK_RX_BYTES;
    out->field_type = is_int ? 'i' : 'd';
    if (is_int)
        out->value.i64 = AIM_DCGM_INT64_BLANK;
    else
        out->value.dbl = AIM_DCGM_FP64_BLANK;
    if (gpu >= (unsigned int)fk.n_gpus || field >= MAX_FIELDS || !fk.watched[gpu][field]) {
        out->status = AIM_DCGM_ST_NOT_WATCHED;
        return;
    }
    trace *tr = find_trace((int)gpu, field, 0);
    if (!tr || tr->blank || tr->n == 0) {
        if (is_int)
            out->value.i64 = AIM_DCGM_INT64_BLANK + (tr && tr->blank ? 2 : 0);
        else
            out->value.dbl = tr && tr->blank ? AIM_DCGM_FP64_NOT_SUPPORTED : AIM_DCGM_FP64_BLANK;
        return;
    }
    double v = tr->v[0];
    for (int i = 0; i < tr->n; i++)
        if (t >= tr->t[i])
            v = tr->v[i];
    if (is_int)
        out->value.i64 = (int64_t)v;
    else
        out->value.dbl = v;
}

int dcgmEntitiesGetLatestValues(aim_dcgm_handle h, aim_dcgm_entity_pair *entities,
                                unsigned int n_entities, unsigned short *field_ids,
                                unsigned int n_fields, unsigned int flags,
                                aim_dcgm_field_value_v2 *values) {
    (void)h;
    if (gone())
        return AIM_DCGM_ST_CONNECTION_NOT_VALID;
    if (!entities || !field_ids || !values)
        return AIM_DCGM_ST_BADPARAM;
    double t = now_s() - fk.t0;
    if (fk.step_file[0])
        t = access(fk.step_file, F_OK) == 0 ? 1e30 : -1e30;
    size_t total = (size_t)n_entities * n_fields, k = 0;
    for (unsigned int e = 0; e < n_entities; e++)
        for (unsigned int f = 0; f < n_fields; f++, k++) {
            if (entities[e].entity_group != AIM_DCGM_FE_GPU)
                return AIM_DCGM_ST_BADPARAM;
            fill(&values[total - 1 - k], entities[e].entity_id, field_ids[f], flags, t);
        }
    return AIM_DCGM_ST_OK;
}

const char *errorString(int result) {
    switch (result) {
    case AIM_DCGM_ST_OK: return "Success";
    case AIM_DCGM_ST_CONNECTION_NOT_VALID: return "Host engine connection invalid/disconnected";
    case AIM_DCGM_ST_PROFILING_NOT_SUPPORTED: return "Profiling is not supported for this group of GPUs or GPU";
    case AIM_DCGM_ST_INIT_ERROR: return "DCGM initialization error";
    default: return NULL;
    }
}
