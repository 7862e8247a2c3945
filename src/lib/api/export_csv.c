/* CSV export: series are stored as measured, one rate group per chunk stream; this is where
 * they are aligned onto one grid. The grid is the group with the most ticks; the store's
 * series reader (store/store.h) merges every other group in by time, one decoded chunk per
 * group at a time, so memory stays bounded whatever the run's length. Numbers go through
 * util/numfmt.h, not printf, so the output reads the same in every locale (the library never
 * calls setlocale). The bytes go to the caller's write callback in blocks of OUT_BLOCK. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimeter.h"
#include "processing/column_order.h"
#include "processing/whatif.h"
#include "store/store.h"
#include "util/strbuf.h"
#include "api/store_error.h"
#include "util/csv.h"
#include "util/numfmt.h"

#define OUT_BLOCK 65536

/* The output: text gathered in a buffer and handed to the callback a block at a time. */
typedef struct csv_out {
    aim_write_fn write;
    void *userdata;
    aim_strbuf b;
    int err;                  /* the first failure: sticky */
} csv_out;

/* Per group of the run's series (in order of first use): its size and the latest tick
 * consumed, held for rows of faster groups. */
typedef struct group_hold {
    int group;
    int n;                    /* series in the group */
    int64_t ticks;            /* sum of n_ticks over its chunks */
    double *held_v;
    uint8_t *held_ok;
    int has_held;
} group_hold;

typedef struct export_ctx {
    aim_store *store;
    aim_db *db;
    const char *run_id;
    aim_run_summary run;
    group_hold *groups;
    int n_groups;
    int *col_group;           /* per series (slot order): its group */
    int *col_pos;             /* and its position within the group */
    int *col_decimals;
    int *order;               /* the series in column order (processing/column_order.h) */
} export_ctx;

/* ------------------------------------------------------------------ output */

static void out_flush(csv_out *o) {
    if (o->err == 0 && o->b.err)
        o->err = o->b.err;
    if (o->err == 0 && o->b.len) {
        int r = o->write(o->userdata, o->b.data, o->b.len);
        if (r < 0)
            o->err = r;
    }
    o->b.len = 0;
}

static void out_put(csv_out *o, const char *s) { aim__strbuf_append(&o->b, s); }

static void out_putc(csv_out *o, char c) { aim__strbuf_putc(&o->b, c); }

/* At the end of a row: a full block goes out. */
static void out_row_end(csv_out *o) {
    out_putc(o, '\n');
    if (o->b.len >= OUT_BLOCK)
        out_flush(o);
}

/* The last block; the callback's error, or -ENOMEM. */
static int out_finish(csv_out *o) {
    out_flush(o);
    aim__strbuf_free(&o->b);
    return o->err;
}

/* One CSV field (util/csv.h: quoted only when it needs it). */
static void put_field(csv_out *out, const char *s) { aim__csv_field(&out->b, s, (size_t)-1); }

/* ------------------------------------------------------------------ groups */

static void groups_free(export_ctx *x) {
    for (int i = 0; i < x->n_groups; i++) {
        free(x->groups[i].held_v);
        free(x->groups[i].held_ok);
    }
    free(x->groups);
    free(x->col_group);
    free(x->col_pos);
    free(x->col_decimals);
    free(x->order);
}

static int find_group(const export_ctx *x, int group) {
    for (int i = 0; i < x->n_groups; i++)
        if (x->groups[i].group == group)
            return i;
    return -1;
}

/* One entry per group of the run's series; each series gets its column position. */
static int groups_setup(export_ctx *x) {
    int ns = x->run.n_series;
    size_t n = (size_t)(ns ? ns : 1);
    x->groups = calloc(n, sizeof *x->groups);
    x->col_group = calloc(n, sizeof *x->col_group);
    x->col_pos = calloc(n, sizeof *x->col_pos);
    x->col_decimals = calloc(n, sizeof *x->col_decimals);
    x->order = calloc(n, sizeof *x->order);
    if (!x->groups || !x->col_group || !x->col_pos || !x->col_decimals || !x->order ||
        aim__series_column_order(&x->run, x->order) < 0)
        return -ENOMEM;
    for (int i = 0; i < ns; i++) {
        const aim_series_summary *s = &x->run.series[i];
        int gi = find_group(x, s->group);
        if (gi < 0) {
            gi = x->n_groups++;
            x->groups[gi].group = s->group;
        }
        x->col_group[i] = gi;
        x->col_pos[i] = x->groups[gi].n++;
        x->col_decimals[i] = aim__fmt_decimals_for(s->resolution);
    }
    for (int gi = 0; gi < x->n_groups; gi++) {
        group_hold *g = &x->groups[gi];
        size_t gn = (size_t)(g->n ? g->n : 1);
        g->held_v = calloc(gn, sizeof *g->held_v);
        g->held_ok = calloc(gn, 1);
        if (!g->held_v || !g->held_ok)
            return -ENOMEM;
        int r = aim__db_group_ticks(x->db, x->run_id, g->group, &g->ticks);
        if (r < 0)
            return r;
    }
    return 0;
}

static void hold(group_hold *g, const aim_series_tick *t) {
    if (g->n) {
        memcpy(g->held_v, t->values, sizeof *g->held_v * (size_t)g->n);
        memcpy(g->held_ok, t->valid, (size_t)g->n);
    }
    g->has_held = 1;
}

/* ------------------------------------------------------------------ rows */

/* The header name of a series' column: "gpu0.power [W]", "host.cpu.core_util[3] [%]". */
static void column_name(const aim_run_summary *run, const aim_series_summary *s, char *name,
                        size_t size) {
    const char *dev = s->device >= 0 && s->device < run->n_devices ? run->devices[s->device].name
                                                                   : "?";
    const aim_metric_info *m = aim_metric_find(s->metric_key);
    const char *unit = m ? m->unit : "";
    int len = snprintf(name, size, "%s.%s", dev, s->metric_key);
    if (s->instance >= 0 && len >= 0 && (size_t)len < size)
        len += snprintf(name + len, size - (size_t)len, "[%d]", s->instance);
    if (*unit && len >= 0 && (size_t)len < size)
        snprintf(name + len, size - (size_t)len, " [%s]", unit);
}

static void write_header(export_ctx *x, csv_out *out) {
    out_put(out, "time_s,wall_time");
    for (int c = 0; c < x->run.n_series; c++) {
        char name[256];
        column_name(&x->run, &x->run.series[x->order[c]], name, sizeof name);
        out_putc(out, ',');
        put_field(out, name);
    }
    out_row_end(out);
}

static void write_row(export_ctx *x, int primary, const aim_series_tick *t, csv_out *out) {
    char num[48], wall[40];
    aim__fmt_seconds_us(num, t->t_rel_ns);
    aim__fmt_time_iso(wall, sizeof wall, x->run.start_wall_ns + t->t_rel_ns);
    out_put(out, num);
    out_putc(out, ',');
    out_put(out, wall);
    for (int c = 0; c < x->run.n_series; c++) {
        int i = x->order[c];
        const group_hold *g = &x->groups[x->col_group[i]];
        int pos = x->col_pos[i];
        const double *v;
        const uint8_t *ok;
        if (x->col_group[i] == primary) {
            v = &t->values[pos];
            ok = &t->valid[pos];
        } else if (g->has_held) {
            v = &g->held_v[pos];
            ok = &g->held_ok[pos];
        } else {
            out_putc(out, ',');
            continue;
        }
        out_putc(out, ',');
        if (*ok) {
            aim__fmt_exact(num, *v, x->col_decimals[i]);
            out_put(out, num);
        }
    }
    out_row_end(out);
}

/* The reader lists the primary group last, so that at equal times every other group's tick
 * is held before the primary's row is written. */
static int export_rows(export_ctx *x, csv_out *out) {
    write_header(x, out);
    if (x->n_groups == 0)
        return 0;
    int primary = 0;
    for (int i = 1; i < x->n_groups; i++)
        if (x->groups[i].ticks > x->groups[primary].ticks)
            primary = i;
    int *order = calloc((size_t)x->n_groups, sizeof *order);
    if (!order)
        return aim__db_set_error(x->db, -ENOMEM, "out of memory");
    int k = 0;
    for (int i = 0; i < x->n_groups; i++)
        if (i != primary)
            order[k++] = x->groups[i].group;
    order[k] = x->groups[primary].group;
    aim_series_reader *rd = NULL;
    int r = aim__series_reader_open_run(x->db, &x->run, order, x->n_groups, &rd);
    aim_series_tick t;
    /* ends with the grid group, as the rows do: the ticks of slower groups after its last
     * one are not read */
    while (r == 0 && out->err == 0 && (r = aim__series_reader_more(rd, k)) > 0 &&
           (r = aim__series_reader_next(rd, &t)) > 0) {
        int gi = find_group(x, t.group);
        if (gi == primary)
            write_row(x, primary, &t, out);
        else
            hold(&x->groups[gi], &t);
        r = 0;
    }
    aim__series_reader_free(rd);
    free(order);
    return r;
}

int aim_export_csv(aim_store *store, const char *run_id, aim_write_fn write, void *userdata) {
    aim_db *db = aim__store_db(store);
    if (!db) {
        if (store)
            aim__store_set_error(store, "store not open");
        return -EINVAL;
    }
    if (!run_id || !write) {
        aim__store_set_error(store, "no run or no output given");
        return -EINVAL;
    }
    export_ctx x = { .store = store, .db = db, .run_id = run_id };
    int r = aim__db_load_summary(db, run_id, &x.run);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    csv_out out = { .write = write, .userdata = userdata, .b = AIM_STRBUF_INIT };
    r = groups_setup(&x);
    if (r == -ENOMEM)
        aim__db_set_error(db, r, "out of memory");
    if (r == 0)
        r = export_rows(&x, &out);
    int w = out_finish(&out);
    if (r == 0 && w < 0)
        r = aim__db_set_error(db, w, "cannot write the CSV: %s", aim_strerror(w));
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    groups_free(&x);
    aim__run_summary_clear(&x.run);
    return r;
}

/* ------------------------------------------------------------------ column descriptions */

static const char *method_name(aim_method m) {
    switch (m) {
    case AIM_METHOD_MEASURED: return "measured";
    case AIM_METHOD_DERIVED: return "derived";
    case AIM_METHOD_ESTIMATED: return "estimated";
    }
    return "unknown";
}

int aim_export_csv_columns(aim_store *store, const char *run_id, aim_write_fn write,
                           void *userdata) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !write) {
        if (store)
            aim__store_set_error(store, "%s", db ? "no run or no output given" : "store not open");
        return -EINVAL;
    }
    aim_run_summary run;
    int r = aim__db_load_summary(db, run_id, &run);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    int *order = calloc((size_t)(run.n_series > 0 ? run.n_series : 1), sizeof *order);
    if (!order || aim__series_column_order(&run, order) < 0) {
        free(order);
        aim__run_summary_clear(&run);
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    csv_out o = { .write = write, .userdata = userdata, .b = AIM_STRBUF_INIT };
    csv_out *out = &o;
    out_put(out, "column,device,metric,unit,method,energy");
    out_row_end(out);
    for (int c = 0; c < run.n_series; c++) {
        int i = order[c];
        const aim_series_summary *s = &run.series[i];
        const aim_metric_info *m = aim_metric_find(s->metric_key);
        char name[256], energy[sizeof run.devices[0].energy_detail + 64] = "";
        column_name(&run, s, name, sizeof name);
        int d = s->device, counter;
        /* The series a device's energy comes from says how (the report's Method column). */
        if (d >= 0 && d < run.n_devices && run.devices[d].has_energy &&
            aim__run_energy_series(&run, d, &counter) == i)
            snprintf(energy, sizeof energy, "%s: %.*s", method_name(run.devices[d].energy_method),
                     (int)sizeof run.devices[d].energy_detail, run.devices[d].energy_detail);
        else if (d >= 0 && d < run.n_devices && s->method == AIM_METHOD_DERIVED &&
                 strcmp(s->metric_key, "power") == 0)
            snprintf(energy, sizeof energy, "power over each interval from the energy counter");
        put_field(out, name);
        out_putc(out, ',');
        put_field(out, d >= 0 && d < run.n_devices ? run.devices[d].name : "");
        out_putc(out, ',');
        put_field(out, s->metric_key);
        out_putc(out, ',');
        put_field(out, m ? m->unit : "");
        out_putc(out, ',');
        put_field(out, method_name(s->method));
        out_putc(out, ',');
        put_field(out, energy);
        out_row_end(out);
    }
    int w = out_finish(out);
    if (w < 0) {
        r = w;
        aim__store_set_error(store, "cannot write the column list: %s", aim_strerror(w));
    }
    free(order);
    aim__run_summary_clear(&run);
    return r < 0 ? r : 0;
}
