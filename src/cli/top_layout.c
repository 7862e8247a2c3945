/* top's model laid out as lines of text (top.h): pure, so the views, sorting and
 * sparklines are unit-tested without a terminal, and the plain output is the same tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top.h"
#include "util/numfmt.h"
#include "util/utf8.h"

const char *top_view_name(top_view v) {
    static const char *const names[] = { "devices", "metrics", "runs" };
    return v >= 0 && v < TOP_VIEW__COUNT ? names[v] : "?";
}

const char *top_sort_name(top_sort s) {
    static const char *const names[] = { "power", "energy", "name" };
    return s >= 0 && s < TOP_SORT__COUNT ? names[s] : "?";
}

void top_sparkline(const double *v, int n, int width, int utf8, aim_strbuf *out) {
    static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
    static const char ascii[] = "_.-:=+*#";
    if (width <= 0 || n <= 0)
        return;
    int first = n > width ? n - width : 0;
    double max = 0;
    for (int i = first; i < n; i++)
        if (isfinite(v[i]) && v[i] > max)
            max = v[i];
    for (int i = first; i < n; i++) {
        if (!isfinite(v[i])) {
            aim__strbuf_putc(out, ' ');
            continue;
        }
        int level = max > 0 && v[i] > 0 ? (int)lround(v[i] / max * 7.0) : 0;
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        if (utf8)
            aim__strbuf_append(out, blocks[level]);
        else
            aim__strbuf_putc(out, ascii[level]);
    }
}

/* Appends line (without its newline) cut to width columns (0: whole), then '\n'. */
static void put_line(aim_strbuf *out, const char *line, int width) {
    size_t len = strlen(line), at = 0;
    for (int col = 0; at < len && (width <= 0 || col < width); col++) {
        size_t k = aim__utf8_seq((const unsigned char *)line + at, len - at);
        at += k ? k : 1;
    }
    aim__strbuf_appendn(out, line, at);
    aim__strbuf_endline(out);
}

/* One line built in b, emitted into out and b emptied; counts lines against the limit. */
typedef struct lines {
    aim_strbuf *out;
    aim_strbuf b;
    int width, left; /* left: lines still allowed; -1 no limit */
} lines;

static int emit(lines *l) {
    int ok = l->left != 0;
    if (ok) {
        aim__strbuf_putc(&l->b, '\0');
        put_line(l->out, l->b.err ? "" : l->b.data, l->width);
        if (l->left > 0)
            l->left--;
    }
    l->b.len = 0;
    if (l->b.data)
        l->b.data[0] = '\0';
    return ok;
}

static void fmt_power(char *out, size_t len, double w) {
    char num[AIM_NUM_MAX];
    if (isfinite(w))
        aim__bprintf(out, len, "%s W", aim__fmt_fixed(num, w, 1));
    else
        aim__bprintf(out, len, "-");
}

static void run_line(lines *l, const top_model *m) {
    char dur[48];
    aim__fmt_duration(dur, sizeof dur, isfinite(m->elapsed_s) ? (int64_t)(m->elapsed_s * 1e9) : 0);
    aim__strbuf_printf(&l->b, "run %s \"", m->run_id[0] ? m->run_id : "-");
    aim__strbuf_append_clean(&l->b, m->run_name, sizeof m->run_name);
    aim__strbuf_append(&l->b, "\"  host ");
    aim__strbuf_append_clean(&l->b, m->host[0] ? m->host : "-", sizeof m->host);
    aim__strbuf_printf(&l->b, "  zone %s  elapsed %s  phase ", m->zone[0] ? m->zone : "-", dur);
    aim__strbuf_append_clean(&l->b, m->phase[0] ? m->phase : "-", sizeof m->phase);
    emit(l);
}

static void totals_line(lines *l, const top_model *m) {
    char p[32], e[32], c[32], rate[32], num[AIM_NUM_MAX];
    fmt_power(p, sizeof p, m->power_w);
    aim__fmt_energy_short(e, sizeof e, m->energy_j);
    aim__fmt_carbon_short(c, sizeof c, m->carbon_g);
    if (isfinite(m->carbon_rate_g_h))
        aim__bprintf(rate, sizeof rate, "%s g/h", aim__fmt_sig(num, m->carbon_rate_g_h, 3, 0));
    else
        aim__bprintf(rate, sizeof rate, "-");
    aim__strbuf_printf(&l->b, "power %s  energy %s  carbon %s  rate %s  samples %llu", p, e, c,
                       rate, (unsigned long long)m->samples);
    if (m->missed_deadlines >= 0)
        aim__strbuf_printf(&l->b, "  missed %lld", (long long)m->missed_deadlines);
    emit(l);
}

/* NaN sorts last; ties by name, so the order is stable between refreshes. */
static int cmp_desc(double a, double b) {
    int fa = isfinite(a), fb = isfinite(b);
    if (fa != fb)
        return fa ? -1 : 1;
    return fa && a != b ? (a > b ? -1 : 1) : 0;
}

static top_sort device_sort;

static int cmp_device(const void *x, const void *y) {
    const top_device *a = *(const top_device *const *)x, *b = *(const top_device *const *)y;
    int c = device_sort == TOP_SORT_POWER    ? cmp_desc(a->power_w, b->power_w)
            : device_sort == TOP_SORT_ENERGY ? cmp_desc(a->energy_j, b->energy_j)
                                             : 0;
    return c ? c : strcmp(a->name, b->name);
}

#define DEVICE_ROW_WIDTH 69

static void device_row(aim_strbuf *b, const char *name, const char *kind, const char *model,
                       const char *power, const char *energy) {
    aim__strbuf_pad_right(b, name, 10);
    aim__strbuf_putc(b, ' ');
    aim__strbuf_pad_right(b, kind, 7);
    aim__strbuf_putc(b, ' ');
    aim__strbuf_pad_right(b, model, 28);
    aim__strbuf_pad_left(b, power, 10);
    aim__strbuf_pad_left(b, energy, 12);
}

static void devices_table(lines *l, const top_model *m, const top_screen *s, int spark) {
    const top_device **order = calloc((size_t)m->n_devices + 1, sizeof *order);
    if (!order)
        return;
    for (int i = 0; i < m->n_devices; i++)
        order[i] = &m->devices[i];
    device_sort = s->sort;
    qsort(order, (size_t)m->n_devices, sizeof *order, cmp_device);
    device_row(&l->b, "DEVICE", "KIND", "MODEL", "POWER", "ENERGY");
    if (spark)
        aim__strbuf_append(&l->b, "  POWER HISTORY");
    emit(l);
    for (int i = 0; i < m->n_devices; i++) {
        const top_device *d = order[i];
        char p[32], e[32], model[29];
        fmt_power(p, sizeof p, d->power_w);
        aim__fmt_energy_short(e, sizeof e, d->energy_j);
        aim__utf8_shorten(model, sizeof model, d->model[0] ? d->model : "-");
        device_row(&l->b, d->name, d->kind, model, p, e);
        if (spark) {
            aim__strbuf_append(&l->b, "  ");
            int room = s->width > 0 ? s->width - DEVICE_ROW_WIDTH - 2 : 0;
            top_sparkline(d->history, d->n_history, room, s->utf8, &l->b);
        }
        if (!emit(l))
            break;
    }
    free(order);
}

/* Busiest first: the utilisation and activity ratios (unit %), highest first, then the
 * other metrics by name; by name alone when sorted by name. */
static int by_name;

static int cmp_series(const void *x, const void *y) {
    const top_series *a = *(const top_series *const *)x, *b = *(const top_series *const *)y;
    if (!by_name) {
        int pa = strcmp(a->unit, "%") == 0 && isfinite(a->value);
        int pb = strcmp(b->unit, "%") == 0 && isfinite(b->value);
        if (pa != pb)
            return pa ? -1 : 1;
        int c = pa ? cmp_desc(a->value, b->value) : 0;
        if (c)
            return c;
    }
    int c = strcmp(a->metric, b->metric);
    if (!c)
        c = strcmp(a->device, b->device);
    return c ? c : a->instance - b->instance;
}

/* max_rows: -1 all; ratios_only: only the % metrics (the plain output's busiest). */
static void metrics_table(lines *l, const top_model *m, const top_screen *s, int max_rows,
                          int ratios_only) {
    const top_series **order = calloc((size_t)m->n_series + 1, sizeof *order);
    if (!order)
        return;
    int n = 0;
    for (int i = 0; i < m->n_series; i++)
        if (!ratios_only || (strcmp(m->series[i].unit, "%") == 0 && isfinite(m->series[i].value)))
            order[n++] = &m->series[i];
    by_name = s->sort == TOP_SORT_NAME;
    qsort(order, (size_t)n, sizeof *order, cmp_series);
    aim__strbuf_append(&l->b, "METRIC                   DEVICE         VALUE  UNIT");
    emit(l);
    for (int i = 0; i < n && (max_rows < 0 || i < max_rows); i++) {
        const top_series *t = order[i];
        char v[48], name[64], num[AIM_NUM_MAX];
        if (t->instance >= 0)
            aim__bprintf(name, sizeof name, "%s[%d]", t->metric, t->instance);
        else
            aim__bprintf(name, sizeof name, "%s", t->metric);
        aim__bprintf(v, sizeof v, "%s", isfinite(t->value) ? aim__fmt_sig(num, t->value, 4, 0) : "-");
        aim__strbuf_pad_right(&l->b, name, 24);
        aim__strbuf_putc(&l->b, ' ');
        aim__strbuf_pad_right(&l->b, t->device, 10);
        aim__strbuf_pad_left(&l->b, v, 10);
        aim__strbuf_append(&l->b, "  ");
        aim__strbuf_pad_right(&l->b, t->unit, 5);
        if (strcmp(t->unit, "%") == 0 && isfinite(t->value) && s->height > 0) {
            int bar = (int)lround(fmin(fmax(t->value, 0), 100) / 100.0 * 20);
            aim__strbuf_putc(&l->b, ' ');
            aim__strbuf_repeat(&l->b, '|', (size_t)bar);
        }
        if (!emit(l))
            break;
    }
    free(order);
}

static void runs_table(lines *l, const top_model *m) {
    aim__strbuf_append(&l->b, "RUN                      NAME                 PHASE           "
                              "ELAPSED      ENERGY  J/UNIT");
    emit(l);
    for (int i = 0; i < m->n_runs; i++) {
        const top_run *r = &m->runs[i];
        char dur[48], e[32], per[96] = "-", full[96], id[25], name[21], phase[16],
            num[AIM_NUM_MAX];
        aim__fmt_duration(dur, sizeof dur, isfinite(r->elapsed_s) ? (int64_t)(r->elapsed_s * 1e9) : 0);
        aim__fmt_energy_short(e, sizeof e, r->energy_j);
        /* J per unit of the first record the run reports (samples, tokens, ...): none before
         * its first record, nor for an agent's job (records are the node's). */
        if (r->n_records > 0 && r->records[0].value > 0 && isfinite(r->energy_j))
            aim__bprintf(per, sizeof per, "%s J/%s",
                         aim__fmt_sig(num, r->energy_j / r->records[0].value, 3, 0),
                         r->records[0].key);
        /* An agent's jobs under its run, indented, with their state where the run's name is. */
        int job = strcmp(r->kind, "job") == 0;
        aim__bprintf(full, sizeof full, "%s%s", job ? "  job " : "", r->id[0] ? r->id : "-");
        aim__utf8_shorten(id, sizeof id, full);
        aim__utf8_shorten(name, sizeof name, job && r->state[0] ? r->state : r->name[0] ? r->name : "-");
        aim__utf8_shorten(phase, sizeof phase, r->phase[0] ? r->phase : "-");
        aim__strbuf_pad_right(&l->b, id, 24);
        aim__strbuf_putc(&l->b, ' ');
        aim__strbuf_pad_right(&l->b, name, 20);
        aim__strbuf_putc(&l->b, ' ');
        aim__strbuf_pad_right(&l->b, phase, 15);
        aim__strbuf_pad_left(&l->b, dur, 8);
        aim__strbuf_pad_left(&l->b, e, 12);
        aim__strbuf_append(&l->b, "  ");
        aim__strbuf_append(&l->b, per);
        if (!emit(l))
            break;
    }
}

static void help_view(lines *l) {
    static const char *const keys[] = {
        "d, m, r    devices, metrics, runs (Tab, v: the next view)",
        "s          sort by power, energy, name (metrics: busiest first, or by name)",
        "p, space   pause / resume refreshing",
        "?, h       this help (any key closes it)",
        "q          quit",
    };
    aim__strbuf_append(&l->b, "Keys");
    emit(l);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        aim__strbuf_append(&l->b, keys[i]);
        emit(l);
    }
}

void top_layout_screen(const top_model *m, const top_screen *s, aim_strbuf *out) {
    lines l = { .out = out, .b = AIM_STRBUF_INIT, .width = s->width,
                .left = s->height > 0 ? s->height - 1 : -1 }; /* the last is the status */
    aim__strbuf_printf(&l.b, "aimeter top  %s%s", s->source ? s->source : "",
                       s->paused ? "  [paused]" : "");
    emit(&l);
    if (m->have) {
        run_line(&l, m);
        totals_line(&l, m);
    } else {
        aim__strbuf_append(&l.b, "waiting for the first snapshot");
        emit(&l);
        emit(&l);
    }
    for (int v = 0; v < TOP_VIEW__COUNT; v++)
        aim__strbuf_printf(&l.b, v == (int)s->view ? "[%s]  " : " %s   ", top_view_name(v));
    aim__strbuf_printf(&l.b, "sort: %s   s sort  p pause  ? help  q quit", top_sort_name(s->sort));
    emit(&l);
    if (s->help)
        help_view(&l);
    else if (m->have && s->view == TOP_VIEW_DEVICES)
        devices_table(&l, m, s, 1);
    else if (m->have && s->view == TOP_VIEW_METRICS)
        metrics_table(&l, m, s, -1, 0);
    else if (m->have)
        runs_table(&l, m);
    if (s->height > 0)
        while (l.left > 0)
            emit(&l);
    l.left = 1;
    aim__strbuf_append(&l.b, s->status ? s->status : "");
    emit(&l);
    aim__strbuf_free(&l.b);
}

void top_layout_plain(const top_model *m, const top_screen *s, aim_strbuf *out) {
    lines l = { .out = out, .b = AIM_STRBUF_INIT, .width = 0, .left = -1 };
    aim__strbuf_printf(&l.b, "aimeter top  %s", s->source ? s->source : "");
    emit(&l);
    run_line(&l, m);
    totals_line(&l, m);
    devices_table(&l, m, s, 0);
    metrics_table(&l, m, s, 10, 1);
    runs_table(&l, m);
    emit(&l); /* the empty line between blocks */
    aim__strbuf_free(&l.b);
}
