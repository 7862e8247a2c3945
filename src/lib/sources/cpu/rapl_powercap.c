/* RAPL through powercap sysfs (class/powercap/intel-rapl:*, intel-rapl-mmio:*): energy_uj
 * read on descriptors kept open, wrap-around corrected with max_energy_range_uj. Zones are
 * named from their name file; on parts with several dies per package each die is its own
 * zone ("package-0-die-1") and becomes its own cpuN, numbered in (package, die) order; an
 * MMIO zone that re-exposes an MSR package is counted once. The source (rapl.c) falls back
 * to this back-end when the perf one cannot open. */
#include "sources/cpu/rapl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"
#include "sources/cpu/rapl_backend.h"

#define PC_MAX_ZONES 64

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
    if (*p < '0' || *p > '9' || aim__scan_u64(&p, &pkg) < 0 || pkg > 4095)
        return -EINVAL;
    z->has_die = 0;
    if (strncmp(p, "-die-", 5) == 0) {
        p += 5;
        if (*p < '0' || *p > '9' || aim__scan_u64(&p, &die) < 0 || die > 4095)
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
    return aim__path_join(buf, size, root, rel);
}

/* Lists the RAPL zones under class/powercap and names them. Zones are identified by their
 * name file only: directory ids are hex and their order is not meaningful. Returns the
 * number of zones (skipped ones included, flagged), or -errno when the directory cannot be
 * listed (-ENOENT: no powercap). */
static int pc_discover(const char *root, pc_zone *zones, int max) {
    char path[4096];
    if (aim__path_join(path, sizeof path, root, "class/powercap") < 0)
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
            aim__read_text(path, z->name, sizeof z->name) < 0)
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
int aim__rapl_powercap_open_all(const char *root, rapl_state *st, char *denied, size_t dsize) {
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
        int fd = aim__open_ro(path);
        int r = fd < 0 ? fd : aim__pread_u64(fd, &v);
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
            aim__read_u64(path, &c->max_range) < 0)
            c->max_range = 0; /* no wrap correction possible; a decrease becomes a restart */
    }
    if (st->n > 0)
        return st->n;
    return n_denied > 0 ? -EACCES : -ENODEV;
}

void aim__rapl_powercap_probe(const char *root, aim_probe_report *rep, int *avail, int *denied) {
    pc_zone zones[PC_MAX_ZONES];
    int n = pc_discover(root, zones, PC_MAX_ZONES);
    if (n <= 0) {
        aim__probe_add(rep, "powercap intel-rapl", "absent",
                      "no class/powercap/intel-rapl:* zones (not Intel/AMD, a VM, or no driver)");
        return;
    }
    char path[4096], what[96];
    for (int i = 0; i < n; i++) {
        const pc_zone *z = &zones[i];
        snprintf(what, sizeof what, "%s %s energy_uj", z->dir, z->name[0] ? z->name : "?");
        if (z->skip) {
            aim__probe_add(rep, what, "not supported",
                          z->mmio ? "duplicate of the MSR zone, not counted twice"
                                  : "zone name not recognised");
            continue;
        }
        uint64_t v;
        int r = zone_path(path, sizeof path, root, z->dir, "energy_uj");
        if (r == 0)
            r = aim__read_u64(path, &v);
        if (r == 0) {
            ++*avail;
            aim__probe_add(rep, what, "available", "%s energy", aim__rapl_domain_label(z->domain));
        } else if (r == -EACCES || r == -EPERM) {
            ++*denied;
            aim__probe_add(rep, what, "no permission",
                          "root-only since 2020: run as root or add a udev rule "
                          "(see docs/permissions.md)");
        } else {
            aim__probe_add(rep, what, "absent", "%s", aim_strerror(r));
        }
    }
}
