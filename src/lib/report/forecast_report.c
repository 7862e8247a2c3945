/* aimeter forecast rendered from its result (processing/forecast_run.h): text (the
 * instances, the two fits and the forecast table) and JSON (schema "aimeter.forecast/1").
 * Nothing here reads the store. */
#include "report/forecast_report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "processing/report_words.h"
#include "report/jsonutil.h"
#include "report/run_title.h"
#include "processing/report_model.h"
#include "report/table.h"

static const char *num(char *b, double v) { return aim__fmt_sig(b, v, 4, 0); }

/* done + the sum to come, bounded at zero (aim__forecast_bound): "v ± h", or "v (lo to hi)"
 * when the bound cut the interval's low end. */
static void pm(char *out, size_t len, double done, double sum, double half, double scale) {
    char a[AIM_NUM_MAX], h[AIM_NUM_MAX], l[AIM_NUM_MAX];
    double v, lo, hi;
    aim__forecast_bound(sum, half, &v, &lo, &hi);
    if (isnan(half) || half == 0) /* no interval, or nothing left to predict */
        aim__bprintf(out, len, "%s", num(a, (done + v) * scale));
    else if (sum - half < 0)
        aim__bprintf(out, len, "%s (%s to %s)", num(a, (done + v) * scale),
                    num(l, (done + lo) * scale), num(h, (done + hi) * scale));
    else
        aim__bprintf(out, len, "%s ± %s", num(a, (done + v) * scale),
                    aim__fmt_sig(h, half * scale, 2, 0));
}

/* Why a line is not forecast with, in one sentence (aim__forecast_check), or NULL. */
static const char *verdict_text(char *out, size_t len, const aim_forecast_result *f, aim_forecast_verdict v,
                                const aim_linfit *l, const char *what, const char *unit) {
    char b[AIM_NUM_MAX], r2[AIM_NUM_MAX], min[AIM_NUM_MAX];
    switch (v) {
    case AIM_FORECAST_OK:
        return NULL;
    case AIM_FORECAST_TOO_FEW:
        aim__bprintf(out, len, "only %zu instances fitted; a forecast needs at least %d (a line "
                    "through 2 leaves no residual to bound its error)", l->n, AIM_FORECAST_MIN_FIT);
        break;
    case AIM_FORECAST_FALLING:
        aim__bprintf(out, len, "the %s per instance falls (slope %s %s per instance) and the line "
                    "reaches zero by instance %ld: a straight line cannot forecast it", what,
                    num(b, l->b), unit, f->x_last);
        break;
    case AIM_FORECAST_POOR_FIT:
        aim__bprintf(out, len, "the line explains too little (R² %s, below %s) for the trend it "
                    "extrapolates (slope %s %s per instance): too poor a fit to forecast",
                    aim__fmt_fixed(r2, l->r2, 3), aim__fmt_fixed(min, AIM_FORECAST_MIN_R2, 1),
                    num(b, l->b), unit);
        break;
    }
    return out;
}

static void range_text(char *out, size_t len, const aim_forecast_result *f) {
    if (f->numbered)
        aim__bprintf(out, len, "'%s %ld'..'%s %ld'", f->phase, f->base, f->phase,
                    f->base + (long)f->target - 1);
    else
        aim__bprintf(out, len, "%llu instances", (unsigned long long)f->target);
}

static void fit_line(aim_strbuf *b, const char *what, const char *unit, const aim_linfit *l) {
    char a[AIM_NUM_MAX], sa[AIM_NUM_MAX], bb[AIM_NUM_MAX], sb[AIM_NUM_MAX], s[AIM_NUM_MAX],
        r2[AIM_NUM_MAX];
    aim__strbuf_printf(b, "  %-7s a = %s %s (se %s), b = %s %s per instance (se %s), s = %s %s, "
                      "R² = %s\n", what, num(a, l->a), unit, num(sa, l->se_a), num(bb, l->b), unit,
                      num(sb, l->se_b), num(s, l->s), unit, aim__fmt_fixed(r2, l->r2, 3));
}

void aim__forecast_text(aim_strbuf *b, const aim_forecast_result *f) {
    const aim_run_summary *run = f->run;
    char n1[AIM_NUM_MAX], rng[400];
    aim__report_run_title(b, "aimeter forecast", run);
    aim__strbuf_printf(b, "  (%s)\n", aim__report_status_word(run));
    aim__strbuf_append(b, "Phase '");
    aim__strbuf_append_clean(b, f->phase, strlen(f->phase));
    aim__strbuf_printf(b, "'%s: %zu completed", f->numbered ? " (numbered instances)" : "",
                      f->n_pts);
    if (f->n_open)
        aim__strbuf_printf(b, ", %zu in progress", f->n_open);
    if (f->n_unterm)
        aim__strbuf_printf(b, ", %zu left open when the command ended (not counted)", f->n_unterm);
    aim__strbuf_printf(b, "; fitted on %zu", f->n_fit);
    if (f->skip)
        aim__strbuf_printf(b, " (the first %llu left out)", (unsigned long long)f->skip);
    aim__strbuf_append(b, "\n\n");

    aim_table t;
    aim__table_init(&t, 5);
    for (size_t c = 2; c < 5; c++)
        aim__table_align_right(&t, c);
    aim__table_row(&t);
    aim__table_set(&t, 0, "#");
    aim__table_set(&t, 1, "Instance");
    aim__table_set(&t, 2, "Start s");
    aim__table_set(&t, 3, "Time s");
    aim__table_set(&t, 4, "Energy J");
    for (size_t i = 0; i < f->n_pts; i++) {
        const aim_fc_point *p = &f->pts[i];
        aim__table_row(&t);
        aim__table_set(&t, 0, "%ld%s", p->index, p->fitted ? "" : " (skipped)");
        aim__table_set(&t, 1, "%s", p->name);
        aim__table_set(&t, 2, "%s", aim__fmt_fixed(n1, (double)p->start_ns / 1e9, 2));
        aim__table_set(&t, 3, "%s", num(n1, p->seconds));
        aim__table_set(&t, 4, "%s", num(n1, p->energy_j));
    }
    aim__table_text(&t, b, "  ", 0);
    aim__table_free(&t);

    aim__strbuf_append(b, "\nLeast squares per instance, y = a + b × number:\n");
    fit_line(b, "energy", "J", &f->fe);
    fit_line(b, "time", "s", &f->ft);

    range_text(rng, sizeof rng, f);
    aim__strbuf_printf(b, "\nForecast to %s (%zu to come), 95 %% prediction intervals:\n", rng,
                      f->n_future);
    aim__table_init(&t, 6);
    for (size_t c = 2; c < 6; c++)
        aim__table_align_right(&t, c);
    aim__table_row(&t);
    aim__table_set(&t, 1, "Unit");
    aim__table_set(&t, 2, "Completed (%zu)", f->n_pts);
    aim__table_set(&t, 3, "To come (%zu)", f->n_future);
    aim__table_set(&t, 4, "All %llu", (unsigned long long)f->target);
    aim__table_set(&t, 5, "Run to the end");
    struct {
        const char *label, *unit;
        double obs, rem, half, upto, scale;
    } rows[4] = {
        { "Energy", "J", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, 1 },
        { "Time", "s", f->obs_t, f->rem_t.value, f->rem_t.half, f->upto_t, 1 },
        { "Carbon", "g CO2e", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, f->g_per_j },
        { "Cost", "", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, f->cost_per_j },
    };
    char cur[8];
    aim__bprintf(cur, sizeof cur, "%.*s", AIM_FIELD(run->currency));
    rows[3].unit = cur;
    for (size_t i = 0; i < 4; i++) {
        if (i == 3 && isnan(f->cost_per_j))
            continue;
        char c[4 * AIM_NUM_MAX];
        aim__table_row(&t);
        aim__table_set(&t, 0, "%s", rows[i].label);
        aim__table_set(&t, 1, "%s", rows[i].unit);
        aim__table_set(&t, 2, "%s", num(n1, rows[i].obs * rows[i].scale));
        if ((i == 1 ? f->vt : f->ve) != AIM_FORECAST_OK) {
            for (size_t col = 3; col < 6; col++)
                aim__table_set(&t, col, "no forecast");
            continue;
        }
        pm(c, sizeof c, 0, rows[i].rem, rows[i].half, rows[i].scale);
        aim__table_set(&t, 3, "%s", c);
        pm(c, sizeof c, rows[i].obs, rows[i].rem, rows[i].half, rows[i].scale);
        aim__table_set(&t, 4, "%s", c);
        pm(c, sizeof c, rows[i].upto, rows[i].rem, rows[i].half, rows[i].scale);
        aim__table_set(&t, 5, "%s", c);
    }
    aim__table_text(&t, b, "  ", 0);
    aim__table_free(&t);
    char why[512];
    if (verdict_text(why, sizeof why, f, f->ve, &f->fe, "energy", "J"))
        aim__strbuf_printf(b, "\nNo energy, carbon or cost forecast: %s.\n", why);
    if (verdict_text(why, sizeof why, f, f->vt, &f->ft, "time", "s"))
        aim__strbuf_printf(b, "\nNo time forecast: %s.\n", why);
    aim__strbuf_append(b, "\n\"Run to the end\": the run as measured up to the end of its latest "
                         "completed instance, plus the instances to come (time between "
                         "instances is not forecast).\n");
    aim__strbuf_append(b, "Interval: Ŝ ± t(0.975, n-2) × s × √(m + m²/n + (Σ(x_j - x̄))² / Sxx) "
                         "for the sum of m instances to come, bounded at zero (what is to come "
                         "never costs less than nothing).\n");
    aim__strbuf_printf(b, "Carbon at the run's own %s g CO2e per kWh of IT energy (its mean "
                      "intensity, PUE included).\n", num(n1, f->g_per_j * 3.6e6));
}

static json_t *fit_json(const aim_linfit *l, int *err) {
    json_t *o = json_object();
    aim__json_put(o, "n", aim__json_count(l->n), err);
    aim__json_put(o, "intercept", aim__json_num(l->a), err);
    aim__json_put(o, "slope", aim__json_num(l->b), err);
    aim__json_put(o, "se_intercept", aim__json_num(l->se_a), err);
    aim__json_put(o, "se_slope", aim__json_num(l->se_b), err);
    aim__json_put(o, "residual_se", aim__json_num(l->s), err);
    aim__json_put(o, "r2", aim__json_num(l->r2), err);
    return o;
}

/* done + the sum to come, bounded at zero; null when the line forecasts nothing. */
static json_t *quantity(aim_forecast_verdict v, double done, const aim_fc_sum *rem, double scale,
                        int *err) {
    if (v != AIM_FORECAST_OK)
        return json_null();
    double val, lo, hi;
    aim__forecast_bound(rem->value, rem->half, &val, &lo, &hi);
    json_t *o = json_object();
    aim__json_put(o, "value", aim__json_num((done + val) * scale), err);
    aim__json_put(o, "low", aim__json_num((done + lo) * scale), err);
    aim__json_put(o, "high", aim__json_num((done + hi) * scale), err);
    return o;
}

static json_t *block(const aim_forecast_result *f, double e0, double t0, int *err) {
    json_t *o = json_object();
    aim__json_put(o, "energy_j", quantity(f->ve, e0, &f->rem_e, 1, err), err);
    aim__json_put(o, "time_s", quantity(f->vt, t0, &f->rem_t, 1, err), err);
    aim__json_put(o, "carbon_g", quantity(f->ve, e0, &f->rem_e, f->g_per_j, err), err);
    aim__json_put(o, "cost", isnan(f->cost_per_j) ? json_null()
                                                 : quantity(f->ve, e0, &f->rem_e, f->cost_per_j,
                                                            err), err);
    return o;
}

static const char *const verdict_word[] = { "ok", "too_few", "falling", "poor_fit" };

static json_t *verdict_json(const aim_forecast_result *f, aim_forecast_verdict v, const aim_linfit *l,
                            const char *what, const char *unit, int *err) {
    char why[512];
    json_t *o = json_object();
    aim__json_put(o, "ok", json_boolean(v == AIM_FORECAST_OK), err);
    aim__json_put(o, "verdict", json_string(verdict_word[v]), err);
    const char *t = verdict_text(why, sizeof why, f, v, l, what, unit);
    aim__json_put(o, "reason", t ? json_string(t) : json_null(), err);
    return o;
}

int aim__forecast_json(const aim_forecast_result *f, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = f->run;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.forecast/1"), &err);
    aim__json_put(root, "run", aim__json_str(run->id, sizeof run->id), &err);
    aim__json_put(root, "name", aim__json_str(run->name, sizeof run->name), &err);
    aim__json_put(root, "status", json_string(aim__json_status(run->status)), &err);
    aim__json_put(root, "running", json_boolean(f->running), &err);
    aim__json_put(root, "phase", json_string(f->phase), &err);
    aim__json_put(root, "numbered", json_boolean(f->numbered), &err);
    aim__json_put(root, "first_index", json_integer(f->base), &err);
    aim__json_put(root, "target", aim__json_count(f->target), &err);
    aim__json_put(root, "completed", aim__json_count(f->n_pts), &err);
    aim__json_put(root, "in_progress", aim__json_count(f->n_open), &err);
    aim__json_put(root, "unterminated", aim__json_count(f->n_unterm), &err);
    aim__json_put(root, "skipped", aim__json_count(f->n_pts - f->n_fit), &err);
    aim__json_put(root, "level", aim__json_num(0.95), &err);
    json_t *pts = json_array();
    for (size_t i = 0; i < f->n_pts; i++) {
        const aim_fc_point *p = &f->pts[i];
        json_t *o = json_object();
        aim__json_put(o, "index", json_integer(p->index), &err);
        aim__json_put(o, "name", aim__json_str(p->name, sizeof p->name), &err);
        aim__json_put(o, "start_s", aim__json_num((double)p->start_ns / 1e9), &err);
        aim__json_put(o, "duration_s", aim__json_num(p->seconds), &err);
        aim__json_put(o, "energy_j", aim__json_num(p->energy_j), &err);
        aim__json_put(o, "fitted", json_boolean(p->fitted), &err);
        aim__json_push(pts, o, &err);
    }
    aim__json_put(root, "instances", pts, &err);
    json_t *fitj = json_object();
    aim__json_put(fitj, "energy_j", fit_json(&f->fe, &err), &err);
    aim__json_put(fitj, "time_s", fit_json(&f->ft, &err), &err);
    aim__json_put(root, "fit", fitj, &err);
    json_t *ok = json_object();
    aim__json_put(ok, "energy_j", verdict_json(f, f->ve, &f->fe, "energy", "J", &err), &err);
    aim__json_put(ok, "time_s", verdict_json(f, f->vt, &f->ft, "time", "s", &err), &err);
    aim__json_put(root, "forecast", ok, &err);
    json_t *fut = json_array();
    for (size_t j = 0; j < f->n_future; j++)
        aim__json_push(fut, json_integer(f->future[j]), &err);
    aim__json_put(root, "to_come", fut, &err);
    aim__json_put(root, "remaining", block(f, 0, 0, &err), &err);
    aim__json_put(root, "instances_total", block(f, f->obs_e, f->obs_t, &err), &err);
    aim__json_put(root, "run_total", block(f, f->upto_e, f->upto_t, &err), &err);
    json_t *done = json_object();
    aim__json_put(done, "energy_j", aim__json_num(f->obs_e), &err);
    aim__json_put(done, "time_s", aim__json_num(f->obs_t), &err);
    aim__json_put(done, "run_energy_j", aim__json_num(f->upto_e), &err);
    aim__json_put(done, "run_time_s", aim__json_num(f->upto_t), &err);
    aim__json_put(root, "completed_totals", done, &err);
    aim__json_put(root, "carbon_g_per_kwh", aim__json_num(f->g_per_j * 3.6e6), &err);
    aim__json_put(root, "currency", aim__json_str_or_null(run->currency, sizeof run->currency),
                 &err);
    int r = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return r;
}

