/* RAPL through the perf `power` PMU: 64-bit counts that the kernel keeps from wrapping,
 * readable with CAP_PERFMON or perf_event_paranoid <= 0 even where powercap is root-only.
 * Discovery reads sysfs (bus/event_source/devices/power: type, cpumask, events and their
 * scales), so everything but the perf_event_open call is testable on fixtures. The source
 * (rapl.c) prefers this back-end when every event it lists opens on every package. */
#include "sources/cpu/rapl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "util/fileio.h"
#include "sources/cpu/rapl_backend.h"
#include "util/number.h"

/* ------------------------------------------------------------------ perf PMU discovery */

static const struct {
    const char *name;
    aim_rapl_domain domain;
} perf_events[AIM_RAPL_PERF_MAX_EVENTS] = {
    { "energy-pkg", AIM_RAPL_PKG },     { "energy-cores", AIM_RAPL_CORE },
    { "energy-gpu", AIM_RAPL_UNCORE },  { "energy-ram", AIM_RAPL_DRAM },
    { "energy-psys", AIM_RAPL_PSYS },
};

int aim__rapl_parse_event(const char *text, uint64_t *ret_config) {
    static const char prefix[] = "event=";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return -EINVAL;
    const char *p = text + sizeof prefix - 1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    uint64_t v = 0;
    int n = 0;
    for (; aim__hex_digit(*p) >= 0; p++, n++) {
        if (v > (UINT64_MAX >> 4))
            return -EINVAL;
        v = (v << 4) | (uint64_t)aim__hex_digit(*p);
    }
    while (*p == '\n' || *p == ' ')
        p++;
    if (n == 0 || *p != '\0')
        return -EINVAL;
    *ret_config = v;
    return 0;
}

int aim__rapl_parse_scale(const char *text, double *ret_scale) {
    /* The sysfs file ends in a newline; the number before it is read by the one locale-free
     * parser (no hex, "inf" or "nan", whatever the process locale's decimal separator). */
    size_t len = strcspn(text, "\n ");
    const char *p = text + len;
    while (*p == '\n' || *p == ' ')
        p++;
    double v;
    if (*p != '\0' || aim__parse_decimal(text, len, 0, &v) < 0 || !isfinite(v) || v <= 0)
        return -EINVAL;
    *ret_scale = v;
    return 0;
}

static int parse_cpu(const char **p, int *ret) {
    uint64_t v;
    if (**p < '0' || **p > '9' || aim__scan_u64(p, &v) < 0 || v > 1u << 20)
        return -EINVAL;
    *ret = (int)v;
    return 0;
}

int aim__rapl_parse_cpulist(const char *text, int *cpus, int max, int *ret_n) {
    const char *p = text;
    int n = 0;
    while (*p && *p != '\n') {
        int lo, hi;
        if (parse_cpu(&p, &lo) < 0)
            return -EINVAL;
        hi = lo;
        if (*p == '-') {
            p++;
            if (parse_cpu(&p, &hi) < 0 || hi < lo)
                return -EINVAL;
        }
        for (int c = lo; c <= hi; c++) {
            if (n >= max)
                return -E2BIG;
            cpus[n++] = c;
        }
        if (*p == ',')
            p++;
        else if (*p && *p != '\n')
            return -EINVAL;
    }
    if (n == 0)
        return -EINVAL;
    *ret_n = n;
    return 0;
}

int aim__rapl_perf_discover(const char *root, aim_rapl_perf_info *ret_info) {
    static const char pmu[] = "bus/event_source/devices/power/";
    char path[4096], rel[256], text[256];
    aim_rapl_perf_info info;
    memset(&info, 0, sizeof info);

    snprintf(rel, sizeof rel, "%stype", pmu);
    if (aim__path_join(path, sizeof path, root, rel) < 0)
        return -ENAMETOOLONG;
    uint64_t type;
    int r = aim__read_u64(path, &type);
    if (r == -ENOENT || r == -ENOTDIR)
        return -ENOENT;
    if (r < 0)
        return r;
    if (type > UINT32_MAX)
        return -EINVAL;
    info.type = (uint32_t)type;

    snprintf(rel, sizeof rel, "%scpumask", pmu);
    if (aim__path_join(path, sizeof path, root, rel) < 0)
        return -ENAMETOOLONG;
    r = aim__read_text(path, text, sizeof text);
    if (r == -ENOENT)
        return -ENODEV;
    if (r < 0)
        return r;
    r = aim__rapl_parse_cpulist(text, info.cpus, AIM_RAPL_MAX_CPUS, &info.n_cpus);
    if (r < 0)
        return r;

    for (int i = 0; i < AIM_RAPL_PERF_MAX_EVENTS; i++) {
        aim_rapl_perf_event *e = &info.events[info.n_events];
        snprintf(rel, sizeof rel, "%sevents/%s", pmu, perf_events[i].name);
        if (aim__path_join(path, sizeof path, root, rel) < 0 ||
            aim__read_text(path, text, sizeof text) < 0 ||
            aim__rapl_parse_event(text, &e->config) < 0)
            continue;
        snprintf(rel, sizeof rel, "%sevents/%s.scale", pmu, perf_events[i].name);
        if (aim__path_join(path, sizeof path, root, rel) < 0 ||
            aim__read_text(path, text, sizeof text) < 0 ||
            aim__rapl_parse_scale(text, &e->scale) < 0)
            continue;
        e->name = perf_events[i].name;
        e->domain = perf_events[i].domain;
        info.n_events++;
    }
    if (info.n_events == 0)
        return -ENODEV;
    *ret_info = info;
    return 0;
}

/* ------------------------------------------------------------------ perf back-end */

/* The only place the syscall is made: everything else is testable on fixtures. */
static int perf_open_counter(uint32_t type, uint64_t config, int cpu) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = type;
    attr.size = sizeof attr;
    attr.config = config;
    long fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int aim__rapl_perf_read(int fd, uint64_t *ret) {
    uint64_t v;
    ssize_t n;
    do
        n = read(fd, &v, sizeof v);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n != (ssize_t)sizeof v)
        return -EIO;
    *ret = v;
    return 0;
}

/* Device number for the i-th CPU of the cpumask: its physical package id when every listed
 * CPU has a distinct one (so perf and powercap name packages alike), else the ordinal (one
 * entry per die on multi-die parts, like the powercap back-end). */
static void perf_device_numbers(const char *root, const aim_rapl_perf_info *info, int *dev) {
    char rel[128], path[4096];
    int ok = 1;
    for (int i = 0; i < info->n_cpus && ok; i++) {
        uint64_t id;
        snprintf(rel, sizeof rel, "devices/system/cpu/cpu%d/topology/physical_package_id",
                 info->cpus[i]);
        ok = aim__path_join(path, sizeof path, root, rel) == 0 && aim__read_u64(path, &id) == 0 &&
             id < 4096;
        for (int j = 0; ok && j < i; j++)
            ok = dev[j] != (int)id;
        if (ok)
            dev[i] = (int)id;
    }
    if (!ok)
        for (int i = 0; i < info->n_cpus; i++)
            dev[i] = i;
}

/* Opens every event on every package; all or nothing, so a machine is measured by one
 * back-end only. Returns the number of counters, or -errno of the first failure (the
 * perf_event_open errno: EACCES/EPERM for permission, ENOENT/EINVAL/ENODEV otherwise). */
int aim__rapl_perf_open_all(const char *root, rapl_state *st) {
    aim_rapl_perf_info info;
    int r = aim__rapl_perf_discover(root, &info);
    if (r < 0)
        return r;
    int dev[AIM_RAPL_MAX_CPUS];
    perf_device_numbers(root, &info, dev);
    for (int i = 0; i < info.n_cpus; i++) {
        for (int e = 0; e < info.n_events; e++) {
            /* psys is platform-wide: count it once, on the first package's CPU. */
            if (info.events[e].domain == AIM_RAPL_PSYS && i > 0)
                continue;
            if (st->n >= RAPL_MAX_COUNTERS) {
                aim__rapl_close_counters(st);
                return -E2BIG;
            }
            int fd = perf_open_counter(info.type, info.events[e].config, info.cpus[i]);
            uint64_t v = 0;
            if (fd >= 0 && (r = aim__rapl_perf_read(fd, &v)) < 0) {
                close(fd);
                fd = r;
            }
            if (fd < 0) {
                aim__rapl_close_counters(st);
                return fd;
            }
            rapl_counter *c = &st->c[st->n++];
            memset(c, 0, sizeof *c);
            c->fd = fd;
            c->is_perf = 1;
            c->domain = info.events[e].domain;
            c->dev = info.events[e].domain == AIM_RAPL_PSYS ? 0 : dev[i];
            c->scale = info.events[e].scale;
            c->last = v;
        }
    }
    return st->n;
}

/* ------------------------------------------------------------------ probe */

void aim__rapl_perf_probe(const char *root, aim_probe_report *rep, int *avail, int *denied) {
    aim_rapl_perf_info info;
    int r = aim__rapl_perf_discover(root, &info);
    if (r == -ENOENT) {
        aim__probe_add(rep, "perf power PMU", "absent",
                      "no bus/event_source/devices/power (kernel without the RAPL PMU, or a VM)");
        return;
    }
    if (r < 0) {
        aim__probe_add(rep, "perf power PMU", "not supported", "unusable: %s", aim_strerror(r));
        return;
    }
    for (int e = 0; e < info.n_events; e++) {
        char what[96];
        snprintf(what, sizeof what, "perf power/%s", info.events[e].name);
        int fd = perf_open_counter(info.type, info.events[e].config, info.cpus[0]);
        if (fd >= 0) {
            close(fd);
            ++*avail;
            aim__probe_add(rep, what, "available", "%s energy, %d package(s), 64-bit counts",
                          aim__rapl_domain_label(info.events[e].domain), info.n_cpus);
        } else if (fd == -EACCES || fd == -EPERM) {
            ++*denied;
            aim__probe_add(rep, what, "no permission",
                          "needs root, CAP_PERFMON or sysctl kernel.perf_event_paranoid=0 "
                          "(see docs/permissions.md)");
        } else {
            aim__probe_add(rep, what, "not supported", "perf_event_open: %s", aim_strerror(fd));
        }
    }
}
