/* The monitored process tree's use of each GPU (nvml_internal.h): gpu.proc_sm_util from
 * nvmlDeviceGetProcessUtilization samples, gpu.proc_mem from the running-process list. A pid
 * counts when its /proc/<pid>/stat parent links reach the target within NV_TREE_DEPTH steps;
 * only the pids NVML lists are looked at, and verdicts are cached per pid (NV_TREE_CACHE). */
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
    g->slot_proc_sm = g->slot_proc_mem = -1;
    if (st->target <= 0 || st->proc_dirfd < 0)
        return 0;
    unsigned int count = 0;
    aim_nvml_return r;
    if (st->nl.api.get_process_utilization && aim__metric_selected(sel, AIM_M_GPU_PROC_SM_UTIL)) {
        r = st->nl.api.get_process_utilization(g->h, NULL, &count, 0);
        if (r == AIM_NVML_SUCCESS || r == AIM_NVML_ERROR_INSUFFICIENT_SIZE ||
            r == AIM_NVML_ERROR_NOT_FOUND) {
            int slot = aim__source_ctx_add_series(ctx, dev, AIM_M_GPU_PROC_SM_UTIL, -1,
                                                 AIM_METHOD_MEASURED);
            if (slot < 0)
                return slot;
            g->slot_proc_sm = slot;
            /* Samples from before the run are not the run's. */
            g->proc_last_seen_us = (unsigned long long)realtime_us();
        }
    }
    for (int ver = 3; ver >= 1 && aim__metric_selected(sel, AIM_M_GPU_PROC_MEM); ver--) {
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

static int in_tree(nv_state *st, unsigned int pid) {
    if ((int)pid == st->target)
        return 1;
    nv_tree_entry *e = &st->tree_cache[pid % NV_TREE_CACHE];
    if (e->pid == (int)pid && e->poll == st->poll_no)
        return e->verdict;
    aim_pid_stat ps;
    if (read_stat_at(st->proc_dirfd, (int)pid, &ps) < 0)
        return 0; /* not visible here (another pid namespace) or gone */
    if (e->pid != (int)pid || e->start != ps.starttime) {
        e->pid = (int)pid;
        e->start = ps.starttime;
        e->verdict = ps.ppid != (int)pid && walk_to_target(st, (unsigned int)ps.ppid);
    }
    e->poll = st->poll_no;
    return e->verdict;
}

/* gpu.proc_sm_util: the newest sample of each pid since the last poll, summed over the
 * tree's pids (see NV_PROC_HOLD_NS for a poll that finds no new sample). */
void aim__nv_poll_proc_sm(nv_state *st, nv_gpu *g, aim_frame *f) {
    unsigned int count = NV_MAX_PROCS;
    aim_nvml_return r = st->nl.api.get_process_utilization(g->h, st->psamp, &count,
                                                        g->proc_last_seen_us);
    if (r == AIM_NVML_ERROR_NOT_FOUND) {
        int hold = g->proc_sm_t > 0 && f->t_ns - g->proc_sm_t < NV_PROC_HOLD_NS;
        aim__frame_set(f, g->slot_proc_sm, hold ? g->proc_sm_last : 0.0);
        return;
    }
    if (r != AIM_NVML_SUCCESS || count > NV_MAX_PROCS)
        return; /* unknown this tick */
    double sum = 0;
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
        if (newest && a->sm_util <= 100 && in_tree(st, a->pid))
            sum += a->sm_util;
    }
    if (sum > 100)
        sum = 100;
    g->proc_sm_last = sum;
    g->proc_sm_t = f->t_ns;
    aim__frame_set(f, g->slot_proc_sm, sum);
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
