/* A job's run from the agent's figures (job_run.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimeter.h"
#include "engine/job_run.h"
#include "util/fileio.h"
#include "util/numfmt.h"

/* "KEY VALUE" lines (cpu.stat, meminfo): the number after key at a line's start, or NaN. */
static double field(const char *text, const char *key) {
    size_t n = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, n) == 0 && (p[n] == ' ' || p[n] == ':')) {
            const char *q = p + n + 1;
            while (*q == ' ')
                q++;
            uint64_t v;
            return aim__scan_u64(&q, &v) == 0 ? (double)v : NAN;
        }
    }
    return NAN;
}

/* The node's busy CPU time in µs: the "cpu" line's user nice system idle iowait irq softirq
 * steal, without idle and iowait (what cpu.util counts as busy). */
static double node_busy_us(void) {
    char path[512], *text;
    size_t len;
    /* /proc/stat is long (a line per CPU, the interrupts): read whole, its first line used */
    if (aim__path_join(path, sizeof path, aim__procfs_root(), "stat") < 0 ||
        aim__read_file_alloc(path, 1 << 22, &text, &len) < 0)
        return NAN;
    if (strncmp(text, "cpu ", 4) != 0) {
        free(text);
        return NAN;
    }
    const char *p = text + 4;
    while (*p == ' ')
        p++;
    double busy = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t v;
        if (aim__scan_u64(&p, &v) < 0)
            break;
        if (k != 3 && k != 4)
            busy += (double)v;
    }
    free(text);
    long hz = sysconf(_SC_CLK_TCK);
    return busy * 1e6 / (double)(hz > 0 ? hz : 100);
}

void aim__job_usage_read(const char *cgroup, aim_job_usage *u) {
    char dir[512], path[600], text[8192];
    if (!cgroup || cgroup[0] != '/' || !cgroup[1]) /* none, or the root: not a job's */
        return;
    if (snprintf(dir, sizeof dir, "%s/fs/cgroup%s", aim__sysfs_root(), cgroup) >= (int)sizeof dir)
        return;
    snprintf(path, sizeof path, "%s/cpu.stat", dir);
    int r = aim__read_text(path, text, sizeof text);
    double cg = r >= 0 ? field(text, "usage_usec") : NAN, busy = node_busy_us();
    if (cg == cg && busy == busy) {
        u->cpu_ok = 1;
        u->cg_cpu_us = cg;
        u->node_busy_us = busy;
    }
    uint64_t cur;
    snprintf(path, sizeof path, "%s/memory.current", dir);
    char mpath[512];
    if (aim__read_u64(path, &cur) < 0 ||
        aim__path_join(mpath, sizeof mpath, aim__procfs_root(), "meminfo") < 0 ||
        aim__read_text(mpath, text, sizeof text) < 0)
        return;
    double used = (field(text, "MemTotal") - field(text, "MemAvailable")) * 1024.0;
    if (used > 0) {
        double share = (double)cur / used;
        u->mem_share_sum += share > 1 ? 1 : share;
        u->mem_n++;
    }
}

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

void aim__job_run_take_gpu(aim_job_ended *e, aim_job_slots *slots) {
    if (e->gpu_slot < 0 || !slots)
        return;
    int n = e->n_dev < AIM_JOB_SLOT_DEVICES ? e->n_dev : AIM_JOB_SLOT_DEVICES;
    int r = aim__job_slots_figures(slots, e->gpu_slot, e->gpu_owner, n, &e->gpu);
    if (r == -EEXIST) /* a later job had the same cgroup: nothing known, and said */
        e->gpu_slot_err = r;
    aim__job_slots_release(slots, e->gpu_slot);
    e->gpu_slot = -1;
}

/* Whether GPU index k is in the list "0,2-3". */
static int in_list(const char *list, int k) {
    const char *p = list;
    while (*p) {
        char *e;
        long a = strtol(p, &e, 10), b = a;
        if (e == p)
            return 0;
        if (*e == '-') {
            p = e + 1;
            b = strtol(p, &e, 10);
            if (e == p)
                return 0;
        }
        if (k >= a && k <= b)
            return 1;
        p = *e == ',' ? e + 1 : e;
        if (*e && *e != ',')
            return 0;
    }
    return 0;
}

/* FNV-1a, for an id that is the same for the same window. */
static uint32_t fnv(uint32_t h, const char *s) {
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void add_tag(aim_run_tag *tags, size_t *n, const char *key, const char *value) {
    if (*n >= AIM_JOB_RUN_TAGS || !value || !*value)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(tags[i].key, key) == 0)
            return; /* the first wins: the plugin's --aimeter=tag: ones come first */
    snprintf(tags[*n].key, sizeof tags[0].key, "%s", key);
    snprintf(tags[*n].value, sizeof tags[0].value, "%s", value);
    (*n)++;
}

int aim__job_run_build(const aim_job_ended *e, const aim_run_summary *agent,
                       aim_run_summary *out, aim_run_tag *tags, size_t *n_tags,
                       double *attributed, const char **methods) {
    memset(out, 0, sizeof *out);
    int nd = agent->n_devices < e->n_dev ? agent->n_devices : e->n_dev;
    out->devices = calloc((size_t)(nd > 0 ? nd : 1), sizeof *out->devices);
    if (!out->devices)
        return -ENOMEM;
    char stamp[32], salt[40];
    time_t secs = (time_t)(e->start_wall_ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(salt, sizeof salt, "%lld", (long long)e->start_wall_ns);
    uint32_t h = fnv(fnv(fnv(2166136261u, agent->id), e->id), salt);
    snprintf(out->id, sizeof out->id, "%s-%06x", stamp, (unsigned)(h & 0xffffff));
    snprintf(out->name, sizeof out->name, "job %s", e->id);
    snprintf(out->command, sizeof out->command, "job %s (measured by the agent's run %s)", e->id,
             agent->id);
    snprintf(out->host, sizeof out->host, "%s", e->info.node[0] ? e->info.node : agent->host);
    snprintf(out->aimeter_version, sizeof out->aimeter_version, "%s", agent->aimeter_version);
    out->start_wall_ns = e->start_wall_ns;
    out->end_wall_ns = e->end_wall_ns;
    out->duration_ns = e->end_wall_ns - e->start_wall_ns;
    out->status = e->cut ? AIM_RUN_INTERRUPTED : AIM_RUN_COMPLETED;
    size_t at = 0;
    if (e->cut)
        at += (size_t)snprintf(out->warnings, sizeof out->warnings,
                               "the agent stopped while the job ran: its figures end at the "
                               "agent's stop");
    /* Why its GPUs could not be split by its processes (docs/methodology.md, "Attribution"). */
    const char *why = e->gpu_slot_err == -ENOSPC
        ? "more jobs ran at once on the node than the agent's 16 job slots: this job's GPUs "
          "are counted by its allotment, not by its processes"
        : e->gpu_slot_err == -EEXIST
        ? "another job on the node had the same or a nested cgroup: the jobs' processes "
          "cannot be told apart, so this job's GPUs are counted by its allotment"
        : NULL;
    if (why && at < sizeof out->warnings)
        snprintf(out->warnings + at, sizeof out->warnings - at, "%s%s", at ? "\n" : "", why);
    out->exit_code = -1;
    out->interval_ns = agent->interval_ns;
    snprintf(out->sources, sizeof out->sources, "%s", agent->sources);
    out->intensity_g_per_kwh = agent->intensity_g_per_kwh;
    snprintf(out->zone, sizeof out->zone, "%s", agent->zone);
    snprintf(out->intensity_source, sizeof out->intensity_source, "%s", agent->intensity_source);
    out->signal = agent->signal;
    out->basis = agent->basis;
    out->pue = agent->pue;
    snprintf(out->pue_source, sizeof out->pue_source, "%s", agent->pue_source);
    snprintf(out->currency, sizeof out->currency, "%s", agent->currency);
    snprintf(out->price_source, sizeof out->price_source, "%s", agent->price_source);
    out->price_per_kwh = agent->price_per_kwh;
    out->total_energy_j = e->energy_j;
    out->carbon_g = e->carbon_g;
    out->facility_energy_j = e->energy_j * (agent->pue > 0 ? agent->pue : 1.0);
    if (agent->currency[0])
        out->cost = out->facility_energy_j / 3.6e6 * agent->price_per_kwh;
    out->n_devices = nd;
    /* The job's shares over its window (docs/methodology.md, "Attribution"): the cgroup's CPU
     * time over the node's busy time, its memory over the memory in use (mean of the
     * readings), and per GPU its processes' share or its allotment (job_run.h). */
    double cpu_share = NAN, mem_share = NAN;
    if (e->first.cpu_ok && e->last.cpu_ok && e->last.node_busy_us > e->first.node_busy_us)
        cpu_share = clamp01((e->last.cg_cpu_us - e->first.cg_cpu_us) /
                            (e->last.node_busy_us - e->first.node_busy_us));
    if (e->last.mem_n > 0)
        mem_share = clamp01(e->last.mem_share_sum / e->last.mem_n);
    int gpu_k = 0, by_cgroup = 0, by_gpus = 0, by_procs = 0, whole = 0;
    double job_j = 0, node_j = 0;
    for (int d = 0; d < nd; d++) {
        aim_device_summary *dv = &out->devices[d];
        *dv = agent->devices[d];
        dv->energy_j = dv->has_energy ? e->dev_j[d] : 0;
        dv->carbon_g = dv->in_total && e->energy_j > 0 ? e->carbon_g * dv->energy_j / e->energy_j
                                                       : NAN;
        attributed[d] = NAN;
        methods[d] = NULL;
        if (!dv->in_total || !dv->has_energy)
            continue;
        if (dv->kind == AIM_DEV_CPU && cpu_share == cpu_share) {
            attributed[d] = cpu_share * dv->energy_j;
            methods[d] = "the job's share of the busy CPU time (cgroup cpu.stat usage_usec / "
                         "the node's busy time)";
        } else if (dv->kind == AIM_DEV_DRAM && mem_share == mem_share) {
            attributed[d] = mem_share * dv->energy_j;
            methods[d] = "the job's share of the memory in use (cgroup memory.current / "
                         "mem.used, mean of the agent's readings)";
        } else if (dv->kind == AIM_DEV_GPU) {
            int k = gpu_k++, allotted = e->info.gpus[0] ? in_list(e->info.gpus, k) : -1;
            /* The fractions of the device's energy over the intervals the slot counted: its
             * window there is the writer's, the device's energy here the live snapshot's at
             * the job's start and end (a few hundred ms apart at most). */
            int known = d < AIM_JOB_SLOT_DEVICES && e->gpu.known[d] && e->gpu.device_j[d] > 0;
            double mine = known ? e->gpu.joules[d] / e->gpu.device_j[d] : 0;
            double others = known ? e->gpu.other_j[d] / e->gpu.device_j[d] : 0;
            /* "No other job's processes": below a thousandth of the device's energy, so that
             * rounding never takes a GPU from the job it was given to. */
            int alone = !known || others <= 1e-3;
            if (allotted == 1 && alone) {
                attributed[d] = dv->energy_j;
                methods[d] = known ? "the GPU the batch system gave the job, used by no other "
                                     "job's processes (whole)"
                                   : "the GPUs the batch system gave the job (whole)";
                by_gpus = 1;
            } else if (known) {
                attributed[d] = clamp01(mine) * dv->energy_j;
                methods[d] = "the job's processes' share of SM time (NVML process samples in "
                             "the job's cgroup: gpu.job_sm_util / gpu.util)";
                by_procs = 1;
            } else if (allotted == 0) {
                attributed[d] = 0;
                methods[d] = "the GPUs the batch system gave the job (whole)";
                by_gpus = 1;
            }
        }
        /* The job's total: its share where one is known, else the whole device (a node
         * meter, a GPU with no allotment known): never more than the node's. */
        node_j += dv->energy_j;
        if (attributed[d] == attributed[d]) {
            job_j += attributed[d];
            if (dv->kind != AIM_DEV_GPU)
                by_cgroup = 1;
        } else {
            job_j += dv->energy_j;
            whole = 1;
        }
    }
    /* The job's figures are its attributed energy; the node's stay in the device rows (their
     * energy_j; the job's in attributed_j) and the `attribution` tag says how the total was
     * made (docs/methodology.md, "Jobs across nodes"). No device counted: the node's. */
    char how[48] = "";
    if (by_cgroup || by_gpus || by_procs) {
        double scale = node_j > 0 ? job_j / node_j : 0;
        out->total_energy_j = e->energy_j * scale;
        out->carbon_g = e->carbon_g * scale;
        out->facility_energy_j *= scale;
        out->cost *= scale;
        const char *words[4] = { by_cgroup ? "cgroup" : NULL, by_gpus ? "gpus" : NULL,
                                 by_procs ? "gpu-processes" : NULL, whole ? "node" : NULL };
        size_t len = 0;
        for (int w = 0; w < 4; w++)
            if (words[w])
                len += (size_t)snprintf(how + len, sizeof how - len, "%s%s", len ? "," : "",
                                        words[w]);
    }
    size_t n = 0;
    for (int k = 0; k < e->info.n_tags; k++)
        add_tag(tags, &n, e->info.tag_key[k], e->info.tag_value[k]);
    char num[24];
    add_tag(tags, &n, "job", e->id);
    add_tag(tags, &n, "node", out->host);
    if (e->info.node_rank >= 0) {
        snprintf(num, sizeof num, "%d", e->info.node_rank);
        add_tag(tags, &n, "node_rank", num);
    }
    add_tag(tags, &n, "ranks", e->info.ranks);
    add_tag(tags, &n, "user", e->info.user);
    add_tag(tags, &n, "measured_by", "agent");
    add_tag(tags, &n, "agent_run", agent->id);
    add_tag(tags, &n, "attribution", how[0] ? how : "node");
    if (e->info.cgroup[0] == '/' && e->info.cgroup[1])
        add_tag(tags, &n, "cgroup", e->info.cgroup + 1); /* relative to /sys/fs/cgroup */
    *n_tags = n;
    return 0;
}
