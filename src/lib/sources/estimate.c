/* The estimate source: when nothing measures the CPU package or the DRAM (no RAPL, no hwmon:
 * most VMs and containers), their power is modelled from the utilisation and memory use that
 * procfs measures in the same tick. Opened last, it only fills gaps; every series it declares
 * is marked ESTIMATED so the report says so. Models and constants: docs/methodology.md. */
#include "sources/estimate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/hardware.h"
#include "data/tables.h"
#include "util/fileio.h"
#include "util/numfmt.h"

/* /proc/meminfo and so procfs's mem.used are in GiB; Green Algorithms' constant is per GB. */
#define GB_PER_GIB 1.073741824

#define MAX_PACKAGES 64

typedef struct cpu_facts {
    char model[128];   /* "model name" of the first processor, or "" */
    int n_cpus;        /* logical CPUs listed */
    int n_packages;    /* distinct "physical id" values; 1 when the file has none */
} cpu_facts;

typedef struct estimate_state {
    int util_slot, mem_slot;       /* inputs (procfs), -1 when not used */
    int cpu_slot, dram_slot;       /* outputs, -1 when not declared */
    /* CPU: P = a + b * u, u in [0, 1]; both models reduce to this line. */
    double cpu_a_w, cpu_b_w;
} estimate_state;

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

/* "key<blanks>: value" -> value, or NULL when line is not that key. */
static const char *cpuinfo_value(const char *line, const char *key) {
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0)
        return NULL;
    line += n;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != ':')
        return NULL;
    line++;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

/* Logical CPUs from the "cpuN" lines of /proc/stat: the fallback when cpuinfo lists none
 * (it is absent in some sandboxes). */
static int count_stat_cpus(const char *procfs_root) {
    char path[512];
    if (aim__path_join(path, sizeof path, procfs_root, "stat") < 0)
        return 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (getline(&line, &cap, f) > 0)
        if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9')
            n++;
    free(line);
    fclose(f);
    return n;
}

static void read_cpu_facts(const char *procfs_root, cpu_facts *out) {
    memset(out, 0, sizeof *out);
    int ids[MAX_PACKAGES];
    int n_ids = 0;
    char path[512];
    FILE *f = NULL;
    if (aim__path_join(path, sizeof path, procfs_root, "cpuinfo") == 0)
        f = fopen(path, "re");
    if (f) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
                line[--len] = '\0';
            const char *v;
            if (cpuinfo_value(line, "processor"))
                out->n_cpus++;
            else if (!out->model[0] && (v = cpuinfo_value(line, "model name")))
                snprintf(out->model, sizeof out->model, "%s", v);
            else if ((v = cpuinfo_value(line, "physical id"))) {
                int id = atoi(v);
                int seen = 0;
                for (int i = 0; i < n_ids; i++)
                    seen |= ids[i] == id;
                if (!seen && n_ids < MAX_PACKAGES)
                    ids[n_ids++] = id;
            }
        }
        free(line);
        fclose(f);
    }
    if (out->n_cpus == 0)
        out->n_cpus = count_stat_cpus(procfs_root);
    out->n_packages = n_ids > 0 ? n_ids : 1;
}

/* The CPU line P = a + b*u: from the TDP when the model is in the table, else per logical
 * CPU from the Cloud Carbon Footprint averages. Returns 1 with the table entry, 0 without. */
static int cpu_model_line(const cpu_facts *cf, double *a, double *b, const aim_cpu_tdp **tdp) {
    if (cf->model[0] && aim__cpu_tdp_lookup(cf->model, tdp) == 0) {
        double full = cf->n_packages * (*tdp)->tdp_w;
        *a = full * aim_pm_cpu_idle_ratio;
        *b = full * (1 - aim_pm_cpu_idle_ratio);
        return 1;
    }
    *a = cf->n_cpus * aim_pm_vcpu_w_min;
    *b = cf->n_cpus * (aim_pm_vcpu_w_max - aim_pm_vcpu_w_min);
    return 0;
}

int aim__estimate_model_text(char *buf, size_t size, int device_kind, const char *cpu_model_name,
                            int n_packages, int n_cpus) {
    if (!buf || size == 0)
        return -EINVAL;
    int n;
    char n1[AIM_NUM_MAX], n2[AIM_NUM_MAX], n3[AIM_NUM_MAX]; /* locale-free figures */
    if (device_kind == AIM_DEV_CPU) {
        const aim_cpu_tdp *t;
        if (cpu_model_name && *cpu_model_name && aim__cpu_tdp_lookup(cpu_model_name, &t) == 0) {
            if (n_packages > 0)
                n = snprintf(buf, size,
                             "%d package%s x TDP %s W (CodeCarbon table: %s) x (%s + %s x "
                             "utilisation)", n_packages, n_packages == 1 ? "" : "s",
                             aim__fmt_g(n1, t->tdp_w, 6), aim__cpu_tdp_model(t),
                             aim__fmt_g(n2, aim_pm_cpu_idle_ratio, 4),
                             aim__fmt_g(n3, 1 - aim_pm_cpu_idle_ratio, 4));
            else
                n = snprintf(buf, size,
                             "TDP %s W per package (CodeCarbon table: %s) x (%s + %s x "
                             "utilisation)",
                             aim__fmt_g(n1, t->tdp_w, 6), aim__cpu_tdp_model(t),
                             aim__fmt_g(n2, aim_pm_cpu_idle_ratio, 4),
                             aim__fmt_g(n3, 1 - aim_pm_cpu_idle_ratio, 4));
        } else if (n_cpus > 0) {
            n = snprintf(buf, size,
                         "%d logical CPU%s x (%s W + %s W x utilisation) (Cloud Carbon "
                         "Footprint average; model \"%s\" not in the TDP table)",
                         n_cpus, n_cpus == 1 ? "" : "s", aim__fmt_g(n1, aim_pm_vcpu_w_min, 4),
                         aim__fmt_g(n2, aim_pm_vcpu_w_max - aim_pm_vcpu_w_min, 4),
                         cpu_model_name ? cpu_model_name : "");
        } else {
            n = snprintf(buf, size,
                         "%s W + %s W x utilisation per logical CPU (Cloud Carbon "
                         "Footprint average; model \"%s\" not in the TDP table)",
                         aim__fmt_g(n1, aim_pm_vcpu_w_min, 4),
                         aim__fmt_g(n2, aim_pm_vcpu_w_max - aim_pm_vcpu_w_min, 4),
                         cpu_model_name ? cpu_model_name : "");
        }
    } else if (device_kind == AIM_DEV_DRAM) {
        n = snprintf(buf, size,
                     "%s W per GB of memory in use (Green Algorithms; 1 GiB = %s GB)",
                     aim__fmt_g(n1, aim_pm_dram_w_per_gb, 4), aim__fmt_g(n2, GB_PER_GIB, 10));
    } else {
        buf[0] = '\0';
        return -EINVAL;
    }
    return n < 0 ? -EINVAL : (size_t)n >= size ? -ENOBUFS : 0;
}

void aim__estimate_cpu_counts(const char *procfs_root, int *ret_packages, int *ret_cpus) {
    cpu_facts cf;
    read_cpu_facts(procfs_root, &cf);
    *ret_packages = cf.n_packages;
    *ret_cpus = cf.n_cpus;
}

/* Measured already: an energy counter or a power reading of the device. */
static int measured(const aim_source_ctx *ctx, const char *dev) {
    return aim__source_ctx_find_series(ctx, dev, AIM_M_ENERGY, -1) >= 0 ||
           aim__source_ctx_find_series(ctx, dev, AIM_M_POWER, -1) >= 0;
}

/* Declares the device and its one estimated power series; returns the slot or -errno. */
static int add_estimated_power(aim_source_ctx *ctx, const char *name, aim_device_kind kind,
                               const char *model) {
    int d = aim__source_ctx_add_device(ctx, name, kind, model);
    if (d < 0)
        return d;
    return aim__source_ctx_add_series(ctx, d, AIM_M_POWER, -1, AIM_METHOD_ESTIMATED);
}

static int estimate_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    estimate_state st = { .util_slot = -1, .mem_slot = -1, .cpu_slot = -1, .dram_slot = -1 };
    int util = aim__source_ctx_find_group_series(ctx, "host", AIM_M_CPU_UTIL, -1);
    int mem = aim__source_ctx_find_group_series(ctx, "host", AIM_M_MEM_USED, -1);
    int want_cpu = util >= 0 && !measured(ctx, "cpu0");
    int want_dram = mem >= 0 && !measured(ctx, "dram0");
    cpu_facts cf = { .n_packages = 1 };
    if (want_cpu) {
        read_cpu_facts(env->procfs_root, &cf);
        const aim_cpu_tdp *t;
        cpu_model_line(&cf, &st.cpu_a_w, &st.cpu_b_w, &t);
        /* Without a logical CPU count the per-CPU model has nothing to multiply. */
        want_cpu = st.cpu_a_w + st.cpu_b_w > 0;
    }
    if (!want_cpu && !want_dram)
        return -ENODEV;
    if (want_cpu) {
        st.cpu_slot = add_estimated_power(ctx, "cpu0", AIM_DEV_CPU, cf.model);
        if (st.cpu_slot < 0)
            return st.cpu_slot;
        st.util_slot = util;
    }
    if (want_dram) {
        st.dram_slot = add_estimated_power(ctx, "dram0", AIM_DEV_DRAM, NULL);
        if (st.dram_slot < 0)
            return st.dram_slot;
        st.mem_slot = mem;
    }
    estimate_state *s = malloc(sizeof *s);
    if (!s)
        return -ENOMEM;
    *s = st;
    *ret_state = s;
    return 0;
}

static int estimate_poll(void *state, aim_frame *frame) {
    const estimate_state *s = state;
    double v;
    /* An input missing this tick leaves the estimate invalid too: never a made-up 0. */
    if (s->cpu_slot >= 0 && aim__frame_get(frame, s->util_slot, &v))
        aim__frame_set(frame, s->cpu_slot, s->cpu_a_w + s->cpu_b_w * clamp01(v / 100.0));
    if (s->dram_slot >= 0 && aim__frame_get(frame, s->mem_slot, &v))
        aim__frame_set(frame, s->dram_slot,
                      aim_pm_dram_w_per_gb * (v > 0 ? v : 0) * GB_PER_GIB);
    return 0;
}

static void estimate_close(void *state) { free(state); }

static int estimate_probe(const aim_source_env *env, aim_probe_report *rep) {
    char path[512], text[224], lo[AIM_NUM_MAX], hi[AIM_NUM_MAX];
    cpu_facts cf;
    read_cpu_facts(env->procfs_root, &cf);
    double a, b;
    const aim_cpu_tdp *t;
    int known = cpu_model_line(&cf, &a, &b, &t);
    aim__estimate_model_text(text, sizeof text, AIM_DEV_CPU, cf.model, cf.n_packages, cf.n_cpus);
    int have_stat = aim__path_join(path, sizeof path, env->procfs_root, "stat") == 0 &&
                    access(path, R_OK) == 0;
    if (!have_stat)
        aim__probe_add(rep, "cpu0 power (estimated)", "absent",
                      "needs the CPU utilisation from %s", path);
    else if (a + b <= 0)
        aim__probe_add(rep, "cpu0 power (estimated)", "not supported",
                      "no logical CPU listed in cpuinfo or stat");
    else
        aim__probe_add(rep, "cpu0 power (estimated)", "available",
                      "if no sensor measures the CPU: %s-%s W (%d CPUs, %d package%s, %s "
                      "model); %s", aim__fmt_fixed(lo, a, 1), aim__fmt_fixed(hi, a + b, 1),
                      cf.n_cpus, cf.n_packages,
                      cf.n_packages > 1 ? "s" : "", known ? "TDP" : "per-CPU", text);
    aim__estimate_model_text(text, sizeof text, AIM_DEV_DRAM, NULL, 0, 0);
    int have_meminfo = aim__path_join(path, sizeof path, env->procfs_root, "meminfo") == 0 &&
                       access(path, R_OK) == 0;
    if (have_meminfo)
        aim__probe_add(rep, "dram0 power (estimated)", "available",
                      "if no sensor measures the DRAM: %s", text);
    else
        aim__probe_add(rep, "dram0 power (estimated)", "absent",
                      "needs the memory in use from %s", path);
    return 0;
}

const aim_source_ops aim_source_estimate = {
    .name = "estimate",
    .description = "modelled CPU and DRAM power where no sensor measures them (TDP or "
                   "per-CPU curve x utilisation; W per GB in use)",
    .min_interval_ns = 0,
    .probe = estimate_probe,
    .open = estimate_open,
    .poll = estimate_poll,
    .close = estimate_close,
};
