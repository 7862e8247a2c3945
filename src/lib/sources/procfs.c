/* procfs: host CPU utilisation (all CPUs and each logical CPU) from /proc/stat and memory
 * from /proc/meminfo.
 *
 * This source runs in the fastest rate group, so poll() is one pread() per file into a buffer
 * sized at open and an allocation-free parse (procfs_parse.c) of the few lines it needs.
 *
 * Utilisation is the busy share of the jiffies that elapsed since the previous poll:
 * busy = total - idle - iowait. iowait counts as idle because it is idle time: the CPU had
 * nothing to run while some task waited for I/O, and any other runnable task would have used
 * it (the kernel itself documents iowait as unreliable and lets it go backwards on NO_HZ
 * kernels, which is another reason to only ever look at idle + iowait together). steal
 * counts as busy: the vCPU had work but the hypervisor ran someone else. guest time is
 * already inside user/nice, so it is not added again.
 *
 * The kernel publishes these counters in USER_HZ (10 ms) units. A poll that sees no jiffy
 * elapse has no information and leaves the value invalid rather than reporting 0 %; at
 * intervals near 10 ms a single core's value is coarse (multiples of its jiffies). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"
#include "sources/source.h"
#include "sources/procfs_parse.h"
#include "util/numfmt.h"

#define PROCFS_MAX_CPUS 8192       /* the kernel's largest NR_CPUS */
#define PROCFS_MAX_CORE_SERIES 512 /* the catalog is shared: beyond this, totals only */
#define PROCFS_FAIL_LIMIT 5        /* consecutive failed reads before the source gives up */
#define PROCFS_BYTES_PER_CPU 256   /* a cpu line is at most ~230 bytes (10 x 20 digits) */
#define PROCFS_READ_MAX (16u << 20)

typedef struct procfs_file {
    char path[4096];
    int fd; /* -1: absent at open, its series are not declared */
    char *buf;
    size_t size;
    int fails; /* consecutive failed reads */
} procfs_file;

typedef struct procfs_cpu {
    aim_cpu_jiffies prev;
    uint8_t have_prev; /* 0 after the CPU was offline: its next reading is a new baseline */
    int slot;          /* -1: no series for it (offline at open, or the catalog was full) */
} procfs_cpu;

typedef struct procfs_state {
    procfs_file stat;
    procfs_file meminfo;
    aim_cpu_jiffies all_prev;
    int all_have_prev;
    int slot_util;
    int n_cpus; /* size of the tables below: highest CPU number seen at open + 1 */
    procfs_cpu *cpus;
    aim_cpu_jiffies *cur; /* scratch for poll */
    uint8_t *present;     /* scratch for poll */
    int slot_used, slot_total, slot_mem_util;
} procfs_state;

/* Reads a whole procfs file at open or probe time, where allocation is allowed. procfs
 * reports a size of 0, so grow until a read comes back short. Caller frees *ret_buf. */
static int read_whole_fd(int fd, char **ret_buf, size_t *ret_len) {
    size_t size = 64 * 1024;
    for (;;) {
        char *buf = malloc(size);
        if (!buf)
            return -ENOMEM;
        int n = aim__pread_text(fd, buf, size);
        if (n < 0) {
            free(buf);
            return n;
        }
        if ((size_t)n < size - 1 || size >= PROCFS_READ_MAX) {
            *ret_buf = buf;
            *ret_len = (size_t)n;
            return 0;
        }
        free(buf);
        size *= 2;
    }
}

static int read_whole(const char *path, char **ret_buf, size_t *ret_len) {
    int fd = aim__open_ro(path);
    if (fd < 0)
        return fd;
    int r = read_whole_fd(fd, ret_buf, ret_len);
    close(fd);
    return r;
}

static int is_gone(int err) { return err == -ENOENT || err == -ENODEV || err == -ENXIO; }

/* pread of a file opened at open(). Returns the length (> 0), -ENODEV when the file is gone
 * for good, or another -errno for a failure that may pass. */
static int read_file(procfs_file *f) {
    int n = aim__pread_text(f->fd, f->buf, f->size);
    if (n > 0)
        return n;
    /* Nothing, or an error: the file may have been replaced (a FUSE /proc such as lxcfs was
     * restarted) or removed. Reopening by path tells which; this path is rare. */
    int fd = aim__open_ro(f->path);
    if (fd < 0)
        return is_gone(fd) ? -ENODEV : fd;
    close(f->fd);
    f->fd = fd;
    n = aim__pread_text(f->fd, f->buf, f->size);
    if (n > 0)
        return n;
    return n == 0 ? -ENODATA : (is_gone(n) ? -ENODEV : n);
}

/* Busy % between two readings, or 0 when the pair carries no valid interval: a counter went
 * backwards (CPU hot-replug, a glitch), no jiffy elapsed, or the numbers contradict. */
static int util_between(const aim_cpu_jiffies *prev, const aim_cpu_jiffies *now, double *ret) {
    if (now->total < prev->total || now->idle < prev->idle)
        return 0;
    uint64_t dt = now->total - prev->total, di = now->idle - prev->idle;
    if (dt == 0 || di > dt) /* di > dt: busy would have gone backwards */
        return 0;
    *ret = 100.0 * (double)(dt - di) / (double)dt;
    return 1;
}

static void update_cpu(procfs_state *st, aim_frame *frame, const char *text, size_t len) {
    memset(st->present, 0, (size_t)st->n_cpus);
    aim_cpu_jiffies all;
    if (aim__parse_proc_stat(text, len, &all, st->cur, st->present, st->n_cpus, NULL) < 0)
        return; /* garbled: nothing valid this tick; the baselines stay for the next one */
    double u;
    if (st->all_have_prev && util_between(&st->all_prev, &all, &u))
        aim__frame_set(frame, st->slot_util, u);
    st->all_prev = all;
    st->all_have_prev = 1;
    for (int i = 0; i < st->n_cpus; i++) {
        procfs_cpu *c = &st->cpus[i];
        if (!st->present[i]) {
            c->have_prev = 0; /* offline (or its line was cut short): invalid this tick */
            continue;
        }
        if (c->have_prev && c->slot >= 0 && util_between(&c->prev, &st->cur[i], &u))
            aim__frame_set(frame, c->slot, u);
        c->prev = st->cur[i];
        c->have_prev = 1;
    }
}

static void update_mem(procfs_state *st, aim_frame *frame, const char *text, size_t len) {
    aim_meminfo mi;
    if (aim__parse_meminfo(text, len, &mi) < 0 || mi.total_kib == 0)
        return;
    const double kib_per_gib = 1024.0 * 1024.0;
    aim__frame_set(frame, st->slot_total, (double)mi.total_kib / kib_per_gib);
    uint64_t used;
    if (aim__meminfo_used_kib(&mi, &used) == 0) {
        aim__frame_set(frame, st->slot_used, (double)used / kib_per_gib);
        aim__frame_set(frame, st->slot_mem_util, 100.0 * (double)used / (double)mi.total_kib);
    }
}

/* Returns 0, or -ENODEV when a file is gone for good (or has failed PROCFS_FAIL_LIMIT polls
 * in a row): the engine then drops the source. */
static int poll_file(procfs_state *st, procfs_file *f, aim_frame *frame,
                     void (*update)(procfs_state *, aim_frame *, const char *, size_t)) {
    if (f->fd < 0)
        return 0;
    int n = read_file(f);
    if (n == -ENODEV)
        return -ENODEV;
    if (n < 0)
        return ++f->fails >= PROCFS_FAIL_LIMIT ? -ENODEV : 0;
    f->fails = 0;
    update(st, frame, f->buf, (size_t)n);
    return 0;
}

static int procfs_poll(void *state, aim_frame *frame) {
    procfs_state *st = state;
    int r = poll_file(st, &st->stat, frame, update_cpu);
    if (r < 0)
        return r;
    return poll_file(st, &st->meminfo, frame, update_mem);
}

static void procfs_close(void *state) {
    procfs_state *st = state;
    if (!st)
        return;
    if (st->stat.fd >= 0)
        close(st->stat.fd);
    if (st->meminfo.fd >= 0)
        close(st->meminfo.fd);
    free(st->stat.buf);
    free(st->meminfo.buf);
    free(st->cpus);
    free(st->cur);
    free(st->present);
    free(st);
}

/* Opens one file and reads it whole once. A file that cannot be opened is absent (fd -1,
 * return 0) unless the error is something other than "not there" or "not allowed". */
static int open_file(aim_source_ctx *ctx, procfs_file *f, const char *root, const char *rel,
                     char **ret_text, size_t *ret_len) {
    f->fd = -1;
    *ret_text = NULL;
    int r = aim__path_join(f->path, sizeof f->path, root, rel);
    if (r < 0)
        return r;
    int fd = aim__open_ro(f->path);
    if (fd == -EACCES) {
        aim__source_ctx_warn(ctx, "procfs: permission denied on %s; its metrics are skipped",
                            f->path);
        return 0;
    }
    if (fd < 0)
        return is_gone(fd) ? 0 : fd;
    r = read_whole_fd(fd, ret_text, ret_len);
    if (r == 0 && *ret_len == 0) {
        /* Empty: the file was replaced while we opened it (read_file's case); once more by
         * path, as every later read would, rather than skip the metrics for the whole run. */
        free(*ret_text);
        *ret_text = NULL;
        close(fd);
        fd = aim__open_ro(f->path);
        if (fd < 0)
            return is_gone(fd) ? 0 : fd;
        r = read_whole_fd(fd, ret_text, ret_len);
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    f->fd = fd;
    return 0;
}

static int open_cpu(procfs_state *st, aim_source_ctx *ctx, const char *text, size_t len) {
    aim_cpu_jiffies all;
    int max_cpu;
    int n = aim__parse_proc_stat(text, len, &all, NULL, NULL, 0, &max_cpu);
    if (n < 0) {
        aim__source_ctx_warn(ctx, "procfs: %s has no recognisable cpu line; CPU utilisation "
                            "is skipped", st->stat.path);
        return -EINVAL;
    }
    st->n_cpus = max_cpu + 1 > PROCFS_MAX_CPUS ? PROCFS_MAX_CPUS : max_cpu + 1;
    size_t lines = (size_t)(n > st->n_cpus ? n : st->n_cpus) + 1;
    st->stat.size = PROCFS_BYTES_PER_CPU * lines + 4096;
    st->stat.buf = malloc(st->stat.size);
    size_t tab = st->n_cpus > 0 ? (size_t)st->n_cpus : 1;
    st->cpus = calloc(tab, sizeof *st->cpus);
    st->cur = calloc(tab, sizeof *st->cur);
    st->present = calloc(tab, 1);
    if (!st->stat.buf || !st->cpus || !st->cur || !st->present)
        return -ENOMEM;
    /* The baseline: the first poll already measures the interval since open. */
    aim__parse_proc_stat(text, len, &st->all_prev, st->cur, st->present, st->n_cpus, NULL);
    st->all_have_prev = 1;
    for (int i = 0; i < st->n_cpus; i++) {
        st->cpus[i].slot = -1;
        st->cpus[i].prev = st->cur[i];
        st->cpus[i].have_prev = st->present[i];
    }
    return 0;
}

static int declare_cpu_series(procfs_state *st, aim_source_ctx *ctx, int dev) {
    st->slot_util = aim__source_ctx_add_series(ctx, dev, AIM_M_CPU_UTIL, -1, AIM_METHOD_MEASURED);
    if (st->slot_util < 0)
        return st->slot_util;
    int declared = 0;
    for (int i = 0; i < st->n_cpus; i++) {
        if (!st->present[i])
            continue; /* offline at open: the series list is fixed for the run */
        if (declared == PROCFS_MAX_CORE_SERIES) {
            aim__source_ctx_warn(ctx, "procfs: per-core utilisation recorded for the first %d "
                                "CPUs only; cpu.util still covers all of them", declared);
            break;
        }
        int slot = aim__source_ctx_add_series(ctx, dev, AIM_M_CPU_CORE_UTIL, i,
                                             AIM_METHOD_MEASURED);
        if (slot == -ENOSPC) {
            aim__source_ctx_warn(ctx, "procfs: series table full after %d per-core series; "
                                "cpu.util still covers all CPUs", declared);
            break;
        }
        if (slot < 0)
            return slot;
        st->cpus[i].slot = slot;
        declared++;
    }
    return 0;
}

static int declare_mem_series(procfs_state *st, aim_source_ctx *ctx, int dev) {
    st->slot_used = aim__source_ctx_add_series(ctx, dev, AIM_M_MEM_USED, -1, AIM_METHOD_MEASURED);
    if (st->slot_used < 0)
        return st->slot_used;
    st->slot_total =
        aim__source_ctx_add_series(ctx, dev, AIM_M_MEM_TOTAL, -1, AIM_METHOD_MEASURED);
    if (st->slot_total < 0)
        return st->slot_total;
    st->slot_mem_util =
        aim__source_ctx_add_series(ctx, dev, AIM_M_MEM_UTIL, -1, AIM_METHOD_MEASURED);
    return st->slot_mem_util < 0 ? st->slot_mem_util : 0;
}

static void read_model(const char *root, char *model, size_t size) {
    char path[4096];
    model[0] = '\0';
    if (aim__path_join(path, sizeof path, root, "cpuinfo") < 0)
        return;
    int fd = aim__open_ro(path);
    if (fd < 0)
        return;
    /* cpu 0's block comes first and is a few KiB even with a long flags line. */
    char buf[16384];
    int n = aim__pread_text(fd, buf, sizeof buf);
    close(fd);
    if (n > 0)
        aim__parse_cpuinfo_model(buf, (size_t)n, model, size);
}

static int procfs_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    procfs_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    st->stat.fd = st->meminfo.fd = -1;
    char *stat_text = NULL, *mem_text = NULL;
    size_t stat_len = 0, mem_len = 0;
    int r = open_file(ctx, &st->stat, env->procfs_root, "stat", &stat_text, &stat_len);
    if (r == 0)
        r = open_file(ctx, &st->meminfo, env->procfs_root, "meminfo", &mem_text, &mem_len);
    if (r < 0)
        goto fail;
    if (st->stat.fd >= 0) {
        r = open_cpu(st, ctx, stat_text, stat_len);
        if (r == -EINVAL) { /* unrecognisable: skip the CPU metrics, keep memory */
            close(st->stat.fd);
            st->stat.fd = -1;
        } else if (r < 0) {
            goto fail;
        }
    }
    if (st->meminfo.fd >= 0) {
        aim_meminfo mi;
        if (aim__parse_meminfo(mem_text, mem_len, &mi) < 0) {
            aim__source_ctx_warn(ctx, "procfs: %s has no MemTotal; memory metrics are skipped",
                                st->meminfo.path);
            close(st->meminfo.fd);
            st->meminfo.fd = -1;
        } else {
            /* Room for fields a future kernel adds ahead of the ones we read. */
            st->meminfo.size = mem_len + 4096;
            st->meminfo.buf = malloc(st->meminfo.size);
            if (!st->meminfo.buf) {
                r = -ENOMEM;
                goto fail;
            }
        }
    }
    if (st->stat.fd < 0 && st->meminfo.fd < 0) {
        r = -ENODEV;
        goto fail;
    }

    char model[128];
    read_model(env->procfs_root, model, sizeof model);
    int dev = aim__source_ctx_add_device(ctx, "host", AIM_DEV_HOST, model);
    if (dev < 0) {
        r = dev;
        goto fail;
    }
    if (st->stat.fd >= 0 && (r = declare_cpu_series(st, ctx, dev)) < 0)
        goto fail;
    if (st->meminfo.fd >= 0 && (r = declare_mem_series(st, ctx, dev)) < 0)
        goto fail;
    free(stat_text);
    free(mem_text);
    *ret_state = st;
    return 0;
fail:
    free(stat_text);
    free(mem_text);
    procfs_close(st);
    return r;
}

static const char *errno_status(int err) {
    return err == -EACCES || err == -EPERM ? "no permission" : "absent";
}

static int procfs_probe(const aim_source_env *env, aim_probe_report *rep) {
    char path[4096];
    char *text;
    size_t len;
    int r = aim__path_join(path, sizeof path, env->procfs_root, "stat");
    if (r == 0)
        r = read_whole(path, &text, &len);
    if (r < 0) {
        aim__probe_add(rep, path, errno_status(r), "cpu.util unavailable: %s", aim_strerror(r));
    } else {
        aim_cpu_jiffies all;
        int max_cpu;
        int n = aim__parse_proc_stat(text, len, &all, NULL, NULL, 0, &max_cpu);
        if (n < 0)
            aim__probe_add(rep, path, "not supported", "no recognisable cpu line");
        else
            aim__probe_add(rep, path, "available", "cpu.util, cpu.core_util for %d online CPUs",
                          n);
        free(text);
    }

    r = aim__path_join(path, sizeof path, env->procfs_root, "meminfo");
    if (r == 0)
        r = read_whole(path, &text, &len);
    if (r < 0) {
        aim__probe_add(rep, path, errno_status(r), "mem.* unavailable: %s", aim_strerror(r));
    } else {
        aim_meminfo mi;
        char gib[AIM_NUM_MAX];
        if (aim__parse_meminfo(text, len, &mi) < 0)
            aim__probe_add(rep, path, "not supported", "no MemTotal line");
        else
            aim__probe_add(rep, path, "available", "mem.used, mem.total (%s GiB), mem.util%s",
                          aim__fmt_fixed(gib, (double)mi.total_kib / (1024.0 * 1024.0), 1),
                          (mi.have & AIM_MEMINFO_AVAILABLE)
                              ? ""
                              : "; no MemAvailable (kernel < 3.14): used = total - free - "
                                "buffers - cached");
        free(text);
    }
    return 0;
}

const aim_source_ops aim_source_procfs = {
    .name = "procfs",
    .description = "host CPU utilisation (total and per core) and memory from /proc",
    .min_interval_ns = 0,
    .probe = procfs_probe,
    .open = procfs_open,
    .poll = procfs_poll,
    .close = procfs_close,
};
