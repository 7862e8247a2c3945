/* RAPL: CPU package, core, uncore, DRAM and platform (psys) energy counters.
 *
 * Two back-ends, chosen per machine at open:
 *  - the perf `power` PMU: 64-bit counts that the kernel keeps from wrapping, readable with
 *    CAP_PERFMON or perf_event_paranoid <= 0 even where powercap is root-only. Preferred
 *    when every event it lists opens on every package.
 *  - powercap sysfs (class/powercap/intel-rapl:*, intel-rapl-mmio:*): energy_uj on
 *    descriptors kept open, wrap-around corrected with max_energy_range_uj.
 * Both declare the same devices and series, so nothing downstream knows which one ran:
 *   package N -> "cpuN"  energy (whole package), energy.core (PP0), energy.uncore (PP1)
 *   dram of package N -> "dramN" energy;   psys -> "psys0" energy (platform, not totalled)
 * On parts with several dies per package the kernel gives each die its own zone
 * ("package-0-die-1"); each die then becomes its own cpuN, numbered in (package, die)
 * order, with its dram as dramN, so the run total still sums every die once.
 * Values are joules since open: the reading taken at open is the zero. */
#include "sources/cpu/rapl.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "util/fileio.h"
#include "sources/source.h"

#define RAPL_MAX_COUNTERS 64
#define PC_MAX_ZONES 64

/* ------------------------------------------------------------------ wrap-around */

uint64_t aim_rapl_delta(uint64_t prev, uint64_t cur, uint64_t max_range) {
    if (cur >= prev)
        return cur - prev;
    if (max_range > 0 && prev <= max_range)
        return (max_range - prev) + cur;
    return 0;
}

/* ------------------------------------------------------------------ perf PMU discovery */

static const struct {
    const char *name;
    aim_rapl_domain domain;
} perf_events[AIM_RAPL_PERF_MAX_EVENTS] = {
    { "energy-pkg", AIM_RAPL_PKG },     { "energy-cores", AIM_RAPL_CORE },
    { "energy-gpu", AIM_RAPL_UNCORE },  { "energy-ram", AIM_RAPL_DRAM },
    { "energy-psys", AIM_RAPL_PSYS },
};

static int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int aim_rapl_parse_event(const char *text, uint64_t *ret_config) {
    static const char prefix[] = "event=";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return -EINVAL;
    const char *p = text + sizeof prefix - 1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    uint64_t v = 0;
    int n = 0;
    for (; hex_digit(*p) >= 0; p++, n++) {
        if (v > (UINT64_MAX >> 4))
            return -EINVAL;
        v = (v << 4) | (uint64_t)hex_digit(*p);
    }
    while (*p == '\n' || *p == ' ')
        p++;
    if (n == 0 || *p != '\0')
        return -EINVAL;
    *ret_config = v;
    return 0;
}

int aim_rapl_parse_scale(const char *text, double *ret_scale) {
    /* Check the shape by hand so that strtod cannot take hex, "inf" or "nan", then let
     * strtod_l in the C locale do the correctly rounded conversion whatever the process
     * locale's decimal separator is. */
    const char *p = text;
    int mant = 0;
    while (*p >= '0' && *p <= '9')
        p++, mant++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            mant++;
    if (mant == 0)
        return -EINVAL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        int exp = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            exp++;
        if (exp == 0)
            return -EINVAL;
    }
    size_t len = (size_t)(p - text);
    while (*p == '\n' || *p == ' ')
        p++;
    if (*p != '\0')
        return -EINVAL;
    char buf[64];
    if (len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c == (locale_t)0)
        return -ENOMEM;
    double v = strtod_l(buf, NULL, c);
    freelocale(c);
    if (!isfinite(v) || v <= 0)
        return -EINVAL;
    *ret_scale = v;
    return 0;
}

static int parse_cpu(const char **p, int *ret) {
    uint64_t v;
    if (**p < '0' || **p > '9' || aim_scan_u64(p, &v) < 0 || v > 1u << 20)
        return -EINVAL;
    *ret = (int)v;
    return 0;
}

int aim_rapl_parse_cpulist(const char *text, int *cpus, int max, int *ret_n) {
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

int aim_rapl_perf_discover(const char *root, aim_rapl_perf_info *ret_info) {
    static const char pmu[] = "bus/event_source/devices/power/";
    char path[4096], rel[256], text[256];
    aim_rapl_perf_info info;
    memset(&info, 0, sizeof info);

    snprintf(rel, sizeof rel, "%stype", pmu);
    if (aim_path_join(path, sizeof path, root, rel) < 0)
        return -ENAMETOOLONG;
    uint64_t type;
    int r = aim_read_u64(path, &type);
    if (r == -ENOENT || r == -ENOTDIR)
        return -ENOENT;
    if (r < 0)
        return r;
    if (type > UINT32_MAX)
        return -EINVAL;
    info.type = (uint32_t)type;

    snprintf(rel, sizeof rel, "%scpumask", pmu);
    if (aim_path_join(path, sizeof path, root, rel) < 0)
        return -ENAMETOOLONG;
    r = aim_read_text(path, text, sizeof text);
    if (r == -ENOENT)
        return -ENODEV;
    if (r < 0)
        return r;
    r = aim_rapl_parse_cpulist(text, info.cpus, AIM_RAPL_MAX_CPUS, &info.n_cpus);
    if (r < 0)
        return r;

    for (int i = 0; i < AIM_RAPL_PERF_MAX_EVENTS; i++) {
        aim_rapl_perf_event *e = &info.events[info.n_events];
        snprintf(rel, sizeof rel, "%sevents/%s", pmu, perf_events[i].name);
        if (aim_path_join(path, sizeof path, root, rel) < 0 ||
            aim_read_text(path, text, sizeof text) < 0 ||
            aim_rapl_parse_event(text, &e->config) < 0)
            continue;
        snprintf(rel, sizeof rel, "%sevents/%s.scale", pmu, perf_events[i].name);
        if (aim_path_join(path, sizeof path, root, rel) < 0 ||
            aim_read_text(path, text, sizeof text) < 0 ||
            aim_rapl_parse_scale(text, &e->scale) < 0)
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

/* ------------------------------------------------------------------ state */

typedef struct rapl_counter {
    int fd;
    int slot;
    int is_perf;
    aim_rapl_domain domain;
    int dev;            /* N of cpuN / dramN / psysN */
    double scale;       /* perf: joules per count */
    uint64_t max_range; /* powercap: wrap point in µJ (0 = unknown) */
    uint64_t last;      /* last raw reading */
    uint64_t total;     /* raw units since open */
    int dead;
} rapl_counter;

typedef struct rapl_state {
    const char *backend;
    int n;
    rapl_counter c[RAPL_MAX_COUNTERS];
} rapl_state;

const char *aim_rapl_backend(const void *state) {
    return state ? ((const rapl_state *)state)->backend : NULL;
}

static void close_counters(rapl_state *st) {
    for (int i = 0; i < st->n; i++)
        if (st->c[i].fd >= 0)
            close(st->c[i].fd);
    st->n = 0;
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

static int perf_read_counter(int fd, uint64_t *ret) {
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
        ok = aim_path_join(path, sizeof path, root, rel) == 0 && aim_read_u64(path, &id) == 0 &&
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
static int perf_open_all(const char *root, rapl_state *st) {
    aim_rapl_perf_info info;
    int r = aim_rapl_perf_discover(root, &info);
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
                close_counters(st);
                return -E2BIG;
            }
            int fd = perf_open_counter(info.type, info.events[e].config, info.cpus[i]);
            uint64_t v = 0;
            if (fd >= 0 && (r = perf_read_counter(fd, &v)) < 0) {
                close(fd);
                fd = r;
            }
            if (fd < 0) {
                close_counters(st);
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

/* ------------------------------------------------------------------ powercap discovery */

typedef struct pc_zone {
    char dir[64];          /* "intel-rapl:0:1" */
    char name[32];         /* "dram" */
    aim_rapl_domain domain;
    int mmio;
    int parent;            /* index of the package zone, -1 for top-level zones */
    int pkg, die, has_die; /* package zones */
    int dev;               /* N of cpuN / dramN / psysN */
    int skip;              /* duplicate (mmio) or orphan */
} pc_zone;

static int is_mmio(const char *d) { return strncmp(d, "intel-rapl-mmio:", 16) == 0; }

static int zone_dir_cmp(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    /* The MSR tree first: MMIO zones duplicating a package are recognised against it. */
    if (is_mmio(x) != is_mmio(y))
        return is_mmio(x) - is_mmio(y);
    return strverscmp(x, y);
}

static int parse_package_name(const char *name, pc_zone *z) {
    static const char pfx[] = "package-";
    if (strncmp(name, pfx, sizeof pfx - 1) != 0)
        return -EINVAL;
    const char *p = name + sizeof pfx - 1;
    uint64_t pkg, die = 0;
    if (*p < '0' || *p > '9' || aim_scan_u64(&p, &pkg) < 0 || pkg > 4095)
        return -EINVAL;
    z->has_die = 0;
    if (strncmp(p, "-die-", 5) == 0) {
        p += 5;
        if (*p < '0' || *p > '9' || aim_scan_u64(&p, &die) < 0 || die > 4095)
            return -EINVAL;
        z->has_die = 1;
    }
    if (*p != '\0')
        return -EINVAL;
    z->pkg = (int)pkg;
    z->die = (int)die;
    return 0;
}

static int zone_find(const pc_zone *zones, int n, const char *dir, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(zones[i].dir) == len && strncmp(zones[i].dir, dir, len) == 0)
            return i;
    return -1;
}

static int zone_path(char *buf, size_t size, const char *root, const char *dir,
                     const char *file) {
    char rel[160];
    int n = snprintf(rel, sizeof rel, "class/powercap/%s/%s", dir, file);
    if (n < 0 || (size_t)n >= sizeof rel)
        return -ENAMETOOLONG;
    return aim_path_join(buf, size, root, rel);
}

/* Lists the RAPL zones under class/powercap and names them. Zones are identified by their
 * name file only: directory ids are hex and their order is not meaningful. Returns the
 * number of zones (skipped ones included, flagged), or -errno when the directory cannot be
 * listed (-ENOENT: no powercap). */
static int pc_discover(const char *root, pc_zone *zones, int max) {
    char path[4096];
    if (aim_path_join(path, sizeof path, root, "class/powercap") < 0)
        return -ENAMETOOLONG;
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    char *names[PC_MAX_ZONES];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < PC_MAX_ZONES) {
        if ((strncmp(de->d_name, "intel-rapl:", 11) != 0 && !is_mmio(de->d_name)) ||
            strlen(de->d_name) >= sizeof zones[0].dir)
            continue;
        if (!(names[nn] = strdup(de->d_name)))
            break;
        nn++;
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof names[0], zone_dir_cmp);

    int n = 0;
    for (int i = 0; i < nn && n < max; i++) {
        pc_zone *z = &zones[n];
        memset(z, 0, sizeof *z);
        snprintf(z->dir, sizeof z->dir, "%s", names[i]);
        z->mmio = is_mmio(z->dir);
        z->parent = -1;
        if (zone_path(path, sizeof path, root, z->dir, "name") < 0 ||
            aim_read_text(path, z->name, sizeof z->name) < 0)
            continue;
        const char *colon = strchr(z->dir, ':');
        const char *last = strrchr(z->dir, ':');
        if (colon == last) {
            if (parse_package_name(z->name, z) == 0)
                z->domain = AIM_RAPL_PKG;
            else if (strcmp(z->name, "psys") == 0)
                z->domain = AIM_RAPL_PSYS;
            else
                z->skip = 1;
        } else {
            z->parent = zone_find(zones, n, z->dir, (size_t)(last - z->dir));
            if (strcmp(z->name, "core") == 0)
                z->domain = AIM_RAPL_CORE;
            else if (strcmp(z->name, "uncore") == 0)
                z->domain = AIM_RAPL_UNCORE;
            else if (strcmp(z->name, "dram") == 0)
                z->domain = AIM_RAPL_DRAM;
            else
                z->skip = 1;
            if (z->parent < 0 || zones[z->parent].skip || zones[z->parent].domain != AIM_RAPL_PKG)
                z->skip = 1;
        }
        n++;
    }
    for (int i = 0; i < nn; i++)
        free(names[i]);

    /* The MMIO interface re-exposes a package the MSR tree already has: count it once. */
    for (int i = 0; i < n; i++) {
        pc_zone *z = &zones[i];
        if (!z->mmio || z->parent >= 0 || z->domain != AIM_RAPL_PKG || z->skip)
            continue;
        for (int j = 0; j < n; j++)
            if (!zones[j].mmio && !zones[j].skip && zones[j].parent < 0 &&
                zones[j].domain == AIM_RAPL_PKG && zones[j].pkg == z->pkg &&
                zones[j].die == z->die)
                z->skip = 1;
    }
    for (int i = 0; i < n; i++)
        if (zones[i].parent >= 0 && zones[zones[i].parent].skip)
            zones[i].skip = 1;

    /* Device numbers: the package id, or with dies the ordinal in (package, die) order. */
    int dies = 0, psys = 0;
    for (int i = 0; i < n; i++)
        dies |= !zones[i].skip && zones[i].parent < 0 && zones[i].domain == AIM_RAPL_PKG &&
                zones[i].has_die;
    for (int i = 0; i < n; i++) {
        pc_zone *z = &zones[i];
        if (z->skip || z->parent >= 0)
            continue;
        if (z->domain == AIM_RAPL_PSYS) {
            z->dev = psys++;
        } else if (!dies) {
            z->dev = z->pkg;
        } else {
            z->dev = 0;
            for (int j = 0; j < n; j++) {
                const pc_zone *o = &zones[j];
                if (!o->skip && o->parent < 0 && o->domain == AIM_RAPL_PKG &&
                    (o->pkg < z->pkg || (o->pkg == z->pkg && o->die < z->die)))
                    z->dev++;
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (zones[i].parent >= 0)
            zones[i].dev = zones[zones[i].parent].dev;
    return n;
}

/* Opens energy_uj of every usable zone and takes the baseline reading. Returns the number
 * of counters (> 0), -EACCES when zones exist but none could be read for permission
 * (*denied names the first refused file), -ENODEV when there is nothing. */
static int powercap_open_all(const char *root, rapl_state *st, char *denied, size_t dsize) {
    pc_zone zones[PC_MAX_ZONES];
    int n = pc_discover(root, zones, PC_MAX_ZONES);
    if (n < 0)
        return -ENODEV;
    int n_denied = 0;
    char path[4096];
    for (int i = 0; i < n && st->n < RAPL_MAX_COUNTERS; i++) {
        const pc_zone *z = &zones[i];
        if (z->skip || zone_path(path, sizeof path, root, z->dir, "energy_uj") < 0)
            continue;
        uint64_t v = 0;
        int fd = aim_open_ro(path);
        int r = fd < 0 ? fd : aim_pread_u64(fd, &v);
        if (r < 0) {
            if (fd >= 0)
                close(fd);
            if ((r == -EACCES || r == -EPERM) && n_denied++ == 0)
                snprintf(denied, dsize, "%s", path);
            continue;
        }
        rapl_counter *c = &st->c[st->n++];
        memset(c, 0, sizeof *c);
        c->fd = fd;
        c->domain = z->domain;
        c->dev = z->dev;
        c->last = v;
        if (zone_path(path, sizeof path, root, z->dir, "max_energy_range_uj") < 0 ||
            aim_read_u64(path, &c->max_range) < 0)
            c->max_range = 0; /* no wrap correction possible; a decrease becomes a restart */
    }
    if (st->n > 0)
        return st->n;
    return n_denied > 0 ? -EACCES : -ENODEV;
}

/* ------------------------------------------------------------------ the source */

static int declare(aim_source_ctx *ctx, rapl_state *st) {
    for (int i = 0; i < st->n; i++) {
        rapl_counter *c = &st->c[i];
        char name[32];
        aim_device_kind kind = AIM_DEV_CPU;
        aim_metric_id metric = AIM_M_ENERGY;
        switch (c->domain) {
        case AIM_RAPL_PKG: snprintf(name, sizeof name, "cpu%d", c->dev); break;
        case AIM_RAPL_CORE:
            snprintf(name, sizeof name, "cpu%d", c->dev);
            metric = AIM_M_RAPL_CORE_ENERGY;
            break;
        case AIM_RAPL_UNCORE:
            snprintf(name, sizeof name, "cpu%d", c->dev);
            metric = AIM_M_RAPL_UNCORE_ENERGY;
            break;
        case AIM_RAPL_DRAM:
            snprintf(name, sizeof name, "dram%d", c->dev);
            kind = AIM_DEV_DRAM;
            break;
        case AIM_RAPL_PSYS:
        default:
            snprintf(name, sizeof name, "psys%d", c->dev);
            kind = AIM_DEV_PLATFORM;
            break;
        }
        int dev = aim_source_ctx_add_device(ctx, name, kind, NULL);
        if (dev < 0)
            return dev;
        int slot = aim_source_ctx_add_series(ctx, dev, metric, -1, AIM_METHOD_MEASURED);
        if (slot == -EEXIST) {
            /* Two zones claiming the same package: keep the first, never count twice. */
            c->dead = 1;
            continue;
        }
        if (slot < 0)
            return slot;
        c->slot = slot;
    }
    return 0;
}

static void rapl_close(void *state) {
    rapl_state *st = state;
    if (!st)
        return;
    close_counters(st);
    free(st);
}

static int rapl_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    rapl_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    char denied[4096] = "";
    int r = perf_open_all(env->sysfs_root, st);
    int perf_err = r < 0 ? r : 0;
    if (r > 0) {
        st->backend = "perf";
    } else {
        /* Any perf failure (no PMU, no permission, a PMU the kernel refuses) falls back to
         * powercap silently: the warning, if any, is about what could not be measured. */
        r = powercap_open_all(env->sysfs_root, st, denied, sizeof denied);
        st->backend = "powercap";
    }
    if (r == -EACCES || (r > 0 && denied[0])) {
        /* Exactly one warning however many zones refused: the fix is the same for all. */
        aim_source_ctx_warn(ctx,
                            "RAPL: permission denied (energy_uj is root-only); run as root, "
                            "chmod or a udev rule on energy_uj (see docs/permissions.md), or "
                            "sysctl kernel.perf_event_paranoid=0; first denied: %s",
                            denied);
    }
    if (r == -EACCES) {
        rapl_close(st);
        return -EACCES;
    }
    if (r == -ENODEV && (perf_err == -EACCES || perf_err == -EPERM)) {
        aim_source_ctx_warn(ctx,
                            "RAPL: permission denied opening the perf power PMU; run as root, "
                            "sysctl kernel.perf_event_paranoid=0, or setcap cap_perfmon+ep on "
                            "the binary (see docs/permissions.md)");
        rapl_close(st);
        return -EACCES;
    }
    if (r < 0) {
        rapl_close(st);
        return r;
    }
    r = declare(ctx, st);
    if (r < 0) {
        rapl_close(st);
        return r;
    }
    *ret_state = st;
    return 0;
}

static int rapl_poll(void *state, aim_frame *frame) {
    rapl_state *st = state;
    int live = 0;
    for (int i = 0; i < st->n; i++) {
        rapl_counter *c = &st->c[i];
        if (c->dead)
            continue;
        uint64_t v;
        int r = c->is_perf ? perf_read_counter(c->fd, &v) : aim_pread_u64(c->fd, &v);
        if (r < 0) {
            /* A counter that fails once has gone (zone unregistered, CPU offline): its
             * series stays invalid rather than resuming with an unknown gap. */
            c->dead = 1;
            close(c->fd);
            c->fd = -1;
            continue;
        }
        c->total += aim_rapl_delta(c->last, v, c->is_perf ? 0 : c->max_range);
        c->last = v;
        aim_frame_set(frame, c->slot,
                      c->is_perf ? (double)c->total * c->scale : (double)c->total / 1e6);
        live++;
    }
    return live > 0 ? 0 : -ENODEV;
}

/* ------------------------------------------------------------------ probe */

static const char *domain_label(aim_rapl_domain d) {
    static const char *const names[] = { "package", "core", "uncore", "dram", "psys" };
    return names[d];
}

static void probe_perf(const char *root, aim_probe_report *rep, int *avail, int *denied) {
    aim_rapl_perf_info info;
    int r = aim_rapl_perf_discover(root, &info);
    if (r == -ENOENT) {
        aim_probe_add(rep, "perf power PMU", "absent",
                      "no bus/event_source/devices/power (kernel without the RAPL PMU, or a VM)");
        return;
    }
    if (r < 0) {
        aim_probe_add(rep, "perf power PMU", "not supported", "unusable: %s", aim_strerror(r));
        return;
    }
    for (int e = 0; e < info.n_events; e++) {
        char what[96];
        snprintf(what, sizeof what, "perf power/%s", info.events[e].name);
        int fd = perf_open_counter(info.type, info.events[e].config, info.cpus[0]);
        if (fd >= 0) {
            close(fd);
            ++*avail;
            aim_probe_add(rep, what, "available", "%s energy, %d package(s), 64-bit counts",
                          domain_label(info.events[e].domain), info.n_cpus);
        } else if (fd == -EACCES || fd == -EPERM) {
            ++*denied;
            aim_probe_add(rep, what, "no permission",
                          "needs root, CAP_PERFMON or sysctl kernel.perf_event_paranoid=0 "
                          "(see docs/permissions.md)");
        } else {
            aim_probe_add(rep, what, "not supported", "perf_event_open: %s", aim_strerror(fd));
        }
    }
}

static void probe_powercap(const char *root, aim_probe_report *rep, int *avail, int *denied) {
    pc_zone zones[PC_MAX_ZONES];
    int n = pc_discover(root, zones, PC_MAX_ZONES);
    if (n <= 0) {
        aim_probe_add(rep, "powercap intel-rapl", "absent",
                      "no class/powercap/intel-rapl:* zones (not Intel/AMD, a VM, or no driver)");
        return;
    }
    char path[4096], what[96];
    for (int i = 0; i < n; i++) {
        const pc_zone *z = &zones[i];
        snprintf(what, sizeof what, "%s %s energy_uj", z->dir, z->name[0] ? z->name : "?");
        if (z->skip) {
            aim_probe_add(rep, what, "not supported",
                          z->mmio ? "duplicate of the MSR zone, not counted twice"
                                  : "zone name not recognised");
            continue;
        }
        uint64_t v;
        int r = zone_path(path, sizeof path, root, z->dir, "energy_uj");
        if (r == 0)
            r = aim_read_u64(path, &v);
        if (r == 0) {
            ++*avail;
            aim_probe_add(rep, what, "available", "%s energy", domain_label(z->domain));
        } else if (r == -EACCES || r == -EPERM) {
            ++*denied;
            aim_probe_add(rep, what, "no permission",
                          "root-only since 2020: run as root or add a udev rule "
                          "(see docs/permissions.md)");
        } else {
            aim_probe_add(rep, what, "absent", "%s", aim_strerror(r));
        }
    }
}

static int rapl_probe(const aim_source_env *env, aim_probe_report *rep) {
    int avail = 0, denied = 0;
    probe_perf(env->sysfs_root, rep, &avail, &denied);
    probe_powercap(env->sysfs_root, rep, &avail, &denied);
    return avail > 0 ? 0 : denied > 0 ? -EACCES : -ENODEV;
}

const aim_source_ops aim_source_rapl = {
    .name = "rapl",
    .description = "CPU package, core, DRAM and platform energy (RAPL: perf PMU or powercap)",
    .min_interval_ns = 0,
    /* powercap energy_uj wraps after ~4 min at 280 W on a large server: poll it at least
     * every 30 s, whatever -i says, so a wrap is never missed */
    .max_interval_ns = 30 * 1000000000LL,
    .probe = rapl_probe,
    .open = rapl_open,
    .poll = rapl_poll,
    .close = rapl_close,
};
