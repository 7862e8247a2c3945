/* The report model (report_model.h). */
#include "processing/report_model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/sections.h"
#include "processing/stats.h"
#include "processing/report_extras.h"

size_t aim__report_energy_order(const aim_run_summary *run, int *order) {
    static const aim_device_kind first[] = { AIM_DEV_CPU, AIM_DEV_DRAM, AIM_DEV_GPU };
    size_t n = 0;
    for (size_t k = 0; k <= sizeof first / sizeof first[0]; k++)
        for (int i = 0; i < run->n_devices; i++) {
            const aim_device_summary *d = &run->devices[i];
            if (!d->has_energy)
                continue;
            int is_first = d->kind == AIM_DEV_CPU || d->kind == AIM_DEV_DRAM ||
                           d->kind == AIM_DEV_GPU;
            if (k < sizeof first / sizeof first[0] ? d->kind == first[k] : !is_first)
                order[n++] = i;
        }
    return n;
}

/* Counters (energy, CPU time) have meaningless avg/min/max: their figure is the total in
 * the overall block. Detail metrics (one row per core) would drown the table. */
static int shown(const aim_series_summary *s, const aim_metric_info *info) {
    if (s->counter || (info && info->kind == AIM_KIND_COUNTER))
        return 0;
    return !(info && aim__metric_is_detail((aim_metric_id)aim__metric_id_of(info)));
}

static void fill_row(aim_report_model *m, const aim_run_summary *run,
                     const aim_series_summary *s, const aim_metric_info *info,
                     const char *group, int qualify_device) {
    aim_stat_row *r = &m->rows[m->n_rows++];
    r->group = group;

    char qual[64] = "";
    const aim_device_summary *d = &run->devices[s->device];
    if (qualify_device && s->instance >= 0)
        aim__bprintf(qual, sizeof qual, " (%.*s #%d)", AIM_FIELD(d->name), s->instance);
    else if (qualify_device)
        aim__bprintf(qual, sizeof qual, " (%.*s)", AIM_FIELD(d->name));
    else if (s->instance >= 0)
        aim__bprintf(qual, sizeof qual, " (#%d)", s->instance);
    const char *unit = info ? info->unit : "";
    if (info)
        aim__bprintf(r->label, sizeof r->label, "%s%s%s%s%s", info->label, qual,
                    *unit ? " [" : "", unit, *unit ? "]" : "");
    else
        aim__bprintf(r->label, sizeof r->label, "%.*s%s", AIM_FIELD(s->metric_key), qual);

    if (s->count == 0) {
        for (int c = 0; c < 4; c++)
            strcpy(r->cell[c], "n/a");
        return;
    }
    int dec = aim__unit_decimals(unit);
    aim__fmt_fixed(r->cell[0], s->mean, dec);
    aim__fmt_fixed(r->cell[1], s->max, dec);
    aim__fmt_fixed(r->cell[2], s->min, dec);
    char num[AIM_NUM_MAX];
    aim__fmt_fixed(num, s->mode, dec);
    /* The mode is exact only while the series had few distinct values (processing/stats.h);
     * say so rather than print a guess as a fact. */
    if (!s->mode_exact && isfinite(s->mode)) {
        aim__bprintf(r->cell[3], sizeof r->cell[3], "~%s", num);
        m->approx_mode = 1;
    } else {
        memcpy(r->cell[3], num, sizeof num);
    }
}

static aim_stat_table *open_table(aim_report_model *m, const char *first_header) {
    aim_stat_table *t = &m->tables[m->n_tables];
    memset(t, 0, sizeof *t);
    t->first_header = first_header;
    t->first = m->n_rows;
    return t;
}

/* Keeps a table only if it got rows. */
static void close_table(aim_report_model *m, aim_stat_table *t) {
    t->count = m->n_rows - t->first;
    if (t->count)
        m->n_tables++;
}

static void component_rows(aim_report_model *m, const aim_run_summary *run,
                           const aim_section *secs, size_t n_secs) {
    for (size_t k = 0; k < n_secs; k++)
        for (int i = 0; i < run->n_series; i++) {
            const aim_series_summary *s = &run->series[i];
            const aim_metric_info *info = m->infos[i];
            if (aim__series_section(run, s, info) != secs[k] || !shown(s, info))
                continue;
            aim_device_kind kind = run->devices[s->device].kind;
            /* Several sockets or sensors share a section: name the device. */
            int qualify = kind != AIM_DEV_HOST && kind != AIM_DEV_PROCESS;
            fill_row(m, run, s, info, aim__section_name(secs[k]), qualify);
        }
}

/* One table per GPU, rows grouped by the registry's category (Energy, Compute, Memory,
 * Communication, ...), so new GPU metrics land in the right group with no change here. */
static void gpu_table(aim_report_model *m, const aim_run_summary *run, int dev) {
    const aim_device_summary *d = &run->devices[dev];
    aim_stat_table *t = open_table(m, "Category");
    /* "gpu0" is titled "GPU 0" as in Table 4; any other name is shown as it is. */
    size_t nlen = strnlen(d->name, sizeof d->name);
    int numbered = nlen > 3 && memcmp(d->name, "gpu", 3) == 0;
    for (size_t i = 3; numbered && i < nlen; i++)
        numbered = d->name[i] >= '0' && d->name[i] <= '9';
    char shown_name[48];
    if (numbered)
        aim__bprintf(shown_name, sizeof shown_name, "GPU %.*s", (int)(nlen - 3), d->name + 3);
    else
        aim__bprintf(shown_name, sizeof shown_name, "%.*s", (int)nlen, d->name);
    if (strnlen(d->model, sizeof d->model))
        aim__bprintf(t->title, sizeof t->title, "%s Detailed Statistics (%.*s)", shown_name,
                    AIM_FIELD(d->model));
    else
        aim__bprintf(t->title, sizeof t->title, "%s Detailed Statistics", shown_name);

    for (int cat = 0; cat <= AIM_CAT_APP + 1; cat++)
        for (int i = 0; i < run->n_series; i++) {
            const aim_series_summary *s = &run->series[i];
            if (s->device != dev)
                continue;
            const aim_metric_info *info = m->infos[i];
            int scat = info ? (int)info->category : AIM_CAT_APP + 1;
            if (scat != cat || !shown(s, info))
                continue;
            fill_row(m, run, s, info, info ? aim_category_name(info->category) : "Other", 0);
        }
    close_table(m, t);
}

static void overall_rows(aim_report_model *m, const aim_run_summary *run) {
    const int *order = m->energy_order;
    char num[AIM_NUM_MAX], num2[AIM_NUM_MAX], num3[AIM_NUM_MAX];
    aim_overall_row *r = &m->overall[m->n_overall++];

    aim__bprintf(r->label, sizeof r->label, "Total time");
    aim__fmt_fixed(r->value, (double)run->duration_ns / 1e9, 2);
    aim__bprintf(r->unit, sizeof r->unit, "s");
    if (run->duration_ns >= 60 * (int64_t)1000000000)
        aim__fmt_duration(r->note, sizeof r->note, run->duration_ns);
    if (run->status == AIM_RUN_RUNNING && !run->stale) {
        char human[64];
        memcpy(human, r->note, sizeof human);
        human[sizeof human - 1] = '\0';
        aim__bprintf(r->note, sizeof r->note, "%s%sso far", human, *human ? " " : "");
    }

    size_t n = m->n_energy_order;
    for (size_t k = 0; k < n; k++) {
        const aim_device_summary *d = &run->devices[order[k]];
        r = &m->overall[m->n_overall++];
        aim__bprintf(r->label, sizeof r->label, "%s energy (%.*s)", aim__device_kind_label(d->kind),
                    AIM_FIELD(d->name));
        aim__fmt_sig(r->value, d->energy_j, 3, 2);
        aim__bprintf(r->unit, sizeof r->unit, "J");
        char method[256];
        aim__report_method_text(method, sizeof method, d->energy_method, d->energy_detail,
                               sizeof d->energy_detail);
        aim__bprintf(r->note, sizeof r->note, "%s%s", method, d->in_total ? "" : " (not in total)");
    }

    r = &m->overall[m->n_overall++];
    aim__bprintf(r->label, sizeof r->label, "Total energy");
    if (n == 0) {
        /* 0 J would claim a measurement; there was none. */
        strcpy(r->value, "n/a");
        aim__bprintf(r->note, sizeof r->note, "no device measured or estimated energy");
    } else {
        aim__fmt_sig(r->value, run->total_energy_j, 3, 2);
        aim__bprintf(r->unit, sizeof r->unit, "J");
        aim__bprintf(r->note, sizeof r->note, "= %s kWh%s",
                    aim__fmt_sig(num, run->total_energy_j / 3.6e6, 3, 6), AIM_REPORT_EDGE_NOTE);
    }

    /* Runs of schema 2 record their PUE: IT and facility energy are shown apart. */
    int recorded = run->pue > 0;
    if (recorded && n > 0) {
        double pue = run->pue >= 1.0 ? run->pue : 1.0;
        aim__bprintf(r->note, sizeof r->note, "= %s kWh, IT equipment%s",
                    aim__fmt_sig(num, run->total_energy_j / 3.6e6, 3, 6), AIM_REPORT_EDGE_NOTE);
        r = &m->overall[m->n_overall++];
        aim__bprintf(r->label, sizeof r->label, "Facility energy");
        aim__fmt_sig(r->value, isfinite(run->facility_energy_j) ? run->facility_energy_j
                                                               : run->total_energy_j * pue, 3, 2);
        aim__bprintf(r->unit, sizeof r->unit, "J");
        aim__bprintf(r->note, sizeof r->note, "= IT energy × PUE %s (%.*s)",
                    aim__fmt_trim(num, pue, 3), AIM_FIELD(run->pue_source));
    }

    r = &m->overall[m->n_overall++];
    aim__bprintf(r->label, sizeof r->label, "Carbon");
    if (n == 0 || !isfinite(run->carbon_g)) {
        strcpy(r->value, "n/a");
        return;
    }
    aim__fmt_sig(r->value, run->carbon_g, 3, 3);
    aim__bprintf(r->unit, sizeof r->unit, "g CO2e");
    int zlen = (int)strnlen(run->zone, sizeof run->zone);
    int slen = (int)strnlen(run->intensity_source, sizeof run->intensity_source);
    aim__bprintf(r->note, sizeof r->note, "(%s kg) at %s g/kWh%s%.*s%s%.*s",
                aim__fmt_sig(num2, run->carbon_g / 1000.0, 2, 4),
                aim__fmt_trim(num3, run->intensity_g_per_kwh, 2),
                zlen || slen ? ", " : "", zlen, run->zone, zlen && slen ? ": " : "", slen,
                run->intensity_source);
    if (run->n_intensity_points == 0)
        return; /* stored by an older aimeter, or built by hand: nothing more is known */

    /* Carbon per component, in the energy order. */
    for (size_t k = 0; k < n; k++) {
        const aim_device_summary *d = &run->devices[order[k]];
        if (!d->in_total || !isfinite(d->carbon_g))
            continue;
        r = &m->overall[m->n_overall++];
        aim__bprintf(r->label, sizeof r->label, "%s carbon (%.*s)", aim__device_kind_label(d->kind),
                    AIM_FIELD(d->name));
        aim__fmt_sig(r->value, d->carbon_g, 3, 3);
        aim__bprintf(r->unit, sizeof r->unit, "g CO2e");
    }
    r = &m->overall[m->n_overall++];
    aim__bprintf(r->label, sizeof r->label, "Intensity");
    aim__fmt_trim(r->value, run->intensity_g_per_kwh, 2);
    aim__bprintf(r->unit, sizeof r->unit, "g/kWh");
    aim__report_carbon_method(r->note, sizeof r->note, run);

    if (!strnlen(run->currency, sizeof run->currency))
        return;
    r = &m->overall[m->n_overall++];
    aim__bprintf(r->label, sizeof r->label, "Cost");
    aim__fmt_sig(r->value, run->cost, 3, 2);
    aim__bprintf(r->unit, sizeof r->unit, "%.*s", AIM_FIELD(run->currency));
    aim__report_cost_method(r->note, sizeof r->note, run);
}

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

void aim__report_carbon_method(char *out, size_t len, const aim_run_summary *run) {
    char what[256];
    int zlen = (int)strnlen(run->zone, sizeof run->zone);
    const char *sig = aim__signal_name(run->signal), *basis = aim__basis_name(run->basis);
    aim__bprintf(what, sizeof what, "%.*s%s%s, %s%s", zlen, run->zone, zlen ? ", " : "",
                sig ? sig : "average", run->basis == AIM_BASIS_UNKNOWN ? "basis " : "",
                basis ? basis : "unknown");
    aim__bprintf(out, len, "Σ energy × intensity(t) × PUE over %zu intensity point%s (%s; %.*s)",
                run->n_intensity_points, plural(run->n_intensity_points), what,
                AIM_FIELD(run->intensity_source));
}

void aim__report_cost_method(char *out, size_t len, const aim_run_summary *run) {
    char num[AIM_NUM_MAX];
    int clen = (int)strnlen(run->currency, sizeof run->currency);
    if (run->n_price_points > 1)
        aim__bprintf(out, len, "Σ energy × price(t) × PUE over %zu price points (mean %s %.*s/kWh; "
                    "%.*s)", run->n_price_points, aim__fmt_sig(num, run->price_per_kwh, 3, 2),
                    clen, run->currency, AIM_FIELD(run->price_source));
    else
        aim__bprintf(out, len, "facility energy × %s %.*s/kWh (%.*s)",
                    aim__fmt_trim(num, run->price_per_kwh, 6), clen, run->currency,
                    AIM_FIELD(run->price_source));
}

int aim__report_next_line(const char *field, size_t size, size_t *pos, const char **ret_line,
                         size_t *ret_len) {
    size_t end = strnlen(field, size);
    while (*pos < end) {
        const char *line = field + *pos;
        const char *nl = memchr(line, '\n', end - *pos);
        size_t len = nl ? (size_t)(nl - line) : end - *pos;
        *pos += len + (nl ? 1 : 0);
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
            len--;
        if (len) {
            *ret_line = line;
            *ret_len = len;
            return 1;
        }
    }
    return 0;
}

static void sampling_text(aim_report_model *m, const aim_run_summary *run) {
    char iv[AIM_NUM_MAX], ach[AIM_NUM_MAX], achieved[80] = "";
    if (run->achieved_interval_ns > 0)
        aim__bprintf(achieved, sizeof achieved, " (achieved %s ms)",
                    aim__fmt_fixed(ach, (double)run->achieved_interval_ns / 1e6, 2));
    char lost[96] = "";
    if (run->samples_lost) /* the figures above are the run's; the stored series lack these */
        aim__bprintf(lost, sizeof lost, ", LOST %llu (the store is incomplete)",
                    (unsigned long long)run->samples_lost);
    aim__bprintf(m->samples, sizeof m->samples, "%llu at %s ms%s, missed deadlines %llu%s",
                (unsigned long long)run->samples,
                aim__fmt_trim(iv, (double)run->interval_ns / 1e6, 3), achieved,
                (unsigned long long)run->missed_deadlines, lost);

    /* "procfs,rapl" as stored; shown as "procfs, rapl". */
    const char *name;
    size_t o = 0, pos = 0, len;
    while (aim__report_next_source(run, &pos, &name, &len))
        if (o + len + 3 < sizeof m->sources) {
            if (o) {
                memcpy(m->sources + o, ", ", 2);
                o += 2;
            }
            memcpy(m->sources + o, name, len);
            o += len;
        }
    m->sources[o] = '\0';
    if (!o)
        strcpy(m->sources, "none");
}

/* Stored names, models and details end up in cells: no control character may reach a
 * terminal or break a Markdown row. */
static void scrub(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static void scrub_all(aim_report_model *m) {
    for (size_t i = 0; i < m->n_overall; i++) {
        scrub(m->overall[i].label);
        scrub(m->overall[i].note);
    }
    for (size_t i = 0; i < m->n_rows; i++)
        scrub(m->rows[i].label);
    for (size_t i = 0; i < m->n_tables; i++)
        scrub(m->tables[i].title);
    scrub(m->sources);
}

void aim__report_model_free(aim_report_model *m) {
    aim__corr_res_free(m->corr);
    free(m->energy_order);
    free(m->infos);
    free(m->overall);
    free(m->rows);
    free(m->tables);
    memset(m, 0, sizeof *m);
}

int aim__report_model_build(const aim_run_summary *run, aim_report_model *m) {
    memset(m, 0, sizeof *m);
    if (!run || (run->n_devices > 0 && !run->devices) || (run->n_series > 0 && !run->series))
        return -EINVAL;
    size_t n_dev = run->n_devices > 0 ? (size_t)run->n_devices : 0;
    size_t n_ser = run->n_series > 0 ? (size_t)run->n_series : 0;
    m->run = run;
    m->energy_order = calloc(n_dev + 1, sizeof *m->energy_order);
    m->overall = calloc(5 * n_dev + 14, sizeof *m->overall); /* + idle, embodied, attribution */
    m->rows = calloc(n_ser + 1, sizeof *m->rows);
    m->tables = calloc(n_dev + 2, sizeof *m->tables);
    m->infos = calloc(n_ser + 1, sizeof *m->infos);
    if (!m->energy_order || !m->overall || !m->rows || !m->tables || !m->infos)
        return -ENOMEM;
    /* The stored matrix read into families, model roles and classes (corr_result.h). */
    if (run->corr && aim__corr_res_build(run, run->corr, 0, 0, &m->corr) < 0)
        return -ENOMEM;
    m->n_energy_order = aim__report_energy_order(run, m->energy_order);
    overall_rows(m, run);
    aim__extras_overall_rows(m, run);
    /* Looked up once: the tables scan the series once per section and per GPU category. */
    for (size_t i = 0; i < n_ser; i++)
        m->infos[i] = aim__series_metric(&run->series[i]);
    sampling_text(m, run);

    /* Table 4's order: CPU and DRAM, each GPU, then everything else. */
    static const aim_section head[] = { AIM_SEC_CPU, AIM_SEC_DRAM };
    static const aim_section tail[] = { AIM_SEC_PLATFORM, AIM_SEC_OTHER, AIM_SEC_SYSTEM, AIM_SEC_PROCESS };
    aim_stat_table *t = open_table(m, "Component");
    component_rows(m, run, head, sizeof head / sizeof head[0]);
    close_table(m, t);
    size_t before = m->n_tables;
    for (int i = 0; i < run->n_devices; i++)
        if (run->devices[i].kind == AIM_DEV_GPU)
            gpu_table(m, run, i);
    if (before == 1 && m->n_tables == 1) {
        /* No GPU table in between: one component table, as in Table 4. Its rows are still
         * the last ones, so the tail simply extends it. */
        component_rows(m, run, tail, sizeof tail / sizeof tail[0]);
        m->tables[0].count = m->n_rows - m->tables[0].first;
    } else {
        t = open_table(m, "Component");
        component_rows(m, run, tail, sizeof tail / sizeof tail[0]);
        close_table(m, t);
    }
    scrub_all(m);
    return 0;
}
