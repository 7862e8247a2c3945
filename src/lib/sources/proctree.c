/* proctree: CPU time, CPU utilisation, resident memory and process count of the monitored
 * process tree (env->target_pid and its descendants).
 *
 * Walking a tree costs a few file reads per process and per poll, so this source asks for
 * its own, slower rate group (min_interval_ns) and never delays the fast sources.
 *
 * Discovery. From the seeds (the target at open; afterwards every process found by the
 * previous walk, identified by pid + start time so a recycled pid is not mistaken for it),
 * the walk follows /proc/<pid>/task/<tid>/children of every thread (a child is listed under
 * the thread that forked it). A child is accepted only if its stat names the expected parent,
 * which rejects a pid recycled between the two reads. Seeding with the previous members keeps
 * orphans in the tree: a daemon started by the workload stays accounted after its parent
 * exits and it is re-parented outside the tree. Kernels built without CONFIG_PROC_CHILDREN
 * have no children files; then each poll reads the stat file of every process in /proc once
 * for (pid, ppid, start time) and builds the tree from that.
 *
 * poll() allocates nothing: every array, including the directory buffer for getdents64
 * (opendir/readdir would allocate), is sized at open. Per-process files are opened in poll,
 * unavoidably, since processes come and go. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fileio.h"
#include "sources/source.h"
#include "sources/procfs_parse.h"

#define PT_MAX_PROCS 4096                    /* processes in the tree */
#define PT_QUEUE_CAP (2 * PT_MAX_PROCS + 2)  /* seeds + children pushes */
#define PT_SET_CAP 16384                     /* hash capacity, power of two, >= 2 x queue */
#define PT_SCAN_MAX 32768                    /* processes on the host (fallback scan) */
#define PT_SCAN_MAP_CAP 65536                /* >= 2 x PT_SCAN_MAX */
#define PT_DENTS_SIZE 32768
#define PT_INTERVAL_NS 100000000LL           /* 100 ms */
/* CPU time moves in clock ticks (10 ms at USER_HZ 100): over 1 ms, one tick reads 1000 %.
 * Utilisation is given over at least this much time (a tick is then 10 % of one CPU); a
 * shorter interval (the first poll just after open, the one at the run's stop) leaves it
 * invalid and the next poll measures from the same baseline. */
#define PT_UTIL_MIN_WINDOW_NS 100000000LL

/* pid -> int map: open addressing, linear probing, cleared in O(1) by bumping a generation,
 * so a poll never walks or reallocates it. */
typedef struct pid_map {
    int32_t *keys;
    int32_t *vals;
    uint32_t *gens;
    uint32_t gen;
    uint32_t mask;
    uint32_t count;
} pid_map;

static int map_init(pid_map *m, uint32_t cap) {
    m->keys = calloc(cap, sizeof *m->keys);
    m->vals = calloc(cap, sizeof *m->vals);
    m->gens = calloc(cap, sizeof *m->gens);
    m->gen = 1;
    m->mask = cap - 1;
    m->count = 0;
    return m->keys && m->vals && m->gens ? 0 : -ENOMEM;
}

static void map_free(pid_map *m) {
    free(m->keys);
    free(m->vals);
    free(m->gens);
}

static void map_clear(pid_map *m) {
    m->count = 0;
    if (++m->gen == 0) { /* wrapped after 4 billion polls: really clear once */
        memset(m->gens, 0, (size_t)(m->mask + 1) * sizeof *m->gens);
        m->gen = 1;
    }
}

static uint32_t map_hash(int32_t key) {
    uint32_t h = (uint32_t)key * 0x9E3779B1u;
    return h ^ (h >> 15);
}

static int32_t *map_find(pid_map *m, int32_t key) {
    for (uint32_t i = map_hash(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->gens[i] != m->gen)
            return NULL;
        if (m->keys[i] == key)
            return &m->vals[i];
    }
}

/* Inserts or overwrites. -ENOSPC beyond half full (callers size maps so this means the
 * bound on processes was exceeded). */
static int map_put(pid_map *m, int32_t key, int32_t val) {
    uint32_t i = map_hash(key) & m->mask;
    for (; m->gens[i] == m->gen; i = (i + 1) & m->mask)
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return 0;
        }
    if (m->count >= (m->mask + 1) / 2)
        return -ENOSPC;
    m->gens[i] = m->gen;
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return 0;
}

typedef struct pt_proc {
    int32_t pid;
    uint64_t start; /* starttime in clock ticks: pid + start identify a process */
} pt_proc;

typedef struct proctree_state {
    int rootfd; /* the procfs root, kept open: every path is relative to it */
    pid_t target;
    int use_children;
    long clk_tck;
    long page_size;
    long n_cpus;      /* online CPUs: the tree cannot use more than 100 % x n_cpus */

    pt_proc *members; /* found by the last complete walk: the seeds of the next one */
    int n_members;
    pt_proc *next;
    int n_next;

    int32_t *q_pid; /* walk queue: pid (children mode) or scan record (fallback) */
    int32_t *q_ppid;   /* expected parent, 0 for a seed */
    uint64_t *q_start; /* expected start time for a seed, 0 for a child */
    int nq;
    pid_map accepted; /* pids already in the tree this walk */
    char *dents;

    /* Fallback scan, allocated only without children files. */
    int32_t *s_pid, *s_ppid, *s_next;
    uint64_t *s_start, *s_ticks, *s_rss;
    char *s_state;
    int ns;
    pid_map by_ppid; /* ppid -> first scan record of its children, chained by s_next */
    pid_map seeds;   /* pid -> index in members */
    int scan_bad;
    int scan_every;  /* full scans once a second; the polls between re-read members only */
    int polls_since_scan;

    int have_base;
    uint64_t base_ticks; /* tree CPU time at open */
    uint64_t counter;    /* ticks since open; never decreases */
    uint64_t last_counter;
    int64_t last_t;
    int slot_time, slot_util, slot_rss, slot_count;
    uint64_t overflows;     /* polls with more than PT_MAX_PROCS processes */
    uint64_t format_errors; /* polls where a stat file did not parse */
} proctree_state;

/* One walk's totals. */
typedef struct pt_walk {
    uint64_t ticks;
    uint64_t rss_pages;
    int count;
    int overflow;
    int bad;
} pt_walk;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reads a small file relative to dirfd into buf (NUL-terminated). Returns length or -errno. */
static int read_at(int dirfd, const char *rel, char *buf, size_t size) {
    int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    int r = n < 0 ? -errno : (int)n;
    close(fd);
    if (r >= 0)
        buf[r] = '\0';
    return r;
}

/* /proc/<pid>/stat. -ESRCH when the process is gone (any read failure, or an empty read from
 * a process being torn down), -EBADMSG when it is there but does not parse. */
static int read_pid_stat(int rootfd, int pid, aim_pid_stat *ret) {
    char rel[32], buf[1024];
    snprintf(rel, sizeof rel, "%d/stat", pid);
    int n = read_at(rootfd, rel, buf, sizeof buf);
    if (n <= 0)
        return -ESRCH;
    /* A stat line longer than buf still has every field we need within the first 1 KiB. */
    return aim__parse_pid_stat(buf, (size_t)n, ret) < 0 ? -EBADMSG : 0;
}

static uint64_t pid_ticks(const aim_pid_stat *ps) {
    return ps->utime + ps->stime + ps->cutime + ps->cstime;
}

static int is_live(char state) { return state != 'Z' && state != 'X' && state != 'x'; }

/* Calls fn for each entry of an open directory whose name is a positive decimal number.
 * A non-zero return from fn stops and is returned. */
static int for_each_numeric_dent(int dfd, char *buf, int (*fn)(void *, int), void *ud) {
    for (;;) {
        ssize_t n = getdents64(dfd, buf, PT_DENTS_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(void *)(buf + off);
            if (d->d_reclen == 0)
                return -EIO;
            off += d->d_reclen;
            const char *s = d->d_name;
            int64_t v = 0;
            int i = 0;
            for (; s[i] >= '0' && s[i] <= '9' && i < 10; i++)
                v = v * 10 + (s[i] - '0');
            if (i == 0 || s[i] != '\0' || v <= 0 || v > INT_MAX)
                continue;
            int r = fn(ud, (int)v);
            if (r)
                return r;
        }
    }
}

/* ---------------------------------------------------------------- children files */

static int push(proctree_state *st, int32_t pid, int32_t ppid, uint64_t start) {
    if (st->nq == PT_QUEUE_CAP)
        return -E2BIG;
    st->q_pid[st->nq] = pid;
    st->q_ppid[st->nq] = ppid;
    st->q_start[st->nq] = start;
    st->nq++;
    return 0;
}

typedef struct child_ctx {
    proctree_state *st;
    int parent;
    int taskfd;
} child_ctx;

static int push_child(int pid, void *ud) {
    child_ctx *c = ud;
    if (map_find(&c->st->accepted, pid))
        return 0;
    return push(c->st, pid, c->parent, 0);
}

/* Reads /proc/<parent>/task/<tid>/children in chunks and queues every pid in it. */
static int queue_task_children(void *ud, int tid) {
    child_ctx *c = ud;
    char rel[32], buf[4096];
    snprintf(rel, sizeof rel, "%d/children", tid);
    int fd = openat(c->taskfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* the thread exited */
    aim_pid_list_parser p;
    aim__pid_list_init(&p);
    int r = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((r = aim__pid_list_feed(&p, buf, (size_t)n, push_child, c)) != 0)
            break;
    }
    if (r == 0)
        r = aim__pid_list_finish(&p, push_child, c);
    close(fd);
    return r;
}

static int queue_children(proctree_state *st, int pid) {
    char rel[32];
    snprintf(rel, sizeof rel, "%d/task", pid);
    int taskfd = openat(st->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (taskfd < 0)
        return 0; /* exited */
    child_ctx c = { st, pid, taskfd };
    int r = for_each_numeric_dent(taskfd, st->dents, queue_task_children, &c);
    close(taskfd);
    return r == -E2BIG ? r : 0; /* other errors: the process went away mid-listing */
}

/* rss comes from the same stat read as the times (field 24): one file per process per poll,
 * not two. */
static int accept_proc(proctree_state *st, pt_walk *w, int pid, uint64_t start, uint64_t ticks,
                       char state, uint64_t rss_pages) {
    if (st->n_next == PT_MAX_PROCS || map_put(&st->accepted, pid, st->n_next) < 0)
        return -E2BIG;
    st->next[st->n_next].pid = pid;
    st->next[st->n_next].start = start;
    st->n_next++;
    /* A zombie is no longer running but its own times are still only in its stat (they move
     * to the parent's cutime when it is reaped): count its time, not the process. */
    w->ticks += ticks;
    if (is_live(state)) {
        w->count++;
        w->rss_pages += rss_pages;
    }
    return 0;
}

static int walk_children(proctree_state *st, pt_walk *w) {
    for (int i = 0; i < st->n_members; i++)
        if (push(st, st->members[i].pid, 0, st->members[i].start) < 0)
            return -E2BIG;
    for (int head = 0; head < st->nq; head++) {
        int pid = st->q_pid[head];
        if (map_find(&st->accepted, pid))
            continue;
        aim_pid_stat ps;
        int r = read_pid_stat(st->rootfd, pid, &ps);
        if (r == -EBADMSG)
            w->bad = 1;
        if (r < 0)
            continue;
        if (st->q_start[head] && ps.starttime != st->q_start[head])
            continue; /* the seed exited and its pid was given to another process */
        if (st->q_ppid[head] && ps.ppid != st->q_ppid[head])
            continue; /* listed as a child, then exited, pid recycled */
        if ((r = accept_proc(st, w, pid, ps.starttime, pid_ticks(&ps), ps.state, ps.rss_pages)) < 0)
            return r;
        if ((r = queue_children(st, pid)) < 0)
            return r;
    }
    return 0;
}

/* ---------------------------------------------------------------- fallback scan */

static int scan_one(void *ud, int pid) {
    proctree_state *st = ud;
    aim_pid_stat ps;
    int r = read_pid_stat(st->rootfd, pid, &ps);
    if (r == -EBADMSG && map_find(&st->seeds, pid))
        st->scan_bad = 1; /* a member we cannot read: its subtree would go missing */
    if (r < 0)
        return 0;
    if (st->ns == PT_SCAN_MAX)
        return -E2BIG;
    int i = st->ns++;
    st->s_pid[i] = pid;
    st->s_ppid[i] = ps.ppid;
    st->s_start[i] = ps.starttime;
    st->s_ticks[i] = pid_ticks(&ps);
    st->s_rss[i] = ps.rss_pages;
    st->s_state[i] = ps.state;
    int32_t *head = map_find(&st->by_ppid, ps.ppid);
    st->s_next[i] = head ? *head : -1;
    return map_put(&st->by_ppid, ps.ppid, i) < 0 ? -E2BIG : 0;
}

static int walk_scan(proctree_state *st, pt_walk *w) {
    map_clear(&st->by_ppid);
    map_clear(&st->seeds);
    st->ns = 0;
    for (int i = 0; i < st->n_members; i++)
        map_put(&st->seeds, st->members[i].pid, i); /* <= PT_MAX_PROCS: always fits */
    if (lseek(st->rootfd, 0, SEEK_SET) < 0)
        return -errno;
    st->scan_bad = 0;
    int r = for_each_numeric_dent(st->rootfd, st->dents, scan_one, st);
    if (r < 0)
        return r;
    w->bad = st->scan_bad;
    /* Seeds still alive (same start time) are the roots of the walk... */
    for (int i = 0; i < st->ns; i++) {
        int32_t *m = map_find(&st->seeds, st->s_pid[i]);
        if (m && st->members[*m].start == st->s_start[i] && push(st, i, 0, 0) < 0)
            return -E2BIG;
    }
    /* ...and everything whose parent is in the tree joins it. */
    for (int head = 0; head < st->nq; head++) {
        int i = st->q_pid[head];
        if (map_find(&st->accepted, st->s_pid[i]))
            continue;
        if ((r = accept_proc(st, w, st->s_pid[i], st->s_start[i], st->s_ticks[i],
                             st->s_state[i], st->s_rss[i])) < 0)
            return r;
        int32_t *c = map_find(&st->by_ppid, st->s_pid[i]);
        for (int j = c ? *c : -1; j >= 0; j = st->s_next[j])
            if (!map_find(&st->accepted, st->s_pid[j]) && push(st, j, 0, 0) < 0)
                return -E2BIG;
    }
    return 0;
}

/* Between full scans: re-read the known members only. A child started since the last scan
 * joins at the next one (within a second) with all the CPU time it has used, so the counter
 * loses nothing; a child that lives and dies in between is counted through its parent's
 * cutime once reaped. This keeps the fallback from reading every process on the host at
 * every tick. */
static int walk_members(proctree_state *st, pt_walk *w) {
    for (int i = 0; i < st->n_members; i++) {
        aim_pid_stat ps;
        int r = read_pid_stat(st->rootfd, st->members[i].pid, &ps);
        if (r == -EBADMSG)
            w->bad = 1;
        if (r < 0 || ps.starttime != st->members[i].start)
            continue; /* exited, or the pid now belongs to another process */
        if ((r = accept_proc(st, w, st->members[i].pid, ps.starttime, pid_ticks(&ps),
                             ps.state, ps.rss_pages)) < 0)
            return r;
    }
    return 0;
}

/* Walks the tree from the current members. On success the processes found become the
 * members (seeds of the next walk). Returns 0, -E2BIG when the tree is too large, -EBADMSG
 * when a stat file did not parse, or -errno when /proc could not be listed. */
static int walk(proctree_state *st, pt_walk *w) {
    memset(w, 0, sizeof *w);
    st->nq = 0;
    st->n_next = 0;
    map_clear(&st->accepted);
    if (st->n_members == 0)
        return 0; /* the target and everything it started have exited: nothing to read */
    int r;
    if (st->use_children) {
        r = walk_children(st, w);
    } else {
        r = st->polls_since_scan == 0 ? walk_scan(st, w) : walk_members(st, w);
        st->polls_since_scan = (st->polls_since_scan + 1) % st->scan_every;
    }
    if (r < 0)
        return r;
    if (w->bad)
        return -EBADMSG; /* keep the old seeds: a member we could not read is not gone */
    pt_proc *t = st->members;
    st->members = st->next;
    st->next = t;
    st->n_members = st->n_next;
    return 0;
}

/* ---------------------------------------------------------------- source ops */

/* CPU time of the tree = Σ over its live processes of utime + stime + cutime + cstime.
 * cutime/cstime carry the time of children already reaped, so a child that exits and is
 * waited for by a tree member moves its time into its parent's figures and the sum stays
 * continuous. The approximation: a process that leaves the tree other than by being reaped
 * inside it (its parent exited first and it was reaped later by init or a subreaper outside
 * the tree, or the target itself exits and is reaped by whoever started it) takes its time
 * with it and the sum drops. The counter takes the max with its previous value, so it holds
 * flat until the tree's new work exceeds what was lost: it can under-count such departures
 * but never counts anything twice and never decreases. Seeding each walk with the previous
 * members (see the top of this file) keeps most orphans in the tree, which narrows the gap. */
static int proctree_poll(void *state, aim_frame *frame) {
    proctree_state *st = state;
    pt_walk w;
    int r = walk(st, &w);
    if (r == -E2BIG) {
        st->overflows++;
        return 0; /* every value invalid this tick; the baselines stay */
    }
    if (r < 0) {
        st->format_errors++;
        return 0;
    }
    if (!st->have_base) {
        st->base_ticks = w.ticks;
        st->have_base = 1;
    }
    uint64_t since_open = w.ticks > st->base_ticks ? w.ticks - st->base_ticks : 0;
    if (since_open > st->counter)
        st->counter = since_open;
    double tck = (double)st->clk_tck;
    aim__frame_set(frame, st->slot_time, (double)st->counter / tck);
    if (frame->t_ns <= st->last_t || frame->t_ns - st->last_t >= PT_UTIL_MIN_WINDOW_NS) {
        if (frame->t_ns > st->last_t) {
            double secs = (double)(st->counter - st->last_counter) / tck;
            double dt = (double)(frame->t_ns - st->last_t) / 1e9;
            /* A tick's rounding at both ends, or a process that joined the tree with time
             * it used before the interval, can read above what the CPUs can give. */
            double util = 100.0 * secs / dt, cap = 100.0 * (double)st->n_cpus;
            aim__frame_set(frame, st->slot_util, util > cap ? cap : util);
        }
        /* A clock that did not advance (or a test's own time base) starts a new interval. */
        st->last_counter = st->counter;
        st->last_t = frame->t_ns;
    }
    aim__frame_set(frame, st->slot_rss,
                  (double)w.rss_pages * (double)st->page_size / (1024.0 * 1024.0 * 1024.0));
    aim__frame_set(frame, st->slot_count, (double)w.count);
    return 0;
}

static void proctree_close(void *state) {
    proctree_state *st = state;
    if (!st)
        return;
    if (st->rootfd >= 0)
        close(st->rootfd);
    free(st->members);
    free(st->next);
    free(st->q_pid);
    free(st->q_ppid);
    free(st->q_start);
    map_free(&st->accepted);
    free(st->dents);
    free(st->s_pid);
    free(st->s_ppid);
    free(st->s_next);
    free(st->s_start);
    free(st->s_ticks);
    free(st->s_rss);
    free(st->s_state);
    map_free(&st->by_ppid);
    map_free(&st->seeds);
    free(st);
}

static int alloc_state(proctree_state *st) {
    st->members = calloc(PT_MAX_PROCS, sizeof *st->members);
    st->next = calloc(PT_MAX_PROCS, sizeof *st->next);
    st->q_pid = calloc(PT_QUEUE_CAP, sizeof *st->q_pid);
    st->q_ppid = calloc(PT_QUEUE_CAP, sizeof *st->q_ppid);
    st->q_start = calloc(PT_QUEUE_CAP, sizeof *st->q_start);
    st->dents = malloc(PT_DENTS_SIZE);
    if (!st->members || !st->next || !st->q_pid || !st->q_ppid || !st->q_start || !st->dents ||
        map_init(&st->accepted, PT_SET_CAP) < 0)
        return -ENOMEM;
    if (st->use_children)
        return 0;
    st->s_pid = calloc(PT_SCAN_MAX, sizeof *st->s_pid);
    st->s_ppid = calloc(PT_SCAN_MAX, sizeof *st->s_ppid);
    st->s_next = calloc(PT_SCAN_MAX, sizeof *st->s_next);
    st->s_start = calloc(PT_SCAN_MAX, sizeof *st->s_start);
    st->s_ticks = calloc(PT_SCAN_MAX, sizeof *st->s_ticks);
    st->s_rss = calloc(PT_SCAN_MAX, sizeof *st->s_rss);
    st->s_state = calloc(PT_SCAN_MAX, 1);
    if (!st->s_pid || !st->s_ppid || !st->s_next || !st->s_start || !st->s_ticks || !st->s_rss ||
        !st->s_state || map_init(&st->by_ppid, PT_SCAN_MAP_CAP) < 0 ||
        map_init(&st->seeds, PT_SET_CAP) < 0)
        return -ENOMEM;
    return 0;
}

static int has_children_files(int rootfd, int pid) {
    char rel[64];
    snprintf(rel, sizeof rel, "%d/task/%d/children", pid, pid);
    return faccessat(rootfd, rel, F_OK, 0) == 0;
}

static int proctree_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    if (env->target_pid <= 0)
        return -ENODEV;
    proctree_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    int r;
    st->target = env->target_pid;
    st->rootfd = open(env->procfs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st->rootfd < 0) {
        r = errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
        goto fail;
    }
    int64_t interval = env->interval_ns > PT_INTERVAL_NS ? env->interval_ns : PT_INTERVAL_NS;
    st->scan_every = interval >= 1000000000 ? 1 : (int)(1000000000 / interval);
    st->clk_tck = sysconf(_SC_CLK_TCK);
    if (st->clk_tck <= 0)
        st->clk_tck = 100; /* USER_HZ on every Linux architecture */
    st->n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (st->n_cpus <= 0)
        st->n_cpus = 1;
    st->page_size = sysconf(_SC_PAGESIZE);
    if (st->page_size <= 0)
        st->page_size = 4096;

    aim_pid_stat ps;
    int alive = read_pid_stat(st->rootfd, (int)st->target, &ps) == 0;
    /* A target that already exited is not an error: the run still records that its tree
     * had no processes. Without one, nothing will ever be walked, so the mode is moot. */
    st->use_children = !alive || has_children_files(st->rootfd, (int)st->target);
    if ((r = alloc_state(st)) < 0)
        goto fail;
    if (alive) {
        st->members[0].pid = (int32_t)st->target;
        st->members[0].start = ps.starttime;
        st->n_members = 1;
    }
    /* The baseline, so the first poll measures from open. If this walk fails (tree too
     * large), the first successful poll becomes the baseline instead. */
    pt_walk w;
    if (walk(st, &w) == 0) {
        st->base_ticks = w.ticks;
        st->have_base = 1;
    }
    st->last_t = now_ns();

    int dev = aim__source_ctx_add_device(ctx, "process", AIM_DEV_PROCESS, alive ? ps.comm : "");
    if (dev < 0) {
        r = dev;
        goto fail;
    }
    struct {
        int *slot;
        aim_metric_id metric;
    } series[] = {
        { &st->slot_time, AIM_M_PROC_CPU_TIME },
        { &st->slot_util, AIM_M_PROC_CPU_UTIL },
        { &st->slot_rss, AIM_M_PROC_RSS },
        { &st->slot_count, AIM_M_PROC_COUNT },
    };
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
        r = aim__source_ctx_add_series(ctx, dev, series[i].metric, -1, AIM_METHOD_MEASURED);
        if (r < 0)
            goto fail;
        *series[i].slot = r;
    }
    *ret_state = st;
    return 0;
fail:
    proctree_close(st);
    return r;
}

static int proctree_probe(const aim_source_env *env, aim_probe_report *rep) {
    int rootfd = open(env->procfs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        aim__probe_add(rep, "process tree", "absent", "%s: %s", env->procfs_root,
                      aim_strerror(-errno));
        return 0;
    }
    int pid = env->target_pid > 0 ? (int)env->target_pid : (int)getpid();
    if (has_children_files(rootfd, pid))
        aim__probe_add(rep, "process tree", "available",
                      "proc.* for the target's tree, found through task/*/children files");
    else
        aim__probe_add(rep, "process tree", "available",
                      "proc.* for the target's tree; no children files (kernel without "
                      "CONFIG_PROC_CHILDREN): every process is scanned once a second, "
                      "members in between");
    close(rootfd);
    return 0;
}

const aim_source_ops aim_source_proctree = {
    .name = "proctree",
    .description = "CPU time, CPU usage, memory and count of the monitored process tree",
    .min_interval_ns = PT_INTERVAL_NS,
    .probe = proctree_probe,
    .open = proctree_open,
    .poll = proctree_poll,
    .close = proctree_close,
};
