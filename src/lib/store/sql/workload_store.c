/* The workload's rows in the store (aim__db_workload_store, db.h): small tables rewritten at
 * each commit (phases, their devices, record keys, per-phase records: tens of rows), and
 * append-only ones (spans, marks, records) written from where the last commit stopped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/phases.h"
#include "processing/records.h"
#include "processing/workload_summary.h"
#include "aimeter.h"
#include "store/sql/sql_store.h"
#include "util/array.h"

static int prep(aim_sql *c, aim_sql_stmt **st, const char *sql) {
    return aim__sql_prepare(c, sql, st) == 0 ? 0 : -EIO;
}

/* Runs a write statement to its end and makes it ready for the next bindings. */
static int step_reset(aim_sql_stmt *st) {
    int rc = aim__sql_step(st);
    aim__sql_reset(st);
    return rc == 0 ? 0 : -EIO;
}

static int delete_run_rows(aim_sql *c, const char *table, const char *run_id) {
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE run_id = ?1", table);
    aim_sql_stmt *st;
    if (prep(c, &st, sql) < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    int r = step_reset(st);
    aim__sql_finalize(st);
    return r;
}

/* The rows of table (column: the phase's name) of the phases in memory. */
static int delete_phase_rows(aim_sql *c, const char *table, const char *column,
                             const char *run_id, const aim_phases *phases) {
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE run_id = ?1 AND %s = ?2", table, column);
    aim_sql_stmt *st;
    if (prep(c, &st, sql) < 0)
        return -EIO;
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(phases, &rows);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        aim__sql_bind_text(st, 1, run_id);
        aim__sql_bind_text(st, 2, rows[i].name);
        r = step_reset(st);
    }
    aim__sql_finalize(st);
    return r;
}

static int store_rows(aim_sql *c, const char *run_id, int64_t start,
                      const aim_phases *phases, const aim_records *records) {
    /* Per phase name, not the whole run: an agent frees the rows of ended jobs once they are
     * stored (phases.h, aim__phases_release), and their rows stay. */
    if (delete_run_rows(c, "record_keys", run_id) < 0 ||
        delete_phase_rows(c, "phase_totals", "name", run_id, phases) < 0 ||
        delete_phase_rows(c, "phase_devices", "phase", run_id, phases) < 0 ||
        delete_phase_rows(c, "phase_records", "phase", run_id, phases) < 0)
        return -EIO;
    aim_sql_stmt *ph = NULL, *dev = NULL, *key = NULL, *prec = NULL;
    int r = prep(c, &ph, "INSERT INTO phase_totals (run_id, name, instances, first_ns, "
                         "last_end_ns, total_ns, carbon_g, unterminated) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (r == 0)
        r = prep(c, &dev, "INSERT INTO phase_devices (run_id, phase, device_idx, "
                          "energy_j, peak_w) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (r == 0)
        r = prep(c, &key, "INSERT INTO record_keys (run_id, key, kind, count, total, "
                          "last, min, max, first_ns, last_ns) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (r == 0)
        r = prep(c, &prec, "INSERT INTO phase_records (run_id, phase, key, sum, n) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(phases, &rows);
    const aim_record_key *keys;
    size_t n_keys = aim__records_keys(records, &keys);
    for (size_t i = 0; i < n_rows && r == 0; i++) {
        const aim_phase_row *p = &rows[i];
        aim__sql_bind_text(ph, 1, run_id);
        aim__sql_bind_text(ph, 2, p->name);
        aim__sql_bind_int64(ph, 3, (int64_t)p->instances);
        aim__sql_bind_int64(ph, 4, p->first_ns - start);
        aim__sql_bind_int64(ph, 5, p->last_end_ns ? p->last_end_ns - start : 0);
        aim__sql_bind_int64(ph, 6, p->total_ns);
        aim__sql_bind_double(ph, 7, p->carbon_g);
        aim__sql_bind_int64(ph, 8, p->unterminated);
        r = step_reset(ph);
        for (int d = 0; d < AIM_PHASE_DEVICES && r == 0; d++) {
            if (p->energy_j[d] == 0 && p->peak_w[d] == 0)
                continue;
            aim__sql_bind_text(dev, 1, run_id);
            aim__sql_bind_text(dev, 2, p->name);
            aim__sql_bind_int64(dev, 3, d);
            aim__sql_bind_double(dev, 4, p->energy_j[d]);
            aim__sql_bind_double(dev, 5, p->peak_w[d]);
            r = step_reset(dev);
        }
        for (size_t k = 0; k < n_keys && k < AIM_PHASE_KEYS && r == 0; k++) {
            if (p->rec_n[k] == 0)
                continue;
            aim__sql_bind_text(prec, 1, run_id);
            aim__sql_bind_text(prec, 2, p->name);
            aim__sql_bind_text(prec, 3, keys[k].key);
            aim__sql_bind_double(prec, 4, p->rec_sum[k]);
            aim__sql_bind_int64(prec, 5, (int64_t)p->rec_n[k]);
            r = step_reset(prec);
        }
    }
    for (size_t k = 0; k < n_keys && r == 0; k++) {
        const aim_record_key *rk = &keys[k];
        aim__sql_bind_text(key, 1, run_id);
        aim__sql_bind_text(key, 2, rk->key);
        aim__sql_bind_text(key, 3, rk->kind == AIM_RECORD_COUNTER ? "counter" : "gauge");
        aim__sql_bind_int64(key, 4, (int64_t)rk->count);
        aim__sql_bind_double(key, 5, rk->total);
        aim__sql_bind_double(key, 6, rk->last);
        aim__sql_bind_double(key, 7, rk->min);
        aim__sql_bind_double(key, 8, rk->max);
        aim__sql_bind_int64(key, 9, rk->first_t_ns - start);
        aim__sql_bind_int64(key, 10, rk->last_t_ns - start);
        r = step_reset(key);
    }
    aim__sql_finalize(ph);
    aim__sql_finalize(dev);
    aim__sql_finalize(key);
    aim__sql_finalize(prec);
    return r;
}

static int store_appended(aim_sql *c, const char *run_id, int64_t start,
                          const aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const aim_records *records,
                          const aim_record_row *rows, size_t n_rows) {
    aim_sql_stmt *sp = NULL, *mk = NULL, *rec = NULL;
    /* An instance stored open is written again when it ends: the same seq, its end now. */
    int r = prep(c, &sp, "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, seq) DO UPDATE "
                         "SET phase = excluded.phase, depth = excluded.depth, "
                         "start_ns = excluded.start_ns, end_ns = excluded.end_ns");
    if (r == 0)
        r = prep(c, &mk, "INSERT INTO marks (run_id, seq, t_ns, text) VALUES (?1, ?2, ?3, ?4) "
                         "ON CONFLICT (run_id, seq) DO UPDATE SET t_ns = excluded.t_ns, "
                         "text = excluded.text");
    if (r == 0)
        r = prep(c, &rec, "INSERT INTO records (run_id, key, t_ns, value) "
                          "VALUES (?1, ?2, ?3, ?4)");
    const aim_phase_row *prow;
    aim__phases_rows(phases, &prow);
    const aim_phase_span *spans;
    aim__phases_spans(phases, &spans);
    for (size_t i = spans_from; i < n_spans && r == 0; i++) {
        if (spans[i].row < 0)
            continue; /* stored, and its row released since (aim__phases_release) */
        aim__sql_bind_text(sp, 1, run_id);
        aim__sql_bind_int64(sp, 2, (int64_t)i);
        aim__sql_bind_text(sp, 3, prow[spans[i].row].name);
        aim__sql_bind_int64(sp, 4, spans[i].depth);
        aim__sql_bind_int64(sp, 5, spans[i].start_ns - start);
        if (spans[i].end_ns == INT64_MAX)
            aim__sql_bind_null(sp, 6);
        else
            aim__sql_bind_int64(sp, 6, spans[i].end_ns - start);
        r = step_reset(sp);
    }
    const aim_phase_mark *marks;
    aim__phases_marks(phases, &marks);
    for (size_t i = marks_from; i < n_marks && r == 0; i++) {
        aim__sql_bind_text(mk, 1, run_id);
        aim__sql_bind_int64(mk, 2, (int64_t)i);
        aim__sql_bind_int64(mk, 3, marks[i].t_ns - start);
        aim__sql_bind_text(mk, 4, marks[i].text);
        r = step_reset(mk);
    }
    const aim_record_key *keys;
    aim__records_keys(records, &keys);
    for (size_t i = 0; i < n_rows && r == 0; i++) {
        aim__sql_bind_text(rec, 1, run_id);
        aim__sql_bind_text(rec, 2, keys[rows[i].key].key);
        aim__sql_bind_int64(rec, 3, rows[i].t_ns - start);
        aim__sql_bind_double(rec, 4, rows[i].value);
        r = step_reset(rec);
    }
    aim__sql_finalize(sp);
    aim__sql_finalize(mk);
    aim__sql_finalize(rec);
    return r;
}

int sql_workload_store(aim_db *adb, const char *run_id, int64_t start_mono_ns,
                       const aim_phases *phases, size_t spans_from, size_t n_spans,
                       size_t marks_from, size_t n_marks, const aim_records *records,
                       const aim_record_row *rows, size_t n_rows, uint64_t dropped) {
    aim_sql *c = aim__db_sql(adb);
    const aim_phase_row *prow;
    const aim_record_key *keys;
    if (aim__phases_rows(phases, &prow) == 0 && aim__records_keys(records, &keys) == 0 &&
        n_marks == 0 && dropped == 0)
        return 0; /* nothing from the workload: the usual run writes nothing here */
    int r = store_rows(c, run_id, start_mono_ns, phases, records);
    if (r == 0)
        r = store_appended(c, run_id, start_mono_ns, phases, spans_from, n_spans, marks_from,
                           n_marks, records, rows, n_rows);
    if (r == 0) {
        aim_sql_stmt *st;
        r = prep(c, &st, "UPDATE runs SET workload_dropped = ?2 WHERE id = ?1");
        if (r == 0) {
            aim__sql_bind_text(st, 1, run_id);
            aim__sql_bind_int64(st, 2, (int64_t)dropped);
            r = step_reset(st);
            aim__sql_finalize(st);
        }
    }
    if (r < 0)
        return aim__db_set_error(adb, -EIO, "store: could not write phases and records: %s",
                                 aim__sql_errmsg(c));
    return 0;
}

/* ------------------------------------------------------------------ loading */

static int find_record(const aim_workload_summary *w, const char *key) {
    for (size_t i = 0; key && i < w->n_records; i++)
        if (strcmp(w->records[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int find_phase(const aim_workload_summary *w, const char *name) {
    for (size_t i = 0; name && i < w->n_phases; i++)
        if (strcmp(w->phases[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int count_rows(aim_sql *c, const char *table, const char *run_id, size_t *ret) {
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id = ?1", table);
    aim_sql_stmt *st;
    if (prep(c, &st, sql) < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    int rc = aim__sql_step(st);
    *ret = rc == 1 ? (size_t)aim__sql_column_int64(st, 0) : 0;
    aim__sql_finalize(st);
    return rc == 1 ? 0 : -EIO;
}

static int load(aim_sql *c, const char *run_id, int n_devices, aim_workload_summary *w) {
    size_t n_ph = 0, n_keys = 0;
    if (count_rows(c, "phase_totals", run_id, &n_ph) < 0 ||
        count_rows(c, "record_keys", run_id, &n_keys) < 0 ||
        count_rows(c, "marks", run_id, &w->n_marks) < 0 ||
        count_rows(c, "phases", run_id, &w->n_spans) < 0)
        return -EIO;
    w->phases = calloc(n_ph ? n_ph : 1, sizeof *w->phases);
    w->records = calloc(n_keys ? n_keys : 1, sizeof *w->records);
    if (!w->phases || !w->records)
        return -ENOMEM;
    aim_sql_stmt *st;
    /* first_ns may be NULL: first, as SQLite has always ordered it. */
    if (prep(c, &st, "SELECT key, kind, count, total, last, min, max, first_ns, last_ns "
                     "FROM record_keys WHERE run_id = ?1 ORDER BY first_ns NULLS FIRST, key") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    while (w->n_records < n_keys && aim__sql_step(st) == 1) {
        aim_record_summary *k = &w->records[w->n_records++];
        aim__sql_column_text_copy(st, 0, k->key, sizeof k->key);
        const char *kind = aim__sql_column_text(st, 1);
        k->counter = kind && strcmp(kind, "counter") == 0;
        k->count = (uint64_t)aim__sql_column_int64(st, 2);
        k->total = aim__sql_column_double(st, 3);
        k->last = aim__sql_column_double(st, 4);
        k->min = aim__sql_column_double(st, 5);
        k->max = aim__sql_column_double(st, 6);
        k->first_ns = aim__sql_column_int64(st, 7);
        k->last_ns = aim__sql_column_int64(st, 8);
    }
    aim__sql_finalize(st);
    if (prep(c, &st, "SELECT name, instances, first_ns, last_end_ns, total_ns, carbon_g, "
                     "unterminated FROM phase_totals WHERE run_id = ?1 "
                     "ORDER BY first_ns, name") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    size_t nd = n_devices > 0 ? (size_t)n_devices : 1, nk = n_keys ? n_keys : 1;
    int r = 0;
    while (w->n_phases < n_ph && aim__sql_step(st) == 1) {
        aim_phase_summary *p = &w->phases[w->n_phases++];
        aim__sql_column_text_copy(st, 0, p->name, sizeof p->name);
        p->instances = (uint64_t)aim__sql_column_int64(st, 1);
        p->first_ns = aim__sql_column_int64(st, 2);
        p->last_end_ns = aim__sql_column_int64(st, 3);
        p->total_ns = aim__sql_column_int64(st, 4);
        p->carbon_g = aim__sql_column_double(st, 5);
        p->unterminated = aim__sql_column_int(st, 6);
        p->energy_j = calloc(nd, sizeof *p->energy_j);
        p->peak_w = calloc(nd, sizeof *p->peak_w);
        p->rec_sum = calloc(nk, sizeof *p->rec_sum);
        p->rec_n = calloc(nk, sizeof *p->rec_n);
        if (!p->energy_j || !p->peak_w || !p->rec_sum || !p->rec_n)
            r = -ENOMEM;
    }
    aim__sql_finalize(st);
    if (r < 0)
        return r;
    if (prep(c, &st, "SELECT phase, device_idx, energy_j, peak_w FROM phase_devices "
                     "WHERE run_id = ?1") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    while (aim__sql_step(st) == 1) {
        int p = find_phase(w, aim__sql_column_text(st, 0));
        int d = aim__sql_column_int(st, 1);
        if (p < 0 || d < 0 || d >= n_devices)
            continue; /* a device this summary does not have: nothing to attach it to */
        w->phases[p].energy_j[d] = aim__sql_column_double(st, 2);
        w->phases[p].peak_w[d] = aim__sql_column_double(st, 3);
    }
    aim__sql_finalize(st);
    if (prep(c, &st, "SELECT phase, key, sum, n FROM phase_records WHERE run_id = ?1") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    while (aim__sql_step(st) == 1) {
        int p = find_phase(w, aim__sql_column_text(st, 0));
        int k = find_record(w, aim__sql_column_text(st, 1));
        if (p < 0 || k < 0)
            continue;
        w->phases[p].rec_sum[k] = aim__sql_column_double(st, 2);
        w->phases[p].rec_n[k] = (uint64_t)aim__sql_column_int64(st, 3);
    }
    aim__sql_finalize(st);
    if (prep(c, &st, "SELECT phase, device_idx, metric_key, mean FROM phase_metrics "
                     "WHERE run_id = ?1 ORDER BY device_idx, metric_key") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    while (r == 0 && aim__sql_step(st) == 1) {
        int p = find_phase(w, aim__sql_column_text(st, 0));
        if (p < 0)
            continue;
        aim_phase_summary *ps = &w->phases[p];
        if (aim__array_resize(&ps->metrics, ps->n_metrics + 1, sizeof *ps->metrics) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_phase_metric *m = &ps->metrics[ps->n_metrics++];
        m->device = aim__sql_column_int(st, 1);
        aim__sql_column_text_copy(st, 2, m->key, sizeof m->key);
        m->mean = aim__sql_column_double(st, 3);
    }
    aim__sql_finalize(st);
    if (r < 0)
        return r;
    if (prep(c, &st, "SELECT workload_dropped FROM runs WHERE id = ?1") < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    if (aim__sql_step(st) == 1)
        w->dropped = (uint64_t)aim__sql_column_int64(st, 0);
    aim__sql_finalize(st);
    return 0;
}

int sql_workload_load(aim_db *adb, const char *run_id, int n_devices,
                      aim_workload_summary **ret) {
    aim_workload_summary *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    aim_sql *c = aim__db_sql(adb);
    int r = load(c, run_id, n_devices, w);
    if (r < 0 || (w->n_phases == 0 && w->n_records == 0 && w->n_marks == 0 && w->dropped == 0)) {
        aim__workload_summary_free(w);
        *ret = NULL;
        return r < 0 ? aim__db_set_error(adb, r, "store: cannot read the phases of run %s: %s",
                                         run_id, aim__sql_errmsg(c))
                     : 0;
    }
    *ret = w;
    return 0;
}

/* ------------------------------------------------------------------ a phase's time ranges */

int sql_phase_ranges(aim_db *adb, const char *run_id, const char *phase,
                     aim_time_range **ret_ranges, size_t *ret_n) {
    if (!adb || !run_id || !phase || !ret_ranges || !ret_n)
        return -EINVAL;
    aim_sql *c = aim__db_sql(adb);
    aim_sql_stmt *st;
    /* An instance still open (a killed run) reaches the end of the run's samples. */
    if (prep(c, &st, "SELECT start_ns, coalesce(end_ns, (SELECT duration_ns FROM runs "
                     "WHERE id = ?1)) FROM phases WHERE run_id = ?1 AND phase = ?2 "
                     "ORDER BY seq") < 0)
        return aim__db_set_error(adb, -EIO, "store: %s", aim__sql_errmsg(c));
    aim__sql_bind_text(st, 1, run_id);
    aim__sql_bind_text(st, 2, phase);
    aim_time_range *out = NULL;
    size_t n = 0;
    int r = 0;
    while (aim__sql_step(st) == 1) {
        if (aim__array_resize(&out, n + 1, sizeof *out) < 0) {
            r = -ENOMEM;
            break;
        }
        out[n].t0_ns = aim__sql_column_int64(st, 0);
        out[n].t1_ns = aim__sql_column_int64(st, 1);
        n++;
    }
    aim__sql_finalize(st);
    if (r == 0 && n == 0) {
        r = -ENOENT;
        aim__db_set_error(adb, r, "run %s has no phase called \"%s\"", run_id, phase);
    }
    if (r < 0) {
        free(out);
        return r;
    }
    *ret_ranges = out;
    *ret_n = n;
    return 0;
}

int sql_phase_metrics_store(aim_db *adb, const char *run_id, const aim_phases *phases,
                            int n_ch, const int *ch_device, const char (*ch_key)[48]) {
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(phases, &rows);
    if (n_rows == 0 || n_ch == 0)
        return 0;
    aim_sql *c = aim__db_sql(adb);
    aim_sql_stmt *st = NULL;
    int r = delete_phase_rows(c, "phase_metrics", "phase", run_id, phases);
    if (r == 0)
        r = prep(c, &st, "INSERT INTO phase_metrics (run_id, phase, device_idx, metric_key, "
                         "mean) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (run_id, phase, "
                         "device_idx, metric_key) DO UPDATE SET mean = excluded.mean");
    for (size_t i = 0; i < n_rows && r == 0; i++)
        for (int ch = 0; ch < n_ch && ch < AIM_PHASE_CHANNELS && r == 0; ch++) {
            if (!(rows[i].ch_w[ch] > 0))
                continue;
            aim__sql_bind_text(st, 1, run_id);
            aim__sql_bind_text(st, 2, rows[i].name);
            aim__sql_bind_int64(st, 3, ch_device[ch]);
            aim__sql_bind_text(st, 4, ch_key[ch]);
            aim__sql_bind_double(st, 5, rows[i].ch_sum[ch] / rows[i].ch_w[ch]);
            r = step_reset(st);
        }
    aim__sql_finalize(st);
    return r < 0 ? aim__db_set_error(adb, -EIO, "store: could not write phase metrics: %s",
                                     aim__sql_errmsg(c))
                 : 0;
}

int sql_phase_carbon_update(aim_db *adb, const char *run_id, const aim_phases *phases) {
    aim_sql *c = aim__db_sql(adb);
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(phases, &rows);
    aim_sql_stmt *st = NULL;
    int r = n ? prep(c, &st, "UPDATE phase_totals SET carbon_g = ?1 "
                             "WHERE run_id = ?2 AND name = ?3") : 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        aim__sql_bind_double(st, 1, rows[i].carbon_g);
        aim__sql_bind_text(st, 2, run_id);
        aim__sql_bind_text(st, 3, rows[i].name);
        r = step_reset(st);
    }
    aim__sql_finalize(st);
    if (r < 0)
        aim__db_set_error(adb, r, "storing the phases' carbon: %s", aim__sql_errmsg(c));
    return r;
}
