/* Phases, efficiency and records in the report (phases_report.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/efficiency.h"
#include "processing/phase_figures.h"
#include "processing/phase_hints.h"
#include "processing/records.h"
#include "processing/workload_summary.h"
#include "report/table.h"
#include "processing/report_words.h"
#include "processing/report_model.h"
#include "report/jsonutil.h"
#include "report/phases_report.h"

/* The words of the components a phase's energy is split by (processing/phase_figures.h). */
static const char *const comp_name[AIM_PHASE_COMPONENTS] = { "CPU", "DRAM", "GPU", "Other" };

static void phase_label(char *out, size_t size, const aim_phase_summary *p) {
    if (p->instances > 1)
        snprintf(out, size, "%.100s (x%llu)", p->name, (unsigned long long)p->instances);
    else
        snprintf(out, size, "%.100s", p->name);
}

/* One efficiency line per counter: "tokens  12800  0.0164 J/token ...". */
static void efficiency_cells(double energy_j, double carbon_g, double units,
                             char j_per[AIM_NUM_MAX], char per_j[AIM_NUM_MAX],
                             char kwh_k[AIM_NUM_MAX], char g_k[AIM_NUM_MAX]) {
    aim_efficiency e = aim__efficiency_of(energy_j, carbon_g, units);
    aim__fmt_sig(j_per, e.j_per_unit, 3, 0);
    aim__fmt_sig(per_j, e.units_per_j, 3, 0);
    aim__fmt_sig(kwh_k, e.kwh_per_1000, 3, 0);
    aim__fmt_sig(g_k, e.g_per_1000, 3, 0);
}

/* ------------------------------------------------------------------ bottleneck hints */

const char *aim__phase_hint_word(aim_phase_hint_kind kind) {
    switch (kind) {
    case AIM_HINT_NONE: return NULL;
    case AIM_HINT_CPU_BOUND: return "CPU-bound?";
    case AIM_HINT_MEMORY_BOUND: return "memory-bound?";
    case AIM_HINT_COMPUTE_BOUND: return "compute-bound?";
    case AIM_HINT_COMMUNICATION_BOUND: return "communication-bound?";
    case AIM_HINT_GPU_IDLE: return "GPU mostly idle";
    case AIM_HINT_GPU_BUSY: return "GPU busy";
    }
    return NULL;
}

/* A hint in words, with the evidence behind it (processing/phase_hints.h decides which);
 * 0 when there is none. */
static int hint(const aim_run_summary *run, const aim_phase_summary *p, int d, char *what,
                size_t wsize, char *evidence, size_t esize) {
    aim_phase_hint h = aim__phase_hint_of(p, d, run->devices[d].kind);
    const char *busy = h.busy_is_sm ? "SM active" : "utilisation";
    switch (h.kind) {
    case AIM_HINT_NONE:
        return 0;
    case AIM_HINT_CPU_BOUND:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "CPU use %.0f %% of all CPUs", h.cpu_util);
        return 1;
    case AIM_HINT_MEMORY_BOUND:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "DRAM active %.0f %% while tensor active %.0f %%",
                 h.dram_active, h.tensor_active);
        return 1;
    case AIM_HINT_COMPUTE_BOUND:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "tensor active %.0f %%, SM active %.0f %%, DRAM active %.0f %%",
                 h.tensor_active, h.sm_active, h.dram_active);
        return 1;
    case AIM_HINT_COMMUNICATION_BOUND:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "%s %.0f %% while PCIe %.2f GB/s, NVLink %.2f GB/s", busy,
                 h.busy, h.pcie_gbs, h.nvlink_gbs);
        return 1;
    case AIM_HINT_GPU_IDLE:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "%s %.0f %% (waiting on the host or on data?)", busy, h.busy);
        return 1;
    case AIM_HINT_GPU_BUSY:
        snprintf(what, wsize, "%s", aim__phase_hint_word(h.kind));
        snprintf(evidence, esize, "utilisation %.0f %% (DCGM's profiling metrics would tell "
                 "compute from memory)", h.gpu_util);
        return 1;
    }
    return 0;
}

static void text_hints(aim_strbuf *b, const aim_run_summary *run, int md) {
    const aim_workload_summary *w = run->workload;
    int first = 1;
    for (size_t i = 0; i < w->n_phases; i++)
        for (int d = 0; d < run->n_devices; d++) {
            char what[48], ev[200];
            if (!hint(run, &w->phases[i], d, what, sizeof what, ev, sizeof ev))
                continue;
            if (first)
                aim__strbuf_append(b, md ? "\n**Bottleneck hints** (evidence, not certainty):\n\n"
                                        : "  Bottleneck hints (evidence, not certainty):\n");
            first = 0;
            aim__strbuf_printf(b, md ? "- %.100s, %.*s: %s %s\n" : "    %.100s, %.*s: %s %s\n",
                              w->phases[i].name, AIM_FIELD(run->devices[d].name), what, ev);
        }
}

static void text_phases(aim_strbuf *b, const aim_run_summary *run, int md) {
    const aim_workload_summary *w = run->workload;
    if (w->n_phases == 0)
        return;
    int used[AIM_PHASE_COMPONENTS];
    aim__phase_used_components(run, used);
    aim__strbuf_append(b, md ? "\n## Phases\n\n| Phase | Time | Share | Energy" : "\nPhases");
    if (!md) {
        aim__strbuf_repeat(b, ' ', 22 - 6);
        aim__strbuf_append(b, "      Time   Share      Energy");
    }
    for (int c = 0; c < AIM_PHASE_COMPONENTS; c++)
        if (used[c]) {
            if (md)
                aim__strbuf_printf(b, " | %s", comp_name[c]);
            else
                aim__strbuf_printf(b, "  %10s", comp_name[c]);
        }
    aim__strbuf_append(b, md ? " | Mean power | Peak power | Carbon |\n|---|---:|---:|---:"
                            : "   Mean W   Peak W      Carbon");
    if (md) {
        for (int c = 0; c < AIM_PHASE_COMPONENTS; c++)
            if (used[c])
                aim__strbuf_append(b, "|---:");
        aim__strbuf_append(b, "|---:|---:|---:|");
    }
    aim__strbuf_endline(b);
    int unterminated = 0;
    for (size_t i = 0; i < w->n_phases; i++) {
        const aim_phase_summary *p = &w->phases[i];
        aim_phase_figures f = aim__phase_figures_of(run, p);
        char label[140], t[32], sh[AIM_NUM_MAX], e[48], mw[AIM_NUM_MAX], pw[AIM_NUM_MAX], cg[48];
        phase_label(label, sizeof label, p);
        aim__fmt_duration(t, sizeof t, p->total_ns);
        aim__fmt_fixed(sh, f.share, 1);
        aim__fmt_energy_short(e, sizeof e, f.energy_j);
        aim__fmt_fixed(mw, f.mean_w, 2);
        aim__fmt_fixed(pw, f.peak_w, 2);
        aim__fmt_carbon_short(cg, sizeof cg, p->carbon_g);
        unterminated += p->unterminated > 0;
        if (md) {
            aim__strbuf_printf(b, "| %s%s | %s | %s %% | %s", label, p->unterminated ? " *" : "",
                              t, sh, e);
        } else {
            aim__strbuf_append(b, "  ");
            char l2[160];
            snprintf(l2, sizeof l2, "%s%s", label, p->unterminated ? " *" : "");
            aim__strbuf_pad_right(b, l2, 22);
            aim__strbuf_pad_left(b, t, 10);
            aim__strbuf_printf(b, " %5s %%", sh);
            aim__strbuf_pad_left(b, e, 12);
        }
        for (int c = 0; c < AIM_PHASE_COMPONENTS; c++)
            if (used[c]) {
                char ce[48];
                aim__fmt_energy_short(ce, sizeof ce, f.comp_j[c]);
                if (md)
                    aim__strbuf_printf(b, " | %s", ce);
                else
                    aim__strbuf_printf(b, "  %10s", ce);
            }
        if (md)
            aim__strbuf_printf(b, " | %s W | %s W | %s |", mw, pw, cg);
        else
            aim__strbuf_printf(b, " %8s %8s %11s", mw, pw, cg);
        aim__strbuf_endline(b);
    }
    const char *note = "Share: of the run's time. Nested phases each count their own time and "
                       "energy. Peak W: the sum of each device's highest power reading (without "
                       "readings, its highest mean over 1 s), never below its mean.";
    aim__strbuf_printf(b, md ? "\n%s%s\n" : "  %s%s\n", note,
                      unterminated ? " *: still open when the command ended, closed at the end."
                                   : "");
    for (size_t i = 0; i < w->n_phases; i++)
        for (int d = 0; d < run->n_devices; d++) {
            double peak = aim__phase_peak_w(&w->phases[i], d);
            double limit = aim__phase_power_limit_w(run, d);
            if (!aim__phase_above_limit(peak, limit))
                continue;
            char pk[AIM_NUM_MAX], lim[AIM_NUM_MAX];
            aim__fmt_fixed(pk, peak, 2);
            aim__fmt_fixed(lim, limit, 2);
            aim__strbuf_printf(b, md ? "\nWarning: %.100s, %.*s: peak %s W above its power limit "
                                      "%s W (a reading above the limit).\n"
                                    : "  Warning: %.100s, %.*s: peak %s W above its power limit "
                                      "%s W (a reading above the limit).\n",
                              w->phases[i].name, AIM_FIELD(run->devices[d].name), pk, lim);
        }
    text_hints(b, run, md);
}

/* Whether or not the run has phases: events refused (a flood, an end with no phase open)
 * or not kept individually are part of what the run says about itself (issue 11). */
static void text_dropped(aim_strbuf *b, const aim_run_summary *run, int md) {
    const aim_workload_summary *w = run->workload;
    if (!w->dropped)
        return;
    aim__strbuf_printf(b, md ? "\n%llu workload event%s not kept (limits: docs/control.md).\n"
                            : "\nWorkload: %llu event%s not kept (limits: docs/control.md)\n",
                      (unsigned long long)w->dropped, w->dropped == 1 ? " was" : "s were");
}

static void text_efficiency(aim_strbuf *b, const aim_run_summary *run, int md) {
    const aim_workload_summary *w = run->workload;
    int any = 0;
    for (size_t k = 0; k < w->n_records; k++)
        any |= w->records[k].counter && w->records[k].total > 0;
    if (!any || !(run->total_energy_j > 0))
        return;
    aim__strbuf_append(b, md ? "\n## Efficiency\n\n| Counter | Scope | Count | J per unit | "
                              "Units per J | kWh per 1000 | g CO2e per 1000 |\n"
                              "|---|---|---:|---:|---:|---:|---:|\n"
                            : "\nEfficiency          Scope               Count      J/unit     "
                              "units/J     kWh/1000   gCO2e/1000\n");
    for (size_t k = 0; k < w->n_records; k++) {
        const aim_record_summary *rk = &w->records[k];
        if (!rk->counter || !(rk->total > 0))
            continue;
        for (int scope = -1; scope < (int)w->n_phases; scope++) {
            double units = scope < 0 ? rk->total : w->phases[scope].rec_sum[k];
            if (!(units > 0))
                continue;
            double e = run->total_energy_j, g = run->carbon_g;
            if (scope >= 0) {
                aim_phase_figures f = aim__phase_figures_of(run, &w->phases[scope]);
                e = f.energy_j;
                g = w->phases[scope].carbon_g;
            }
            if (!(e > 0))
                continue;
            char a[AIM_NUM_MAX], bb[AIM_NUM_MAX], c[AIM_NUM_MAX], d[AIM_NUM_MAX], n[AIM_NUM_MAX];
            efficiency_cells(e, g, units, a, bb, c, d);
            aim__fmt_trim(n, units, 3);
            char sc[140];
            snprintf(sc, sizeof sc, "%.100s", scope < 0 ? "run" : w->phases[scope].name);
            if (md) {
                aim__strbuf_printf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", rk->key, sc, n, a,
                                  bb, c, d);
            } else {
                aim__strbuf_append(b, "  ");
                aim__strbuf_pad_right(b, rk->key, 18);
                aim__strbuf_pad_right(b, sc, 14);
                const char *cells[] = { n, a, bb, c, d };
                static const size_t widths[] = { 10, 10, 10, 12, 12 };
                for (size_t x = 0; x < 5; x++) {
                    aim__strbuf_putc(b, ' ');
                    aim__strbuf_pad_left(b, cells[x], widths[x]);
                }
                aim__strbuf_endline(b);
            }
        }
    }
    aim__strbuf_append(b, md ? "\nEnergy is IT energy (CPU, DRAM, GPU); carbon includes PUE.\n"
                            : "  Energy is IT energy (CPU, DRAM, GPU); carbon includes PUE.\n");
}

/* A record's figure for the table: "n/a" for what is no value — not finite, or at the edge
 * of the double range (±1e308 and beyond: what "no minimum yet" sentinels look like once
 * they went through a client or a store), so such a sentinel is never shown as a number. */
static const char *record_value(char *out, double v) {
    if (isnan(aim__record_value(v))) {
        snprintf(out, AIM_NUM_MAX, "n/a");
        return out;
    }
    return aim__fmt_sig(out, v, 4, 0);
}

static void text_records(aim_strbuf *b, const aim_run_summary *run, int md) {
    const aim_workload_summary *w = run->workload;
    if (w->n_records == 0 && w->n_marks == 0)
        return;
    /* Text columns come from aim_table, which sizes each to its widest cell and always
     * leaves two spaces between them: fixed widths ran "1.000" and "-1.000e+308" together. */
    aim_table t;
    aim__table_init(&t, 7);
    for (size_t c = 2; c < 7; c++)
        aim__table_align_right(&t, c);
    aim__table_row(&t);
    static const char *const head[7] = { "Records", "Kind", "Records", "Total/mean", "Last",
                                         "Min", "Max" };
    for (size_t c = 0; c < 7; c++)
        aim__table_set(&t, c, "%s", head[c]);
    if (w->n_records && md)
        aim__strbuf_append(b, "\n## Records\n\n| Key | Kind | Records | Total or mean | "
                             "Last | Min | Max |\n|---|---|---:|---:|---:|---:|---:|\n");
    for (size_t k = 0; k < w->n_records; k++) {
        const aim_record_summary *r = &w->records[k];
        char n[AIM_NUM_MAX], tm[AIM_NUM_MAX], l[AIM_NUM_MAX], mi[AIM_NUM_MAX], ma[AIM_NUM_MAX];
        snprintf(n, sizeof n, "%llu", (unsigned long long)r->count);
        record_value(tm, r->counter ? r->total : r->total / (double)r->count);
        record_value(l, r->last);
        int range = r->count > 0 && r->min <= r->max; /* else min and max were never set */
        record_value(mi, range ? r->min : NAN);
        record_value(ma, range ? r->max : NAN);
        if (md) {
            aim__strbuf_printf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", r->key,
                              r->counter ? "counter" : "gauge", n, tm, l, mi, ma);
            continue;
        }
        aim__table_row(&t);
        aim__table_set(&t, 0, "  %s", r->key);
        aim__table_set(&t, 1, "%s", r->counter ? "counter" : "gauge");
        aim__table_set(&t, 2, "%s", n);
        aim__table_set(&t, 3, "%s", tm);
        aim__table_set(&t, 4, "%s", l);
        aim__table_set(&t, 5, "%s", mi);
        aim__table_set(&t, 6, "%s", ma);
    }
    if (w->n_records && !md) {
        aim__strbuf_append(b, "\n");
        aim__table_text(&t, b, "", 0);
    }
    aim__table_free(&t);
    if (w->n_marks)
        aim__strbuf_printf(b, md ? "\n%zu marker%s (in the store: the marks table).\n"
                                : "  %zu marker%s (in the store: the marks table)\n",
                          w->n_marks, w->n_marks == 1 ? "" : "s");
}

void aim__phases_report_text(aim_strbuf *b, const aim_run_summary *run) {
    if (!run->workload)
        return;
    text_phases(b, run, 0);
    text_efficiency(b, run, 0);
    text_records(b, run, 0);
    text_dropped(b, run, 0);
}

void aim__phases_report_markdown(aim_strbuf *b, const aim_run_summary *run) {
    if (!run->workload)
        return;
    text_phases(b, run, 1);
    text_efficiency(b, run, 1);
    text_records(b, run, 1);
    text_dropped(b, run, 1);
}

json_t *aim__phases_report_json(const aim_run_summary *run, int *err) {
    const aim_workload_summary *w = run->workload;
    if (!w)
        return json_null();
    json_t *root = json_object(), *phases = json_array(), *records = json_array();
    for (size_t i = 0; i < w->n_phases; i++) {
        const aim_phase_summary *p = &w->phases[i];
        aim_phase_figures f = aim__phase_figures_of(run, p);
        json_t *o = json_object(), *devs = json_array(), *recs = json_object();
        aim__json_put(o, "name", aim__json_str(p->name, strlen(p->name)), err);
        aim__json_put(o, "instances", aim__json_count(p->instances), err);
        aim__json_put(o, "first_s", aim__json_num((double)p->first_ns / 1e9), err);
        aim__json_put(o, "duration_s", aim__json_num((double)p->total_ns / 1e9), err);
        aim__json_put(o, "share_pct", aim__json_num(f.share), err);
        aim__json_put(o, "energy_j", aim__json_num(f.energy_j), err);
        aim__json_put(o, "mean_power_w", aim__json_num(f.mean_w), err);
        aim__json_put(o, "peak_power_w", aim__json_num(f.peak_w), err);
        aim__json_put(o, "carbon_g", aim__json_num(p->carbon_g), err);
        aim__json_put(o, "unterminated", aim__json_count((uint64_t)p->unterminated), err);
        for (int d = 0; d < run->n_devices; d++) {
            if (p->energy_j[d] == 0 && p->peak_w[d] == 0)
                continue;
            json_t *dv = json_object();
            aim__json_put(dv, "device", aim__json_str(run->devices[d].name,
                                                    strnlen(run->devices[d].name, 32)), err);
            aim__json_put(dv, "energy_j", aim__json_num(p->energy_j[d]), err);
            double peak = aim__phase_peak_w(p, d), limit = aim__phase_power_limit_w(run, d);
            aim__json_put(dv, "peak_power_w", aim__json_num(peak), err);
            /* true: the peak is above the device's power limit (the text report warns) */
            aim__json_put(dv, "above_power_limit", json_boolean(aim__phase_above_limit(peak, limit)), err);
            aim__json_put(dv, "in_total", json_boolean(run->devices[d].in_total), err);
            aim__json_push(devs, dv, err);
        }
        for (size_t k = 0; k < w->n_records; k++)
            if (p->rec_n[k])
                aim__json_put(recs, w->records[k].key,
                             aim__json_num(w->records[k].counter ? p->rec_sum[k]
                                                                : p->rec_sum[k] / (double)p->rec_n[k]),
                             err);
        json_t *hints = json_array(), *means = json_array();
        for (int d = 0; d < run->n_devices; d++) {
            char what[48], ev[200];
            if (!hint(run, p, d, what, sizeof what, ev, sizeof ev))
                continue;
            json_t *h = json_object();
            aim__json_put(h, "device", aim__json_str(run->devices[d].name,
                                                   strnlen(run->devices[d].name, 32)), err);
            aim__json_put(h, "hint", json_string(what), err);
            aim__json_put(h, "evidence", json_string(ev), err);
            aim__json_push(hints, h, err);
        }
        for (size_t k = 0; k < p->n_metrics; k++) {
            const aim_phase_metric *pm = &p->metrics[k];
            if (pm->device < 0 || pm->device >= run->n_devices)
                continue;
            json_t *mv = json_object();
            aim__json_put(mv, "device", aim__json_str(run->devices[pm->device].name,
                                                    strnlen(run->devices[pm->device].name, 32)),
                         err);
            aim__json_put(mv, "key", json_string(pm->key), err);
            aim__json_put(mv, "mean", aim__json_num(pm->mean), err);
            aim__json_push(means, mv, err);
        }
        aim__json_put(o, "hints", hints, err);
        aim__json_put(o, "metric_means", means, err);
        aim__json_put(o, "devices", devs, err);
        aim__json_put(o, "records", recs, err);
        aim__json_push(phases, o, err);
    }
    for (size_t k = 0; k < w->n_records; k++) {
        const aim_record_summary *r = &w->records[k];
        json_t *o = json_object();
        aim__json_put(o, "key", aim__json_str(r->key, strlen(r->key)), err);
        aim__json_put(o, "kind", json_string(r->counter ? "counter" : "gauge"), err);
        aim__json_put(o, "count", aim__json_count(r->count), err);
        aim__json_put(o, "total", aim__json_num(r->total), err);
        aim__json_put(o, "mean", aim__json_num(r->count ? r->total / (double)r->count : NAN), err);
        int range = r->count > 0 && r->min <= r->max; /* else never set: null, as in text */
        aim__json_put(o, "last", aim__json_num(aim__record_value(r->last)), err);
        aim__json_put(o, "min", aim__json_num(range ? aim__record_value(r->min) : NAN), err);
        aim__json_put(o, "max", aim__json_num(range ? aim__record_value(r->max) : NAN), err);
        if (r->counter && r->total > 0 && run->total_energy_j > 0) {
            aim_efficiency e = aim__efficiency_of(run->total_energy_j, run->carbon_g, r->total);
            aim__json_put(o, "j_per_unit", aim__json_num(e.j_per_unit), err);
            aim__json_put(o, "units_per_j", aim__json_num(e.units_per_j), err);
            aim__json_put(o, "kwh_per_1000", aim__json_num(e.kwh_per_1000), err);
            aim__json_put(o, "g_per_1000", aim__json_num(e.g_per_1000), err);
        }
        aim__json_push(records, o, err);
    }
    aim__json_put(root, "phases", phases, err);
    aim__json_put(root, "records", records, err);
    aim__json_put(root, "marks", aim__json_count(w->n_marks), err);
    aim__json_put(root, "dropped_events", aim__json_count(w->dropped), err);
    return root;
}
