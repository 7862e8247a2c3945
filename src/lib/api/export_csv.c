/* CSV export: series are stored as measured, one rate group per chunk stream; this is where
 * they are aligned onto one grid. The grid is the group with the most ticks; every other
 * group is merged in by time with one chunk decoded at a time, so memory stays bounded by
 * a chunk per group whatever the run's length. Numbers are formatted here, not by printf,
 * so the output reads the same in every locale (the library never calls setlocale). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimeter.h"
#include "processing/whatif.h"
#include "store/codec.h"
#include "store/db.h"
#include "api/store_error.h"
#include "util/csv.h"
#include "util/numfmt.h"

typedef struct group_cursor {
    int group;
    int n;                    /* series in the group */
    aim_chunk_column *cols;
    aim_db_chunk_iter *it;
    int64_t ticks;            /* sum of n_ticks over its chunks */
    /* The decoded current chunk. */
    int64_t *t;
    double *v;                /* [tick * n + i] */
    uint8_t *ok;
    size_t count, cap, pos;
    int64_t seq;
    int done;
    /* The latest tick consumed, held for rows of faster groups. */
    double *held_v;
    uint8_t *held_ok;
    int has_held;
} group_cursor;

typedef struct export_ctx {
    aim_store *store;
    aim_db *db;
    const char *run_id;
    aim_run_summary run;
    group_cursor *groups;
    int n_groups;
    int *col_group;           /* per series (slot order): its group cursor */
    int *col_pos;             /* and its position within the group */
    int *col_decimals;
} export_ctx;

/* ------------------------------------------------------------------ formatting */

/* One CSV field (util/csv.h) to out. */
static void put_field(FILE *out, const char *s) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim_csv_field(&b, s, (size_t)-1);
    if (b.data)
        fputs(b.data, out);
    aim_strbuf_free(&b);
}

/* ------------------------------------------------------------------ group cursors */

static int append_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    group_cursor *g = userdata;
    if (g->count == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        size_t cells = cap * (size_t)(g->n ? g->n : 1);
        int64_t *nt = realloc(g->t, sizeof *nt * cap);
        if (nt)
            g->t = nt;
        double *nv = realloc(g->v, sizeof *nv * cells);
        if (nv)
            g->v = nv;
        uint8_t *no = realloc(g->ok, cells);
        if (no)
            g->ok = no;
        if (!nt || !nv || !no)
            return -ENOMEM;
        g->cap = cap;
    }
    g->t[g->count] = t;
    if (g->n) {
        memcpy(&g->v[g->count * (size_t)g->n], values, sizeof *values * (size_t)g->n);
        memcpy(&g->ok[g->count * (size_t)g->n], valid, (size_t)g->n);
    }
    g->count++;
    return 0;
}

/* Makes the next tick of g available at g->pos; 1 if there is one, 0 at the end. */
static int group_peek(export_ctx *x, group_cursor *g) {
    while (!g->done && g->pos == g->count) {
        const uint8_t *blob;
        size_t len;
        int more = aim_db_chunk_iter_next(g->it, &blob, &len, &g->seq);
        if (more < 0)
            return more;
        if (more == 0) {
            g->done = 1;
            break;
        }
        g->count = g->pos = 0;
        int r = aim_chunk_decode(blob, len, g->n, g->cols, append_tick, g);
        if (r < 0)
            return aim_db_set_error(x->db, r, "run %s, group %d: chunk %lld %s", x->run_id,
                                    g->group, (long long)g->seq,
                                    r == -EBADMSG ? "is corrupt" : aim_strerror(r));
    }
    return g->pos < g->count;
}

static void group_hold(group_cursor *g) {
    if (g->n) {
        memcpy(g->held_v, &g->v[g->pos * (size_t)g->n], sizeof *g->held_v * (size_t)g->n);
        memcpy(g->held_ok, &g->ok[g->pos * (size_t)g->n], (size_t)g->n);
    }
    g->has_held = 1;
    g->pos++;
}

static void groups_free(export_ctx *x) {
    for (int i = 0; i < x->n_groups; i++) {
        group_cursor *g = &x->groups[i];
        aim_db_chunk_iter_free(g->it);
        free(g->cols);
        free(g->t);
        free(g->v);
        free(g->ok);
        free(g->held_v);
        free(g->held_ok);
    }
    free(x->groups);
    free(x->col_group);
    free(x->col_pos);
    free(x->col_decimals);
}

static int find_group(const export_ctx *x, int group) {
    for (int i = 0; i < x->n_groups; i++)
        if (x->groups[i].group == group)
            return i;
    return -1;
}

/* One cursor per group of the run's series; each series gets its column position. */
static int groups_setup(export_ctx *x) {
    int ns = x->run.n_series;
    size_t n = (size_t)(ns ? ns : 1);
    x->groups = calloc(n, sizeof *x->groups);
    x->col_group = calloc(n, sizeof *x->col_group);
    x->col_pos = calloc(n, sizeof *x->col_pos);
    x->col_decimals = calloc(n, sizeof *x->col_decimals);
    if (!x->groups || !x->col_group || !x->col_pos || !x->col_decimals)
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
        x->col_decimals[i] = aim_fmt_decimals_for(s->resolution);
    }
    for (int gi = 0; gi < x->n_groups; gi++) {
        group_cursor *g = &x->groups[gi];
        size_t gn = (size_t)(g->n ? g->n : 1);
        g->cols = calloc(gn, sizeof *g->cols);
        g->held_v = calloc(gn, sizeof *g->held_v);
        g->held_ok = calloc(gn, 1);
        if (!g->cols || !g->held_v || !g->held_ok)
            return -ENOMEM;
        int r = aim_db_chunk_iter_new(x->db, x->run_id, g->group, &g->it);
        if (r == 0)
            r = aim_db_group_ticks(x->db, x->run_id, g->group, &g->ticks);
        if (r < 0)
            return r;
    }
    for (int i = 0; i < ns; i++) {
        const aim_series_summary *s = &x->run.series[i];
        aim_chunk_column *c = &x->groups[x->col_group[i]].cols[x->col_pos[i]];
        c->resolution = s->resolution;
        c->counter = s->counter;
    }
    return 0;
}

/* ------------------------------------------------------------------ output */

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

static void write_header(export_ctx *x, FILE *out) {
    fputs("time_s,wall_time", out);
    for (int i = 0; i < x->run.n_series; i++) {
        char name[256];
        column_name(&x->run, &x->run.series[i], name, sizeof name);
        fputc(',', out);
        put_field(out, name);
    }
    fputc('\n', out);
}

static void write_row(export_ctx *x, const group_cursor *primary, FILE *out) {
    int64_t t = primary->t[primary->pos];
    char num[48], wall[40];
    aim_fmt_seconds_us(num, t);
    aim_fmt_time_iso(wall, sizeof wall, x->run.start_wall_ns + t);
    fputs(num, out);
    fputc(',', out);
    fputs(wall, out);
    for (int i = 0; i < x->run.n_series; i++) {
        const group_cursor *g = &x->groups[x->col_group[i]];
        int pos = x->col_pos[i];
        const double *v;
        const uint8_t *ok;
        if (g == primary) {
            v = &g->v[g->pos * (size_t)g->n + (size_t)pos];
            ok = &g->ok[g->pos * (size_t)g->n + (size_t)pos];
        } else if (g->has_held) {
            v = &g->held_v[pos];
            ok = &g->held_ok[pos];
        } else {
            fputc(',', out);
            continue;
        }
        fputc(',', out);
        if (*ok) {
            aim_fmt_exact(num, *v, x->col_decimals[i]);
            fputs(num, out);
        }
    }
    fputc('\n', out);
}

static int export_rows(export_ctx *x, FILE *out) {
    write_header(x, out);
    if (x->n_groups == 0)
        return 0;
    group_cursor *primary = &x->groups[0];
    for (int i = 1; i < x->n_groups; i++)
        if (x->groups[i].ticks > primary->ticks)
            primary = &x->groups[i];
    for (;;) {
        int r = group_peek(x, primary);
        if (r <= 0)
            return r;
        int64_t t = primary->t[primary->pos];
        for (int i = 0; i < x->n_groups; i++) {
            group_cursor *g = &x->groups[i];
            if (g == primary)
                continue;
            while ((r = group_peek(x, g)) > 0 && g->t[g->pos] <= t)
                group_hold(g);
            if (r < 0)
                return r;
        }
        write_row(x, primary, out);
        primary->pos++;
    }
}

int aim_export_csv(aim_store *store, const char *run_id, FILE *out) {
    aim_db *db = aim_store_db(store);
    if (!db) {
        if (store)
            aim_store_set_error(store, "store not open");
        return -EINVAL;
    }
    if (!run_id || !out) {
        aim_store_set_error(store, "no run or no output given");
        return -EINVAL;
    }
    export_ctx x = { .store = store, .db = db, .run_id = run_id };
    int r = aim_db_load_summary(db, run_id, &x.run);
    if (r < 0) {
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
        return r;
    }
    r = groups_setup(&x);
    if (r == -ENOMEM)
        aim_db_set_error(db, r, "out of memory");
    if (r == 0)
        r = export_rows(&x, out);
    if (r == 0 && (fflush(out) != 0 || ferror(out))) {
        int e = errno ? errno : EIO;
        r = aim_db_set_error(db, -e, "cannot write the CSV: %s", strerror(e));
    }
    if (r < 0)
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
    groups_free(&x);
    aim_run_summary_clear(&x.run);
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

int aim_export_csv_columns(aim_store *store, const char *run_id, FILE *out) {
    aim_db *db = aim_store_db(store);
    if (!db || !run_id || !out) {
        if (store)
            aim_store_set_error(store, "%s", db ? "no run or no output given" : "store not open");
        return -EINVAL;
    }
    aim_run_summary run;
    int r = aim_db_load_summary(db, run_id, &run);
    if (r < 0) {
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
        return r;
    }
    fputs("column,device,metric,unit,method,energy\n", out);
    for (int i = 0; i < run.n_series; i++) {
        const aim_series_summary *s = &run.series[i];
        const aim_metric_info *m = aim_metric_find(s->metric_key);
        char name[256], energy[sizeof run.devices[0].energy_detail + 64] = "";
        column_name(&run, s, name, sizeof name);
        int d = s->device, counter;
        /* The series a device's energy comes from says how (the report's Method column). */
        if (d >= 0 && d < run.n_devices && run.devices[d].has_energy &&
            aim_run_energy_series(&run, d, &counter) == i)
            snprintf(energy, sizeof energy, "%s: %.*s", method_name(run.devices[d].energy_method),
                     (int)sizeof run.devices[d].energy_detail, run.devices[d].energy_detail);
        else if (d >= 0 && d < run.n_devices && s->method == AIM_METHOD_DERIVED &&
                 strcmp(s->metric_key, "power") == 0)
            snprintf(energy, sizeof energy, "power over each interval from the energy counter");
        put_field(out, name);
        fputc(',', out);
        put_field(out, d >= 0 && d < run.n_devices ? run.devices[d].name : "");
        fputc(',', out);
        put_field(out, s->metric_key);
        fputc(',', out);
        put_field(out, m ? m->unit : "");
        fputc(',', out);
        put_field(out, method_name(s->method));
        fputc(',', out);
        put_field(out, energy);
        fputc('\n', out);
    }
    if (fflush(out) != 0 || ferror(out)) {
        int e = errno ? errno : EIO;
        r = -e;
        aim_store_set_error(store, "cannot write the column list: %s", strerror(e));
    }
    aim_run_summary_clear(&run);
    return r < 0 ? r : 0;
}
