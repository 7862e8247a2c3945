/* The monitored process tree's use of each GPU (nvml_internal.h): gpu.proc_sm_util from
 * nvmlDeviceGetProcessUtilization samples, gpu.proc_mem from the running-process list. A pid
 * counts when its /proc/<pid>/stat parent links reach the target within NV_TREE_DEPTH steps;
 * only the pids NVML lists are looked at, and verdicts are cached per pid (NV_TREE_CACHE).
 * In an agent, the same samples per job slot (gpu.job_sm_util): a pid is a job's when its
 * cgroup (/proc/<pid>/cgroup, the v2 "0::" line) lies in the job's; read once per pid and
 * change of the slots (a job starting or ending), not at every poll. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sources/nvidia/nvml_internal.h"
#include "sources/procfs_parse.h"

static int64_t realtime_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

aim_nv_procs_call aim__nv_procs_fn(const nv_state *st, int ver) {
    return ver == 3 ? st->nl.api.get_compute_procs_v3
           : ver == 2 ? st->nl.api.get_compute_procs_v2
           : ver == 1 ? st->nl.api.get_compute_procs_v1 : NULL;
}

/* Declares the per-process series of one GPU that its driver answers (see the top). */
int aim__nv_declare_proc_series(nv_state *st, nv_gpu *g, const aim_metric_select *sel,
                               aim_source_ctx *ctx, int dev) {
    g->slot_proc_sm = g->slot_proc_mem = g->slot_job_sm = -1;
    g->proc_util_ok = 0;
    int tree = st->target > 0, jobs = st->slots != NULL;
    if ((!tree && !jobs) || st->proc_dirfd < 0)
        return 0;
    unsigned int count = 0;
    aim_nvml_return r;
    int want_tree = tree && aim__metric_selected(sel, AIM_M_GPU_PROC_SM_UTIL);
    int want_jobs = jobs && aim__metric_selected(sel, AIM_M_GPU_JOB_SM_UTIL);
    if (st->nl.api.get_process_utilization && (want_tree || want_jobs)) {
        r = st->nl.api.get_process_utilization(g->h, NULL, &count, 0);
        if (r == AIM_NVML_SUCCESS || r == AIM_NVML_ERROR_INSUFFICIENT_SIZE ||
            r == AIM_NVML_ERROR_NOT_FOUND) {
            int slot;
            if (want_tree) {
                if ((slot = aim__source_ctx_add_series(ctx, dev, AIM_M_GPU_PROC_SM_UTIL, -1,
                                                      AIM_METHOD_MEASURED)) < 0)
                    return slot;
                g->slot_proc_sm = slot;
            }
            g->proc_util_ok = want_jobs; /* its job series come after every GPU's own */
            /* Samples from before the run are not the run's. */
            g->proc_last_seen_us = (unsigned long long)realtime_us();
        }
    }
    for (int ver = 3; ver >= 1 && tree && aim__metric_selected(sel, AIM_M_GPU_PROC_MEM); ver--) {
        aim_nv_procs_call fn = aim__nv_procs_fn(st, ver);
        if (!fn)
            continue;
        count = 0;
        r = fn(g->h, &count, NULL);
        if (r != AIM_NVML_SUCCESS && r != AIM_NVML_ERROR_INSUFFICIENT_SIZE)
            continue;
        int slot = aim__source_ctx_add_series(ctx, dev, AIM_M_GPU_PROC_MEM, -1,
                                             AIM_METHOD_MEASURED);
        if (slot < 0)
            return slot;
        g->slot_proc_mem = slot;
        g->procs_ver = ver;
        break;
    }
    return 0;
}

int aim__nv_declare_job_series(nv_state *st, aim_source_ctx *ctx) {
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        if (!g->proc_util_ok)
            continue;
        /* Optional: never at the cost of another source's or GPU's series. */
        if (aim__source_ctx_series_room(ctx) < AIM_JOB_SLOT_SERIES) {
            aim__source_ctx_warn(ctx, "nvml: the series table is full: gpu%u and the GPUs after "
                                "it are not split between the agent's jobs by their processes "
                                "(their jobs' GPUs go by their allotment)", g->index);
            return 0;
        }
        /* Consecutive slots (the catalogue numbers them in declaration order). */
        for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++) {
            int slot = aim__source_ctx_add_series(ctx, g->dev, AIM_M_GPU_JOB_SM_UTIL, k,
                                                 AIM_METHOD_MEASURED);
            if (slot < 0)
                return slot;
            if (k == 0)
                g->slot_job_sm = slot;
            else if (slot != g->slot_job_sm + k)
                return -EINVAL;
        }
    }
    return 0;
}

/* Whether pid is the target or one of its descendants: follows parent links in procfs.
 * A pid procfs does not show (gone, or another pid namespace) is not in the tree. */
static int read_stat_at(int dirfd, int pid, aim_pid_stat *ret) {
    char name[32], buf[1024];
    snprintf(name, sizeof name, "%d/stat", pid);
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    return n > 0 && aim__parse_pid_stat(buf, (size_t)n, ret) == 0 ? 0 : -1;
}

static int walk_to_target(const nv_state *st, unsigned int pid) {
    int p = (int)pid;
    for (int depth = 0; depth < NV_TREE_DEPTH && p > 0; depth++) {
        if (p == st->target)
            return 1;
        aim_pid_stat ps;
        if (read_stat_at(st->proc_dirfd, p, &ps) < 0 || ps.ppid == p)
            return 0;
        p = ps.ppid;
    }
    return 0;
}

/* The pid's cache entry, its start time read again once per NV_PID_RECHECK_NS (a recycled
 * pid starts afresh); NULL when procfs does not show it (gone, or another pid namespace). */
static nv_tree_entry *entry_of(nv_state *st, unsigned int pid) {
    nv_tree_entry *set = &st->tree_cache[(pid % NV_TREE_SETS) * NV_TREE_WAYS], *e = NULL;
    for (int w = 0; w < NV_TREE_WAYS && !e; w++)
        if (set[w].pid == (int)pid)
            e = &set[w];
    if (e && (e->poll == st->poll_no || st->poll_t_ns - e->checked_ns < NV_PID_RECHECK_NS))
        return e;
    aim_pid_stat ps;
    if (read_stat_at(st->proc_dirfd, (int)pid, &ps) < 0)
        return NULL;
    if (!e) { /* a free way, else the one checked longest ago */
        e = &set[0];
        for (int w = 1; w < NV_TREE_WAYS && e->pid; w++)
            if (!set[w].pid || set[w].checked_ns < e->checked_ns)
                e = &set[w];
    }
    if (e->pid != (int)pid || e->start != ps.starttime) {
        e->pid = (int)pid;
        e->start = ps.starttime;
        e->job_known = 0;
        e->verdict = st->target > 0 && ps.ppid != (int)pid &&
                     walk_to_target(st, (unsigned int)ps.ppid);
    }
    e->poll = st->poll_no;
    e->checked_ns = st->poll_t_ns;
    return e;
}

static int in_tree(nv_state *st, unsigned int pid) {
    if ((int)pid == st->target)
        return 1;
    if (st->target <= 0)
        return 0;
    nv_tree_entry *e = entry_of(st, pid);
    return e && e->verdict;
}

void aim__nv_refresh_job_slots(nv_state *st) {
    unsigned gen = aim__job_slots_gen(st->slots);
    if (st->job_gen_ok && gen == st->job_gen)
        return;
    char cg[AIM_JOB_SLOTS][AIM_JOB_SLOT_CGROUP];
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        if (aim__job_slots_read_cgroup(st->slots, k, cg[k], sizeof cg[k]) < 0)
            return; /* being written: the older copy for one more poll */
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        if (strcmp(cg[k], st->job_cg[k]) == 0)
            continue;
        memcpy(st->job_cg[k], cg[k], sizeof cg[k]);
        for (int i = 0; i < st->n; i++) /* a value held from the slot's last job is not this one's */
            st->g[i].job_sm_last[k] = 0;
    }
    st->job_gen = gen;
    st->job_gen_ok = 1;
}

/* The job slot whose cgroup holds the pid's (the deepest when one job's lies in another's),
 * or -1. The pid's cgroup is read from procfs when the pid or the slots changed. */
static int job_of(nv_state *st, unsigned int pid) {
    nv_tree_entry *e = entry_of(st, pid);
    if (!e)
        return -1;
    if (e->job_known && e->job_gen == st->job_gen)
        return e->job;
    char name[32], buf[1024];
    snprintf(name, sizeof name, "%u/cgroup", pid);
    int fd = openat(st->proc_dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* cgroup v2: the line "0::/PATH" (v1 hierarchies, numbered from 1, come before it) */
    const char *path = NULL;
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, "0::", 3) == 0) {
            path = line + 3;
            line[strcspn(line, "\n")] = '\0';
            break;
        }
    int best = -1;
    size_t best_len = 0;
    for (int k = 0; path && k < AIM_JOB_SLOTS; k++) {
        size_t len = strlen(st->job_cg[k]);
        if (len > best_len && aim__cgroup_within(path, st->job_cg[k])) {
            best = k;
            best_len = len;
        }
    }
    e->job = best;
    e->job_gen = st->job_gen;
    e->job_known = 1;
    return best;
}

/* gpu.job_sm_util of every series: the values held (hold) or 0, and 0 for a slot without a
 * job whatever happened, so that a job's figure never runs on into the next one's. */
static void put_job_series(const nv_state *st, nv_gpu *g, aim_frame *f, int hold) {
    for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++) {
        int has_job = k == AIM_JOB_SLOT_NOBODY || st->job_cg[k][0];
        aim__frame_set(f, g->slot_job_sm + k, hold && has_job ? g->job_sm_last[k] : 0.0);
    }
}

/* The newest sample of each pid since the last poll, summed over the tree's pids
 * (gpu.proc_sm_util) and over each job slot's and the processes in no job
 * (gpu.job_sm_util); see NV_PROC_HOLD_NS for a poll that finds no new sample. */
void aim__nv_poll_proc_sm(nv_state *st, nv_gpu *g, aim_frame *f) {
    unsigned int count = NV_MAX_PROCS;
    aim_nvml_return r = st->nl.api.get_process_utilization(g->h, st->psamp, &count,
                                                        g->proc_last_seen_us);
    int jobs = g->slot_job_sm >= 0;
    int hold = g->proc_sm_t > 0 && f->t_ns - g->proc_sm_t < NV_PROC_HOLD_NS;
    if (r == AIM_NVML_ERROR_NOT_FOUND) {
        if (g->slot_proc_sm >= 0)
            aim__frame_set(f, g->slot_proc_sm, hold ? g->proc_sm_last : 0.0);
        if (jobs)
            put_job_series(st, g, f, hold);
        return;
    }
    if (r != AIM_NVML_SUCCESS || count > NV_MAX_PROCS) {
        if (jobs) /* unknown this tick: held, as the tree's is by the writer */
            put_job_series(st, g, f, 1);
        return;
    }
    double sum = 0;
    for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++)
        st->job_sum[k] = 0;
    for (unsigned int i = 0; i < count; i++) {
        const aim_nvml_process_sample *a = &st->psamp[i];
        if (a->timestamp_us > g->proc_last_seen_us)
            g->proc_last_seen_us = a->timestamp_us;
        int newest = 1; /* the last of the newest samples of this pid */
        for (unsigned int j = 0; j < count && newest; j++) {
            const aim_nvml_process_sample *b = &st->psamp[j];
            if (j != i && b->pid == a->pid &&
                (b->timestamp_us > a->timestamp_us ||
                 (b->timestamp_us == a->timestamp_us && j > i)))
                newest = 0;
        }
        if (!newest || a->sm_util > 100)
            continue;
        if (g->slot_proc_sm >= 0 && in_tree(st, a->pid))
            sum += a->sm_util;
        if (jobs && a->sm_util > 0) {
            int k = job_of(st, a->pid);
            st->job_sum[k >= 0 ? k : AIM_JOB_SLOT_NOBODY] += a->sm_util;
        }
    }
    g->proc_sm_t = f->t_ns;
    if (g->slot_proc_sm >= 0) {
        g->proc_sm_last = sum > 100 ? 100 : sum;
        aim__frame_set(f, g->slot_proc_sm, g->proc_sm_last);
    }
    for (int k = 0; jobs && k < AIM_JOB_SLOT_SERIES; k++)
        g->job_sm_last[k] = st->job_sum[k] > 100 ? 100 : st->job_sum[k];
    if (jobs)
        put_job_series(st, g, f, 1);
}

/* The stride of _v3's entries: 24 bytes, or 32 on drivers 535.43-535.86. The buffer was
 * filled with 0xFF: with 32-byte entries the bytes [24 n, 32 n) were written, and they hold
 * a pid (high bytes 0) when n >= 2; with n == 1 both strides read entry 0 alike. */
static size_t v3_stride(const unsigned char *buf, unsigned int n) {
    for (size_t b = (size_t)n * AIM_NVML_PROCINFO_V2_SIZE;
         b < (size_t)n * AIM_NVML_PROCINFO_MAX_SIZE; b++)
        if (buf[b] != 0xFF)
            return AIM_NVML_PROCINFO_MAX_SIZE;
    return AIM_NVML_PROCINFO_V2_SIZE;
}

/* gpu.proc_mem: the memory of the tree's processes; unknown when one of them has none. */
void aim__nv_poll_proc_mem(nv_state *st, nv_gpu *g, aim_frame *f) {
    /* Room for NV_MAX_PROCS entries of the largest stride, whatever the driver assumes. */
    memset(st->pinfo, 0xFF, sizeof st->pinfo);
    unsigned int count = NV_MAX_PROCS;
    if (aim__nv_procs_fn(st, g->procs_ver)(g->h, &count, st->pinfo) != AIM_NVML_SUCCESS ||
        count > NV_MAX_PROCS)
        return;
    size_t stride = g->procs_ver == 1 ? AIM_NVML_PROCINFO_V1_SIZE
                    : g->procs_ver == 2 ? AIM_NVML_PROCINFO_V2_SIZE
                                        : v3_stride(st->pinfo, count);
    unsigned long long bytes = 0;
    for (unsigned int i = 0; i < count; i++) {
        unsigned int pid;
        unsigned long long mem;
        memcpy(&pid, st->pinfo + i * stride, sizeof pid);
        memcpy(&mem, st->pinfo + i * stride + AIM_NVML_PROCINFO_MEM_OFFSET, sizeof mem);
        if (!in_tree(st, pid))
            continue;
        if (mem == AIM_NVML_VALUE_NOT_AVAILABLE_ULL)
            return;
        bytes += mem;
    }
    aim__frame_set(f, g->slot_proc_mem, (double)bytes / 1073741824.0);
}
