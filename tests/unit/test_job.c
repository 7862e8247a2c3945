/* A batch job across nodes (processing/job.h) from hand-made run summaries: totals, phases
 * aligned by name with the straggler, a node measured twice counted once (the direct
 * measurement preferred), a skewed node clock that moves phases but changes no duration,
 * energy or straggler; J per unit; the renderers (report/job_report.h); and the job tags read
 * from a launcher's environment (engine/job_tags.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_tags.h"
#include "model/run_tags.h"
#include "processing/job.h"
#include "processing/phases.h"
#include "processing/workload_summary.h"
#include "report/job_report.h"

#define S 1000000000LL
#define T0 (1800000000LL * S)

static void near(double got, double want) {
    if (!(fabs(got - want) <= 1e-9 * (1 + fabs(want))))
        fail_msg("got %.12g, want %.12g", got, want);
}

/* A run of one node: two devices (one in the total, one board sensor that is not), tags,
 * phases (name, start s, end s, energy J of the counted device), and a samples counter. */
typedef struct ph { const char *name; double start, end, energy; } ph;

static void make_run(aim_run_summary *r, const char *id, const char *node, const char *by,
                     int64_t start_ns, double seconds, double energy_j, double carbon_g,
                     const ph *phases, size_t n_phases, double samples) {
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->host, sizeof r->host, "host-of-%s", node);
    r->start_wall_ns = start_ns;
    r->duration_ns = (int64_t)(seconds * 1e9);
    r->end_wall_ns = start_ns + r->duration_ns;
    r->status = AIM_RUN_COMPLETED;
    r->total_energy_j = energy_j;
    r->carbon_g = carbon_g;
    r->n_devices = 2;
    r->devices = calloc(2, sizeof *r->devices);
    r->devices[0].in_total = 1;
    r->devices[0].energy_j = energy_j;
    r->devices[1].in_total = 0;
    r->devices[1].energy_j = 99999;
    r->tags = calloc(4, sizeof *r->tags);
    const char *kv[][2] = { { "job", "42" }, { "node", node }, { "measured_by", by },
                            { "user", "ada" } };
    for (int i = 0; i < 4; i++) {
        snprintf(r->tags[i].key, sizeof r->tags[i].key, "%s", kv[i][0]);
        snprintf(r->tags[i].value, sizeof r->tags[i].value, "%s", kv[i][1]);
    }
    r->n_tags = 4;
    aim_workload_summary *w = calloc(1, sizeof *w);
    w->phases = calloc(n_phases ? n_phases : 1, sizeof *w->phases);
    w->n_phases = n_phases;
    for (size_t i = 0; i < n_phases; i++) {
        aim_phase_summary *p = &w->phases[i];
        snprintf(p->name, sizeof p->name, "%s", phases[i].name);
        p->instances = 1;
        p->first_ns = (int64_t)(phases[i].start * 1e9);
        p->last_end_ns = (int64_t)(phases[i].end * 1e9);
        p->total_ns = p->last_end_ns - p->first_ns;
        p->energy_j = calloc(2, sizeof(double));
        p->energy_j[0] = phases[i].energy;
        p->energy_j[1] = 12345; /* not in the total: never counted */
    }
    if (samples > 0) {
        w->records = calloc(1, sizeof *w->records);
        w->n_records = 1;
        snprintf(w->records[0].key, sizeof w->records[0].key, "samples");
        w->records[0].counter = 1;
        w->records[0].total = samples;
    }
    r->workload = w;
}

static void free_runs(aim_run_summary *runs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(runs[i].tags);
        runs[i].tags = NULL;
        aim__run_summary_clear(&runs[i]);
    }
}

static const aim_job_phase *phase(const aim_job_result *r, const char *name) {
    for (size_t k = 0; k < r->n_phases; k++)
        if (strcmp(r->phases[k].name, name) == 0)
            return &r->phases[k];
    fail_msg("no phase %s", name);
    return NULL;
}

/* Two nodes: totals are the sums, phases matched by name, the slower node of "train" named. */
static void test_totals_and_straggler(void **state) {
    (void)state;
    aim_run_summary runs[2];
    const ph a[] = { { "load", 0, 10, 100 }, { "train", 10, 70, 6000 } };
    const ph b[] = { { "load", 0, 12, 120 }, { "train", 12, 90, 7800 } };
    make_run(&runs[0], "r-a", "n1", "run", T0, 80, 7000, 3.5, a, 2, 640);
    make_run(&runs[1], "r-b", "n2", "run", T0 + 1 * S, 95, 9000, 4.5, b, 2, 640);
    aim_job_result r;
    assert_int_equal(aim__job_build("42", runs, 2, &r), 0);
    assert_int_equal(r.n_nodes, 2);
    assert_int_equal(r.n_warnings, 0);
    near(r.energy_j, 16000);
    near(r.carbon_g, 8.0);
    assert_string_equal(r.nodes[0].node, "n1");
    assert_string_equal(r.user, "ada");
    assert_true(r.start_wall_ns == T0 && r.end_wall_ns == T0 + 96 * S);
    assert_int_equal(r.n_phases, 2);
    assert_string_equal(r.phases[0].name, "load"); /* by start */
    const aim_job_phase *t = phase(&r, "train");
    assert_int_equal(t->n_per_node, 2);
    near(t->energy_j, 13800);
    assert_string_equal(r.nodes[t->per_node[t->slowest].node].node, "n2");
    assert_true(t->spread_ns == 18 * S);          /* 78 s against 60 s */
    assert_true(t->start_wall_ns == T0 + 10 * S); /* n1's start on its own anchor */
    assert_true(t->end_wall_ns == T0 + 91 * S);   /* n2's end: its anchor is 1 s later */
    assert_int_equal(r.n_counters, 1);
    near(r.counters[0].total, 1280);
    near(r.counters[0].j_per_unit, 16000.0 / 1280);
    assert_string_equal(aim__job_state(&r), "completed");
    aim__job_free(&r);
    free_runs(runs, 2);
}

/* An agent's job window and an `aimeter run` on one node, overlapping: counted once, from the
 * run (direct), with a warning naming both; a later run on the node (another step) counts. */
static void test_double_measurement(void **state) {
    (void)state;
    aim_run_summary runs[4];
    make_run(&runs[0], "agent-win", "n1", "agent", T0, 100, 5000, 2, NULL, 0, 0);
    make_run(&runs[1], "direct", "n1", "run", T0 + 5 * S, 80, 4000, 1.5, NULL, 0, 0);
    make_run(&runs[2], "other", "n2", "run", T0, 100, 3000, 1, NULL, 0, 0);
    make_run(&runs[3], "step2", "n2", "run", T0 + 200 * S, 10, 300, 0.1, NULL, 0, 0);
    aim_job_result r;
    assert_int_equal(aim__job_build("42", runs, 4, &r), 0);
    assert_int_equal(r.n_runs, 4);
    assert_int_equal(r.n_nodes, 2); /* n1 once; n2's two steps summed in its one row */
    near(r.energy_j, 4000 + 3000 + 300);
    assert_string_equal(r.nodes[1].node, "n2");
    assert_int_equal(r.nodes[1].n_runs, 2);
    near(r.nodes[1].energy_j, 3300);
    assert_int_equal(r.n_warnings, 1);
    assert_non_null(strstr(r.warnings[0], "node n1 measured twice"));
    assert_non_null(strstr(r.warnings[0], "from run direct (aimeter run, measured directly)"));
    aim__job_free(&r);
    /* Two direct measurements (two ranks that both sampled): the longer one counts. */
    free_runs(runs, 4);
    make_run(&runs[0], "short", "n1", "python", T0, 50, 2000, 1, NULL, 0, 0);
    make_run(&runs[1], "long", "n1", "python", T0 + S, 60, 2500, 1, NULL, 0, 0);
    assert_int_equal(aim__job_build("42", runs, 2, &r), 0);
    assert_int_equal(r.n_nodes, 1);
    assert_string_equal(r.nodes[0].run->id, "long");
    near(r.energy_j, 2500);
    aim__job_free(&r);
    free_runs(runs, 2);
}

/* An agent restarted while the job ran (H8): its job window on n1 was cut at its stop
 * (interrupted) and the restarted agent's window begins at the job's next step. The two do
 * not overlap: both count, summed as n1's one row (energy, carbon, time, phases, work), no
 * warning, and the cut is not the job's failure. An overlapping third run on n1 is still a
 * double measurement. */
static void test_consecutive_runs_of_a_node_sum(void **state) {
    (void)state;
    aim_run_summary runs[4];
    const ph w1[] = { { "train", 0, 50, 500 } };
    const ph w2[] = { { "train", 0, 30, 300 }, { "eval", 30, 40, 100 } };
    const ph o[] = { { "train", 0, 90, 900 } };
    make_run(&runs[0], "win-2", "n1", "agent", T0 + 60 * S, 40, 400, 0.4, w2, 2, 20);
    make_run(&runs[1], "other", "n2", "run", T0, 100, 1000, 1, o, 1, 100);
    make_run(&runs[2], "win-1", "n1", "agent", T0, 55, 600, 0.6, w1, 1, 50);
    runs[2].status = AIM_RUN_INTERRUPTED; /* cut at the agent's stop */
    aim_job_result r;
    assert_int_equal(aim__job_build("42", runs, 3, &r), 0);
    assert_int_equal(r.n_warnings, 0);
    assert_int_equal(r.n_runs, 3);
    assert_int_equal(r.n_nodes, 2);
    const aim_job_node *n1 = &r.nodes[0];
    assert_string_equal(n1->node, "n1");
    assert_int_equal(n1->n_runs, 2);
    assert_string_equal(n1->runs[0]->id, "win-1"); /* by start */
    assert_string_equal(n1->runs[1]->id, "win-2");
    assert_string_equal(n1->run->id, "win-1");
    assert_string_equal(n1->measured_by, "agent");
    near(n1->energy_j, 1000);
    near(n1->carbon_g, 1.0);
    assert_true(n1->start_wall_ns == T0 && n1->end_wall_ns == T0 + 100 * S);
    assert_true(n1->duration_ns == 95 * S);
    near(r.energy_j, 2000);
    near(r.carbon_g, 2.0);
    assert_string_equal(aim__job_state(&r), "completed");
    const aim_job_phase *t = phase(&r, "train");
    assert_int_equal(t->n_per_node, 2); /* one entry per node, n1's two runs in one */
    size_t k = r.nodes[t->per_node[0].node].node[1] == '1' ? 0 : 1;
    assert_true(t->per_node[k].duration_ns == 80 * S);
    near(t->per_node[k].energy_j, 800);
    assert_int_equal(t->per_node[k].instances, 2);
    assert_true(t->per_node[k].start_wall_ns == T0 && t->per_node[k].end_wall_ns == T0 + 90 * S);
    assert_true(t->spread_ns == 10 * S); /* n2's 90 s against n1's 80 s */
    near(r.counters[0].total, 170);
    char *json = NULL;
    assert_int_equal(aim__job_json(&r, &json), 0);
    const char *ids = strstr(json, "\"runs\": [");
    assert_non_null(ids);
    assert_true(strstr(ids, "\"win-1\"") && strstr(ids, "\"win-1\"") < strstr(ids, "\"win-2\"") &&
                strstr(ids, "\"win-2\"") < strstr(ids, "]"));
    free(json);
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__job_text(&b, &r, 0);
    assert_non_null(strstr(b.data, "win-1, win-2 (agent)"));
    assert_non_null(strstr(b.data, "Nodes: 2 (runs: 3)"));
    aim__strbuf_free(&b);
    aim__job_free(&r);
    /* The node's last run cut short: the job failed there (as with one run). */
    runs[2].status = AIM_RUN_COMPLETED;
    runs[0].status = AIM_RUN_INTERRUPTED;
    assert_int_equal(aim__job_build("42", runs, 3, &r), 0);
    assert_string_equal(aim__job_state(&r), "failed");
    aim__job_free(&r);
    /* A direct run across both windows: a double measurement of each, counted once. */
    runs[0].status = AIM_RUN_COMPLETED;
    make_run(&runs[3], "direct", "n1", "run", T0 + 10 * S, 80, 900, 0.9, NULL, 0, 0);
    assert_int_equal(aim__job_build("42", runs, 4, &r), 0);
    assert_int_equal(r.n_nodes, 2);
    assert_int_equal(r.nodes[0].n_runs, 1);
    assert_string_equal(r.nodes[0].run->id, "direct");
    assert_int_equal(r.n_warnings, 2);
    near(r.energy_j, 1900);
    aim__job_free(&r);
    free_runs(runs, 4);
}

/* Node n2's clock is 30 s ahead: its phase moves on the time axis, but durations, energies
 * and the straggler are the same as without the skew. */
static void test_skew_changes_no_duration(void **state) {
    (void)state;
    const ph a[] = { { "train", 10, 70, 6000 } };
    const ph b[] = { { "train", 10, 75, 6500 } };
    aim_job_result r0, r1;
    aim_run_summary runs[2];
    make_run(&runs[0], "r-a", "n1", "run", T0, 80, 7000, 1, a, 1, 0);
    make_run(&runs[1], "r-b", "n2", "run", T0, 80, 7000, 1, b, 1, 0);
    assert_int_equal(aim__job_build("42", runs, 2, &r0), 0);
    free_runs(runs, 2);
    make_run(&runs[0], "r-a", "n1", "run", T0, 80, 7000, 1, a, 1, 0);
    make_run(&runs[1], "r-b", "n2", "run", T0 + 30 * S, 80, 7000, 1, b, 1, 0);
    assert_int_equal(aim__job_build("42", runs, 2, &r1), 0);
    const aim_job_phase *p0 = phase(&r0, "train"), *p1 = phase(&r1, "train");
    assert_true(p0->per_node[p0->slowest].node == p1->per_node[p1->slowest].node);
    assert_true(p0->spread_ns == p1->spread_ns && p1->spread_ns == 5 * S);
    near(p0->energy_j, p1->energy_j);
    for (size_t i = 0; i < 2; i++)
        assert_true(p0->per_node[i].duration_ns == p1->per_node[i].duration_ns);
    assert_true(p1->end_wall_ns == T0 + 105 * S); /* placed on n2's own anchor */
    aim__job_free(&r0);
    aim__job_free(&r1);
    free_runs(runs, 2);
}

static void test_no_runs(void **state) {
    (void)state;
    aim_job_result r;
    assert_int_equal(aim__job_build("42", NULL, 0, &r), -EINVAL);
    aim__job_free(&r);
}

/* The renderers: the JSON's schema and totals, the text's warning, the CSV's header. */
static void test_renderers(void **state) {
    (void)state;
    aim_run_summary runs[3];
    const ph a[] = { { "train", 0, 60, 600 } };
    make_run(&runs[0], "r-a", "n1", "run", T0, 60, 1000, 1, a, 1, 10);
    make_run(&runs[1], "r-b", "n2", "run", T0, 60, 2000, 2, a, 1, 10);
    make_run(&runs[2], "r-c", "n2", "agent", T0, 60, 2100, 2, NULL, 0, 0);
    aim_job_result r;
    assert_int_equal(aim__job_build("42", runs, 3, &r), 0);
    char *json = NULL;
    assert_int_equal(aim__job_json(&r, &json), 0);
    assert_non_null(strstr(json, "\"schema\": \"aimeter.job/1\""));
    assert_non_null(strstr(json, "\"energy_j\": 3000"));
    assert_non_null(strstr(json, "\"slowest_node\""));
    free(json);
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__job_text(&b, &r, 0);
    assert_non_null(strstr(b.data, "node n2 measured twice"));
    assert_non_null(strstr(b.data, "Energy: 3000.00 J"));
    aim__strbuf_free(&b);
    aim__job_html(&b, &r);
    assert_non_null(strstr(b.data, "<h1>Job 42</h1>"));
    aim__strbuf_free(&b);
    aim_render_jobs l = { &r, 1 };
    aim__jobs_csv(&b, &l);
    assert_true(strncmp(b.data, "job,user,nodes,start,end,duration_s,energy_kwh,carbon_g,state,"
                                "warnings\n42,ada,2,", 62) == 0);
    aim__strbuf_free(&b);
    aim__job_free(&r);
    free_runs(runs, 3);
}

/* Review finding 3 (issue 16): jobs 42 and 43 at once on node n1, each an agent's job run
 * whose total is the job's attributed share (a tag says how) and whose device rows keep the
 * node's energy. Each job reports its own figure, the node's as context and the method;
 * together they stay within the node's. A directly measured node is the whole node's. */
static void test_attributed_job_runs_report_the_jobs_share(void **state) {
    (void)state;
    aim_run_summary runs[3];
    make_run(&runs[0], "j42", "n1", "agent", T0, 60, 485, 4.85, NULL, 0, 0);
    make_run(&runs[1], "j43", "n1", "agent", T0, 60, 450, 4.5, NULL, 0, 0);
    make_run(&runs[2], "r42", "n2", "run", T0, 60, 700, 7, NULL, 0, 0);
    snprintf(runs[1].tags[0].value, sizeof runs[1].tags[0].value, "43");
    for (int k = 0; k < 2; k++) {
        runs[k].devices[0].energy_j = 1000; /* the node's, over the job's window */
        snprintf(runs[k].tags[3].key, sizeof runs[k].tags[3].key, "attribution");
        snprintf(runs[k].tags[3].value, sizeof runs[k].tags[3].value, "cgroup,gpus");
    }
    aim_job_result a, b;
    aim_run_summary job42[2] = { runs[0], runs[2] };
    assert_int_equal(aim__job_build("42", job42, 2, &a), 0);
    assert_int_equal(aim__job_build("43", &runs[1], 1, &b), 0);
    near(a.nodes[0].energy_j, 485);
    near(a.nodes[0].node_energy_j, 1000);
    assert_string_equal(a.nodes[0].method, "cgroup,gpus");
    near(a.nodes[1].energy_j, 700);
    near(a.nodes[1].node_energy_j, 700);
    assert_string_equal(a.nodes[1].method, "node");
    near(a.energy_j, 1185);
    near(a.carbon_g, 11.85);
    near(b.energy_j, 450);
    assert_true(a.nodes[0].energy_j + b.nodes[0].energy_j <= b.nodes[0].node_energy_j);
    char *json = NULL;
    assert_int_equal(aim__job_json(&a, &json), 0);
    assert_non_null(strstr(json, "\"node_energy_j\": 1000"));
    assert_non_null(strstr(json, "\"method\": \"cgroup,gpus\""));
    assert_non_null(strstr(json, "\"method\": \"node\""));
    free(json);
    aim_strbuf t = AIM_STRBUF_INIT;
    aim__job_text(&t, &a, 0);
    assert_non_null(strstr(t.data, "attributed by cgroup + GPUs allotted"));
    assert_non_null(strstr(t.data, "measured whole node"));
    assert_non_null(strstr(t.data, "Energy: 1185.00 J"));
    aim__strbuf_free(&t);
    aim__job_free(&a);
    aim__job_free(&b);
    free_runs(runs, 3);
}

/* Another rank's phases in the node's run (docs/python.md): begun in the rank's scope, they
 * outlive an end of rank 0's phase they were opened inside, and end at their own end. */
static void test_rank_phases_outlive_rank_0s(void **state) {
    (void)state;
    aim_phases *p;
    assert_int_equal(aim__phases_new(16, 16, &p), 0);
    assert_int_equal(aim__phases_begin(p, 0, "epoch 1"), 0);
    assert_int_equal(aim__phases_begin_scoped(p, 1 * S, "[rank 1] epoch 1", 9), 0);
    assert_int_equal(aim__phases_begin(p, 2 * S, "inner"), 0);
    assert_int_equal(aim__phases_end(p, 10 * S, "epoch 1"), 0);  /* rank 0 is done */
    assert_int_equal(aim__phases_end(p, 11 * S, NULL), -ENOENT); /* none unscoped is open */
    assert_int_equal(aim__phases_end_scoped(p, 13 * S, "[rank 1] epoch 1", 9), 0); /* it lags */
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(p, &rows);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        int64_t want = strcmp(rows[i].name, "epoch 1") == 0 ? 10 * S
                       : strcmp(rows[i].name, "inner") == 0 ? 8 * S : 12 * S;
        if (rows[i].total_ns != want)
            fail_msg("%s: %lld ns", rows[i].name, (long long)rows[i].total_ns);
    }
    aim__phases_free(p);
}

/* ------------------------------------------------------------------ job tags */

static const char *const *env_table;
static const char *lookup(const char *name, void *ud) {
    (void)ud;
    for (const char *const *e = env_table; *e; e += 2)
        if (strcmp(e[0], name) == 0)
            return e[1];
    return NULL;
}

static const char *tag(const aim_run_tag *t, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].key, key) == 0)
            return t[i].value;
    return NULL;
}

static void test_tags_from_slurm(void **state) {
    (void)state;
    static const char *const env[] = { "SLURM_JOB_ID", "981", "SLURMD_NODENAME", "gpu07",
                                       "SLURM_NODEID", "3", "SLURM_GTIDS", "12,13,14,15,20",
                                       "SLURM_JOB_USER", "ada", NULL };
    env_table = env;
    aim_run_tag t[AIM_JOB_TAGS_MAX];
    size_t n = aim__job_tags_from(lookup, NULL, "run", "myhost", "root", t);
    assert_int_equal(n, 6);
    assert_string_equal(tag(t, n, "job"), "981");
    assert_string_equal(tag(t, n, "node"), "gpu07");
    assert_string_equal(tag(t, n, "node_rank"), "3");
    assert_string_equal(tag(t, n, "ranks"), "12-15,20");
    assert_string_equal(tag(t, n, "user"), "ada");
    assert_string_equal(tag(t, n, "measured_by"), "run");
}

static void test_tags_from_torchrun(void **state) {
    (void)state;
    static const char *const env[] = { "AIMETER_JOB", "exp-1", "SLURM_JOB_ID", "981",
                                       "GROUP_RANK", "2", "LOCAL_WORLD_SIZE", "4",
                                       "SLURM_GTIDS", "x,1", NULL };
    env_table = env;
    aim_run_tag t[AIM_JOB_TAGS_MAX];
    size_t n = aim__job_tags_from(lookup, NULL, "python", "myhost", "bob", t);
    assert_string_equal(tag(t, n, "job"), "exp-1"); /* AIMETER_JOB first */
    assert_string_equal(tag(t, n, "node"), "myhost");
    assert_string_equal(tag(t, n, "node_rank"), "2");
    assert_string_equal(tag(t, n, "ranks"), "8-11"); /* a bad SLURM_GTIDS is left aside */
    assert_string_equal(tag(t, n, "user"), "bob");
    static const char *const none[] = { "GROUP_RANK", "2", NULL };
    env_table = none;
    assert_int_equal(aim__job_tags_from(lookup, NULL, "run", "h", "u", t), 0); /* no job */
    static const char *const bad[] = { "SLURM_JOB_ID", "bad id", "PBS_JOBID", "7.pbs",
                                       "SLURM_NODEID", "-1", NULL };
    env_table = bad;
    n = aim__job_tags_from(lookup, NULL, "run", NULL, NULL, t);
    assert_string_equal(tag(t, n, "job"), "7.pbs");
    assert_null(tag(t, n, "node_rank"));
    assert_null(tag(t, n, "node"));
}

static void test_ranks_fold(void **state) {
    (void)state;
    char out[32];
    assert_int_equal(aim__job_ranks_fold("0", out, sizeof out), 0);
    assert_string_equal(out, "0");
    assert_int_equal(aim__job_ranks_fold("0,1,2,3,8,10,11", out, sizeof out), 0);
    assert_string_equal(out, "0-3,8,10-11");
    assert_int_equal(aim__job_ranks_fold("1,,2", out, sizeof out), -EINVAL);
    assert_int_equal(aim__job_ranks_fold("", out, sizeof out), -EINVAL);
    assert_int_equal(aim__job_ranks_fold("1,3,5,7,9,11,13", out, 8), -ENOSPC);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals_and_straggler),
        cmocka_unit_test(test_double_measurement),
        cmocka_unit_test(test_consecutive_runs_of_a_node_sum),
        cmocka_unit_test(test_skew_changes_no_duration),
        cmocka_unit_test(test_no_runs),
        cmocka_unit_test(test_renderers),
        cmocka_unit_test(test_attributed_job_runs_report_the_jobs_share),
        cmocka_unit_test(test_rank_phases_outlive_rank_0s),
        cmocka_unit_test(test_tags_from_slurm),
        cmocka_unit_test(test_tags_from_torchrun),
        cmocka_unit_test(test_ranks_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
