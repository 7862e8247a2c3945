/* aimeter whatif rendered (--zones and --hardware): text tables and JSON documents from the
 * result structs of processing/whatif_result.h. Nothing here reads the store. */
#include "report/whatif_report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "processing/report_words.h"
#include "report/jsonutil.h"
#include "report/run_title.h"
#include "report/table.h"

/* ------------------------------------------------------------------ --zones */

void aim__whatif_text(aim_strbuf *b, const aim_whatif_result *q) {
    const aim_run_summary *run = q->run;
    char num[AIM_NUM_MAX], num2[AIM_NUM_MAX];
    aim__report_run_title(b, "aimeter whatif", run);
    aim__strbuf_endline(b);
    char num3[AIM_NUM_MAX];
    aim__strbuf_printf(b, "IT energy %s J (%s kWh) from %llu stored samples of %d device%s; "
                      "PUE %s%s\n", aim__fmt_sig(num, q->tot.energy_j, 3, 2),
                      aim__fmt_sig(num2, q->tot.energy_j / 3.6e6, 3, 6),
                      (unsigned long long)q->tot.ticks, q->tot.devices,
                      q->tot.devices == 1 ? "" : "s", aim__fmt_trim(num3, q->pue, 3),
                      q->pue_is_runs ? " (the run's own)" : "");
    /* The samples are stored at the metrics' resolution, the run accounted them unrounded:
     * say how close the replay comes to what the run stored. */
    aim__strbuf_printf(b, "Stored with the run: %s J, %s g CO2e (the replay reads the samples as "
                      "stored, at their resolution)\n", aim__fmt_sig(num, run->total_energy_j, 3, 2),
                      aim__fmt_sig(num2, run->carbon_g, 3, 2));
    aim__strbuf_append(b, "Carbon = Σ energy × intensity(t) × PUE over every sample interval\n\n");

    static const char *const head[] = { "Zone", "Intensity g/kWh", "Signal", "Basis", "Year",
                                        "Carbon g CO2e", "vs run" };
    enum { COLS = 7 };
    char cell[AIM_WHATIF_MAX_SCENARIOS][COLS][AIM_NUM_MAX + 16];
    size_t n_sc = q->n_sc < AIM_WHATIF_MAX_SCENARIOS ? q->n_sc : AIM_WHATIF_MAX_SCENARIOS;
    size_t w[COLS];
    for (int c = 0; c < COLS; c++)
        w[c] = aim__utf8_width(head[c]);
    for (size_t i = 0; i < n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim__bprintf(cell[i][0], sizeof cell[i][0], "%s", s->label);
        aim__fmt_trim(cell[i][1], s->intensity_g_per_kwh, 2);
        if (s->n > 1)
            aim__bprintf(cell[i][1], sizeof cell[i][1], "%s (mean)",
                        aim__fmt_trim(num, s->intensity_g_per_kwh, 2));
        aim__bprintf(cell[i][2], sizeof cell[i][2], "%s", aim__signal_name(s->signal));
        aim__bprintf(cell[i][3], sizeof cell[i][3], "%s", aim__basis_name(s->basis));
        if (s->year)
            aim__bprintf(cell[i][4], sizeof cell[i][4], "%d", s->year);
        else
            aim__bprintf(cell[i][4], sizeof cell[i][4], "-");
        aim__fmt_sig(cell[i][5], s->carbon_g, 3, 2);
        aim__fmt_sig(cell[i][6], s->ratio, 3, 2);
        for (int c = 0; c < COLS; c++) {
            for (char *p = cell[i][c]; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    *p = '?';
            size_t cw = aim__utf8_width(cell[i][c]);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    for (int c = 0; c < COLS; c++) {
        if (c)
            aim__strbuf_append(b, "  ");
        if (c == 1 || c >= 4)
            aim__strbuf_pad_left(b, head[c], w[c]);
        else
            aim__strbuf_pad_right(b, head[c], w[c]);
    }
    aim__strbuf_endline(b);
    for (size_t i = 0; i < n_sc; i++) {
        for (int c = 0; c < COLS; c++) {
            if (c)
                aim__strbuf_append(b, "  ");
            if (c == 1 || c >= 4)
                aim__strbuf_pad_left(b, cell[i][c], w[c]);
            else
                aim__strbuf_pad_right(b, cell[i][c], w[c]);
        }
        aim__strbuf_endline(b);
    }
    aim__strbuf_append(b, "\nSources:\n");
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        aim__strbuf_append(b, "  ");
        aim__strbuf_append_clean(b, s->label, sizeof s->label);
        if (s->name[0]) {
            aim__strbuf_append(b, ": ");
            aim__strbuf_append_clean(b, s->name, sizeof s->name);
        }
        aim__strbuf_append(b, "; ");
        aim__strbuf_append_clean(b, s->source, sizeof s->source);
        aim__strbuf_endline(b);
    }
}

int aim__whatif_json(const aim_whatif_result *q, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = q->run;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.whatif/1"), &err);
    aim__json_put(root, "run", aim__json_str(run->id, sizeof run->id), &err);
    aim__json_put(root, "name", aim__json_str(run->name, sizeof run->name), &err);
    aim__json_put(root, "energy_j", aim__json_num(q->tot.energy_j), &err);
    aim__json_put(root, "energy_kwh", aim__json_num(q->tot.energy_j / 3.6e6), &err);
    aim__json_put(root, "samples", aim__json_count(q->tot.ticks), &err);
    aim__json_put(root, "stored_energy_j", aim__json_num(run->total_energy_j), &err);
    aim__json_put(root, "stored_carbon_g", aim__json_num(run->carbon_g), &err);
    aim__json_put(root, "pue", aim__json_num(q->pue), &err);
    aim__json_put(root, "pue_is_runs", json_boolean(q->pue_is_runs), &err);
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n_sc; i++) {
        const aim_whatif_scenario *s = &q->sc[i];
        json_t *o = json_object();
        aim__json_put(o, "zone", i == 0 ? aim__json_str_or_null(run->zone, sizeof run->zone)
                                : s->zone[0] ? aim__json_str(s->zone, sizeof s->zone)
                                             : aim__json_str(s->label, sizeof s->label), &err);
        aim__json_put(o, "zone_used", i == 0 ? aim__json_str_or_null(run->zone, sizeof run->zone)
                                     : aim__json_str_or_null(s->zone_used, sizeof s->zone_used),
                     &err);
        aim__json_put(o, "requested", aim__json_str_or_null(s->requested, sizeof s->requested),
                     &err);
        aim__json_put(o, "label", aim__json_str(s->label, sizeof s->label), &err);
        aim__json_put(o, "name", aim__json_str(s->name, sizeof s->name), &err);
        aim__json_put(o, "baseline", json_boolean(i == 0), &err);
        aim__json_put(o, "intensity_g_per_kwh", aim__json_num(s->intensity_g_per_kwh), &err);
        aim__json_put(o, "points", aim__json_count(s->n), &err);
        aim__json_put(o, "signal", json_string(aim__signal_name(s->signal)), &err);
        aim__json_put(o, "basis", json_string(aim__basis_name(s->basis)), &err);
        aim__json_put(o, "year", s->year ? json_integer(s->year) : json_null(), &err);
        aim__json_put(o, "source", aim__json_str(s->source, sizeof s->source), &err);
        aim__json_put(o, "carbon_g", aim__json_num(s->carbon_g), &err);
        aim__json_put(o, "ratio", aim__json_num(s->ratio), &err);
        aim__json_push(arr, o, &err);
    }
    aim__json_put(root, "scenarios", arr, &err);
    int r = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return r;
}

/* ------------------------------------------------------------------ --hardware */

static const char *num(char *buf, double v) { return aim__fmt_sig(buf, v, 4, 0); }
static const char *rat(char *buf, double v) { return aim__fmt_sig(buf, v, 3, 2); }

void aim__whatif_hw_text(aim_strbuf *b, const aim_whatif_hw_result *q) {
    const aim_run_summary *run = q->run;
    char n1[AIM_NUM_MAX], n2[AIM_NUM_MAX], n3[AIM_NUM_MAX], n4[AIM_NUM_MAX];
    aim__report_run_title(b, "aimeter whatif --hardware", run);
    aim__strbuf_endline(b);
    for (size_t m = 0; m < q->n_models; m++) {
        const aim_whatif_hw_model *hm = &q->model[m];
        aim__strbuf_append(b, "Measured: ");
        aim__strbuf_append_clean(b, hm->devices, sizeof hm->devices);
        aim__strbuf_append(b, " (");
        aim__strbuf_append_clean(b, hm->measured_name, sizeof hm->measured_name);
        aim__strbuf_printf(b, ") = %s %s; %s J of GPU energy\n", hm->info->name,
                          hm->stated ? "as stated with --gpu-spec" : "in the table",
                          num(n1, hm->energy_j));
    }
    aim__strbuf_printf(b, "IT energy %s J from %llu stored samples (GPUs %s J, the rest %s J); "
                      "PUE %s%s\n", num(n1, q->energy_j), (unsigned long long)q->ticks,
                      num(n2, q->gpu_energy_j), num(n3, q->energy_j - q->gpu_energy_j),
                      aim__fmt_trim(n4, q->pue, 3), q->pue_is_runs ? " (the run's own)" : "");
    aim__strbuf_append(b, "E_alt = E_GPU × (TDP_alt / TDP_measured) × (TFLOPS_measured / "
                         "TFLOPS_alt); the other devices as measured\n\n");

    aim_table t;
    aim__table_init(&t, 8);
    for (size_t c = 2; c < 8; c++)
        aim__table_align_right(&t, c);
    aim__table_row(&t);
    static const char *const head[] = { "Alternative", "Measured", "TDP W", "TFLOPS",
                                        "Power ×", "Time ×", "Energy ×", "Peak figure" };
    for (size_t c = 0; c < 8; c++)
        aim__table_set(&t, c, "%s", head[c]);
    for (size_t i = 0; i < q->n_alts; i++)
        for (size_t m = 0; m < q->n_models; m++) {
            const aim_hw_ratio *h = &q->alt[i].ratio[m];
            aim__table_row(&t);
            aim__table_set(&t, 0, "%s", q->alt[i].info->name);
            aim__table_set(&t, 1, "%s", q->model[m].info->name);
            aim__table_set(&t, 2, "%s / %s", aim__fmt_trim(n1, h->power_to, 1),
                          aim__fmt_trim(n2, h->power_from, 1));
            aim__table_set(&t, 3, "%s / %s", aim__fmt_trim(n1, h->tput_to, 2),
                          aim__fmt_trim(n2, h->tput_from, 2));
            aim__table_set(&t, 4, "%s", rat(n1, h->power_ratio));
            aim__table_set(&t, 5, "%s", rat(n1, h->speed_ratio));
            aim__table_set(&t, 6, "%s", rat(n1, h->ratio));
            aim__table_set(&t, 7, "%s", h->throughput);
        }
    aim__table_text(&t, b, "", 0);
    aim__table_free(&t);

    aim__strbuf_append(b, "\n");
    size_t cols = 4 + q->n_sc;
    aim__table_init(&t, cols);
    for (size_t c = 1; c < cols; c++)
        aim__table_align_right(&t, c);
    aim__table_row(&t);
    aim__table_set(&t, 0, "Hardware");
    aim__table_set(&t, 1, "GPU energy J");
    aim__table_set(&t, 2, "IT energy J");
    aim__table_set(&t, 3, "vs measured");
    for (size_t k = 0; k < q->n_sc; k++)
        aim__table_set(&t, 4 + k, "g CO2e %s", q->sc[k].label);
    aim__table_row(&t);
    aim__table_set(&t, 0, "measured");
    aim__table_set(&t, 1, "%s", num(n1, q->gpu_energy_j));
    aim__table_set(&t, 2, "%s", num(n1, q->energy_j));
    aim__table_set(&t, 3, "%s", rat(n1, 1.0));
    for (size_t k = 0; k < q->n_sc; k++)
        aim__table_set(&t, 4 + k, "%s", num(n1, q->sc[k].carbon_g));
    for (size_t i = 0; i < q->n_alts; i++) {
        const aim_whatif_hw_alt *a = &q->alt[i];
        aim__table_row(&t);
        aim__table_set(&t, 0, "%s", a->info->name);
        aim__table_set(&t, 1, "%s", num(n1, a->gpu_energy_j));
        aim__table_set(&t, 2, "%s", num(n1, a->energy_j));
        aim__table_set(&t, 3, "%s", rat(n1, q->energy_j > 0 ? a->energy_j / q->energy_j : NAN));
        for (size_t k = 0; k < q->n_sc; k++)
            aim__table_set(&t, 4 + k, "%s", num(n1, a->carbon_g[k]));
    }
    aim__table_text(&t, b, "", 0);
    aim__table_free(&t);
    aim__strbuf_append(b, "\nCarbon = Σ energy × intensity(t) × PUE over the stored sample "
                         "intervals, the GPUs' scaled by the ratio.\n");
    aim__strbuf_printf(b, "Peak figures from the hardware table (data/gpu_specs.csv)%s: a workload "
                      "rarely reaches either peak, and the rest of the machine is not "
                      "rescaled.\n", q->any_stated ? " or stated with --gpu-spec" : "");
}

static json_t *scenario_json(const aim_whatif_scenario *s, int baseline, const aim_run_summary *run,
                             int *err) {
    json_t *o = json_object();
    aim__json_put(o, "zone", baseline ? aim__json_str_or_null(run->zone, sizeof run->zone)
                                     : aim__json_str(s->label, sizeof s->label), err);
    aim__json_put(o, "label", aim__json_str(s->label, sizeof s->label), err);
    aim__json_put(o, "baseline", json_boolean(baseline), err);
    aim__json_put(o, "intensity_g_per_kwh", aim__json_num(s->n == 1 ? s->points[0].g_per_kwh : NAN),
                 err);
    aim__json_put(o, "signal", json_string(aim__signal_name(s->signal)), err);
    return o;
}

static json_t *carbon_array(const double *c, size_t n, int *err) {
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++)
        aim__json_push(arr, aim__json_num(c[k]), err);
    return arr;
}

int aim__whatif_hw_json(const aim_whatif_hw_result *q, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = q->run;
    json_t *root = json_object();
    aim__json_put(root, "schema", json_string("aimeter.whatif-hardware/1"), &err);
    aim__json_put(root, "run", aim__json_str(run->id, sizeof run->id), &err);
    aim__json_put(root, "name", aim__json_str(run->name, sizeof run->name), &err);
    aim__json_put(root, "energy_j", aim__json_num(q->energy_j), &err);
    aim__json_put(root, "gpu_energy_j", aim__json_num(q->gpu_energy_j), &err);
    aim__json_put(root, "samples", aim__json_count(q->ticks), &err);
    aim__json_put(root, "pue", aim__json_num(q->pue), &err);
    aim__json_put(root, "pue_is_runs", json_boolean(q->pue_is_runs), &err);
    json_t *zones = json_array();
    for (size_t k = 0; k < q->n_sc; k++)
        aim__json_push(zones, scenario_json(&q->sc[k], k == 0, run, &err), &err);
    aim__json_put(root, "zones", zones, &err);
    json_t *measured = json_array();
    for (size_t m = 0; m < q->n_models; m++) {
        const aim_whatif_hw_model *hm = &q->model[m];
        json_t *o = json_object();
        aim__json_put(o, "devices", aim__json_str(hm->devices, sizeof hm->devices), &err);
        aim__json_put(o, "model", aim__json_str(hm->measured_name, sizeof hm->measured_name), &err);
        aim__json_put(o, "hardware", json_string(hm->info->name), &err);
        aim__json_put(o, "tdp_w", aim__json_num(hm->info->tdp_w), &err);
        aim__json_put(o, "source", json_string(hm->info->source), &err);
        aim__json_put(o, "energy_j", aim__json_num(hm->energy_j), &err);
        aim__json_put(o, "carbon_g", carbon_array(hm->carbon_g, q->n_sc, &err), &err);
        aim__json_push(measured, o, &err);
    }
    aim__json_put(root, "measured", measured, &err);
    double all[AIM_WHATIF_HW_MAX_ZONES + 1];
    for (size_t k = 0; k < q->n_sc; k++)
        all[k] = q->sc[k].carbon_g;
    aim__json_put(root, "carbon_g", carbon_array(all, q->n_sc, &err), &err);
    json_t *alts = json_array();
    for (size_t i = 0; i < q->n_alts; i++) {
        const aim_whatif_hw_alt *a = &q->alt[i];
        json_t *o = json_object();
        aim__json_put(o, "query", aim__json_str(a->query, sizeof a->query), &err);
        aim__json_put(o, "hardware", json_string(a->info->name), &err);
        aim__json_put(o, "tdp_w", aim__json_num(a->info->tdp_w), &err);
        aim__json_put(o, "source", json_string(a->info->source), &err);
        json_t *rs = json_array();
        for (size_t m = 0; m < q->n_models; m++) {
            const aim_hw_ratio *h = &a->ratio[m];
            json_t *x = json_object();
            aim__json_put(x, "measured", json_string(q->model[m].info->name), &err);
            aim__json_put(x, "throughput", json_string(h->throughput), &err);
            aim__json_put(x, "tflops_measured", aim__json_num(h->tput_from), &err);
            aim__json_put(x, "tflops_alt", aim__json_num(h->tput_to), &err);
            aim__json_put(x, "tdp_measured_w", aim__json_num(h->power_from), &err);
            aim__json_put(x, "tdp_alt_w", aim__json_num(h->power_to), &err);
            aim__json_put(x, "power_ratio", aim__json_num(h->power_ratio), &err);
            aim__json_put(x, "time_ratio", aim__json_num(h->speed_ratio), &err);
            aim__json_put(x, "energy_ratio", aim__json_num(h->ratio), &err);
            aim__json_push(rs, x, &err);
        }
        aim__json_put(o, "ratios", rs, &err);
        aim__json_put(o, "gpu_energy_j", aim__json_num(a->gpu_energy_j), &err);
        aim__json_put(o, "energy_j", aim__json_num(a->energy_j), &err);
        aim__json_put(o, "energy_vs_measured",
                     aim__json_num(q->energy_j > 0 ? a->energy_j / q->energy_j : NAN), &err);
        aim__json_put(o, "carbon_g", carbon_array(a->carbon_g, q->n_sc, &err), &err);
        aim__json_push(alts, o, &err);
    }
    aim__json_put(root, "alternatives", alts, &err);
    int r = err ? -ENOMEM : aim__json_dump(root, ret_text);
    json_decref(root);
    return r;
}

