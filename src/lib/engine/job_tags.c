/* Job tags from the launcher's environment (job_tags.h) and aim_config_add_job_tags. */
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "engine/config.h"
#include "engine/job_tags.h"
#include "model/control_proto.h"

/* A whole non-negative number below 2^31, nothing else ("3", not "3x" or "-1"). */
static int read_index(const char *s, long *ret) {
    if (!s || !*s)
        return -EINVAL;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT32_MAX - 9) / 10)
            return -EINVAL;
        v = v * 10 + (*p - '0');
    }
    *ret = v;
    return 0;
}

typedef struct rank_run {
    long lo, hi;
} rank_run;

/* The pieces ("N" or "N-M") of list into runs from *n on (at most max in all). */
static int read_runs(const char *list, rank_run *runs, size_t *n, size_t max) {
    for (const char *p = list; *p;) {
        char word[32];
        size_t w = strcspn(p, ",");
        if (w == 0 || w >= sizeof word || *n >= max)
            return -EINVAL;
        memcpy(word, p, w);
        word[w] = '\0';
        char *dash = strchr(word, '-');
        if (dash)
            *dash = '\0';
        rank_run r;
        if (read_index(word, &r.lo) < 0 || read_index(dash ? dash + 1 : word, &r.hi) < 0 ||
            r.hi < r.lo)
            return -EINVAL;
        runs[(*n)++] = r;
        p += w;
        if (*p == ',' && !*++p)
            return -EINVAL;
    }
    return 0;
}

static int by_lo(const void *a, const void *b) {
    const rank_run *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int aim__job_ranks_union(const char *list, const char *more, char *out, size_t len) {
    if (!list || !more || !out || len == 0)
        return -EINVAL;
    rank_run runs[128];
    size_t n = 0;
    if (read_runs(list, runs, &n, 128) < 0 || read_runs(more, runs, &n, 128) < 0)
        return -EINVAL;
    qsort(runs, n, sizeof runs[0], by_lo);
    char buf[512];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n;) {
        long lo = runs[i].lo, hi = runs[i].hi;
        for (i++; i < n && runs[i].lo <= hi + 1; i++) /* overlapping or next to it: one run */
            hi = runs[i].hi > hi ? runs[i].hi : hi;
        int k = lo == hi ? snprintf(buf + o, sizeof buf - o, "%s%ld", o ? "," : "", lo)
                         : snprintf(buf + o, sizeof buf - o, "%s%ld-%ld", o ? "," : "", lo, hi);
        if (k < 0 || (size_t)k >= sizeof buf - o)
            return -ENOSPC;
        o += (size_t)k;
    }
    if (o >= len)
        return -ENOSPC;
    memcpy(out, buf, o + 1);
    return 0;
}

static const char *first_set(aim_env_lookup env, void *ud, const char *const *names) {
    for (; *names; names++) {
        const char *v = env(*names, ud);
        if (v && *v)
            return v;
    }
    return NULL;
}

static int put(aim_run_tag *out, size_t *n, const char *key, const char *value) {
    if (!value || !aim__tag_value_valid(value) || *n >= AIM_JOB_TAGS_MAX)
        return 0;
    snprintf(out[*n].key, sizeof out[*n].key, "%s", key);
    snprintf(out[*n].value, sizeof out[*n].value, "%s", value);
    (*n)++;
    return 1;
}

int aim__job_ranks_fold(const char *list, char *out, size_t len) {
    if (!list || !out || len == 0)
        return -EINVAL;
    size_t o = 0;
    out[0] = '\0';
    const char *p = list;
    long first = -1, last = -1;
    for (;;) {
        char word[16];
        size_t w = strcspn(p, ",");
        if (w == 0 || w >= sizeof word)
            return -EINVAL;
        memcpy(word, p, w);
        word[w] = '\0';
        long v;
        if (read_index(word, &v) < 0)
            return -EINVAL;
        int end = p[w] == '\0';
        if (first >= 0 && v == last + 1) {
            last = v;
        } else {
            if (first >= 0) {
                int k = first == last ? snprintf(out + o, len - o, "%s%ld", o ? "," : "", first)
                                      : snprintf(out + o, len - o, "%s%ld-%ld", o ? "," : "",
                                                 first, last);
                if (k < 0 || (size_t)k >= len - o)
                    return -ENOSPC;
                o += (size_t)k;
            }
            first = last = v;
        }
        if (end)
            break;
        p += w + 1;
    }
    int k = first == last ? snprintf(out + o, len - o, "%s%ld", o ? "," : "", first)
                          : snprintf(out + o, len - o, "%s%ld-%ld", o ? "," : "", first, last);
    if (k < 0 || (size_t)k >= len - o)
        return -ENOSPC;
    return 0;
}

size_t aim__job_tags_from(aim_env_lookup env, void *ud, const char *measured_by,
                          const char *host, const char *user, aim_run_tag *out) {
    /* The job id in aim_job_from_env's order, so that a run's tag and the agent's job agree. */
    static const char *const job_vars[] = { "AIMETER_JOB", "SLURM_JOB_ID", "PBS_JOBID", "JOB_ID",
                                            NULL };
    const char *job = NULL;
    for (const char *const *v = job_vars; *v && !job; v++) {
        const char *s = env(*v, ud);
        if (s && *s && aim__job_id_valid(s))
            job = s;
    }
    size_t n = 0;
    if (!job)
        return 0;
    put(out, &n, "job", job);
    static const char *const node_vars[] = { "SLURMD_NODENAME", NULL };
    const char *node = first_set(env, ud, node_vars);
    put(out, &n, "node", node ? node : host);
    /* SLURM's node index; torchrun's GROUP_RANK (NODE_RANK in older launchers). */
    static const char *const node_rank_vars[] = { "SLURM_NODEID", "GROUP_RANK", "NODE_RANK", NULL };
    long node_rank = -1;
    for (const char *const *v = node_rank_vars; *v && node_rank < 0; v++)
        if (read_index(env(*v, ud), &node_rank) < 0)
            node_rank = -1;
    char num[24];
    if (node_rank >= 0) {
        snprintf(num, sizeof num, "%ld", node_rank);
        put(out, &n, "node_rank", num);
    }
    /* The global ranks on this node: SLURM lists them; torchrun's are a block of
     * LOCAL_WORLD_SIZE from GROUP_RANK x LOCAL_WORLD_SIZE (its ranks are assigned by node). */
    char ranks[AIM_TAG_VALUE_SIZE];
    const char *gtids = env("SLURM_GTIDS", ud);
    long lws, group;
    if (gtids && *gtids && aim__job_ranks_fold(gtids, ranks, sizeof ranks) == 0) {
        put(out, &n, "ranks", ranks);
    } else if (read_index(env("LOCAL_WORLD_SIZE", ud), &lws) == 0 && lws > 0 &&
               read_index(env("GROUP_RANK", ud), &group) == 0 && group <= INT32_MAX / lws) {
        long lo = group * lws, hi = lo + lws - 1;
        if (lws == 1)
            snprintf(ranks, sizeof ranks, "%ld", lo);
        else
            snprintf(ranks, sizeof ranks, "%ld-%ld", lo, hi);
        put(out, &n, "ranks", ranks);
    }
    static const char *const user_vars[] = { "SLURM_JOB_USER", NULL };
    const char *u = first_set(env, ud, user_vars);
    put(out, &n, "user", u ? u : user);
    put(out, &n, "measured_by", measured_by);
    return n;
}

static const char *getenv_lookup(const char *name, void *ud) {
    (void)ud;
    return getenv(name);
}

int aim_config_add_job_tags(aim_config *c, const char *measured_by) {
    if (!c || !measured_by)
        return -EINVAL;
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) < 0)
        host[0] = '\0';
    char user[64] = "", buf[1024];
    struct passwd pw, *found = NULL;
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(user, sizeof user, "%s", found->pw_name);
    aim_run_tag tags[AIM_JOB_TAGS_MAX];
    size_t n = aim__job_tags_from(getenv_lookup, NULL, measured_by, host[0] ? host : NULL,
                                  user[0] ? user : NULL, tags);
    int added = 0;
    for (size_t i = 0; i < n; i++) {
        int have = 0; /* a tag given before (--tag) wins */
        for (int k = 0; k < c->n_tags && !have; k++)
            have = strcmp(c->tags[k].key, tags[i].key) == 0;
        if (!have && aim_config_add_tag(c, tags[i].key, tags[i].value) == 0)
            added++;
    }
    return added;
}
