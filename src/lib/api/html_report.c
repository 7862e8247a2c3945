/* aim_report_render_html (aimeter.h) and aim__report_html_data (api/html_report.h): the HTML
 * report's data gathered from the store by one builder, then rendered as the page
 * (report/html_render.h) or as its data object alone (the API's /view). Every stored sample
 * is read once, through the store's one series reader over all the run's rate groups, and
 * goes to two consumers as it comes:
 *   - its series' decimator (processing/decimate.h), so a run of any length costs memory in
 *     proportion to its series and the bucket count, never to its samples;
 *   - the what-if pricer (processing/whatif.h) for the energy groups, which prices the run in
 *     the comparison zones and in the two scenarios of the cumulative energy and carbon
 *     curve (processing/energy_timeline.h, the curve aimeter plot --kind cumulative draws
 *     too), one point per bucket.
 * The run's JSON report (aim_report_render) and its correlation matrix (aim_corr_compute)
 * come from their own public functions, so the HTML shows the same figures. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/run_load.h"
#include "api/html_report.h"
#include "api/store_error.h"
#include "api/whatif.h"
#include "data/zone_history.h"
#include "processing/energy_timeline.h"
#include "processing/html_model.h"
#include "processing/report_words.h"
#include "processing/sections.h"
#include "report/html_render.h"
#include "report/renderers.h"
#include "store/store.h"
#include "store/tags_store.h"
#include "util/numfmt.h"

#define NS_PER_S 1e9

/* The comparison zones priced besides the run's own and the user's (docs/decisions.md):
 * the world average and a spread of large or telling grids, low to high. */
static const char default_zones[] = "WORLD,SE,FR,GB,DE,US,CN,IN,PL";

#define MAX_SC (2 + 2 * AIM_WHATIF_MAX_ZONES)

typedef struct html_ctx {
    aim_store *store;
    aim_db *db;
    aim_run_summary run;
    aim_html_model m;
    char *report_json;
    /* the reader's groups: for each (its index in the reader), the series it carries */
    size_t **members;
    size_t *n_members;
    int n_groups;
    /* the pricing: the curve's own (0) and unit (1), then the zones */
    aim_whatif_scenario sc[MAX_SC];
    size_t n_sc;
    aim_intensity_point zone_points[2 * AIM_WHATIF_MAX_ZONES];
    aim_whatif_pricer *pricer;
    const int *pricer_groups;
    size_t n_pricer_groups;
    aim_whatif_totals tot;
    double pue;
    aim_html_zone zones[MAX_SC];
    aim_energy_timeline energy;   /* the cumulative energy and carbon */
    /* correlation */
    aim_corr_result *corr;
    const char **corr_names;
    double *corr_r;
} html_ctx;

/* ------------------------------------------------------------------ scenarios */

/* Whether zone label z is already priced (the run's own zone, or an earlier item). */
static int priced(const html_ctx *x, const char *z) {
    if (x->run.zone[0] && strcmp(z, x->run.zone) == 0)
        return 1;
    for (size_t k = 2; k < x->n_sc; k++)
        if (strcmp(x->sc[k].label, z) == 0)
            return 1;
    return 0;
}

static int add_scenarios(html_ctx *x, const char *zones) {
    aim__energy_timeline_scenarios(&x->energy, &x->run, x->sc);
    x->n_sc = 2;
    /* The user's zones as given (a repeat, or the run's own zone, left out), then the
     * defaults not priced yet. */
    /* zeroed: the optional fields (on_interval, device_g) the zone scenario does not set */
    static const aim_whatif_scenario none;
    aim_whatif_scenario given[AIM_WHATIF_MAX_ZONES];
    for (size_t k = 0; k < AIM_WHATIF_MAX_ZONES; k++)
        given[k] = none;
    size_t n_given = 0;
    int r = aim__whatif_add_zones(x->store, zones, x->run.start_wall_ns, x->zone_points, given,
                                  &n_given);
    for (size_t k = 0; r == 0 && k < n_given; k++)
        if (!priced(x, given[k].label))
            x->sc[x->n_sc++] = given[k];
    size_t n_def = 0;
    for (size_t k = 0; k < n_given; k++)
        given[k] = none;
    if (r == 0)
        r = aim__whatif_add_zones(x->store, default_zones, x->run.start_wall_ns,
                                  x->zone_points + AIM_WHATIF_MAX_ZONES, given, &n_def);
    for (size_t k = 0; r == 0 && k < n_def; k++)
        if (!priced(x, given[k].label))
            x->sc[x->n_sc++] = given[k];
    return r;
}

/* The own row: the run's zone and its name in the table when it has one. */
static void own_zone(const html_ctx *x, aim_html_zone *z) {
    const aim_whatif_scenario *s = &x->sc[0];
    aim__bprintf(z->zone, sizeof z->zone, "%.*s", (int)strnlen(x->run.zone, sizeof x->run.zone),
                 x->run.zone);
    aim__bprintf(z->name, sizeof z->name, "%s", s->name);
    aim_zone_spec spec;
    char err[320];
    if (z->zone[0] && aim__zone_spec_resolve(z->zone, strlen(z->zone), &spec, err, sizeof err) == 0 &&
        spec.row.name)
        aim__bprintf(z->name, sizeof z->name, "%s", spec.row.name);
    aim__bprintf(z->source, sizeof z->source, "%s", s->source);
}

static void fill_zones(html_ctx *x) {
    if (x->tot.devices == 0)
        return;   /* nothing to price: whatif is null */
    size_t n = 0;
    for (size_t k = 0; k < x->n_sc; k++) {
        if (k == 1)
            continue;
        aim_html_zone *z = &x->zones[n++];
        const aim_whatif_scenario *s = &x->sc[k];
        if (k == 0) {
            own_zone(x, z);
            z->own = 1;
        } else {
            aim__bprintf(z->zone, sizeof z->zone, "%s", s->label);
            aim__bprintf(z->name, sizeof z->name, "%s", s->name);
            aim__bprintf(z->source, sizeof z->source, "%s", s->source);
        }
        z->g_per_kwh = s->intensity_g_per_kwh;
        z->carbon_g = s->carbon_g;
    }
    x->m.zones = x->zones;
    x->m.n_zones = n;
    x->m.whatif_kwh = x->tot.energy_j * x->pue / 3.6e6;
}

/* ------------------------------------------------------------------ series */

/* Every series, in the report's order (each device's, in slot order; one of a device the run
 * does not list, last), with where its values are in its group's ticks. */
static int add_series(html_ctx *x, size_t buckets) {
    const aim_run_summary *run = &x->run;
    size_t n = run->n_series > 0 ? (size_t)run->n_series : 0;
    x->m.series = calloc(n + 1, sizeof *x->m.series);
    if (!x->m.series)
        return -ENOMEM;
    for (int pass = 0; pass <= run->n_devices; pass++)
        for (int i = 0; i < run->n_series; i++) {
            int d = pass < run->n_devices ? pass : -1;
            const aim_series_summary *s = &run->series[i];
            int dev = s->device >= 0 && s->device < run->n_devices ? s->device : -1;
            if (dev != d)
                continue;
            aim_html_series *h = &x->m.series[x->m.n_series++];
            aim__api_series_key(run, s, h->name, sizeof h->name);
            aim__bprintf(h->device, sizeof h->device, "%s", dev >= 0 ? run->devices[dev].name : "?");
            aim__bprintf(h->metric, sizeof h->metric, "%.*s",
                         (int)strnlen(s->metric_key, sizeof s->metric_key), s->metric_key);
            const aim_metric_info *info = aim__series_metric(s);
            h->label = info ? info->label : h->metric;
            h->unit = aim__api_series_unit(s);
            h->category = info ? aim_category_name(info->category) : NULL;
            h->method = aim__method_word(s->method);
            h->group = s->group;
            for (int k = 0; k < i; k++) /* a group's columns are its series in slot order */
                h->pos += run->series[k].group == s->group;
            aim__decimator_init(&h->dec, x->m.x0, x->m.x1, buckets);
        }
    return 0;
}

/* For each of the reader's groups, the series it carries. */
static int map_groups(html_ctx *x, const aim_series_reader *rd) {
    int n = aim__series_reader_groups(rd);
    x->members = calloc((size_t)n + 1, sizeof *x->members);
    x->n_members = calloc((size_t)n + 1, sizeof *x->n_members);
    if (!x->members || !x->n_members)
        return -ENOMEM;
    x->n_groups = n;
    for (int g = 0; g < n; g++) {
        int group = aim__series_reader_group(rd, g);
        x->members[g] = calloc(x->m.n_series + 1, sizeof **x->members);
        if (!x->members[g])
            return -ENOMEM;
        for (size_t i = 0; i < x->m.n_series; i++)
            if (x->m.series[i].group == group)
                x->members[g][x->n_members[g]++] = i;
    }
    return 0;
}

static int is_pricer_group(const html_ctx *x, int group) {
    for (size_t g = 0; g < x->n_pricer_groups; g++)
        if (x->pricer_groups[g] == group)
            return 1;
    return 0;
}

/* The one pass over the stored samples. */
static int read_samples(html_ctx *x) {
    aim_series_reader *rd = NULL;
    int r = x->run.n_series > 0 ? aim__series_reader_open_run(x->db, &x->run, NULL, 0, &rd) : 0;
    if (r == 0 && rd)
        r = map_groups(x, rd);
    aim_series_tick t;
    while (r == 0 && rd && (r = aim__series_reader_next(rd, &t)) > 0) {
        r = 0;
        double ts = (double)t.t_rel_ns / NS_PER_S;
        for (size_t k = 0; t.index < x->n_groups && k < x->n_members[t.index] && r == 0; k++) {
            aim_html_series *h = &x->m.series[x->members[t.index][k]];
            if (h->pos < t.n)
                r = aim__decimator_push(&h->dec, ts, t.values[h->pos], t.valid[h->pos]);
        }
        if (r == 0 && is_pricer_group(x, t.group)) {
            aim__whatif_pricer_set_group(x->pricer, t.group);
            aim__whatif_pricer_tick(t.t_rel_ns, t.values, t.valid, x->pricer);
        }
    }
    aim__series_reader_free(rd);
    if (r > 0)
        r = 0;
    for (size_t i = 0; r == 0 && i < x->m.n_series; i++)
        r = aim__decimator_finish(&x->m.series[i].dec);
    if (r == 0) {
        aim__whatif_pricer_finish(x->pricer, &x->tot);
        r = aim__energy_timeline_finish(&x->energy);
        x->m.energy_t = x->energy.t;     /* borrowed */
        x->m.energy_kwh = x->energy.kwh;
        x->m.energy_g = x->energy.g;
        x->m.n_energy = x->energy.n;
    }
    if (r < 0)
        aim__store_set_error(x->store, "%s", r == -ENOMEM ? "out of memory" : aim__db_errmsg(x->db));
    return r;
}

/* ------------------------------------------------------------------ phases, marks, corr */

static int add_phases_marks(html_ctx *x) {
    aim_phase_instance *ph = NULL;
    aim_mark_row *mk = NULL;
    size_t n_ph = 0, n_mk = 0;
    int r = aim__db_phase_instances(x->db, x->run.id, &ph, &n_ph);
    if (r == 0)
        r = aim__db_marks_load(x->db, x->run.id, &mk, &n_mk);
    if (r == 0) {
        x->m.phases = calloc(n_ph + 1, sizeof *x->m.phases);
        x->m.marks = calloc(n_mk + 1, sizeof *x->m.marks);
        if (!x->m.phases || !x->m.marks)
            r = -ENOMEM;
    }
    for (size_t i = 0; r == 0 && i < n_ph; i++) {
        aim_html_phase *p = &x->m.phases[x->m.n_phases++];
        aim__bprintf(p->name, sizeof p->name, "%s", ph[i].name);
        p->depth = ph[i].depth;
        p->closed = ph[i].closed;
        p->t0 = (double)ph[i].start_ns / NS_PER_S;
        p->t1 = (double)(ph[i].closed ? ph[i].end_ns : x->run.duration_ns) / NS_PER_S;
    }
    for (size_t i = 0; r == 0 && i < n_mk; i++) {
        aim_html_mark *k = &x->m.marks[x->m.n_marks++];
        aim__bprintf(k->text, sizeof k->text, "%s", mk[i].text);
        k->t = (double)mk[i].t_ns / NS_PER_S;
    }
    free(ph);
    free(mk);
    if (r < 0)
        aim__store_set_error(x->store, "%s", r == -ENOMEM ? "out of memory" : aim__db_errmsg(x->db));
    return r;
}

/* The matrix over the series that vary (the others have no r with anything); none when the
 * run has no samples to correlate. */
static int add_correlation(html_ctx *x) {
    int r = aim_corr_compute(x->store, x->run.id, NULL, 0, 0, &x->corr);
    if (r == -ENOMEM)
        return r;
    if (r < 0) {
        x->corr = NULL;
        return 0;
    }
    aim_corr_info info;
    aim_corr_get_info(x->corr, &info);
    size_t *idx = calloc(info.n_series + 1, sizeof *idx), n = 0;
    x->corr_names = calloc(info.n_series + 1, sizeof *x->corr_names);
    if (!idx || !x->corr_names) {
        free(idx);
        return -ENOMEM;
    }
    for (size_t i = 0; i < info.n_series; i++) {
        aim_corr_series_info s;
        if (aim_corr_series(x->corr, i, &s) == 0 && s.status == AIM_CORR_VARYING) {
            x->corr_names[n] = s.name;
            idx[n++] = i;
        }
    }
    x->corr_r = calloc(n * n + 1, sizeof *x->corr_r);
    if (!x->corr_r) {
        free(idx);
        return -ENOMEM;
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            x->corr_r[a * n + b] = aim_corr_r(x->corr, idx[a], idx[b], NULL);
    free(idx);
    if (n) {
        x->m.corr_names = x->corr_names;
        x->m.corr_r = x->corr_r;
        x->m.n_corr = n;
    }
    return 0;
}

/* ------------------------------------------------------------------ the whole */

static void ctx_free(html_ctx *x) {
    for (size_t i = 0; i < x->m.n_series; i++)
        aim__decimator_free(&x->m.series[i].dec);
    free(x->m.series);
    free(x->m.phases);
    free(x->m.marks);
    aim__energy_timeline_free(&x->energy);
    for (int g = 0; x->members && g < x->n_groups; g++)
        free(x->members[g]);
    free(x->members);
    free(x->n_members);
    aim__whatif_pricer_free(x->pricer);
    aim_corr_result_free(x->corr);
    free(x->corr_names);
    free(x->corr_r);
    free(x->report_json);
    aim__run_summary_clear(&x->run);
    free(x);
}

/* Everything the page shows, gathered from the store into *ret's model (its figures are the
 * same whether the page or only its data is wanted: one builder for both, so the API's /view
 * and the HTML file cannot drift apart). Errors as aim_report_render_html's. */
static int build(aim_store *store, const char *run_id, const char *zones, unsigned buckets,
                 html_ctx **ret) {
    aim_db *db = aim__store_db(store);
    *ret = NULL;
    if (!db || !run_id) {
        if (store)
            aim__store_set_error(store, "%s", db ? "no run or output given" : "store not open");
        return -EINVAL;
    }
    if (buckets == 0)
        buckets = AIM_HTML_BUCKETS;
    if (buckets < 10 || buckets > 1000000) {
        aim__store_set_error(store, "bad bucket count %u: 10 to 1000000", buckets);
        return -EINVAL;
    }
    html_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    x->store = store;
    x->db = db;
    int r = aim__db_load_summary(db, run_id, &x->run);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    if (r == 0) {
        /* the timeline's window: the run, s since its start */
        double x1 = x->run.duration_ns > 0 ? (double)x->run.duration_ns / NS_PER_S : 0;
        aim__energy_timeline_init(&x->energy, 0, x1, buckets);
        r = add_scenarios(x, zones);
    }
    if (r == 0)
        r = aim_report_render(store, run_id, AIM_FORMAT_JSON, &x->report_json);
    if (r == 0) {
        aim_html_model *m = &x->m;
        m->run_id = x->run.id;
        m->run_name = x->run.name;
        m->report_json = x->report_json;
        m->start_wall_ns = x->run.start_wall_ns;
        m->x0 = x->energy.grid.x0;
        m->x1 = x->energy.grid.x1;
        m->buckets = buckets;
        x->pue = aim__whatif_pue(0, &x->run);
        r = add_series(x, buckets);
        if (r == 0)
            r = aim__whatif_pricer_new(&x->run, x->pue, x->sc, x->n_sc, &x->pricer);
        if (r == 0)
            x->n_pricer_groups = aim__whatif_pricer_groups(x->pricer, &x->pricer_groups);
        if (r < 0)
            aim__store_set_error(store, "out of memory");
    }
    if (r == 0)
        r = read_samples(x);
    if (r == 0)
        r = add_phases_marks(x);
    if (r == 0 && (r = add_correlation(x)) < 0)
        aim__store_set_error(store, "out of memory");
    if (r < 0) {
        ctx_free(x);
        return r;
    }
    fill_zones(x);
    *ret = x;
    return 0;
}

/* build() for an entry point whose output is ret: -EINVAL when there is none. */
static int build_for(aim_store *store, const char *run_id, const char *zones, unsigned buckets,
                     const void *ret, html_ctx **x) {
    if (!ret) {
        if (store)
            aim__store_set_error(store, "no run or output given");
        return -EINVAL;
    }
    return build(store, run_id, zones, buckets, x);
}

int aim_report_render_html(aim_store *store, const char *run_id, const char *zones,
                           unsigned buckets, char **ret_text) {
    html_ctx *x;
    int r = build_for(store, run_id, zones, buckets, ret_text, &x);
    if (r < 0)
        return r;
    r = aim__render(AIM_OUTPUT_HTML, AIM_FORMAT_HTML, &x->m, ret_text);
    if (r < 0)
        aim__store_set_error(store, "cannot render run %s as HTML: %s", run_id,
                             r == -ENOMEM ? "out of memory"
                                          : "this aimeter's build is broken: the web front "
                                            "end's assets are missing or bad (rebuild it)");
    ctx_free(x);
    return r;
}

int aim__report_html_data(aim_store *store, const char *run_id, const char *zones,
                          unsigned buckets, char **ret_json) {
    html_ctx *x;
    int r = build_for(store, run_id, zones, buckets, ret_json, &x);
    if (r < 0)
        return r;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__html_data_json(&b, &x->m);
    ctx_free(x);
    r = aim__strbuf_steal(&b, ret_json);
    if (r < 0)
        aim__store_set_error(store, "out of memory");
    return r;
}
