/* aimeter whatif RUN --rank (aim_whatif_rank_render in aimeter.h): the run priced in every
 * zone of the tables, lowest carbon first. The run is replayed once (aim__whatif_job_run
 * with no zone: its own scenario, the baseline of vs_run) and each zone's carbon is then
 * aim__carbon_g(replayed energy, intensity) × PUE: with one constant intensity that is bit
 * for bit what the replay gives a zone-list item (processing/account.h sums the devices'
 * energies first and prices them once), so a rank row equals `whatif --zones CODE`, without
 * replaying hundreds of scenarios over every sample. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/store_error.h"
#include "api/whatif.h"
#include "data/carbon.h"
#include "store/db.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2100

typedef struct rank_row {
    aim_zone_info zone;      /* static strings */
    double carbon_g, vs_run;
} rank_row;

static int by_carbon(const void *a, const void *b) {
    const rank_row *x = a, *y = b;
    if (x->carbon_g != y->carbon_g)
        return x->carbon_g < y->carbon_g ? -1 : 1;
    return strcmp(x->zone.code, y->zone.code);
}

/* The rows to price: aim_zone_select's or aim_zone_select_year's. */
static size_t zone_rows(const aim_whatif_rank_request *req, rank_row *rows, size_t cap) {
    aim_zone_query q = { .marginal = req->marginal };
    if (req->year) {
        aim_zone_info *z = calloc(cap, sizeof *z);
        size_t n = z ? aim_zone_select_year(&q, req->year, z, cap) : 0;
        for (size_t i = 0; i < n; i++)
            rows[i].zone = z[i];
        free(z);
        return n;
    }
    size_t mcap = aim_zone_count() + aim_cloud_region_count() + 1;
    aim_zone_match *m = calloc(mcap, sizeof *m);
    size_t n = m ? aim_zone_select(&q, m, mcap) : 0;
    for (size_t i = 0; i < n && i < cap; i++)
        rows[i].zone = *m[i].zone;
    free(m);
    return n < cap ? n : cap;
}

static int render_json(const aim_whatif_result *res, const aim_whatif_rank_request *req,
                       const rank_row *rows, size_t n, char **ret_text) {
    int err = 0;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.whatif-rank/1"), &err);
    aim__json_put(root, "run", aim__json_str(res->run->id, sizeof res->run->id), &err);
    aim__json_put(root, "name", aim__json_str(res->run->name, sizeof res->run->name), &err);
    aim__json_put(root, "energy_j", aim__json_num(res->tot.energy_j), &err);
    aim__json_put(root, "pue", aim__json_num(res->pue), &err);
    aim__json_put(root, "pue_is_runs", json_boolean(res->pue_is_runs), &err);
    aim__json_put(root, "signal", json_string(req->marginal ? "marginal" : "average"), &err);
    aim__json_put(root, "year", req->year ? json_integer(req->year) : json_null(), &err);
    aim__json_put(root, "run_carbon_g", aim__json_num(res->sc[0].carbon_g), &err);
    aim__json_put(root, "zones", aim__json_count(n), &err);
    json_t *arr = json_array();
    size_t shown = req->limit && req->limit < n ? req->limit : n;
    for (size_t i = 0; i < shown; i++) {
        const aim_zone_info *z = &rows[i].zone;
        json_t *o = json_object();
        aim__json_put(o, "rank", aim__json_count(i + 1), &err);
        aim__json_put(o, "code", aim__json_str(z->code, (size_t)-1), &err);
        aim__json_put(o, "name", aim__json_str(z->name, (size_t)-1), &err);
        aim__json_put(o, "g_per_kwh", aim__json_num(z->g_per_kwh), &err);
        aim__json_put(o, "signal", aim__json_str(z->signal, (size_t)-1), &err);
        aim__json_put(o, "basis", aim__json_str(z->basis, (size_t)-1), &err);
        aim__json_put(o, "year", json_integer(z->year), &err);
        aim__json_put(o, "source", aim__json_str(z->source, (size_t)-1), &err);
        aim__json_put(o, "carbon_g", aim__json_num(rows[i].carbon_g), &err);
        aim__json_put(o, "vs_run", aim__json_num(rows[i].vs_run), &err);
        aim__json_push(arr, o, &err);
    }
    aim__json_put(root, "rows", arr, &err);
    int r = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return r;
}

static int render_text(const aim_whatif_result *res, const aim_whatif_rank_request *req,
                       const rank_row *rows, size_t n, char **ret_text) {
    aim_strbuf b = AIM_STRBUF_INIT;
    char e[AIM_NUM_MAX], p[AIM_NUM_MAX], c[AIM_NUM_MAX], g[AIM_NUM_MAX], v[AIM_NUM_MAX];
    aim__strbuf_printf(&b, "Run %s: %s kWh (IT, replayed) x PUE %s%s, run's own grid %s g CO2e\n",
                       res->run->id, aim__fmt_sig(e, res->tot.energy_j / 3.6e6, 3, 3),
                       aim__fmt_trim(p, res->pue, 3), res->pue_is_runs ? " (the run's)" : "",
                       aim__fmt_sig(c, res->sc[0].carbon_g, 3, 2));
    aim__strbuf_printf(&b, "Zones ranked by carbon, %s intensity", req->marginal ? "marginal"
                                                                                : "average");
    if (req->year)
        aim__strbuf_printf(&b, " of %d", req->year);
    aim__strbuf_printf(&b, " (%zu zones)\n\nRANK  CODE              G/KWH     CARBON G   VS RUN  NAME\n",
                       n);
    size_t shown = req->limit && req->limit < n ? req->limit : n;
    for (size_t i = 0; i < shown; i++) {
        const aim_zone_info *z = &rows[i].zone;
        aim__strbuf_printf(&b, "%4zu  %-14s  %7s  %11s  %7s  %s\n", i + 1, z->code,
                           aim__fmt_fixed(g, z->g_per_kwh, 1),
                           aim__fmt_sig(c, rows[i].carbon_g, 3, 2),
                           isfinite(rows[i].vs_run) ? aim__fmt_fixed(v, rows[i].vs_run, 3) : "-",
                           z->name);
    }
    if (shown < n)
        aim__strbuf_printf(&b, "... %zu more (--limit)\n", n - shown);
    return aim__strbuf_steal(&b, ret_text);
}

int aim_whatif_rank_render(aim_store *store, const char *run_id,
                           const aim_whatif_rank_request *req, aim_format format,
                           char **ret_text) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !req || !ret_text) {
        if (store)
            aim__store_set_error(store, db ? "no run, request or output given" : "store not open");
        return -EINVAL;
    }
    int r = aim__whatif_check_options(store, AIM_OUTPUT_WHATIF, format, req->pue);
    if (r < 0)
        return r;
    if (req->year && (req->year < YEAR_MIN || req->year > YEAR_MAX)) {
        aim__store_set_error(store, "bad year %d: %d to %d", req->year, YEAR_MIN, YEAR_MAX);
        return -EINVAL;
    }
    size_t cap = aim_zone_count() + 1;
    rank_row *rows = calloc(cap, sizeof *rows);
    if (!rows) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    aim_whatif_job *job = NULL;
    aim_whatif_result res;
    r = aim__whatif_job_run(store, run_id, NULL, NULL, req->pue, &job, &res);
    if (r == 0) {
        size_t n = zone_rows(req, rows, cap);
        double run_g = res.sc[0].carbon_g;
        for (size_t i = 0; i < n; i++) {
            rows[i].carbon_g = aim__carbon_g(res.tot.energy_j, rows[i].zone.g_per_kwh) * res.pue;
            rows[i].vs_run = run_g > 0 ? rows[i].carbon_g / run_g : NAN;
        }
        qsort(rows, n, sizeof *rows, by_carbon);
        r = format == AIM_FORMAT_JSON ? render_json(&res, req, rows, n, ret_text)
                                      : render_text(&res, req, rows, n, ret_text);
        if (r == -ENOMEM)
            aim__store_set_error(store, "out of memory");
    }
    aim__whatif_job_free(job);
    free(rows);
    return r;
}
