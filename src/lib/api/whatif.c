/* aimeter whatif: a stored run's energy re-priced in other zones (whatif.h). */
#include "api/whatif.h"

#include "api/store_error.h"
#include "engine/whatif_replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/carbon.h"
#include "providers/intensity_file.h"
#include "data/zone_history.h"
#include "report/format.h"
#include "report/jsonutil.h"
#include "util/strbuf.h"

#define MAX_ZONES 64

/* ------------------------------------------------------------------ scenarios */

typedef struct whatif_req {
    aim_run_summary run;
    aim_whatif_scenario sc[MAX_ZONES + 2];
    size_t n_sc;
    aim_intensity_point run_point;   /* for a run that stored no series (cannot happen after
                                        migration 2, kept for a hand-made store) */
    aim_intensity_point zone_points[MAX_ZONES];
    aim_step_file file;
    double pue;
    int pue_is_runs;
    aim_whatif_totals tot;
} whatif_req;

static int add_zones(whatif_req *q, aim_store *store, const char *zones) {
    size_t nz = 0;
    for (const char *p = zones; p && *p;) {
        size_t len = strcspn(p, ",");
        char code[64];
        while (len && (*p == ' '))
            p++, len--;
        size_t l = len;
        while (l && p[l - 1] == ' ')
            l--;
        if (l == 0 || l >= sizeof code) {
            aim_store_set_error(store, "bad zone list '%s': comma-separated zone codes", zones);
            return -EINVAL;
        }
        memcpy(code, p, l);
        code[l] = '\0';
        /* "FR", "FR@2010", "PL@marginal", "aws:us-east-1@2023" (zone_history.h). */
        aim_zone_spec spec;
        char err[320];
        if (aim_zone_spec_resolve(code, l, &spec, err, sizeof err) < 0) {
            aim_store_set_error(store, "%s", err);
            return -EINVAL;
        }
        if (nz == MAX_ZONES) {
            aim_store_set_error(store, "at most %d zones at a time", MAX_ZONES);
            return -EINVAL;
        }
        aim_whatif_zone_scenario(&spec, code, q->run.start_wall_ns, &q->zone_points[nz++],
                                 &q->sc[q->n_sc++]);
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int add_file(whatif_req *q, aim_store *store, const char *path) {
    char err[512];
    int r = aim_step_file_load(path, 1, &q->file, err, sizeof err);
    if (r < 0) {
        aim_store_set_error(store, "%s", err);
        return r;
    }
    aim_whatif_scenario *s = &q->sc[q->n_sc++];
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    aim_bprintf(s->label, sizeof s->label, "%s", base);
    aim_bprintf(s->name, sizeof s->name, "file, %zu point%s", q->file.n, q->file.n == 1 ? "" : "s");
    s->points = q->file.points;
    s->n = q->file.n;
    s->signal = q->file.has_signal ? q->file.signal : AIM_SIGNAL_AVERAGE;
    s->basis = AIM_BASIS_UNKNOWN;
    aim_bprintf(s->source, sizeof s->source, "file %s, aligned to the run's wall clock", path);
    return 0;
}

/* ------------------------------------------------------------------ rendering */

static void text_table(aim_strbuf *b, const whatif_req *q) {
    const aim_run_summary *run = &q->run;
    char num[AIM_NUM_MAX], num2[AIM_NUM_MAX];
    aim_strbuf_append(b, "aimeter whatif  run ");
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_endline(b);
    char num3[AIM_NUM_MAX];
    aim_strbuf_printf(b, "IT energy %s J (%s kWh) from %llu stored samples of %d device%s; "
                      "PUE %s%s\n", aim_fmt_sig(num, q->tot.energy_j, 3, 2),
                      aim_fmt_sig(num2, q->tot.energy_j / 3.6e6, 3, 6),
                      (unsigned long long)q->tot.ticks, q->tot.devices,
                      q->tot.devices == 1 ? "" : "s", aim_fmt_trim(num3, q->pue, 3),
                      q->pue_is_runs ? " (the run's own)" : "");
    /* The samples are stored at the metrics' resolution, the run accounted them unrounded:
     * say how close the replay comes to what the run stored. */
    aim_strbuf_printf(b, "Stored with the run: %s J, %s g CO2e (the replay reads the samples as "
                      "stored, at their resolution)\n", aim_fmt_sig(num, run->total_energy_j, 3, 2),
                      aim_fmt_sig(num2, run->carbon_g, 3, 2));
    aim_strbuf_append(b, "Carbon = Σ energy × intensity(t) × PUE over every sample interval\n\n");

    static const char *const head[] = { "Zone", "Intensity g/kWh", "Signal", "Basis", "Year",
                                        "Carbon g CO2e", "vs run" };
    enum { COLS = 7 };
    char cell[MAX_ZONES + 2][COLS][AIM_NUM_MAX + 16];
    size_t w[COLS];
    for (int c = 0; c < COLS; c++)
        w[c] = aim_utf8_width(head[c]);
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim_bprintf(cell[i][0], sizeof cell[i][0], "%s", s->label);
        aim_fmt_trim(cell[i][1], s->intensity_g_per_kwh, 2);
        if (s->n > 1)
            aim_bprintf(cell[i][1], sizeof cell[i][1], "%s (mean)",
                        aim_fmt_trim(num, s->intensity_g_per_kwh, 2));
        aim_bprintf(cell[i][2], sizeof cell[i][2], "%s", aim_signal_name(s->signal));
        aim_bprintf(cell[i][3], sizeof cell[i][3], "%s", aim_basis_name(s->basis));
        if (s->year)
            aim_bprintf(cell[i][4], sizeof cell[i][4], "%d", s->year);
        else
            aim_bprintf(cell[i][4], sizeof cell[i][4], "-");
        aim_fmt_sig(cell[i][5], s->carbon_g, 3, 2);
        aim_fmt_sig(cell[i][6], s->ratio, 3, 2);
        for (int c = 0; c < COLS; c++) {
            for (char *p = cell[i][c]; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    *p = '?';
            size_t cw = aim_utf8_width(cell[i][c]);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    for (int c = 0; c < COLS; c++) {
        if (c)
            aim_strbuf_append(b, "  ");
        if (c == 1 || c >= 4)
            aim_strbuf_pad_left(b, head[c], w[c]);
        else
            aim_strbuf_pad_right(b, head[c], w[c]);
    }
    aim_strbuf_endline(b);
    for (size_t i = 0; i < q->n_sc; i++) {
        for (int c = 0; c < COLS; c++) {
            if (c)
                aim_strbuf_append(b, "  ");
            if (c == 1 || c >= 4)
                aim_strbuf_pad_left(b, cell[i][c], w[c]);
            else
                aim_strbuf_pad_right(b, cell[i][c], w[c]);
        }
        aim_strbuf_endline(b);
    }
    aim_strbuf_append(b, "\nSources:\n");
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim_strbuf_append(b, "  ");
        aim_strbuf_append_clean(b, s->label, sizeof s->label);
        if (s->name[0]) {
            aim_strbuf_append(b, ": ");
            aim_strbuf_append_clean(b, s->name, sizeof s->name);
        }
        aim_strbuf_append(b, "; ");
        aim_strbuf_append_clean(b, s->source, sizeof s->source);
        aim_strbuf_endline(b);
    }
}

static int json_doc(const whatif_req *q, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = &q->run;
    json_t *root = json_object();
    aim_json_put(root, "schema", json_string("aimeter.whatif/1"), &err);
    aim_json_put(root, "run", aim_json_str(run->id, sizeof run->id), &err);
    aim_json_put(root, "name", aim_json_str(run->name, sizeof run->name), &err);
    aim_json_put(root, "energy_j", aim_json_num(q->tot.energy_j), &err);
    aim_json_put(root, "energy_kwh", aim_json_num(q->tot.energy_j / 3.6e6), &err);
    aim_json_put(root, "samples", aim_json_count(q->tot.ticks), &err);
    aim_json_put(root, "stored_energy_j", aim_json_num(run->total_energy_j), &err);
    aim_json_put(root, "stored_carbon_g", aim_json_num(run->carbon_g), &err);
    aim_json_put(root, "pue", aim_json_num(q->pue), &err);
    aim_json_put(root, "pue_is_runs", json_boolean(q->pue_is_runs), &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        json_t *o = json_object();
        aim_json_put(o, "zone", i == 0 ? aim_json_str_or_null(run->zone, sizeof run->zone)
                                : s->zone[0] ? aim_json_str(s->zone, sizeof s->zone)
                                             : aim_json_str(s->label, sizeof s->label), &err);
        aim_json_put(o, "zone_used", i == 0 ? aim_json_str_or_null(run->zone, sizeof run->zone)
                                     : aim_json_str_or_null(s->zone_used, sizeof s->zone_used),
                     &err);
        aim_json_put(o, "requested", aim_json_str_or_null(s->requested, sizeof s->requested),
                     &err);
        aim_json_put(o, "label", aim_json_str(s->label, sizeof s->label), &err);
        aim_json_put(o, "name", aim_json_str(s->name, sizeof s->name), &err);
        aim_json_put(o, "baseline", json_boolean(i == 0), &err);
        aim_json_put(o, "intensity_g_per_kwh", aim_json_num(s->intensity_g_per_kwh), &err);
        aim_json_put(o, "points", aim_json_count(s->n), &err);
        aim_json_put(o, "signal", json_string(aim_signal_name(s->signal)), &err);
        aim_json_put(o, "basis", json_string(aim_basis_name(s->basis)), &err);
        aim_json_put(o, "year", s->year ? json_integer(s->year) : json_null(), &err);
        aim_json_put(o, "source", aim_json_str(s->source, sizeof s->source), &err);
        aim_json_put(o, "carbon_g", aim_json_num(s->carbon_g), &err);
        aim_json_put(o, "ratio", aim_json_num(s->ratio), &err);
        aim_json_push(arr, o, &err);
    }
    aim_json_put(root, "scenarios", arr, &err);
    int r = err ? -ENOMEM : aim_json_dump(root, ret_text);
    json_decref(root);
    return r;
}

int aim_whatif_check_options(aim_store *store, const char *format, double pue, int *ret_json) {
    *ret_json = strcmp(format, "json") == 0;
    if (!*ret_json && strcmp(format, "text") != 0) {
        aim_store_set_error(store, "unknown format '%s' (text or json)", format);
        return -EINVAL;
    }
    if (pue != 0 && !(pue >= 1.0 && pue <= 5.0)) {
        aim_store_set_error(store, "PUE must be between 1.0 and 5.0");
        return -EINVAL;
    }
    return 0;
}

double aim_whatif_pue(double pue, const aim_run_summary *run) {
    return pue != 0 ? pue : run->pue >= 1.0 ? run->pue : 1.0;
}

int aim_whatif_render(aim_store *store, const char *run_id, const char *zones,
                      const char *intensity_file, double pue, const char *format,
                      char **ret_text) {
    aim_db *db = aim_store_db(store);
    if (!db || !run_id || !format || !ret_text) {
        if (store)
            aim_store_set_error(store, db ? "no run or no output given" : "store not open");
        return -EINVAL;
    }
    int json;
    if (aim_whatif_check_options(store, format, pue, &json) < 0)
        return -EINVAL;
    if ((!zones || !*zones) && !intensity_file) {
        aim_store_set_error(store, "no zone and no intensity file to compare with");
        return -EINVAL;
    }
    whatif_req *q = calloc(1, sizeof *q);
    if (!q) {
        aim_store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = aim_db_load_summary(db, run_id, &q->run);
    if (r < 0)
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
    if (r == 0) {
        q->pue_is_runs = pue == 0;
        q->pue = aim_whatif_pue(pue, &q->run);
        aim_whatif_run_scenario(&q->run, &q->run_point, &q->sc[q->n_sc++]);
        r = add_zones(q, store, zones);
    }
    if (r == 0 && intensity_file)
        r = add_file(q, store, intensity_file);
    if (r == 0) {
        r = aim_whatif_replay(db, &q->run, q->pue, q->sc, q->n_sc, &q->tot);
        if (r < 0)
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
    }
    if (r == 0 && json) {
        r = json_doc(q, ret_text);
    } else if (r == 0) {
        aim_strbuf b = AIM_STRBUF_INIT;
        text_table(&b, q);
        r = aim_strbuf_steal(&b, ret_text);
    }
    if (r == -ENOMEM)
        aim_store_set_error(store, "out of memory");
    aim_step_file_clear(&q->file);
    aim_run_summary_clear(&q->run);
    free(q);
    return r;
}
