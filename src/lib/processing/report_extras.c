/* The report model's rows for the idle baseline, embodied carbon and attribution
 * (report_extras.h). */
#include "processing/report_extras.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/extras_figures.h"
#include "processing/report_words.h"

static aim_overall_row *next_row(aim_report_model *m) { return &m->overall[m->n_overall++]; }

/* Whether the baseline was idle, in words for the report (run_extras.h, aim__idle_busy). */
static const char *baseline_state(char *out, size_t len, const aim_run_extras *x) {
    char pct[AIM_NUM_MAX], lim[AIM_NUM_MAX];
    aim__fmt_trim(lim, AIM_IDLE_MAX_CPU_PCT, 1);
    if (isnan(x->idle_cpu_pct))
        aim__bprintf(out, len, "its CPU use was not measured, so it could not be checked idle");
    else if (aim__idle_busy(x->idle_cpu_pct))
        aim__bprintf(out, len, "it was NOT idle: the CPU was %s %% busy on average (idle means at "
                    "most %s %%), so the net figures are not reliable",
                    aim__fmt_fixed(pct, x->idle_cpu_pct, 1), lim);
    else
        aim__bprintf(out, len, "the CPU was %s %% busy on average (idle: at most %s %%)",
                    aim__fmt_fixed(pct, x->idle_cpu_pct, 1), lim);
    return out;
}

/* Why a net figure is negative — never shown without it: the baseline drew more than this
 * run, because it was not idle or (idle or unknown) because the machine drew less now. */
const char *aim__idle_negative_why(char *out, size_t len, const aim_run_extras *x) {
    char pct[AIM_NUM_MAX];
    if (aim__idle_busy(x->idle_cpu_pct))
        aim__bprintf(out, len, "negative because the baseline was not idle (CPU %s %% busy): it "
                    "drew more than this run", aim__fmt_fixed(pct, x->idle_cpu_pct, 1));
    else
        aim__bprintf(out, len, "negative because the baseline drew more than this run: the "
                    "machine's idle draw changed since (another load then, a frequency or "
                    "power state now), or the command added less than that difference");
    return out;
}

static void idle_rows(aim_report_model *m, const aim_run_summary *run) {
    const aim_run_extras *x = run->extras;
    aim_overall_row *r = next_row(m);
    aim__bprintf(r->label, sizeof r->label, "Idle baseline");
    if (!x->idle_found) {
        aim__bprintf(r->value, sizeof r->value, "n/a");
        aim__bprintf(r->note, sizeof r->note, "run %s is not in this store any more", x->idle_run_id);
        return;
    }
    aim__fmt_fixed(r->value, x->idle_duration_s, 1);
    aim__bprintf(r->unit, sizeof r->unit, "s");
    char state[256], why[256];
    aim__bprintf(r->note, sizeof r->note, "run %s, meant to be measured with nothing running; "
                "its mean power per device × this run's time is the idle share; %s",
                x->idle_run_id, baseline_state(state, sizeof state, x));
    double idle = 0, net = 0, idle_g = 0, net_g = 0;
    int any = 0;
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        if (!d->in_total)
            continue;
        aim_idle_split s = aim__idle_split_of(run, d);
        if (!isfinite(s.idle_j))
            continue;
        any = 1;
        idle += s.idle_j;
        net += s.net_j;
        idle_g += isfinite(s.idle_g) ? s.idle_g : 0;
        net_g += isfinite(s.net_g) ? s.net_g : 0;
        r = next_row(m);
        char e1[48], e2[48], pw[AIM_NUM_MAX], g[AIM_NUM_MAX];
        aim__fmt_energy_short(e1, sizeof e1, s.idle_j);
        aim__fmt_energy_short(e2, sizeof e2, d->energy_j);
        aim__fmt_fixed(pw, aim__idle_power(x, d->name), 2);
        aim__fmt_sig(g, s.net_g, 3, 3);
        aim__bprintf(r->label, sizeof r->label, "%s net (%.*s)", aim__device_kind_label(d->kind),
                    AIM_FIELD(d->name));
        aim__fmt_sig(r->value, s.net_j, 3, 2);
        aim__bprintf(r->unit, sizeof r->unit, "J");
        aim__bprintf(r->note, sizeof r->note, "= %s total − %s idle (%s W); net carbon %s g%s%s",
                    e2, e1, pw, g, s.net_j < 0 ? "; " : "",
                    s.net_j < 0 ? aim__idle_negative_why(why, sizeof why, x) : "");
    }
    if (!any)
        return;
    r = next_row(m);
    aim__bprintf(r->label, sizeof r->label, "Idle energy");
    aim__fmt_sig(r->value, idle, 3, 2);
    aim__bprintf(r->unit, sizeof r->unit, "J");
    char g[AIM_NUM_MAX];
    aim__fmt_sig(g, idle_g, 3, 3);
    aim__bprintf(r->note, sizeof r->note, "the machine's idle draw over the run; carbon %s g", g);
    r = next_row(m);
    aim__bprintf(r->label, sizeof r->label, "Net energy");
    aim__fmt_sig(r->value, net, 3, 2);
    aim__bprintf(r->unit, sizeof r->unit, "J");
    aim__fmt_sig(g, net_g, 3, 3);
    aim__bprintf(r->note, sizeof r->note, "total − idle: what the command added (attributable); "
                "carbon %s g%s%s", g, net < 0 ? "; " : "",
                net < 0 ? aim__idle_negative_why(why, sizeof why, x) : "");
}

static void embodied_rows(aim_report_model *m, const aim_run_summary *run) {
    double total = 0;
    int any = 0;
    for (int i = 0; i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        if (!d->in_total)
            continue;
        aim_embodied_figure e = aim__embodied_of(run, d);
        const aim_embodied_info *info = e.row;
        double units = e.units, g = e.g;
        if (!isfinite(g))
            continue;
        any = 1;
        total += g;
        aim_overall_row *r = next_row(m);
        aim__bprintf(r->label, sizeof r->label, "Embodied (%.*s)", AIM_FIELD(d->name));
        aim__fmt_sig(r->value, g, 3, 3);
        aim__bprintf(r->unit, sizeof r->unit, "g CO2e");
        char kg[AIM_NUM_MAX], years[AIM_NUM_MAX];
        aim__fmt_trim(kg, info->kg_co2e * units, 1);
        aim__bprintf(r->note, sizeof r->note, "%s kg over %s years%s%s (%s, %s)", kg,
                    aim__fmt_g(years, info->lifetime_years, 6), strcmp(info->model, "any") == 0 ? ", class default for " : "",
                    strcmp(info->model, "any") == 0 ? info->kind : "", info->source, info->licence);
    }
    aim_overall_row *r = next_row(m);
    aim__bprintf(r->label, sizeof r->label, "Embodied carbon");
    if (!any) {
        aim__bprintf(r->value, sizeof r->value, "n/a");
        aim__bprintf(r->note, sizeof r->note, "no device with an embodied figure");
        return;
    }
    aim__fmt_sig(r->value, total, 3, 3);
    aim__bprintf(r->unit, sizeof r->unit, "g CO2e");
    aim__bprintf(r->note, sizeof r->note, "manufacturing footprint amortised over the run's time; "
                "NOT included in the carbon above (docs/methodology.md)");
}

static void attribution_rows(aim_report_model *m, const aim_run_summary *run) {
    const aim_run_extras *x = run->extras;
    double total = 0, of = 0;
    for (size_t i = 0; i < x->n_attr; i++) {
        const aim_attr_figure *a = &x->attr[i];
        if (a->device < 0 || a->device >= run->n_devices)
            continue;
        const aim_device_summary *d = &run->devices[a->device];
        aim_overall_row *r = next_row(m);
        aim__bprintf(r->label, sizeof r->label, "Command's %s (%.*s)",
                    aim__device_kind_label(d->kind), AIM_FIELD(d->name));
        aim__fmt_sig(r->value, a->joules, 3, 2);
        aim__bprintf(r->unit, sizeof r->unit, "J");
        char pct[AIM_NUM_MAX];
        aim__fmt_fixed(pct, d->energy_j > 0 ? 100.0 * a->joules / d->energy_j : NAN, 1);
        aim__bprintf(r->note, sizeof r->note, "%s %% of the device's energy, by %s", pct,
                    a->method);
        total += a->joules;
        of += d->energy_j;
    }
    if (x->n_attr == 0)
        return;
    aim_overall_row *r = next_row(m);
    aim__bprintf(r->label, sizeof r->label, "Command's energy");
    aim__fmt_sig(r->value, total, 3, 2);
    aim__bprintf(r->unit, sizeof r->unit, "J");
    char pct[AIM_NUM_MAX];
    aim__fmt_fixed(pct, of > 0 ? 100.0 * total / of : NAN, 1);
    aim__bprintf(r->note, sizeof r->note, "%s %% of those devices' energy: the measured process "
                "tree's share on a shared machine (docs/methodology.md, Attribution)", pct);
}

void aim__extras_overall_rows(aim_report_model *m, const aim_run_summary *run) {
    if (!run->extras)
        return;
    attribution_rows(m, run);
    if (run->extras->idle_run_id[0])
        idle_rows(m, run);
    if (run->extras->embodied)
        embodied_rows(m, run);
}

