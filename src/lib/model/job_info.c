/* The `job info` parser (job_info.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/job_info.h"

static int fail(char *err, size_t errlen, const char *msg) {
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return -EINVAL;
}

/* value (n bytes) copied into out (size) when it is 1..size-1 bytes of the set. */
static int take(const char *v, size_t n, const char *set, char *out, size_t size) {
    if (n == 0 || n >= size)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, v[i]) || v[i] == '\0')
            return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static int take_int(const char *v, size_t n, long long max, long long *ret) {
    if (n == 0 || n > 10)
        return -1;
    long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    if (x > max)
        return -1;
    *ret = x;
    return 0;
}

#define DIGITS "0123456789"
#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define NAME_SET LETTERS DIGITS "_.-"
/* A cgroup path: what systemd and SLURM name them ("/system.slice/slurmstepd.scope/job_42"). */
#define PATH_SET NAME_SET "/:@+"
#define LIST_SET DIGITS ",-"

int aim__job_info_tag_reserved(const char *key) {
    /* The tags of the job's run that say whose and which it is (engine/job_run.c): a user's
     * `--aimeter=tag:` must not file the run under another job or user, nor win the
     * double-measurement choice (measured_by). contrib/slurm/aimeter_spank.c has the list. */
    static const char *const reserved[] = { "job",  "node",        "node_rank", "ranks",
                                            "user", "measured_by", "agent_run", "cgroup" };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(key, reserved[i]) == 0)
            return 1;
    return 0;
}

int aim__job_info_parse(const char *text, size_t len, aim_job_info *ret, char *err,
                        size_t errlen) {
    aim_job_info m;
    memset(&m, 0, sizeof m);
    m.uid = -1;
    m.node_rank = -1;
    unsigned seen = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        if (*p == ' ') {
            p++;
            continue;
        }
        const char *w = p;
        while (p < end && *p != ' ')
            p++;
        const char *eq = memchr(w, '=', (size_t)(p - w));
        if (!eq)
            return fail(err, errlen, "job info takes KEY=VALUE words");
        size_t kl = (size_t)(eq - w), vl = (size_t)(p - eq - 1);
        const char *v = eq + 1;
        static const char *const keys[] = { "uid", "user", "cgroup", "node", "node_rank",
                                            "ranks", "gpus", "tag" };
        int k = -1;
        for (int i = 0; i < 8; i++)
            if (kl == strlen(keys[i]) && memcmp(w, keys[i], kl) == 0)
                k = i;
        if (k < 0)
            return fail(err, errlen,
                        "job info keys: uid user cgroup node node_rank ranks gpus tag");
        if (k != 7 && (seen & (1u << k)))
            return fail(err, errlen, "a job info key is given twice");
        seen |= 1u << k;
        long long x;
        int bad = 0;
        switch (k) {
        case 0: bad = take_int(v, vl, 4294967294LL, &x); m.uid = x; break;
        case 1: bad = take(v, vl, NAME_SET, m.user, sizeof m.user); break;
        case 2: /* absolute, without "..": it is read under /sys/fs/cgroup */
            bad = take(v, vl, PATH_SET, m.cgroup, sizeof m.cgroup) || m.cgroup[0] != '/' ||
                  strstr(m.cgroup, "/..") != NULL;
            break;
        case 3: bad = take(v, vl, NAME_SET, m.node, sizeof m.node); break;
        case 4: bad = take_int(v, vl, 1000000, &x); m.node_rank = (int)x; break;
        case 5: bad = take(v, vl, LIST_SET, m.ranks, sizeof m.ranks); break;
        case 6: bad = take(v, vl, LIST_SET, m.gpus, sizeof m.gpus); break;
        default: {
            const char *eq2 = memchr(v, '=', vl);
            if (!eq2 || m.n_tags >= AIM_JOB_INFO_TAGS)
                return fail(err, errlen, "tag=KEY=VALUE, at most 8");
            size_t tk = (size_t)(eq2 - v), tv = vl - tk - 1;
            char *key = m.tag_key[m.n_tags], *val = m.tag_value[m.n_tags];
            if (tk == 0 || tk >= sizeof m.tag_key[0] || tv >= sizeof m.tag_value[0])
                return fail(err, errlen, "a tag's key is 1-63 bytes, its value 0-63");
            /* run_tags.h's key rule; values as names (no spaces in a protocol word) */
            if (take(v, tk, NAME_SET, key, sizeof m.tag_key[0]) || !strchr(LETTERS, key[0]) ||
                (tv && take(eq2 + 1, tv, PATH_SET "=,", val, sizeof m.tag_value[0])))
                return fail(err, errlen, "a tag's key is A-Z a-z 0-9 _ . - from a letter");
            if (aim__job_info_tag_reserved(key))
                return fail(err, errlen, "tag keys job node node_rank ranks user measured_by "
                                         "agent_run cgroup are the agent's own");
            m.n_tags++;
            break;
        }
        }
        if (bad)
            return fail(err, errlen, k == 2 ? "cgroup is an absolute path of A-Z a-z 0-9 _ . "
                                              "- / : @ + without .."
                                            : "a job info value is too long or has a "
                                              "character it may not have");
    }
    *ret = m;
    return 0;
}
