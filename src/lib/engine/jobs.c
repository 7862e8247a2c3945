/* The agent's job table (jobs.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/job_tags.h"
#include "engine/jobs.h"
#include "util/numfmt.h"

typedef struct job {
    int used, ended;
    int holders;                         /* joined runs that have not left (`job hold`) */
    int batch;                           /* root's `job info` came: the batch system holds it
                                          * until its own `job end` (root's, with no hold) */
    uint32_t uid;                        /* who made it (SO_PEERCRED) */
    char id[AIM_CONTROL_JOB_MAX + 1];
    int64_t start_ns, end_ns, last_ns;
    /* The node's figures at its start and (once ended) at its end. */
    double start_j, start_g, end_j, end_g;
    double start_dev[AIM_JOB_DEVICES], end_dev[AIM_JOB_DEVICES];
    /* /metrics: what an earlier instance of the same id showed while this one was created
     * during its linger, so the job's counters never go back (docs/agent.md). */
    double base_j, base_g;
    int depth;                           /* open phases, of which the first AIM_JOB_DEPTH */
    char open[AIM_JOB_DEPTH][AIM_CONTROL_NAME_MAX + 1];
    int64_t start_wall_ns;
    int has_info;                        /* `job info` came: the job gets a run */
    aim_job_info info;
    aim_job_usage first, last;           /* its cgroup's readings (job_run.h) */
    int slot;                            /* its job slot (model/job_slots.h), -1: none */
    unsigned owner;                      /* the slot's claim */
    int slot_err;                        /* why it has none (claimed once): 0, -ENOSPC,
                                          * -EEXIST */
    int slot_tried;
} job;

struct aim_jobs {
    pthread_mutex_t lock;
    _Atomic(aim_live *) live;        /* NULL until attached */
    int n_dev;
    char names[AIM_JOB_DEVICES][32];
    int64_t linger_ns, idle_ns;
    char instance[40];               /* this agent process (aim__jobs_node) */
    aim_jobs_on_end *on_end;
    void *on_end_ctx;
    aim_job_slots *slots;            /* the session's, NULL: jobs' GPUs by allotment only */
    job jobs[AIM_JOBS_MAX];
    aim_job_ended pending[AIM_JOBS_PENDING]; /* ended jobs' runs, oldest at p_head */
    int p_head, p_n;
    uint64_t p_dropped, p_dropped_told;
};

_Static_assert(AIM_JOB_DEVICES == AIM_JOB_RUN_DEVICES, "one device bound");

static job *find(aim_jobs *j, const char *id);

/* The wall clock at monotonic time now_ns. */
static int64_t wall_of(int64_t now_ns) {
    struct timespec w, m;
    clock_gettime(CLOCK_REALTIME, &w);
    clock_gettime(CLOCK_MONOTONIC, &m);
    return now_ns + ((int64_t)w.tv_sec - (int64_t)m.tv_sec) * 1000000000LL +
           (w.tv_nsec - m.tv_nsec);
}

/* A reading u of the job's cgroup joins its first and latest. */
static void merge_usage(job *b, const aim_job_usage *u) {
    if (u->cpu_ok && !b->first.cpu_ok)
        b->first = *u;
    if (u->cpu_ok) {
        b->last.cpu_ok = 1;
        b->last.cg_cpu_us = u->cg_cpu_us;
        b->last.node_busy_us = u->node_busy_us;
    }
    b->last.mem_share_sum += u->mem_share_sum;
    b->last.mem_n += u->mem_n;
}

int aim__jobs_new(int n_devices, const char *const *device_names, aim_jobs **ret) {
    aim_jobs *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    pthread_mutex_init(&j->lock, NULL);
    atomic_init(&j->live, NULL);
    j->n_dev = n_devices < AIM_JOB_DEVICES ? n_devices : AIM_JOB_DEVICES;
    for (int d = 0; d < j->n_dev; d++)
        snprintf(j->names[d], sizeof j->names[d], "%s", device_names[d]);
    j->linger_ns = AIM_JOB_LINGER_NS;
    j->idle_ns = AIM_JOB_IDLE_NS;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(j->instance, sizeof j->instance, "%lx-%lx-%ld", (unsigned long)ts.tv_sec,
             (unsigned long)ts.tv_nsec, (long)getpid());
    *ret = j;
    return 0;
}

void aim__jobs_free(aim_jobs *j) {
    if (!j)
        return;
    pthread_mutex_destroy(&j->lock);
    free(j);
}

void aim__jobs_attach_live(aim_jobs *j, aim_live *live) { atomic_store(&j->live, live); }

void aim__jobs_attach_slots(aim_jobs *j, aim_job_slots *slots) { j->slots = slots; }

/* A running job's slot goes back at once (its place is taken; lock held). */
static void drop_slot(aim_jobs *j, job *b, int64_t now_ns) {
    if (b->slot < 0 || !j->slots)
        return;
    aim__job_slots_end(j->slots, b->slot, now_ns);
    aim__job_slots_release(j->slots, b->slot);
    b->slot = -1;
}

void aim__jobs_set_on_end(aim_jobs *j, aim_jobs_on_end *fn, void *ctx) {
    j->on_end = fn;
    j->on_end_ctx = ctx;
}

void aim__jobs_set_times(aim_jobs *j, int64_t linger_ns, int64_t idle_ns) {
    j->linger_ns = linger_ns;
    j->idle_ns = idle_ns;
}

/* The node's figures now, from the live snapshot (lock-free; zeros before the first
 * publication). dev gets AIM_JOB_DEVICES entries. */
static void read_node(aim_jobs *j, aim_live_totals *t, double *dev) {
    memset(t, 0, sizeof *t);
    memset(dev, 0, AIM_JOB_DEVICES * sizeof *dev);
    aim_live *l = atomic_load(&j->live);
    if (!l)
        return;
    double all[AIM_JOB_DEVICES * 4];
    int n = aim__live_n_devices(l);
    if (n > (int)(sizeof all / sizeof all[0])) {
        aim__live_read(l, t, NULL, NULL, NULL);
        return;
    }
    aim__live_read(l, t, all, NULL, NULL);
    for (int d = 0; d < j->n_dev && d < n; d++)
        dev[d] = all[d];
}

static void end_job(aim_jobs *j, job *b, int64_t now_ns, const aim_live_totals *t,
                    const double *dev, int cut) {
    if (j->on_end) /* its phases end with it, not at the agent's end */
        j->on_end(j->on_end_ctx, b->id, b->depth);
    b->depth = 0;
    b->holders = 0;
    b->batch = 0;
    b->ended = 1;
    b->end_ns = now_ns;
    b->end_j = t->energy_j;
    b->end_g = t->carbon_g;
    memcpy(b->end_dev, dev, sizeof b->end_dev);
    if (!b->has_info)
        return;
    aim_job_usage u = { 0 };
    aim__job_usage_read(b->info.cgroup, &u); /* a few small files, the control thread's */
    merge_usage(b, &u);
    if (j->p_n == AIM_JOBS_PENDING) { /* the writer is far behind: the oldest goes */
        if (j->slots && j->pending[j->p_head].gpu_slot >= 0)
            aim__job_slots_release(j->slots, j->pending[j->p_head].gpu_slot);
        j->p_head = (j->p_head + 1) % AIM_JOBS_PENDING;
        j->p_n--;
        j->p_dropped++;
    }
    aim_job_ended *e = &j->pending[(j->p_head + j->p_n++) % AIM_JOBS_PENDING];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", b->id);
    e->info = b->info;
    e->start_mono_ns = b->start_ns;
    e->end_mono_ns = now_ns;
    e->start_wall_ns = b->start_wall_ns;
    e->end_wall_ns = b->start_wall_ns + (now_ns - b->start_ns); /* one clock: the monotonic */
    e->energy_j = b->end_j - b->start_j;
    e->carbon_g = b->end_g - b->start_g;
    e->n_dev = j->n_dev;
    for (int d = 0; d < j->n_dev; d++)
        e->dev_j[d] = b->end_dev[d] - b->start_dev[d];
    e->first = b->first;
    e->last = b->last;
    e->cut = cut;
    /* Its processes no longer count; the slot is the run's until the writer has stored it. */
    e->gpu_slot = j->slots ? b->slot : -1;
    e->gpu_owner = b->owner;
    e->gpu_slot_err = b->slot_err;
    if (e->gpu_slot >= 0)
        aim__job_slots_end(j->slots, e->gpu_slot, now_ns);
    b->slot = -1;
}

void aim__jobs_cut_running(aim_jobs *j, int64_t now_ns) {
    aim_live_totals t;
    double dev[AIM_JOB_DEVICES];
    read_node(j, &t, dev);
    pthread_mutex_lock(&j->lock);
    for (int k = 0; k < AIM_JOBS_MAX; k++)
        if (j->jobs[k].used && !j->jobs[k].ended && j->jobs[k].has_info)
            end_job(j, &j->jobs[k], now_ns, &t, dev, 1);
    pthread_mutex_unlock(&j->lock);
}

int aim__jobs_take_ended(aim_jobs *j, int64_t until_ns, aim_job_ended *out, uint64_t *dropped) {
    pthread_mutex_lock(&j->lock);
    int got = j->p_n > 0 && j->pending[j->p_head].end_mono_ns <= until_ns;
    if (got) {
        *out = j->pending[j->p_head];
        j->p_head = (j->p_head + 1) % AIM_JOBS_PENDING;
        j->p_n--;
    }
    if (dropped)
        *dropped = j->p_dropped;
    pthread_mutex_unlock(&j->lock);
    return got;
}

void aim__jobs_settle_gpu(aim_jobs *j, int64_t until_ns) {
    if (!j->slots)
        return;
    pthread_mutex_lock(&j->lock);
    for (int i = 0; i < j->p_n; i++) {
        aim_job_ended *e = &j->pending[(j->p_head + i) % AIM_JOBS_PENDING];
        if (e->end_mono_ns <= until_ns)
            aim__job_run_take_gpu(e, j->slots);
    }
    pthread_mutex_unlock(&j->lock);
}

uint64_t aim__jobs_take_dropped(aim_jobs *j) {
    pthread_mutex_lock(&j->lock);
    uint64_t n = j->p_dropped - j->p_dropped_told;
    j->p_dropped_told = j->p_dropped;
    pthread_mutex_unlock(&j->lock);
    return n;
}

/* The ranks of another task of the job on the node join the list ("0-3" + "4" = "0-4"),
 * folded so that a busy node's ranks fit; a list that would not fit stays as it is. */
static void add_ranks(char *list, size_t size, const char *more) {
    if (!more[0])
        return;
    if (aim__job_ranks_union(list, more, list, size) < 0 && !list[0]) /* list unchanged */
        snprintf(list, size, "%s", more);
}

int aim__jobs_info(aim_jobs *j, const char *id, const aim_job_info *info, int64_t now_ns) {
    int created = aim__jobs_touch_as(j, id, 0, now_ns);
    if (created < 0)
        return created;
    aim_job_usage u = { 0 };
    aim__job_usage_read(info->cgroup, &u);
    pthread_mutex_lock(&j->lock);
    job *b = find(j, id);
    if (b && !b->ended) {
        if (info->uid >= 0) /* the job is its user's: their own messages are then accepted */
            b->uid = (uint32_t)info->uid;
        aim_job_info *k = &b->info;
        int moved = b->has_info && info->cgroup[0] && strcmp(k->cgroup, info->cgroup) != 0;
        if (moved) {
            memset(&b->first, 0, sizeof b->first); /* another cgroup: readings start again */
            memset(&b->last, 0, sizeof b->last);
        }
        if (!b->has_info)
            *k = *info;
#define TAKE(f) if (info->f[0]) snprintf(k->f, sizeof k->f, "%s", info->f)
        TAKE(user);
        TAKE(cgroup);
        TAKE(node);
        add_ranks(k->ranks, sizeof k->ranks, info->ranks);
        TAKE(gpus);
#undef TAKE
        if (info->node_rank >= 0)
            k->node_rank = info->node_rank;
        if (info->uid >= 0)
            k->uid = info->uid;
        if (info->n_tags) {
            k->n_tags = info->n_tags;
            memcpy(k->tag_key, info->tag_key, sizeof k->tag_key);
            memcpy(k->tag_value, info->tag_value, sizeof k->tag_value);
        }
        b->has_info = 1;
        b->batch = 1; /* a joined run's or a user's `job end` no longer ends its window */
        merge_usage(b, &u);
        /* A job cgroup: the job's processes on the GPUs are told apart from then on. */
        if (j->slots && k->cgroup[0] == '/' && k->cgroup[1]) {
            if (b->slot < 0 && !b->slot_tried) { /* once: a refused claim is not retried */
                b->slot_tried = 1;
                int r = aim__job_slots_claim(j->slots, k->cgroup, now_ns, &b->owner);
                b->slot = r >= 0 ? r : -1;
                b->slot_err = r >= 0 ? 0 : r; /* its GPUs go by its allotment, said in its run */
            } else if (moved) {
                aim__job_slots_set_cgroup(j->slots, b->slot, k->cgroup);
            }
        }
    }
    pthread_mutex_unlock(&j->lock);
    return created;
}

/* Jobs silent for the idle time end (when the caller has the node's figures: t and dev);
 * those ended for the linger time are forgotten. Lock held. */
static void expire(aim_jobs *j, int64_t now_ns, const aim_live_totals *t, const double *dev) {
    for (int k = 0; k < AIM_JOBS_MAX; k++) {
        job *b = &j->jobs[k];
        if (b->used && !b->ended && dev && now_ns - b->last_ns >= j->idle_ns)
            end_job(j, b, now_ns, t, dev, 0);
        if (b->used && b->ended && now_ns - b->end_ns >= j->linger_ns)
            b->used = 0;
    }
}

static job *find(aim_jobs *j, const char *id) {
    for (int k = 0; k < AIM_JOBS_MAX; k++)
        if (j->jobs[k].used && strcmp(j->jobs[k].id, id) == 0)
            return &j->jobs[k];
    return NULL;
}

/* A free place, else the oldest ended job's, else uid's running job silent the longest
 * (never another user's running job: root's may go for anyone's); NULL when none. */
static job *place(aim_jobs *j, uint32_t uid) {
    job *ended = NULL, *silent = NULL;
    for (int k = 0; k < AIM_JOBS_MAX; k++) {
        job *b = &j->jobs[k];
        if (!b->used)
            return b;
        if (b->ended && (!ended || b->end_ns < ended->end_ns))
            ended = b;
        if (!b->ended && (uid == 0 || b->uid == uid) && (!silent || b->last_ns < silent->last_ns))
            silent = b;
    }
    return ended ? ended : silent;
}

static int running_of(const aim_jobs *j, uint32_t uid) {
    int n = 0;
    for (int k = 0; k < AIM_JOBS_MAX; k++)
        n += j->jobs[k].used && !j->jobs[k].ended && j->jobs[k].uid == uid;
    return n;
}

/* The figures /metrics shows for b (locked), from the node's totals. */
static void shown(const job *b, const aim_live_totals *t, double *e, double *g) {
    *e = b->base_j + (b->ended ? b->end_j : t->energy_j) - b->start_j;
    *g = b->base_g + (b->ended ? b->end_g : t->carbon_g) - b->start_g;
    /* A job made from a newer snapshot than the reader's: nothing yet, never below zero. */
    *e = *e > b->base_j ? *e : b->base_j;
    *g = *g > b->base_g ? *g : b->base_g;
}

int aim__jobs_touch(aim_jobs *j, const char *id, int64_t now_ns) {
    return aim__jobs_touch_as(j, id, 0, now_ns);
}

int aim__jobs_touch_as(aim_jobs *j, const char *id, uint32_t uid, int64_t now_ns) {
    aim_live_totals t;
    double dev[AIM_JOB_DEVICES];
    read_node(j, &t, dev);
    pthread_mutex_lock(&j->lock);
    expire(j, now_ns, &t, dev);
    job *b = find(j, id);
    if (b && uid != 0 && b->uid != uid) {
        pthread_mutex_unlock(&j->lock);
        return -EPERM;
    }
    int created = !b || b->ended;
    if (created) {
        if (uid != 0 && running_of(j, uid) >= AIM_JOBS_PER_UID) {
            pthread_mutex_unlock(&j->lock);
            return -EDQUOT;
        }
        double base_j = 0, base_g = 0;
        if (b) /* an ended id again while still shown: its series goes on from there */
            shown(b, &t, &base_j, &base_g);
        else if (!(b = place(j, uid))) {
            pthread_mutex_unlock(&j->lock);
            return -ENOSPC;
        }
        if (b->used && !b->ended) /* a silent running job pushed out */
            drop_slot(j, b, now_ns);
        memset(b, 0, sizeof *b);
        b->slot = -1;
        b->used = 1;
        b->uid = uid;
        b->base_j = base_j;
        b->base_g = base_g;
        snprintf(b->id, sizeof b->id, "%s", id);
        b->start_ns = now_ns;
        b->start_wall_ns = wall_of(now_ns);
        b->start_j = t.energy_j;
        b->start_g = t.carbon_g;
        memcpy(b->start_dev, dev, sizeof b->start_dev);
    }
    b->last_ns = now_ns;
    pthread_mutex_unlock(&j->lock);
    return created;
}

/* Whether followed phase k of b is in the rank scope of name (its first scope bytes). */
static int same_rank(const job *b, int k, const char *name, size_t scope) {
    return aim__control_rank_scope(b->open[k]) == scope && strncmp(b->open[k], name, scope) == 0;
}

/* b's followed phase k leaves the list (those after it move down). */
static void drop_open(job *b, int k) {
    int tracked = b->depth < AIM_JOB_DEPTH ? b->depth : AIM_JOB_DEPTH;
    for (int i = k; i + 1 < tracked; i++)
        memcpy(b->open[i], b->open[i + 1], sizeof b->open[i]);
    if (b->depth > AIM_JOB_DEPTH) /* one not followed moves into the list: its name unknown */
        b->open[AIM_JOB_DEPTH - 1][0] = '\0';
    b->depth--;
}

void aim__jobs_phase(aim_jobs *j, const char *id, int begin, const char *name) {
    pthread_mutex_lock(&j->lock);
    job *b = find(j, id);
    if (b && begin) {
        if (b->depth < AIM_JOB_DEPTH)
            snprintf(b->open[b->depth], sizeof b->open[0], "%s", name);
        b->depth++;
    } else if (b && b->depth > 0 && !*name) {
        b->depth--; /* the innermost */
    } else if (b && b->depth > 0) {
        /* As the writer's phases do (processing/phases.h): the innermost of that name, or
         * of that rank's for a bare "[rank N] ", ends with its rank's phases opened inside
         * it; other ranks' stay open. */
        size_t scope = aim__control_rank_scope(name);
        int k = (b->depth < AIM_JOB_DEPTH ? b->depth : AIM_JOB_DEPTH) - 1;
        while (k >= 0 && !(name[scope] ? strcmp(b->open[k], name) == 0
                                       : same_rank(b, k, name, scope)))
            k--;
        /* not among those followed: nothing ends */
        for (int i = (b->depth < AIM_JOB_DEPTH ? b->depth : AIM_JOB_DEPTH) - 1; k >= 0 && i > k;
             i--)
            if (same_rank(b, i, name, scope))
                drop_open(b, i);
        if (k >= 0)
            drop_open(b, k);
    }
    pthread_mutex_unlock(&j->lock);
}

int aim__jobs_open_phases(aim_jobs *j) {
    int n = 0;
    pthread_mutex_lock(&j->lock);
    for (int k = 0; k < AIM_JOBS_MAX; k++)
        if (j->jobs[k].used && !j->jobs[k].ended)
            n += j->jobs[k].depth;
    pthread_mutex_unlock(&j->lock);
    return n;
}

int aim__jobs_hold(aim_jobs *j, const char *id) {
    pthread_mutex_lock(&j->lock);
    job *b = find(j, id);
    if (b && !b->ended)
        b->holders++;
    pthread_mutex_unlock(&j->lock);
    return b && !b->ended ? 0 : -ENOENT;
}

/* "SECONDS JOULES GRAMS DEVICE=JOULES...": the figures at to minus those at from. */
static void put_figures(const aim_jobs *j, char *out, size_t size, double seconds, double e,
                        double g, const double *to, const double *from) {
    char s[AIM_NUM_MAX], ej[AIM_NUM_MAX], gg[AIM_NUM_MAX];
    aim__fmt_g(s, seconds, 10);
    aim__fmt_g(ej, e, 10);
    aim__fmt_g(gg, g, 10);
    int n = snprintf(out, size, "%s %s %s", s, ej, gg);
    for (int d = 0; d < j->n_dev && n >= 0 && (size_t)n < size; d++) {
        aim__fmt_g(ej, to[d] - (from ? from[d] : 0), 10);
        /* Devices that do not fit in the reply line are left out, never cut in half. */
        int w = snprintf(out + n, size - (size_t)n, " %s=%s", j->names[d], ej);
        if (w < 0 || (size_t)w >= size - (size_t)n) {
            out[n] = '\0';
            break;
        }
        n += w;
    }
}

int aim__jobs_node(aim_jobs *j, int64_t now_ns, char *out, size_t size) {
    aim_live_totals t;
    double dev[AIM_JOB_DEVICES];
    read_node(j, &t, dev);
    int n = snprintf(out, size, "%s ", j->instance);
    if (n < 0 || (size_t)n >= size)
        return -ENOSPC;
    put_figures(j, out + n, size - (size_t)n, (double)now_ns / 1e9, t.energy_j, t.carbon_g, dev,
                NULL);
    return 0;
}

int aim__jobs_status(aim_jobs *j, const char *id, int64_t now_ns, int end, char *out,
                     size_t size) {
    return aim__jobs_status_as(j, id, 0, now_ns, end, out, size);
}

int aim__jobs_status_as(aim_jobs *j, const char *id, uint32_t uid, int64_t now_ns, int end,
                        char *out, size_t size) {
    aim_live_totals t;
    double dev[AIM_JOB_DEVICES];
    read_node(j, &t, dev);
    pthread_mutex_lock(&j->lock);
    job *b = find(j, id);
    if (!b || (uid != 0 && b->uid != uid)) {
        pthread_mutex_unlock(&j->lock);
        return b ? -EPERM : -ENOENT;
    }
    if (end && !b->ended) {
        if (end == AIM_JOB_END && uid == 0 && b->batch) /* the batch system's end: its tasks
                                                         * are gone */
            b->batch = b->holders = 0;
        else if (b->holders > 0) /* a joined run leaves, or a user ends their own hold */
            b->holders--;
        if (b->holders == 0 && !b->batch) /* the last holder leaves: the job ends */
            end_job(j, b, now_ns, &t, dev, 0);
    }
    b->last_ns = now_ns;
    const double *to = b->ended ? b->end_dev : dev;
    int64_t until = b->ended ? b->end_ns : now_ns;
    double e = (b->ended ? b->end_j : t.energy_j) - b->start_j;
    double g = (b->ended ? b->end_g : t.carbon_g) - b->start_g;
    put_figures(j, out, size, (double)(until - b->start_ns) / 1e9, e, g, to, b->start_dev);
    pthread_mutex_unlock(&j->lock);
    return 0;
}

size_t aim__jobs_view(aim_jobs *j, int64_t now_ns, const aim_live_totals *totals,
                      aim_job_view *out, size_t max) {
    size_t n = 0;
    pthread_mutex_lock(&j->lock);
    expire(j, now_ns, totals, NULL); /* idle jobs end at the control thread's next message */
    for (int k = 0; k < AIM_JOBS_MAX && n < max; k++) {
        const job *b = &j->jobs[k];
        if (!b->used)
            continue;
        aim_job_view *v = &out[n++];
        snprintf(v->id, sizeof v->id, "%s", b->id);
        int top = b->depth < AIM_JOB_DEPTH ? b->depth - 1 : AIM_JOB_DEPTH - 1;
        snprintf(v->phase, sizeof v->phase, "%s", top >= 0 ? b->open[top] : "");
        v->ended = b->ended;
        v->duration_s = (double)((b->ended ? b->end_ns : now_ns) - b->start_ns) / 1e9;
        shown(b, totals, &v->energy_j, &v->carbon_g);
    }
    pthread_mutex_unlock(&j->lock);
    return n;
}
