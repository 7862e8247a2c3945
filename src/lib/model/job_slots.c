/* The agent's job slots (job_slots.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/job_slots.h"

void aim__job_slots_init(aim_job_slots *t) {
    memset(t, 0, sizeof *t); /* the writer's plain fields */
    atomic_init(&t->gen, 0);
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        aim_job_slot *s = &t->slot[k];
        atomic_init(&s->seq, 0);
        atomic_init(&s->state, AIM_JOB_SLOT_FREE);
        atomic_init(&s->owner, 0);
        atomic_init(&s->start_ns, 0);
        atomic_init(&s->end_ns, 0);
        atomic_init(&s->shared, 0);
        for (int i = 0; i < AIM_JOB_SLOT_CGROUP; i++)
            atomic_init(&s->cgroup[i], 0);
    }
}

/* The cgroup under the slot's sequence counter (odd while written), then a new generation. */
static void write_cgroup(aim_job_slots *t, int k, const char *cgroup) {
    aim_job_slot *s = &t->slot[k];
    unsigned q = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    size_t n = strnlen(cgroup, AIM_JOB_SLOT_CGROUP - 1);
    for (size_t i = 0; i < AIM_JOB_SLOT_CGROUP; i++)
        atomic_store_explicit(&s->cgroup[i], i < n ? cgroup[i] : 0, memory_order_relaxed);
    atomic_store_explicit(&s->seq, q + 2, memory_order_release);
    atomic_fetch_add_explicit(&t->gen, 1, memory_order_release);
}

int aim__job_slots_claim(aim_job_slots *t, const char *cgroup, int64_t now_ns,
                         unsigned *owner) {
    int overlap = 0;
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        if (atomic_load(&t->slot[k].state) != AIM_JOB_SLOT_RUNNING)
            continue;
        const char *other = t->slot[k].claimed; /* kept when a shared slot's is cleared */
        if (other[0] && (aim__cgroup_within(cgroup, other) || aim__cgroup_within(other, cgroup))) {
            atomic_store(&t->slot[k].shared, 1);
            write_cgroup(t, k, ""); /* its processes cannot be told from the new job's */
            overlap = 1;
        }
    }
    if (overlap)
        return -EEXIST;
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        aim_job_slot *s = &t->slot[k];
        if (atomic_load(&s->state) != AIM_JOB_SLOT_FREE)
            continue;
        atomic_store(&s->state, AIM_JOB_SLOT_RUNNING);
        atomic_store(&s->shared, 0);
        atomic_store(&s->start_ns, now_ns);
        atomic_store(&s->end_ns, INT64_MAX);
        unsigned o = atomic_load(&s->owner) + 1;
        atomic_store_explicit(&s->owner, o, memory_order_release); /* after the window */
        snprintf(s->claimed, sizeof s->claimed, "%s", cgroup);
        write_cgroup(t, k, cgroup);
        if (owner)
            *owner = o;
        return k;
    }
    return -ENOSPC;
}

void aim__job_slots_set_cgroup(aim_job_slots *t, int k, const char *cgroup) {
    if (k < 0 || k >= AIM_JOB_SLOTS)
        return;
    snprintf(t->slot[k].claimed, sizeof t->slot[k].claimed, "%s", cgroup);
    if (!atomic_load(&t->slot[k].shared))
        write_cgroup(t, k, cgroup);
}

void aim__job_slots_end(aim_job_slots *t, int k, int64_t now_ns) {
    if (k < 0 || k >= AIM_JOB_SLOTS)
        return;
    atomic_store(&t->slot[k].end_ns, now_ns);
    write_cgroup(t, k, "");
    atomic_store(&t->slot[k].state, AIM_JOB_SLOT_ENDED);
}

void aim__job_slots_release(aim_job_slots *t, int k) {
    if (k >= 0 && k < AIM_JOB_SLOTS)
        atomic_store(&t->slot[k].state, AIM_JOB_SLOT_FREE);
}

unsigned aim__job_slots_gen(const aim_job_slots *t) {
    return atomic_load_explicit(&t->gen, memory_order_acquire);
}

int aim__job_slots_read_cgroup(const aim_job_slots *t, int k, char *out, size_t size) {
    const aim_job_slot *s = &t->slot[k];
    unsigned q = atomic_load_explicit(&s->seq, memory_order_acquire);
    if (q & 1)
        return -EAGAIN;
    size_t i = 0;
    for (; i + 1 < size && i < AIM_JOB_SLOT_CGROUP; i++)
        if (!(out[i] = atomic_load_explicit(&s->cgroup[i], memory_order_relaxed)))
            break;
    if (size)
        out[i < size ? i : size - 1] = '\0';
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&s->seq, memory_order_relaxed) == q ? 0 : -EAGAIN;
}

/* The writer's sums of slot s start again for a new owner. */
static void follow_owner(aim_job_slot *s) {
    unsigned o = atomic_load_explicit(&s->owner, memory_order_acquire);
    if (s->acc_valid && s->acc_owner == o)
        return;
    memset(s->joules, 0, sizeof s->joules);
    memset(s->other_j, 0, sizeof s->other_j);
    memset(s->device_j, 0, sizeof s->device_j);
    memset(s->seen, 0, sizeof s->seen);
    memset(s->matched, 0, sizeof s->matched);
    memset(s->unexplained, 0, sizeof s->unexplained);
    s->acc_owner = o;
    s->acc_valid = 1;
}

void aim__job_slots_account(aim_job_slots *t, int d, int64_t t1_ns, double de_j,
                            const double *shares, int any_job, int unexplained) {
    if (d < 0 || d >= AIM_JOB_SLOT_DEVICES)
        return;
    double all = 0;
    for (int k = 0; k < AIM_JOB_SLOTS; k++)
        all += shares[k] == shares[k] ? shares[k] : 0;
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        aim_job_slot *s = &t->slot[k];
        if (atomic_load_explicit(&s->state, memory_order_acquire) == AIM_JOB_SLOT_FREE)
            continue;
        follow_owner(s);
        if (t1_ns <= atomic_load(&s->start_ns) || t1_ns > atomic_load(&s->end_ns))
            continue; /* before the job's claim, or after its end */
        double own = shares[k] == shares[k] ? shares[k] : 0;
        s->joules[d] += own * de_j;
        s->other_j[d] += (all - own) * de_j;
        s->device_j[d] += de_j;
        s->seen[d]++;
        s->matched[d] += any_job != 0;
        s->unexplained[d] += unexplained != 0;
    }
}

int aim__job_slots_figures(const aim_job_slots *t, int k, unsigned owner, int n,
                           aim_job_gpu_figures *out) {
    memset(out, 0, sizeof *out);
    if (k < 0 || k >= AIM_JOB_SLOTS)
        return -ESTALE;
    const aim_job_slot *s = &t->slot[k];
    if (atomic_load(&s->shared) && atomic_load(&s->owner) == owner)
        return -EEXIST;
    if (!s->acc_valid || s->acc_owner != owner)
        return -ESTALE;
    if (n > AIM_JOB_SLOT_DEVICES)
        n = AIM_JOB_SLOT_DEVICES;
    for (int d = 0; d < n; d++) {
        out->known[d] = s->seen[d] > 0 && (s->matched[d] > 0 || s->unexplained[d] == 0);
        out->joules[d] = s->joules[d];
        out->other_j[d] = s->other_j[d];
        out->device_j[d] = s->device_j[d];
    }
    return 0;
}

int aim__cgroup_within(const char *path, const char *job_cgroup) {
    size_t n = strlen(job_cgroup);
    if (n == 0 || (n == 1 && job_cgroup[0] == '/'))
        return 0; /* the root is no job's */
    if (job_cgroup[n - 1] == '/')
        n--;
    return strncmp(path, job_cgroup, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
