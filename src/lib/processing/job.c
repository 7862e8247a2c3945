/* A batch job across nodes (job.h). */
#include "processing/job.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/run_tags.h"
#include "processing/workload_summary.h"

const char *aim__run_tag(const aim_run_summary *run, const char *key) {
    for (size_t i = 0; run && i < run->n_tags; i++)
        if (strcmp(run->tags[i].key, key) == 0)
            return run->tags[i].value;
    return NULL;
}

/* s cut to fit len (tag values are up to 255 bytes; the result's fields are shorter). */
static void copy(char *dst, size_t len, const char *s) {
    size_t n = strnlen(s, len - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static const char *node_of(const aim_run_summary *run) {
    const char *n = aim__run_tag(run, "node");
    return n && *n ? n : run->host;
}

static int64_t end_of(const aim_run_summary *run) {
    if (run->end_wall_ns > 0)
        return run->end_wall_ns;
    return run->start_wall_ns + (run->duration_ns > 0 ? run->duration_ns : 0);
}

/* measured_by run/python read the devices themselves; an agent's job window is cut from the
 * agent's run (docs/agent.md), so the direct one is preferred. */
static int direct(const aim_run_summary *run) {
    const char *m = aim__run_tag(run, "measured_by");
    return !m || strcmp(m, "agent") != 0;
}

/* 1 when a is the better measurement of a node than b. */
static int better(const aim_run_summary *a, const aim_run_summary *b) {
    if (direct(a) != direct(b))
        return direct(a);
    int64_t da = end_of(a) - a->start_wall_ns, db = end_of(b) - b->start_wall_ns;
    if (da != db)
        return da > db;
    return strcmp(a->id, b->id) < 0;
}

static int warn(aim_job_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(aim_job_result *r, const char *fmt, ...) {
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (!w)
        return -ENOMEM;
    r->warnings = w;
    if (!(w[r->n_warnings] = strdup(line)))
        return -ENOMEM;
    r->n_warnings++;
    return 0;
}

static const char *how(const aim_run_summary *run) {
    const char *m = aim__run_tag(run, "measured_by");
    if (!m || !*m)
        return "a run";
    if (strcmp(m, "agent") == 0)
        return "the agent's job window";
    if (strcmp(m, "python") == 0)
        return "the Python package, measured directly";
    return "aimeter run, measured directly";
}

static int by_start(const void *a, const void *b) {
    const aim_job_phase *x = a, *y = b;
    if (x->start_wall_ns != y->start_wall_ns)
        return x->start_wall_ns < y->start_wall_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

static double phase_energy(const aim_run_summary *run, const aim_phase_summary *p) {
    double e = 0;
    for (int d = 0; p->energy_j && d < run->n_devices; d++)
        if (run->devices[d].in_total)
            e += p->energy_j[d];
    return e;
}

/* The phases of one run of node `node`: one entry per phase and node, so that a node's runs
 * one after the other (two steps) add up in it: first start, last end, time and energy
 * summed. */
static int add_phases(aim_job_result *r, size_t node, const aim_run_summary *run) {
    const aim_workload_summary *w = run->workload;
    for (size_t i = 0; w && i < w->n_phases; i++) {
        const aim_phase_summary *p = &w->phases[i];
        size_t k = 0;
        while (k < r->n_phases && strcmp(r->phases[k].name, p->name) != 0)
            k++;
        if (k == r->n_phases) {
            aim_job_phase *ph = realloc(r->phases, (r->n_phases + 1) * sizeof *ph);
            if (!ph)
                return -ENOMEM;
            r->phases = ph;
            memset(&ph[k], 0, sizeof ph[k]);
            snprintf(ph[k].name, sizeof ph[k].name, "%s", p->name);
            r->n_phases++;
        }
        aim_job_phase *ph = &r->phases[k];
        int64_t start = run->start_wall_ns + p->first_ns, end = run->start_wall_ns + p->last_end_ns;
        size_t j = 0;
        while (j < ph->n_per_node && ph->per_node[j].node != node)
            j++;
        if (j < ph->n_per_node) { /* the node's earlier run had it too */
            aim_job_phase_node *x = &ph->per_node[j];
            if (start < x->start_wall_ns)
                x->start_wall_ns = start;
            if (end > x->end_wall_ns)
                x->end_wall_ns = end;
            x->duration_ns += p->total_ns;
            x->energy_j += phase_energy(run, p);
            x->instances += p->instances;
            continue;
        }
        aim_job_phase_node *pn = realloc(ph->per_node, (ph->n_per_node + 1) * sizeof *pn);
        if (!pn)
            return -ENOMEM;
        ph->per_node = pn;
        aim_job_phase_node *x = &pn[ph->n_per_node++];
        x->node = node;
        x->start_wall_ns = start;
        x->end_wall_ns = end;
        x->duration_ns = p->total_ns;
        x->energy_j = phase_energy(run, p);
        x->instances = p->instances;
    }
    return 0;
}

static int add_counters(aim_job_result *r, const aim_run_summary *run) {
    const aim_workload_summary *w = run->workload;
    for (size_t i = 0; w && i < w->n_records; i++) {
        const aim_record_summary *rec = &w->records[i];
        if (!rec->counter)
            continue;
        size_t k = 0;
        while (k < r->n_counters && strcmp(r->counters[k].key, rec->key) != 0)
            k++;
        if (k == r->n_counters) {
            aim_job_counter *c = realloc(r->counters, (k + 1) * sizeof *c);
            if (!c)
                return -ENOMEM;
            r->counters = c;
            memset(&c[k], 0, sizeof c[k]);
            snprintf(c[k].key, sizeof c[k].key, "%s", rec->key);
            r->n_counters++;
        }
        r->counters[k].total += rec->total;
    }
    return 0;
}

static void finish_phase(aim_job_phase *ph) {
    int64_t fastest = 0;
    for (size_t i = 0; i < ph->n_per_node; i++) {
        const aim_job_phase_node *x = &ph->per_node[i];
        if (i == 0 || x->start_wall_ns < ph->start_wall_ns)
            ph->start_wall_ns = x->start_wall_ns;
        if (i == 0 || x->end_wall_ns > ph->end_wall_ns)
            ph->end_wall_ns = x->end_wall_ns;
        if (i == 0 || x->duration_ns > ph->per_node[ph->slowest].duration_ns)
            ph->slowest = i;
        if (i == 0 || x->duration_ns < fastest)
            fastest = x->duration_ns;
        ph->energy_j += x->energy_j;
    }
    ph->spread_ns = ph->n_per_node ? ph->per_node[ph->slowest].duration_ns - fastest : 0;
}

static int by_node_then_start(const void *a, const void *b) {
    const aim_run_summary *x = *(const aim_run_summary *const *)a;
    const aim_run_summary *y = *(const aim_run_summary *const *)b;
    int c = strcmp(node_of(x), node_of(y));
    if (c)
        return c;
    if (x->start_wall_ns != y->start_wall_ns)
        return x->start_wall_ns < y->start_wall_ns ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* tag key's value of the node's runs: the first run's, or where the runs differ, each
 * different value once, in order ("agent,run"); a run without the tag counts as dflt
 * (NULL: skipped). */
static void node_value(char *out, size_t size, const aim_run_summary *const *runs, size_t n,
                       const char *key, const char *dflt) {
    out[0] = '\0';
    for (size_t j = 0; j < n; j++) {
        const char *v = aim__run_tag(runs[j], key);
        if (!v)
            v = dflt;
        if (!v || !*v)
            continue;
        size_t len = strlen(v), at = 0, have = strlen(out);
        int seen = 0;
        while (at < have && !seen) { /* is v one of the comma-separated values so far? */
            size_t e = at;
            while (e < have && out[e] != ',')
                e++;
            seen = e - at == len && strncmp(out + at, v, len) == 0;
            at = e + 1;
        }
        if (!seen && have + (have ? 1 : 0) + len < size)
            snprintf(out + have, size - have, "%s%s", have ? "," : "", v);
    }
}

/* The whole node's energy over a run's window: an agent's job run keeps it in its devices
 * (energy_j of those counted in the total; its total is the job's share), any other run
 * measured the node, its total. */
static double node_energy(const aim_run_summary *run) {
    if (!aim__run_tag(run, "attribution") || run->n_devices <= 0)
        return run->total_energy_j;
    double j = 0;
    for (int d = 0; d < run->n_devices; d++)
        if (run->devices[d].in_total && isfinite(run->devices[d].energy_j))
            j += run->devices[d].energy_j;
    return j;
}

/* One node's row from its counted runs (runs[0..k), by start): their figures summed. */
static int add_node(aim_job_result *r, const aim_run_summary **runs, size_t k) {
    aim_job_node *nd = realloc(r->nodes, (r->n_nodes + 1) * sizeof *nd);
    if (!nd)
        return -ENOMEM;
    r->nodes = nd;
    aim_job_node *x = &nd[r->n_nodes];
    memset(x, 0, sizeof *x);
    if (!(x->runs = malloc(k * sizeof *x->runs)))
        return -ENOMEM;
    r->n_nodes++;
    memcpy(x->runs, runs, k * sizeof *x->runs);
    x->n_runs = k;
    x->run = runs[0];
    copy(x->node, sizeof x->node, node_of(runs[0]));
    const char *v;
    for (size_t j = 0; j < k && !x->node_rank[0]; j++)
        if ((v = aim__run_tag(runs[j], "node_rank")))
            copy(x->node_rank, sizeof x->node_rank, v);
    for (size_t j = 0; j < k && !x->ranks[0]; j++)
        if ((v = aim__run_tag(runs[j], "ranks")))
            copy(x->ranks, sizeof x->ranks, v);
    node_value(x->measured_by, sizeof x->measured_by, runs, k, "measured_by", NULL);
    /* A run with no `attribution` tag (aimeter run, python, an older agent) measured the
     * whole node. */
    node_value(x->method, sizeof x->method, runs, k, "attribution", "node");
    x->has_carbon = 1;
    for (size_t j = 0; j < k; j++) {
        const aim_run_summary *run = runs[j];
        x->energy_j += run->total_energy_j;
        x->node_energy_j += node_energy(run);
        if (isfinite(run->carbon_g))
            x->carbon_g += run->carbon_g;
        else
            x->has_carbon = 0;
        if (j == 0 || run->start_wall_ns < x->start_wall_ns)
            x->start_wall_ns = run->start_wall_ns;
        if (j == 0 || end_of(run) > x->end_wall_ns)
            x->end_wall_ns = end_of(run);
        x->duration_ns += run->duration_ns > 0 ? run->duration_ns : 0;
    }
    return 0;
}

int aim__job_build(const char *job, const aim_run_summary *runs, size_t n, aim_job_result *ret) {
    memset(ret, 0, sizeof *ret);
    if (!job || !runs || n == 0)
        return -EINVAL;
    aim_job_result *r = ret;
    snprintf(r->job, sizeof r->job, "%s", job);
    r->n_runs = n;
    /* Which run counts for each node: every pair on one node whose windows overlap is one
     * measurement taken twice. Windows on one node share its clock, so skew plays no part. */
    char *counted = calloc(n, 1);
    if (!counted)
        return -ENOMEM;
    memset(counted, 1, n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        for (size_t j = i + 1; j < n && rc == 0; j++) {
            if (!counted[i] || !counted[j] || strcmp(node_of(&runs[i]), node_of(&runs[j])) != 0)
                continue;
            if (runs[i].start_wall_ns >= end_of(&runs[j]) || runs[j].start_wall_ns >= end_of(&runs[i]))
                continue; /* one after the other: two steps of the job on the node */
            size_t keep = better(&runs[i], &runs[j]) ? i : j, drop = keep == i ? j : i;
            counted[drop] = 0;
            rc = warn(r, "node %s measured twice (runs %s and %s overlap): counted once, from "
                         "run %s (%s)", node_of(&runs[i]), runs[i].id, runs[j].id, runs[keep].id,
                      how(&runs[keep]));
        }
    }
    /* The counted runs by node, then by start: a node's runs one after the other (two steps,
     * or an agent's window cut by its restart and the next) are the node's one row. */
    const aim_run_summary **order = calloc(n, sizeof *order);
    size_t n_order = 0;
    if (!order)
        rc = -ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (counted[i])
            order[n_order++] = &runs[i];
    free(counted);
    if (rc == 0)
        qsort(order, n_order, sizeof *order, by_node_then_start);
    for (size_t i = 0; i < n_order && rc == 0;) {
        size_t k = i + 1;
        while (k < n_order && strcmp(node_of(order[k]), node_of(order[i])) == 0)
            k++;
        rc = add_node(r, order + i, k - i);
        i = k;
    }
    free(order);
    if (rc < 0)
        return rc;
    /* The job's user: the first node's (by name), whatever order the runs came in. */
    for (size_t i = 0; i < r->n_nodes && !r->user[0]; i++) {
        const char *v = aim__run_tag(r->nodes[i].run, "user");
        if (v)
            copy(r->user, sizeof r->user, v);
    }
    r->has_carbon = r->n_nodes > 0;
    for (size_t i = 0; i < r->n_nodes && rc == 0; i++) {
        const aim_job_node *nd = &r->nodes[i];
        r->energy_j += nd->energy_j;
        if (nd->has_carbon)
            r->carbon_g += nd->carbon_g;
        else
            r->has_carbon = 0;
        if (i == 0 || nd->start_wall_ns < r->start_wall_ns)
            r->start_wall_ns = nd->start_wall_ns;
        if (i == 0 || nd->end_wall_ns > r->end_wall_ns)
            r->end_wall_ns = nd->end_wall_ns;
        for (size_t j = 0; j < nd->n_runs && rc == 0; j++) {
            const aim_run_summary *run = nd->runs[j];
            int last = j + 1 == nd->n_runs;
            if (run->status == AIM_RUN_RUNNING && !run->stale)
                r->running = 1;
            /* A run cut short (interrupted, its writer gone) that the node's next run goes on
             * from is a measurement's break, not the job's failure; the node's last run says
             * how the job ended there. */
            else if (run->status == AIM_RUN_FAILED || (last && run->status != AIM_RUN_COMPLETED))
                r->failed = 1;
            rc = add_phases(r, i, run);
            if (rc == 0)
                rc = add_counters(r, run);
        }
    }
    if (rc < 0)
        return rc;
    for (size_t k = 0; k < r->n_phases; k++)
        finish_phase(&r->phases[k]);
    if (r->n_phases > 1) /* qsort's base may not be NULL, even for no element (UBSan) */
        qsort(r->phases, r->n_phases, sizeof *r->phases, by_start);
    for (size_t k = 0; k < r->n_counters; k++)
        r->counters[k].j_per_unit = r->counters[k].total > 0 ? r->energy_j / r->counters[k].total
                                                            : NAN;
    return 0;
}

const char *aim__job_state(const aim_job_result *r) {
    return r->running ? "running" : r->failed ? "failed" : "completed";
}

void aim__job_free(aim_job_result *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->n_nodes; i++)
        free(r->nodes[i].runs);
    free(r->nodes);
    for (size_t k = 0; k < r->n_phases; k++)
        free(r->phases[k].per_node);
    free(r->phases);
    free(r->counters);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}
