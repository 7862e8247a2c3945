/* The correlation result of a run (corr_result.h): the matrix, its metric families, model
 * roles, identity classes, series states and names. */
#include "processing/corr_result.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/sections.h"
#include "util/numfmt.h"

typedef struct series_text {
    char device[32];
    char key[48];
    char label[224];
    char name[160];
    char unit[24];
} series_text;

struct aim_corr_result {
    aim_corr_matrix *m;
    int own;
    int recomputed;
    int *rep;
    int *model;              /* aim__corr_derived: which series a model computes from which */
    series_text *text;
    aim_corr_series_info *info;
    size_t n_constant, n_no_data, n_identical, n_sparse, n_derived;
    char errmsg[256];        /* the public API's message (aim_corr_errmsg) */
};

char *aim__corr_res_errmsg(aim_corr_result *c) { return c->errmsg; }

void aim__corr_res_free(aim_corr_result *c) {
    if (!c)
        return;
    if (c->own)
        aim__corr_matrix_free(c->m);
    free(c->rep);
    free(c->model);
    free(c->text);
    free(c->info);
    free(c);
}

/* What a counter's rate is measured in: J per second is W; s per second (CPU time) stays
 * "s/s" (cores busy). */
static void rate_unit(char *out, size_t len, const char *unit) {
    if (strcmp(unit, "J") == 0)
        aim__bprintf(out, len, "W");
    else if (*unit)
        aim__bprintf(out, len, "%s/s", unit);
    else
        aim__bprintf(out, len, "/s");
}

static void describe(const aim_run_summary *run, const aim_series_summary *s, series_text *t,
                     aim_corr_series_info *info) {
    const aim_metric_info *mi = aim__series_metric(s);
    const char *dev = s->device >= 0 && s->device < run->n_devices ? run->devices[s->device].name
                                                                   : "?";
    int rate = s->counter != 0;
    aim__bprintf(t->device, sizeof t->device, "%.*s", (int)strnlen(dev, sizeof t->device), dev);
    aim__bprintf(t->key, sizeof t->key, "%.*s",
                (int)strnlen(s->metric_key, sizeof s->metric_key), s->metric_key);
    const char *unit = mi ? mi->unit : "";
    if (rate)
        rate_unit(t->unit, sizeof t->unit, unit);
    else
        aim__bprintf(t->unit, sizeof t->unit, "%s", unit);
    /* Host-level series are named by their component ("CPU Usage", "DRAM Used"): the
     * registry's short labels repeat across components. Others by their device. */
    int host = s->device >= 0 && s->device < run->n_devices &&
               run->devices[s->device].kind == AIM_DEV_HOST;
    const char *section = host ? aim__section_name(aim__series_section(run, s, mi)) : NULL;
    char qual[64] = "", prefix[24] = "";
    if (section)
        aim__bprintf(prefix, sizeof prefix, "%s ", section);
    if (host && s->instance >= 0)
        aim__bprintf(qual, sizeof qual, " (#%d)", s->instance);
    else if (!host && s->instance >= 0)
        aim__bprintf(qual, sizeof qual, " (%s #%d)", t->device, s->instance);
    else if (!host)
        aim__bprintf(qual, sizeof qual, " (%s)", t->device);
    aim__bprintf(t->label, sizeof t->label, "%s%s%s%s%s%s%s", prefix, mi ? mi->label : t->key,
                rate ? " rate" : "", qual, *t->unit ? " [" : "", t->unit, *t->unit ? "]" : "");
    char base[96];
    if (s->instance >= 0)
        aim__bprintf(base, sizeof base, "%s.%s[%d]", t->device, t->key, s->instance);
    else
        aim__bprintf(base, sizeof base, "%s.%s", t->device, t->key);
    if (rate)
        aim__bprintf(t->name, sizeof t->name, "rate(%s)", base);
    else
        aim__bprintf(t->name, sizeof t->name, "%s", base);
    /* stored names end up in terminals and tables */
    for (char *p = t->label; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    for (char *p = t->name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    info->device = t->device;
    info->metric_key = t->key;
    info->label = t->label;
    info->name = t->name;
    info->unit = t->unit;
    info->instance = s->instance;
    info->rate = rate;
}

/* Series that are one quantity by definition share a key: memory used and its share of the
 * total, a process tree's CPU time and its CPU use, a device's energy counter and its power. */
int aim__corr_family_key(const aim_series_summary *s) {
    static const char *const families[][2] = {
        { "mem.used", "mem.util" },
        { "gpu.mem_used", "gpu.mem_usage" },
        { "proc.cpu_time", "proc.cpu_util" },
        { "energy", "power" },
    };
    for (int f = 0; f < (int)(sizeof families / sizeof families[0]); f++)
        for (int k = 0; k < 2; k++)
            if (strncmp(s->metric_key, families[f][k], sizeof s->metric_key) == 0)
                return ((s->device + 1) * 4096 + (s->instance + 1) % 4096) * 8 + f;
    return -1;
}

/* The estimate source's models (sources/estimate.c): an estimated CPU's power is a line in
 * the host's CPU use, an estimated DRAM's power is proportional to the memory in use (and so
 * to its share of the total). Output > 0, its input < 0 (corr.h, aim__corr_derived). */
int aim__corr_model_role(const aim_run_summary *run, const aim_series_summary *s) {
    if (s->device < 0 || s->device >= run->n_devices)
        return 0;
    aim_device_kind kind = run->devices[s->device].kind;
    const char *k = s->metric_key;
    size_t kl = sizeof s->metric_key;
    if (s->method == AIM_METHOD_ESTIMATED &&
        (strncmp(k, "power", kl) == 0 || strncmp(k, "energy", kl) == 0))
        return kind == AIM_DEV_CPU ? 1 : kind == AIM_DEV_DRAM ? 2 : 0;
    if (kind != AIM_DEV_HOST || s->instance >= 0)
        return 0;
    if (strncmp(k, "cpu.util", kl) == 0)
        return -1;
    if (strncmp(k, "mem.used", kl) == 0 || strncmp(k, "mem.util", kl) == 0)
        return -2;
    return 0;
}

int aim__corr_res_derived_role(const aim_corr_result *c, size_t a, size_t b) {
    return c && a < (size_t)c->m->n && b < (size_t)c->m->n
               ? (c->model[a] > 0 ? c->model[a] : c->model[b]) : 0;
}

int aim__corr_res_build(const aim_run_summary *run, aim_corr_matrix *m, int own,
                          int recomputed, aim_corr_result **ret) {
    aim_corr_result *c = calloc(1, sizeof *c);
    size_t n = (size_t)m->n + 1;
    if (c) {
        c->m = m;
        c->own = own;
        c->recomputed = recomputed;
        c->rep = calloc(n, sizeof *c->rep);
        c->model = calloc(n, sizeof *c->model);
        c->text = calloc(n, sizeof *c->text);
        c->info = calloc(n, sizeof *c->info);
    }
    int *keys = malloc(n * sizeof *keys);
    if (!c || !c->rep || !c->model || !c->text || !c->info || !keys) {
        free(keys);
        if (c)
            aim__corr_res_free(c);
        else if (own)
            aim__corr_matrix_free(m);
        return -ENOMEM;
    }
    static const aim_series_summary unknown = { .device = -1, .instance = -1, .metric = -1,
                                                .metric_key = "?" };
    for (int i = 0; i < m->n; i++) {
        const aim_series_summary *s = &unknown;
        for (int k = 0; k < run->n_series; k++)
            if (run->series[k].slot == m->slot[i]) {
                s = &run->series[k];
                break;
            }
        describe(run, s, &c->text[i], &c->info[i]);
        keys[i] = aim__corr_family_key(s);
        c->model[i] = aim__corr_model_role(run, s);
    }
    aim__corr_classes(m, keys, c->model, c->rep);
    free(keys);
    for (int i = 0; i < m->n; i++) {
        aim_corr_series_state st = aim__corr_matrix_state(m, i);
        c->info[i].status = st == AIM_CORR_SERIES_CONSTANT ? AIM_CORR_CONSTANT
                          : st == AIM_CORR_SERIES_NO_DATA ? AIM_CORR_NO_DATA
                          : st == AIM_CORR_SERIES_SPARSE ? AIM_CORR_SPARSE : AIM_CORR_VARYING;
        c->info[i].n = m->self_n[i];
        c->info[i].same_as = (size_t)c->rep[i];
        c->n_constant += st == AIM_CORR_SERIES_CONSTANT;
        c->n_no_data += st == AIM_CORR_SERIES_NO_DATA;
        c->n_identical += c->rep[i] != i;
        c->n_sparse += st == AIM_CORR_SERIES_SPARSE;
    }
    c->n_derived = aim__corr_select(m, c->rep, c->model, AIM_CORR_PICK_DERIVED, 0, NULL, 0);
    *ret = c;
    return 0;
}

void aim__corr_res_info(const aim_corr_result *c, aim_corr_info *ret) {
    if (!c || !ret)
        return;
    *ret = (aim_corr_info){
        .n_series = (size_t)c->m->n,
        .ticks = c->m->ticks,
        .interval_ns = c->m->interval_ns,
        .recomputed = c->recomputed,
        .exact = c->m->exact,
        .n_constant = c->n_constant,
        .n_no_data = c->n_no_data,
        .n_identical = c->n_identical,
        .min_n = AIM_CORR_MIN_N,
        .identical_r = AIM_CORR_IDENTICAL_R,
        .n_sparse = c->n_sparse,
        .min_spread = AIM_CORR_MIN_SPREAD,
        .n_derived = c->n_derived,
    };
}

int aim__corr_res_series(const aim_corr_result *c, size_t index, aim_corr_series_info *ret) {
    if (!c || !ret || index >= (size_t)c->m->n)
        return -EINVAL;
    *ret = c->info[index];
    return 0;
}

double aim__corr_res_r(const aim_corr_result *c, size_t a, size_t b, uint64_t *ret_n) {
    if (!c || a >= (size_t)c->m->n || b >= (size_t)c->m->n)
        return NAN;
    const aim_corr_matrix *m = c->m;
    if (a == b) {
        if (ret_n)
            *ret_n = m->self_n[a];
        return m->varying[a] && m->self_n[a] >= 2 ? 1.0 : NAN;
    }
    size_t i = a < b ? a : b, j = a < b ? b : a;
    size_t ij = aim__corr_pair_index(m->n, (int)i, (int)j);
    if (ret_n)
        *ret_n = m->pn[ij];
    return m->r[ij];
}

size_t aim__corr_res_pairs(const aim_corr_result *c, aim_corr_kind kind, double min_abs,
                      aim_corr_pair *ret, size_t max) {
    if (!c || (unsigned)kind > AIM_CORR_DERIVED || (max && !ret))
        return 0;
    aim_corr_pick_kind k = kind == AIM_CORR_POSITIVE ? AIM_CORR_PICK_POSITIVE
                         : kind == AIM_CORR_NEGATIVE ? AIM_CORR_PICK_NEGATIVE
                         : kind == AIM_CORR_DERIVED ? AIM_CORR_PICK_DERIVED
                                                    : AIM_CORR_PICK_IDENTICAL;
    if (!(min_abs >= 0))
        min_abs = 0;
    size_t total = aim__corr_select(c->m, c->rep, c->model, k, min_abs, NULL, 0);
    size_t want = max < total ? max : total;
    if (want == 0 || total == (size_t)-1)
        return total;
    aim_corr_pick *picks = malloc(want * sizeof *picks);
    if (!picks)
        return (size_t)-1;
    total = aim__corr_select(c->m, c->rep, c->model, k, min_abs, picks, want);
    for (size_t i = 0; i < want && total != (size_t)-1; i++)
        ret[i] = (aim_corr_pair){ .a = (size_t)picks[i].a, .b = (size_t)picks[i].b,
                                  .r = picks[i].r, .n = picks[i].n };
    free(picks);
    return total;
}
