/* `aimeter report --job` and `aimeter jobs` (job_report.h). */
#include "report/job_report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/html_render.h"
#include "report/jsonutil.h"
#include "report/md_text.h"
#include "report/table.h"
#include "util/csv.h"
#include "util/iso8601.h"
#include "util/numfmt.h"

static void fixed(char *out, double v, int decimals) {
    if (isfinite(v))
        aim__fmt_fixed(out, v, decimals);
    else
        snprintf(out, AIM_NUM_MAX, "n/a");
}

/* ------------------------------------------------------------------ tables */

/* How a node's energy was made (aim_job_node.method, "cgroup,gpus") in words. */
static void method_text(char *out, size_t size, const char *method) {
    size_t at = 0;
    out[0] = '\0';
    for (const char *p = method; *p && at < size;) {
        size_t len = strcspn(p, ",");
        const char *w = len == 4 && strncmp(p, "node", 4) == 0     ? "measured whole node"
                        : len == 6 && strncmp(p, "cgroup", 6) == 0 ? "attributed by cgroup"
                        : len == 4 && strncmp(p, "gpus", 4) == 0   ? "GPUs allotted"
                        : len == 13 && strncmp(p, "gpu-processes", 13) == 0
                            ? "GPUs by the job's processes"
                            : NULL;
        if (w)
            at += (size_t)snprintf(out + at, size - at, "%s%s", at ? " + " : "", w);
        p += len + (p[len] == ',');
    }
    if (!out[0])
        snprintf(out, size, "measured whole node");
}

/* The per-node table (energy, carbon, share, the node's whole energy, how) into t. */
static void node_table(aim_table *t, const aim_job_result *r) {
    aim__table_init(t, 10);
    for (size_t c = 4; c < 9; c++)
        aim__table_align_right(t, c);
    aim__table_row(t);
    const char *head[] = { "Node", "Rank", "Ranks", "Run", "Energy [J]", "kWh", "Carbon [g]",
                           "Share [%]", "Node [J]", "Energy of the job" };
    for (size_t c = 0; c < 10; c++)
        aim__table_set(t, c, "%s", head[c]);
    char e[AIM_NUM_MAX], k[AIM_NUM_MAX], g[AIM_NUM_MAX], s[AIM_NUM_MAX];
    for (size_t i = 0; i < r->n_nodes; i++) {
        const aim_job_node *n = &r->nodes[i];
        aim__table_row(t);
        aim__table_set(t, 0, "%s", n->node);
        aim__table_set(t, 1, "%s", n->node_rank[0] ? n->node_rank : "-");
        aim__table_set(t, 2, "%s", n->ranks[0] ? n->ranks : "-");
        /* A node's runs one after the other (two steps) are its one row: every id named. */
        char ids[512] = "";
        for (size_t j = 0, at = 0; j < n->n_runs && at < sizeof ids; j++)
            at += (size_t)snprintf(ids + at, sizeof ids - at, "%s%s", j ? ", " : "",
                                   n->runs[j]->id);
        aim__table_set(t, 3, "%s%s%s%s", ids, n->measured_by[0] ? " (" : "",
                       n->measured_by, n->measured_by[0] ? ")" : "");
        fixed(e, n->energy_j, 2);
        fixed(k, n->energy_j / 3.6e6, 6);
        fixed(g, n->has_carbon ? n->carbon_g : NAN, 3);
        fixed(s, r->energy_j > 0 ? 100.0 * n->energy_j / r->energy_j : NAN, 1);
        aim__table_set(t, 4, "%s", e);
        aim__table_set(t, 5, "%s", k);
        aim__table_set(t, 6, "%s", g);
        aim__table_set(t, 7, "%s", s);
        fixed(e, n->node_energy_j, 2);
        aim__table_set(t, 8, "%s", e);
        char how[128];
        method_text(how, sizeof how, n->method);
        aim__table_set(t, 9, "%s", how);
    }
    aim__table_row(t);
    aim__table_set(t, 0, "total");
    aim__table_set(t, 1, "%zu nodes", r->n_nodes);
    fixed(e, r->energy_j, 2);
    fixed(k, r->energy_j / 3.6e6, 6);
    fixed(g, r->has_carbon ? r->carbon_g : NAN, 3);
    aim__table_set(t, 4, "%s", e);
    aim__table_set(t, 5, "%s", k);
    aim__table_set(t, 6, "%s", g);
    aim__table_set(t, 7, "100.0");
    double node_j = 0;
    for (size_t i = 0; i < r->n_nodes; i++)
        node_j += r->nodes[i].node_energy_j;
    fixed(e, node_j, 2);
    aim__table_set(t, 8, "%s", e);
}

static void seconds(char *out, int64_t ns) { aim__fmt_fixed(out, (double)ns / 1e9, 3); }

/* One row per phase and node: start offset from the job's start, duration, energy, and the
 * straggler marked. */
static void phase_table(aim_table *t, const aim_job_result *r) {
    aim__table_init(t, 7);
    for (size_t c = 2; c < 6; c++)
        aim__table_align_right(t, c);
    aim__table_row(t);
    const char *head[] = { "Phase", "Node", "Start [s]", "End [s]", "Duration [s]",
                           "Energy [J]", "" };
    for (size_t c = 0; c < 7; c++)
        aim__table_set(t, c, "%s", head[c]);
    char a[AIM_NUM_MAX], b[AIM_NUM_MAX], d[AIM_NUM_MAX], e[AIM_NUM_MAX];
    for (size_t k = 0; k < r->n_phases; k++) {
        const aim_job_phase *p = &r->phases[k];
        for (size_t i = 0; i < p->n_per_node; i++) {
            const aim_job_phase_node *x = &p->per_node[i];
            aim__table_row(t);
            aim__table_set(t, 0, "%s", i == 0 ? p->name : "");
            aim__table_set(t, 1, "%s", r->nodes[x->node].node);
            seconds(a, x->start_wall_ns - r->start_wall_ns);
            seconds(b, x->end_wall_ns - r->start_wall_ns);
            seconds(d, x->duration_ns);
            fixed(e, x->energy_j, 2);
            aim__table_set(t, 2, "%s", a);
            aim__table_set(t, 3, "%s", b);
            aim__table_set(t, 4, "%s", d);
            aim__table_set(t, 5, "%s", e);
            if (p->n_per_node > 1 && i == p->slowest) {
                seconds(d, p->spread_ns);
                aim__table_set(t, 6, "slowest (+%s s)", d);
            }
        }
    }
}

static void counter_table(aim_table *t, const aim_job_result *r) {
    aim__table_init(t, 3);
    aim__table_align_right(t, 1);
    aim__table_align_right(t, 2);
    aim__table_row(t);
    aim__table_set(t, 0, "Record");
    aim__table_set(t, 1, "Total");
    aim__table_set(t, 2, "J per unit");
    char v[AIM_NUM_MAX], j[AIM_NUM_MAX];
    for (size_t k = 0; k < r->n_counters; k++) {
        aim__table_row(t);
        aim__table_set(t, 0, "%s", r->counters[k].key);
        aim__table_set(t, 1, "%s", aim__fmt_trim(v, r->counters[k].total, 3));
        if (isfinite(r->counters[k].j_per_unit))
            aim__fmt_sig(j, r->counters[k].j_per_unit, 4, 0);
        else
            snprintf(j, sizeof j, "n/a");
        aim__table_set(t, 2, "%s", j);
    }
}

static void put_table(aim_strbuf *b, aim_table *t, int markdown) {
    if (markdown)
        aim__table_markdown(t, b);
    else
        aim__table_text(t, b, "  ", 1);
    aim__table_free(t);
}

/* The job's summary lines (user, times, nodes, energy, carbon). */
static void summary(aim_strbuf *b, const aim_job_result *r, int markdown) {
    char start[32], end[32], dur[64];
    aim__fmt_time_human(start, sizeof start, r->start_wall_ns);
    aim__fmt_time_human(end, sizeof end, r->end_wall_ns);
    aim__fmt_duration(dur, sizeof dur, r->end_wall_ns - r->start_wall_ns);
    const char *item = markdown ? "- " : "  ";
    if (r->user[0]) {
        aim__strbuf_printf(b, "%sUser: ", item);
        if (markdown)
            aim__md_text(b, r->user, strlen(r->user));
        else
            aim__strbuf_append_clean(b, r->user, strlen(r->user));
        aim__strbuf_append(b, "\n");
    }
    aim__strbuf_printf(b, "%sStart: %s UTC, end: %s UTC (%s), %s\n", item, start, end, dur,
                       aim__job_state(r));
    aim__strbuf_printf(b, "%sNodes: %zu (runs: %zu)\n", item, r->n_nodes, r->n_runs);
    char e[AIM_NUM_MAX], k[AIM_NUM_MAX], g[AIM_NUM_MAX];
    fixed(e, r->energy_j, 2);
    fixed(k, r->energy_j / 3.6e6, 6);
    fixed(g, r->has_carbon ? r->carbon_g : NAN, 3);
    aim__strbuf_printf(b, "%sEnergy: %s J (%s kWh)\n%sCarbon: %s g CO2e\n", item, e, k, item, g);
}

void aim__job_text(aim_strbuf *b, const aim_job_result *r, int markdown) {
    if (markdown) {
        aim__strbuf_append(b, "# Job ");
        aim__md_text(b, r->job, strlen(r->job));
        aim__strbuf_append(b, "\n\n");
    } else {
        aim__strbuf_printf(b, "Job %s\n", r->job);
    }
    summary(b, r, markdown);
    aim_table t;
    aim__strbuf_append(b, markdown ? "\n## Nodes\n\n" : "\nNodes\n");
    node_table(&t, r);
    put_table(b, &t, markdown);
    if (r->n_phases) {
        aim__strbuf_append(b, markdown ? "\n## Phases\n\n"
                                       : "\nPhases (times from the job's start, on each node's "
                                         "clock)\n");
        phase_table(&t, r);
        put_table(b, &t, markdown);
    }
    if (r->n_counters) {
        aim__strbuf_append(b, markdown ? "\n## Work\n\n" : "\nWork (the job's energy per unit)\n");
        counter_table(&t, r);
        put_table(b, &t, markdown);
    }
    if (r->n_warnings) {
        aim__strbuf_append(b, markdown ? "\n## Warnings\n\n" : "\nWarnings\n");
        for (size_t i = 0; i < r->n_warnings; i++) {
            aim__strbuf_append(b, markdown ? "- " : "  ");
            if (markdown)
                aim__md_text(b, r->warnings[i], strlen(r->warnings[i]));
            else
                aim__strbuf_append_clean(b, r->warnings[i], strlen(r->warnings[i]));
            aim__strbuf_append(b, "\n");
        }
    }
}

/* ------------------------------------------------------------------ HTML */

static void html_table(aim_strbuf *b, aim_table *t) {
    aim__strbuf_append(b, "<table>\n");
    for (size_t row = 0; row < t->rows; row++) {
        aim__strbuf_append(b, "<tr>");
        for (size_t c = 0; c < t->cols; c++) {
            const char *cell = t->cells[row * t->cols + c];
            aim__strbuf_append(b, row == 0 ? "<th>" : t->right[c] ? "<td class=\"n\">" : "<td>");
            if (cell)
                aim__html_append_text(b, cell, strlen(cell));
            aim__strbuf_append(b, row == 0 ? "</th>" : "</td>");
        }
        aim__strbuf_append(b, "</tr>\n");
    }
    aim__strbuf_append(b, "</table>\n");
    aim__table_free(t);
}

void aim__job_html(aim_strbuf *b, const aim_job_result *r) {
    aim__strbuf_append(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<title>Job ");
    aim__html_append_text(b, r->job, strlen(r->job));
    aim__strbuf_append(b, "</title><style>body{font-family:sans-serif;margin:2em}"
                          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
                          "#ccc;padding:.2em .5em}td.n{text-align:right}.w{color:#a40}</style>"
                          "</head><body>\n<h1>Job ");
    aim__html_append_text(b, r->job, strlen(r->job));
    aim__strbuf_append(b, "</h1>\n<pre>");
    aim_strbuf head = AIM_STRBUF_INIT;
    summary(&head, r, 0);
    if (head.data)
        aim__html_append_text(b, head.data, head.len);
    aim__strbuf_free(&head);
    aim__strbuf_append(b, "</pre>\n<h2>Nodes</h2>\n");
    aim_table t;
    node_table(&t, r);
    html_table(b, &t);
    if (r->n_phases) {
        aim__strbuf_append(b, "<h2>Phases</h2>\n<p>Times from the job's start, on each node's "
                              "clock; the slowest node of each phase is marked.</p>\n");
        phase_table(&t, r);
        html_table(b, &t);
    }
    if (r->n_counters) {
        aim__strbuf_append(b, "<h2>Work</h2>\n");
        counter_table(&t, r);
        html_table(b, &t);
    }
    if (r->n_warnings) {
        aim__strbuf_append(b, "<h2>Warnings</h2>\n<ul>\n");
        for (size_t i = 0; i < r->n_warnings; i++) {
            aim__strbuf_append(b, "<li class=\"w\">");
            aim__html_append_text(b, r->warnings[i], strlen(r->warnings[i]));
            aim__strbuf_append(b, "</li>\n");
        }
        aim__strbuf_append(b, "</ul>\n");
    }
    aim__strbuf_append(b, "</body></html>\n");
}

/* ------------------------------------------------------------------ JSON */

static json_t *num_or_null(double v, int ok) { return ok && isfinite(v) ? aim__json_num(v) : json_null(); }

static json_t *job_summary_object(const aim_job_result *r, int *err) {
    json_t *o = json_object();
    aim__json_put(o, "job", aim__json_str(r->job, strlen(r->job)), err);
    aim__json_put(o, "user", aim__json_str_or_null(r->user, strlen(r->user)), err);
    aim__json_put(o, "state", aim__json_str(aim__job_state(r), strlen(aim__job_state(r))), err);
    aim__json_put(o, "start", aim__json_time(r->start_wall_ns), err);
    aim__json_put(o, "end", aim__json_time(r->end_wall_ns), err);
    aim__json_put(o, "duration_s", aim__json_num((double)(r->end_wall_ns - r->start_wall_ns) / 1e9), err);
    aim__json_put(o, "nodes", aim__json_count(r->n_nodes), err);
    aim__json_put(o, "runs", aim__json_count(r->n_runs), err);
    aim__json_put(o, "energy_j", aim__json_num(r->energy_j), err);
    aim__json_put(o, "energy_kwh", aim__json_num(r->energy_j / 3.6e6), err);
    aim__json_put(o, "carbon_g", num_or_null(r->carbon_g, r->has_carbon), err);
    aim__json_put(o, "warnings", aim__json_count(r->n_warnings), err);
    return o;
}

int aim__job_json(const aim_job_result *r, char **ret_text) {
    int err = 0;
    json_t *root = json_object();
    aim__json_put(root, "schema", aim__json_str("aimeter.job/1", 13), &err);
    json_t *sum = job_summary_object(r, &err);
    const char *key;
    json_t *v;
    json_object_foreach(sum, key, v) aim__json_put(root, key, json_incref(v), &err);
    json_decref(sum);
    json_t *nodes = json_array();
    for (size_t i = 0; i < r->n_nodes; i++) {
        const aim_job_node *n = &r->nodes[i];
        json_t *o = json_object();
        aim__json_put(o, "node", aim__json_str(n->node, strlen(n->node)), &err);
        aim__json_put(o, "node_rank", aim__json_str_or_null(n->node_rank, strlen(n->node_rank)), &err);
        aim__json_put(o, "ranks", aim__json_str_or_null(n->ranks, strlen(n->ranks)), &err);
        aim__json_put(o, "run", aim__json_str(n->run->id, strlen(n->run->id)), &err);
        aim__json_put(o, "measured_by",
                      aim__json_str_or_null(n->measured_by, strlen(n->measured_by)), &err);
        json_t *ids = json_array();
        for (size_t j = 0; j < n->n_runs; j++)
            aim__json_push(ids, aim__json_str(n->runs[j]->id, strlen(n->runs[j]->id)), &err);
        aim__json_put(o, "runs", ids, &err);
        aim__json_put(o, "start", aim__json_time(n->start_wall_ns), &err);
        aim__json_put(o, "duration_s", aim__json_num((double)n->duration_ns / 1e9), &err);
        aim__json_put(o, "energy_j", aim__json_num(n->energy_j), &err);
        aim__json_put(o, "carbon_g", num_or_null(n->carbon_g, n->has_carbon), &err);
        aim__json_put(o, "share_pct",
                      num_or_null(100.0 * n->energy_j / r->energy_j, r->energy_j > 0), &err);
        aim__json_put(o, "node_energy_j", aim__json_num(n->node_energy_j), &err);
        aim__json_put(o, "method", aim__json_str(n->method, strlen(n->method)), &err);
        aim__json_push(nodes, o, &err);
    }
    aim__json_put(root, "per_node", nodes, &err);
    json_t *phases = json_array();
    for (size_t k = 0; k < r->n_phases; k++) {
        const aim_job_phase *p = &r->phases[k];
        json_t *o = json_object();
        aim__json_put(o, "name", aim__json_str(p->name, strlen(p->name)), &err);
        aim__json_put(o, "start", aim__json_time(p->start_wall_ns), &err);
        aim__json_put(o, "end", aim__json_time(p->end_wall_ns), &err);
        aim__json_put(o, "energy_j", aim__json_num(p->energy_j), &err);
        const char *slow = r->nodes[p->per_node[p->slowest].node].node;
        aim__json_put(o, "slowest_node", aim__json_str(slow, strlen(slow)), &err);
        aim__json_put(o, "spread_s", aim__json_num((double)p->spread_ns / 1e9), &err);
        json_t *per = json_array();
        for (size_t i = 0; i < p->n_per_node; i++) {
            const aim_job_phase_node *x = &p->per_node[i];
            json_t *q = json_object();
            const char *nm = r->nodes[x->node].node;
            aim__json_put(q, "node", aim__json_str(nm, strlen(nm)), &err);
            aim__json_put(q, "start", aim__json_time(x->start_wall_ns), &err);
            aim__json_put(q, "end", aim__json_time(x->end_wall_ns), &err);
            aim__json_put(q, "offset_s", aim__json_num((double)(x->start_wall_ns - r->start_wall_ns) / 1e9), &err);
            aim__json_put(q, "duration_s", aim__json_num((double)x->duration_ns / 1e9), &err);
            aim__json_put(q, "energy_j", aim__json_num(x->energy_j), &err);
            aim__json_put(q, "instances", aim__json_count(x->instances), &err);
            aim__json_push(per, q, &err);
        }
        aim__json_put(o, "per_node", per, &err);
        aim__json_push(phases, o, &err);
    }
    aim__json_put(root, "phases", phases, &err);
    json_t *work = json_array();
    for (size_t k = 0; k < r->n_counters; k++) {
        json_t *o = json_object();
        aim__json_put(o, "key", aim__json_str(r->counters[k].key, strlen(r->counters[k].key)), &err);
        aim__json_put(o, "total", aim__json_num(r->counters[k].total), &err);
        aim__json_put(o, "j_per_unit", num_or_null(r->counters[k].j_per_unit, 1), &err);
        aim__json_push(work, o, &err);
    }
    aim__json_put(root, "records", work, &err);
    json_t *warn = json_array();
    for (size_t i = 0; i < r->n_warnings; i++)
        aim__json_push(warn, aim__json_str(r->warnings[i], strlen(r->warnings[i])), &err);
    aim__json_put(root, "warning_lines", warn, &err);
    int rc = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------ the list */

static const char *const list_head[] = { "job", "user", "nodes", "start", "end", "duration_s",
                                         "energy_kwh", "carbon_g", "state", "warnings" };

void aim__jobs_text(aim_strbuf *b, const aim_render_jobs *l) {
    aim_table t;
    aim__table_init(&t, 10);
    for (size_t c = 5; c < 8; c++)
        aim__table_align_right(&t, c);
    aim__table_align_right(&t, 2);
    aim__table_align_right(&t, 9);
    aim__table_row(&t);
    const char *head[] = { "Job", "User", "Nodes", "Start", "End", "Duration", "Energy [kWh]",
                           "Carbon [g]", "State", "Warnings" };
    for (size_t c = 0; c < 10; c++)
        aim__table_set(&t, c, "%s", head[c]);
    for (size_t i = 0; i < l->n; i++) {
        const aim_job_result *r = &l->jobs[i];
        char s[32], e[32], d[64], k[AIM_NUM_MAX], g[AIM_NUM_MAX];
        aim__fmt_time_human(s, sizeof s, r->start_wall_ns);
        aim__fmt_time_human(e, sizeof e, r->end_wall_ns);
        aim__fmt_duration(d, sizeof d, r->end_wall_ns - r->start_wall_ns);
        fixed(k, r->energy_j / 3.6e6, 6);
        fixed(g, r->has_carbon ? r->carbon_g : NAN, 3);
        aim__table_row(&t);
        aim__table_set(&t, 0, "%s", r->job);
        aim__table_set(&t, 1, "%s", r->user[0] ? r->user : "-");
        aim__table_set(&t, 2, "%zu", r->n_nodes);
        aim__table_set(&t, 3, "%s", s);
        aim__table_set(&t, 4, "%s", e);
        aim__table_set(&t, 5, "%s", d);
        aim__table_set(&t, 6, "%s", k);
        aim__table_set(&t, 7, "%s", g);
        aim__table_set(&t, 8, "%s", aim__job_state(r));
        aim__table_set(&t, 9, "%zu", r->n_warnings);
    }
    if (l->n == 0)
        aim__strbuf_append(b, "no jobs (runs tagged job=ID)\n");
    else
        aim__table_text(&t, b, "", 1);
    aim__table_free(&t);
}

void aim__jobs_csv(aim_strbuf *b, const aim_render_jobs *l) {
    aim__csv_row(b, list_head, 10);
    for (size_t i = 0; i < l->n; i++) {
        const aim_job_result *r = &l->jobs[i];
        char n[24], s[32], e[32], d[AIM_NUM_MAX], k[AIM_NUM_MAX], g[AIM_NUM_MAX], w[24];
        snprintf(n, sizeof n, "%zu", r->n_nodes);
        aim__fmt_time_iso(s, sizeof s, r->start_wall_ns);
        aim__fmt_time_iso(e, sizeof e, r->end_wall_ns);
        aim__fmt_fixed(d, (double)(r->end_wall_ns - r->start_wall_ns) / 1e9, 3);
        aim__fmt_fixed(k, r->energy_j / 3.6e6, 9);
        if (r->has_carbon)
            aim__fmt_fixed(g, r->carbon_g, 6);
        else
            g[0] = '\0';
        snprintf(w, sizeof w, "%zu", r->n_warnings);
        const char *row[] = { r->job, r->user, n, s, e, d, k, g, aim__job_state(r), w };
        aim__csv_row(b, row, 10);
    }
}

int aim__jobs_json(const aim_render_jobs *l, char **ret_text) {
    int err = 0;
    json_t *root = json_object();
    aim__json_put(root, "schema", aim__json_str("aimeter.jobs/1", 14), &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n; i++)
        aim__json_push(arr, job_summary_object(&l->jobs[i], &err), &err);
    aim__json_put(root, "jobs", arr, &err);
    int rc = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return rc;
}
