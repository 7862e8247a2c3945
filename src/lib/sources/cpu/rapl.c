/* RAPL: CPU package, core, uncore, DRAM and platform (psys) energy counters.
 *
 * Two back-ends, chosen per machine at open; this file chooses, declares and polls:
 *  - the perf `power` PMU (rapl_perf.c): 64-bit counts that the kernel keeps from
 *    wrapping, readable with CAP_PERFMON or perf_event_paranoid <= 0 even where powercap
 *    is root-only. Preferred when every event it lists opens on every package.
 *  - powercap sysfs (rapl_powercap.c; class/powercap/intel-rapl:*, intel-rapl-mmio:*):
 *    energy_uj on descriptors kept open, wrap-around corrected with max_energy_range_uj.
 * Both declare the same devices and series, so nothing downstream knows which one ran:
 *   package N -> "cpuN"  energy (whole package), energy.core (PP0), energy.uncore (PP1)
 *   dram of package N -> "dramN" energy;   psys -> "psys0" energy (platform, not totalled)
 * On parts with several dies per package the kernel gives each die its own zone
 * ("package-0-die-1"); each die then becomes its own cpuN, numbered in (package, die)
 * order, with its dram as dramN, so the run total still sums every die once.
 * Values are joules since open: the reading taken at open is the zero. */
#include "sources/cpu/rapl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/fileio.h"
#include "sources/cpu/rapl_backend.h"
#include "sources/source.h"

/* ------------------------------------------------------------------ wrap-around */

uint64_t aim__rapl_delta(uint64_t prev, uint64_t cur, uint64_t max_range) {
    if (cur >= prev)
        return cur - prev;
    if (max_range > 0 && prev <= max_range)
        return (max_range - prev) + cur;
    return 0;
}

/* ------------------------------------------------------------------ state */

const char *aim__rapl_backend(const void *state) {
    return state ? ((const rapl_state *)state)->backend : NULL;
}

void aim__rapl_close_counters(rapl_state *st) {
    for (int i = 0; i < st->n; i++)
        if (st->c[i].fd >= 0)
            close(st->c[i].fd);
    st->n = 0;
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
        int dev = aim__source_ctx_add_device(ctx, name, kind, NULL);
        if (dev < 0)
            return dev;
        int slot = aim__source_ctx_add_series(ctx, dev, metric, -1, AIM_METHOD_MEASURED);
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
    aim__rapl_close_counters(st);
    free(st);
}

static int rapl_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    rapl_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    char denied[4096] = "";
    int r = aim__rapl_perf_open_all(env->sysfs_root, st);
    int perf_err = r < 0 ? r : 0;
    if (r > 0) {
        st->backend = "perf";
    } else {
        /* Any perf failure (no PMU, no permission, a PMU the kernel refuses) falls back to
         * powercap silently: the warning, if any, is about what could not be measured. */
        r = aim__rapl_powercap_open_all(env->sysfs_root, st, denied, sizeof denied);
        st->backend = "powercap";
    }
    if (r == -EACCES || (r > 0 && denied[0])) {
        /* Exactly one warning however many zones refused: the fix is the same for all. */
        aim__source_ctx_warn(ctx,
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
        aim__source_ctx_warn(ctx,
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
        int r = c->is_perf ? aim__rapl_perf_read(c->fd, &v) : aim__pread_u64(c->fd, &v);
        if (r < 0) {
            /* A counter that fails once has gone (zone unregistered, CPU offline): its
             * series stays invalid rather than resuming with an unknown gap. */
            c->dead = 1;
            close(c->fd);
            c->fd = -1;
            continue;
        }
        c->total += aim__rapl_delta(c->last, v, c->is_perf ? 0 : c->max_range);
        c->last = v;
        aim__frame_set(frame, c->slot,
                      c->is_perf ? (double)c->total * c->scale : (double)c->total / 1e6);
        live++;
    }
    return live > 0 ? 0 : -ENODEV;
}

/* ------------------------------------------------------------------ probe */

const char *aim__rapl_domain_label(aim_rapl_domain d) {
    static const char *const names[] = { "package", "core", "uncore", "dram", "psys" };
    return names[d];
}

static int rapl_probe(const aim_source_env *env, aim_probe_report *rep) {
    int avail = 0, denied = 0;
    aim__rapl_perf_probe(env->sysfs_root, rep, &avail, &denied);
    aim__rapl_powercap_probe(env->sysfs_root, rep, &avail, &denied);
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
