#include "sources/procfs_parse.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Every scanner below works on [p, end) and never dereferences end: the buffers come from
 * pread() or a fuzzer and carry no terminator we could rely on. */

static int is_blank(char c) { return c == ' ' || c == '\t'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_blanks(const char *p, const char *end) {
    while (p < end && is_blank(*p))
        p++;
    return p;
}

/* An unsigned decimal at *p (no leading blanks). -EINVAL without a digit, -ERANGE on
 * overflow; on success *p points just past the last digit. */
static int scan_u64(const char **p, const char *end, uint64_t *ret) {
    const char *s = *p;
    if (s >= end || !is_digit(*s))
        return -EINVAL;
    uint64_t v = 0;
    while (s < end && is_digit(*s)) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *ret = v;
    return 0;
}

/* A signed decimal (the kernel prints some stat fields with %d/%ld). */
static int scan_i64(const char **p, const char *end, int64_t *ret) {
    const char *s = *p;
    int neg = 0;
    if (s < end && *s == '-') {
        neg = 1;
        s++;
    }
    uint64_t v;
    int r = scan_u64(&s, end, &v);
    if (r < 0)
        return r;
    if (v > (uint64_t)INT64_MAX)
        return -ERANGE;
    *p = s;
    *ret = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* ---------------------------------------------------------------- /proc/stat */

/* /proc/stat cpu line fields, in order. guest and guest_nice are already included in user
 * and nice by the kernel, so they are read past but never added to the total. */
enum { F_USER, F_NICE, F_SYSTEM, F_IDLE, F_IOWAIT, F_IRQ, F_SOFTIRQ, F_STEAL, F_MAX = 10 };

/* Parses the numbers of one cpu line, [p, nl). */
static int parse_cpu_fields(const char *p, const char *nl, aim_cpu_jiffies *ret) {
    uint64_t f[F_MAX] = { 0 };
    int n = 0;
    for (;;) {
        p = skip_blanks(p, nl);
        if (p == nl || n == F_MAX) /* later kernels may add fields: ignore them */
            break;
        if (scan_u64(&p, nl, &f[n]) < 0)
            return -EINVAL;
        if (p < nl && !is_blank(*p))
            return -EINVAL;
        n++;
    }
    /* user nice system idle: present since 2.4; the rest read as 0 where absent. */
    if (n < 4)
        return -EINVAL;
    uint64_t total = 0;
    for (int i = F_USER; i <= F_STEAL; i++)
        if (__builtin_add_overflow(total, f[i], &total))
            return -ERANGE;
    ret->total = total;
    ret->idle = f[F_IDLE] + f[F_IOWAIT]; /* both are part of total: cannot overflow */
    return 0;
}

int aim__parse_proc_stat(const char *buf, size_t len, aim_cpu_jiffies *ret_all,
                        aim_cpu_jiffies *cpus, uint8_t *present, int n_cpus, int *ret_max_cpu) {
    const char *p = buf, *end = buf + len;
    int parsed = 0, max_cpu = -1, have_all = 0;
    for (int line = 0; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* cut short: the numbers on this line may be truncated */
        /* The cpu lines come first and together; the rest of the file is not ours. */
        if (nl - p < 3 || memcmp(p, "cpu", 3) != 0)
            break;
        const char *q = p + 3;
        long cpu = -1;
        int ok = 1;
        if (q < nl && is_digit(*q)) {
            cpu = 0;
            /* Bounded: NR_CPUS is at most 8192; a longer number is garbage. */
            for (int digits = 0; q < nl && is_digit(*q); q++, digits++) {
                if (digits == 7) {
                    ok = 0;
                    break;
                }
                cpu = cpu * 10 + (*q - '0');
            }
            if (ok && (q == nl || !is_blank(*q)))
                ok = 0;
        } else if (q == nl || !is_blank(*q)) {
            ok = 0; /* "cpufoo" */
        }
        aim_cpu_jiffies j = { 0, 0 };
        if (ok && parse_cpu_fields(q, nl, &j) < 0)
            ok = 0;
        if (line == 0) {
            if (!ok || cpu != -1)
                return -EINVAL;
            *ret_all = j;
            have_all = 1;
        } else if (ok && cpu >= 0) {
            parsed++;
            if (cpu > max_cpu)
                max_cpu = (int)cpu;
            if (cpu < n_cpus) {
                cpus[cpu] = j;
                present[cpu] = 1;
            }
        }
        p = nl + 1;
    }
    if (!have_all)
        return -EINVAL;
    if (ret_max_cpu)
        *ret_max_cpu = max_cpu;
    return parsed;
}

/* ---------------------------------------------------------------- /proc/meminfo */

static const struct {
    const char *key;
    size_t key_len;
    unsigned bit;
    size_t offset;
} meminfo_keys[] = {
    { "MemTotal", 8, AIM_MEMINFO_TOTAL, offsetof(aim_meminfo, total_kib) },
    { "MemFree", 7, AIM_MEMINFO_FREE, offsetof(aim_meminfo, free_kib) },
    { "MemAvailable", 12, AIM_MEMINFO_AVAILABLE, offsetof(aim_meminfo, available_kib) },
    { "Buffers", 7, AIM_MEMINFO_BUFFERS, offsetof(aim_meminfo, buffers_kib) },
    { "Cached", 6, AIM_MEMINFO_CACHED, offsetof(aim_meminfo, cached_kib) },
};
#define N_MEMINFO_KEYS (sizeof meminfo_keys / sizeof meminfo_keys[0])
#define MEMINFO_ALL                                                                        \
    (AIM_MEMINFO_TOTAL | AIM_MEMINFO_FREE | AIM_MEMINFO_AVAILABLE | AIM_MEMINFO_BUFFERS |  \
     AIM_MEMINFO_CACHED)

/* "   12345 kB" (or no unit) up to nl. */
static int parse_meminfo_value(const char *p, const char *nl, uint64_t *ret) {
    p = skip_blanks(p, nl);
    uint64_t v;
    if (scan_u64(&p, nl, &v) < 0)
        return -EINVAL;
    p = skip_blanks(p, nl);
    if (nl - p >= 2 && p[0] == 'k' && p[1] == 'B')
        p = skip_blanks(p + 2, nl);
    if (p != nl)
        return -EINVAL;
    *ret = v;
    return 0;
}

int aim__parse_meminfo(const char *buf, size_t len, aim_meminfo *ret) {
    aim_meminfo mi;
    memset(&mi, 0, sizeof mi);
    const char *p = buf, *end = buf + len;
    /* The five keys are the first lines of every kernel's meminfo: stop once they are in. */
    while (p < end && mi.have != MEMINFO_ALL) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (colon) {
            size_t klen = (size_t)(colon - p);
            for (size_t i = 0; i < N_MEMINFO_KEYS; i++) {
                if (klen != meminfo_keys[i].key_len || (mi.have & meminfo_keys[i].bit) ||
                    memcmp(p, meminfo_keys[i].key, klen) != 0)
                    continue;
                uint64_t v;
                if (parse_meminfo_value(colon + 1, nl, &v) == 0) {
                    memcpy((char *)&mi + meminfo_keys[i].offset, &v, sizeof v);
                    mi.have |= meminfo_keys[i].bit;
                }
                break;
            }
        }
        p = nl + 1;
    }
    *ret = mi;
    return (mi.have & AIM_MEMINFO_TOTAL) ? 0 : -EINVAL;
}

int aim__meminfo_used_kib(const aim_meminfo *mi, uint64_t *ret_used_kib) {
    if (!(mi->have & AIM_MEMINFO_TOTAL) || mi->total_kib == 0)
        return -EINVAL;
    uint64_t avail;
    if (mi->have & AIM_MEMINFO_AVAILABLE) {
        avail = mi->available_kib;
    } else {
        const unsigned need = AIM_MEMINFO_FREE | AIM_MEMINFO_BUFFERS | AIM_MEMINFO_CACHED;
        if ((mi->have & need) != need)
            return -EINVAL;
        if (__builtin_add_overflow(mi->free_kib, mi->buffers_kib, &avail) ||
            __builtin_add_overflow(avail, mi->cached_kib, &avail))
            return -EINVAL;
    }
    if (avail > mi->total_kib)
        return -EINVAL;
    *ret_used_kib = mi->total_kib - avail;
    return 0;
}

/* ---------------------------------------------------------------- /proc/cpuinfo */

int aim__parse_cpuinfo_model(const char *buf, size_t len, char *out, size_t out_size) {
    if (out_size == 0)
        return -EINVAL;
    out[0] = '\0';
    const char *p = buf, *end = buf + len;
    static const char key[] = "model name";
    const size_t key_len = sizeof key - 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (colon) {
            const char *k_end = colon;
            while (k_end > p && is_blank(k_end[-1]))
                k_end--;
            if ((size_t)(k_end - p) == key_len && memcmp(p, key, key_len) == 0) {
                const char *v = skip_blanks(colon + 1, nl), *v_end = nl;
                while (v_end > v && is_blank(v_end[-1]))
                    v_end--;
                size_t n = (size_t)(v_end - v);
                if (n >= out_size)
                    n = out_size - 1;
                memcpy(out, v, n);
                out[n] = '\0';
                /* A NUL inside the value would end the string early: harmless. */
                return n > 0 ? 0 : -ENOENT;
            }
        }
        p = nl + 1;
    }
    return -ENOENT;
}

/* ---------------------------------------------------------------- /proc/<pid>/stat */

/* Fields after "pid (comm) state", counting ppid as 0; rss is the last we need. */
enum { S_PPID = 0, S_UTIME = 10, S_STIME = 11, S_CUTIME = 12, S_CSTIME = 13, S_STARTTIME = 18,
       S_RSS = 20, S_NEEDED = 21 };

int aim__parse_pid_stat(const char *buf, size_t len, aim_pid_stat *ret) {
    const char *p = buf, *end = buf + len;
    uint64_t pid;
    if (scan_u64(&p, end, &pid) < 0 || pid == 0 || pid > INT_MAX)
        return -EINVAL;
    if (end - p < 2 || p[0] != ' ' || p[1] != '(')
        return -EINVAL;
    const char *lp = p + 1;
    /* comm may contain ')' and spaces ("my (weird) proc"): only the last ')' ends it. */
    const char *rp = memrchr(lp, ')', (size_t)(end - lp));
    if (!rp)
        return -EINVAL;
    aim_pid_stat st;
    memset(&st, 0, sizeof st);
    st.pid = (int)pid;
    size_t clen = (size_t)(rp - lp - 1);
    if (clen >= sizeof st.comm)
        clen = sizeof st.comm - 1;
    memcpy(st.comm, lp + 1, clen);
    st.comm[clen] = '\0';

    p = rp + 1;
    if (end - p < 2 || p[0] != ' ' || is_blank(p[1]) || p[1] == '\n')
        return -EINVAL;
    st.state = p[1];
    p += 2;
    int64_t f[S_NEEDED];
    for (int i = 0; i < S_NEEDED; i++) {
        if (p >= end || *p != ' ')
            return -EINVAL;
        p++;
        if (scan_i64(&p, end, &f[i]) < 0)
            return -EINVAL;
    }
    if (p < end && *p != ' ' && *p != '\n')
        return -EINVAL;
    if (f[S_PPID] < 0 || f[S_PPID] > INT_MAX)
        return -EINVAL;
    st.ppid = (int)f[S_PPID];
    /* The kernel never prints negative times; clamp rather than wrap if one ever does. */
    st.utime = f[S_UTIME] > 0 ? (uint64_t)f[S_UTIME] : 0;
    st.stime = f[S_STIME] > 0 ? (uint64_t)f[S_STIME] : 0;
    st.cutime = f[S_CUTIME] > 0 ? (uint64_t)f[S_CUTIME] : 0;
    st.cstime = f[S_CSTIME] > 0 ? (uint64_t)f[S_CSTIME] : 0;
    st.starttime = f[S_STARTTIME] > 0 ? (uint64_t)f[S_STARTTIME] : 0;
    st.rss_pages = f[S_RSS] > 0 ? (uint64_t)f[S_RSS] : 0;
    *ret = st;
    return 0;
}

/* ---------------------------------------------------------------- pid lists */

void aim__pid_list_init(aim_pid_list_parser *p) { memset(p, 0, sizeof *p); }

static int pid_list_emit(aim_pid_list_parser *p, aim_pid_list_fn fn, void *userdata) {
    int r = 0;
    if (p->in_number && !p->bad && p->cur > 0)
        r = fn((int)p->cur, userdata);
    p->cur = 0;
    p->in_number = 0;
    p->bad = 0;
    return r;
}

int aim__pid_list_feed(aim_pid_list_parser *p, const char *buf, size_t len, aim_pid_list_fn fn,
                      void *userdata) {
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (is_digit(c)) {
            uint32_t d = (uint32_t)(c - '0');
            if (p->cur > ((uint32_t)INT_MAX - d) / 10)
                p->bad = 1;
            else
                p->cur = p->cur * 10 + d;
            p->in_number = 1;
        } else if (is_blank(c) || c == '\n') {
            int r = pid_list_emit(p, fn, userdata);
            if (r)
                return r;
        } else {
            p->bad = 1;
            p->in_number = 1;
        }
    }
    return 0;
}

int aim__pid_list_finish(aim_pid_list_parser *p, aim_pid_list_fn fn, void *userdata) {
    return pid_list_emit(p, fn, userdata);
}
