/* The workload's rows in the store (aim__db_workload_store, db.h): small tables rewritten at
 * each commit (phases, their devices, record keys, per-phase records: tens of rows), and
 * append-only ones (spans, marks, records) written from where the last commit stopped. */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/phases.h"
#include "processing/records.h"
#include "processing/workload_summary.h"
#include "aimeter.h"
#include "store/sqlite/sqlite_store.h"
#include "util/array.h"

static int exec_bind(sqlite3 *db, sqlite3_stmt **st, const char *sql) {
    return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -EIO;
}

static int step_reset(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

static int delete_run_rows(sqlite3 *db, const char *table, const char *run_id) {
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE run_id = ?1", table);
    sqlite3_stmt *st;
    if (exec_bind(db, &st, sql) < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int r = step_reset(st);
    sqlite3_finalize(st);
    return r;
}

/* The rows of table (column: the phase's name) of the phases in memory. */
static int delete_phase_rows(sqlite3 *db, const char *table, const char *column,
                             const char *run_id, const aim_phases *phases) {
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE run_id = ?1 AND %s = ?2", table, column);
    sqlite3_stmt *st;
    if (exec_bind(db, &st, sql) < 0)
        return -EIO;
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(phases, &rows);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rows[i].name, -1, SQLITE_STATIC);
        r = step_reset(st);
    }
    sqlite3_finalize(st);
    return r;
}

static int store_rows(sqlite3 *db, const char *run_id, int64_t start,
                      const aim_phases *phases, const aim_records *records) {
    /* Per phase name, not the whole run: an agent frees the rows of ended jobs once they are
     * stored (phases.h, aim__phases_release), and their rows stay. */
    if (delete_run_rows(db, "record_keys", run_id) < 0 ||
        delete_phase_rows(db, "phase_totals", "name", run_id, phases) < 0 ||
        delete_phase_rows(db, "phase_devices", "phase", run_id, phases) < 0 ||
        delete_phase_rows(db, "phase_records", "phase", run_id, phases) < 0)
        return -EIO;
    sqlite3_stmt *ph = NULL, *dev = NULL, *key = NULL, *prec = NULL;
    int r = exec_bind(db, &ph, "INSERT INTO phase_totals (run_id, name, instances, first_ns, "
                               "last_end_ns, total_ns, carbon_g, unterminated) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (r == 0)
        r = exec_bind(db, &dev, "INSERT INTO phase_devices (run_id, phase, device_idx, "
                                "energy_j, peak_w) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (r == 0)
        r = exec_bind(db, &key, "INSERT INTO record_keys (run_id, key, kind, count, total, "
                                "last, min, max, first_ns, last_ns) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (r == 0)
        r = exec_bind(db, &prec, "INSERT INTO phase_records (run_id, phase, key, sum, n) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5)");
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(phases, &rows);
    const aim_record_key *keys;
    size_t n_keys = aim__records_keys(records, &keys);
    for (size_t i = 0; i < n_rows && r == 0; i++) {
        const aim_phase_row *p = &rows[i];
        sqlite3_bind_text(ph, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ph, 2, p->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ph, 3, (sqlite3_int64)p->instances);
        sqlite3_bind_int64(ph, 4, p->first_ns - start);
        sqlite3_bind_int64(ph, 5, p->last_end_ns ? p->last_end_ns - start : 0);
        sqlite3_bind_int64(ph, 6, p->total_ns);
        sqlite3_bind_double(ph, 7, p->carbon_g);
        sqlite3_bind_int(ph, 8, p->unterminated);
        r = step_reset(ph);
        for (int d = 0; d < AIM_PHASE_DEVICES && r == 0; d++) {
            if (p->energy_j[d] == 0 && p->peak_w[d] == 0)
                continue;
            sqlite3_bind_text(dev, 1, run_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(dev, 2, p->name, -1, SQLITE_STATIC);
            sqlite3_bind_int(dev, 3, d);
            sqlite3_bind_double(dev, 4, p->energy_j[d]);
            sqlite3_bind_double(dev, 5, p->peak_w[d]);
            r = step_reset(dev);
        }
        for (size_t k = 0; k < n_keys && k < AIM_PHASE_KEYS && r == 0; k++) {
            if (p->rec_n[k] == 0)
                continue;
            sqlite3_bind_text(prec, 1, run_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(prec, 2, p->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(prec, 3, keys[k].key, -1, SQLITE_STATIC);
            sqlite3_bind_double(prec, 4, p->rec_sum[k]);
            sqlite3_bind_int64(prec, 5, (sqlite3_int64)p->rec_n[k]);
            r = step_reset(prec);
        }
    }
    for (size_t k = 0; k < n_keys && r == 0; k++) {
        const aim_record_key *rk = &keys[k];
        sqlite3_bind_text(key, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(key, 2, rk->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(key, 3, rk->kind == AIM_RECORD_COUNTER ? "counter" : "gauge", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(key, 4, (sqlite3_int64)rk->count);
        sqlite3_bind_double(key, 5, rk->total);
        sqlite3_bind_double(key, 6, rk->last);
        sqlite3_bind_double(key, 7, rk->min);
        sqlite3_bind_double(key, 8, rk->max);
        sqlite3_bind_int64(key, 9, rk->first_t_ns - start);
        sqlite3_bind_int64(key, 10, rk->last_t_ns - start);
        r = step_reset(key);
    }
    sqlite3_finalize(ph);
    sqlite3_finalize(dev);
    sqlite3_finalize(key);
    sqlite3_finalize(prec);
    return r;
}

static int store_appended(sqlite3 *db, const char *run_id, int64_t start,
                          const aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const aim_records *records,
                          const aim_record_row *rows, size_t n_rows) {
    sqlite3_stmt *sp = NULL, *mk = NULL, *rec = NULL;
    int r = exec_bind(db, &sp, "INSERT OR REPLACE INTO phases (run_id, seq, phase, depth, "
                               "start_ns, end_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (r == 0)
        r = exec_bind(db, &mk, "INSERT OR REPLACE INTO marks (run_id, seq, t_ns, text) "
                               "VALUES (?1, ?2, ?3, ?4)");
    if (r == 0)
        r = exec_bind(db, &rec, "INSERT INTO records (run_id, key, t_ns, value) "
                                "VALUES (?1, ?2, ?3, ?4)");
    const aim_phase_row *prow;
    aim__phases_rows(phases, &prow);
    const aim_phase_span *spans;
    aim__phases_spans(phases, &spans);
    for (size_t i = spans_from; i < n_spans && r == 0; i++) {
        if (spans[i].row < 0)
            continue; /* stored, and its row released since (aim__phases_release) */
        sqlite3_bind_text(sp, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(sp, 2, (sqlite3_int64)i);
        sqlite3_bind_text(sp, 3, prow[spans[i].row].name, -1, SQLITE_STATIC);
        sqlite3_bind_int(sp, 4, spans[i].depth);
        sqlite3_bind_int64(sp, 5, spans[i].start_ns - start);
        if (spans[i].end_ns == INT64_MAX)
            sqlite3_bind_null(sp, 6);
        else
            sqlite3_bind_int64(sp, 6, spans[i].end_ns - start);
        r = step_reset(sp);
    }
    const aim_phase_mark *marks;
    aim__phases_marks(phases, &marks);
    for (size_t i = marks_from; i < n_marks && r == 0; i++) {
        sqlite3_bind_text(mk, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(mk, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(mk, 3, marks[i].t_ns - start);
        sqlite3_bind_text(mk, 4, marks[i].text, -1, SQLITE_STATIC);
        r = step_reset(mk);
    }
    const aim_record_key *keys;
    aim__records_keys(records, &keys);
    for (size_t i = 0; i < n_rows && r == 0; i++) {
        sqlite3_bind_text(rec, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(rec, 2, keys[rows[i].key].key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(rec, 3, rows[i].t_ns - start);
        sqlite3_bind_double(rec, 4, rows[i].value);
        r = step_reset(rec);
    }
    sqlite3_finalize(sp);
    sqlite3_finalize(mk);
    sqlite3_finalize(rec);
    return r;
}

int sq_workload_store(aim_db *adb, const char *run_id, int64_t start_mono_ns,
                          const aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const aim_records *records,
                          const aim_record_row *rows, size_t n_rows, uint64_t dropped) {
    sqlite3 *db = aim__db_sqlite(adb);
    const aim_phase_row *prow;
    const aim_record_key *keys;
    if (aim__phases_rows(phases, &prow) == 0 && aim__records_keys(records, &keys) == 0 &&
        n_marks == 0 && dropped == 0)
        return 0; /* nothing from the workload: the usual run writes nothing here */
    int r = store_rows(db, run_id, start_mono_ns, phases, records);
    if (r == 0)
        r = store_appended(db, run_id, start_mono_ns, phases, spans_from, n_spans, marks_from,
                           n_marks, records, rows, n_rows);
    if (r == 0) {
        sqlite3_stmt *st;
        r = exec_bind(db, &st, "UPDATE runs SET workload_dropped = ?2 WHERE id = ?1");
        if (r == 0) {
            sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)dropped);
            r = step_reset(st);
            sqlite3_finalize(st);
        }
    }
    if (r < 0)
        return aim__db_set_error(adb, -EIO, "store: could not write phases and records: %s",
                                sqlite3_errmsg(db));
    return 0;
}

/* ------------------------------------------------------------------ loading */

static int find_record(const aim_workload_summary *w, const char *key) {
    for (size_t i = 0; i < w->n_records; i++)
        if (strcmp(w->records[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int find_phase(const aim_workload_summary *w, const char *name) {
    for (size_t i = 0; i < w->n_phases; i++)
        if (strcmp(w->phases[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int count_rows(sqlite3 *db, const char *table, const char *run_id, size_t *ret) {
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id = ?1", table);
    sqlite3_stmt *st;
    if (exec_bind(db, &st, sql) < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *ret = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -EIO;
}

static int load(sqlite3 *db, const char *run_id, int n_devices, aim_workload_summary *w) {
    size_t n_ph = 0, n_keys = 0;
    if (count_rows(db, "phase_totals", run_id, &n_ph) < 0 ||
        count_rows(db, "record_keys", run_id, &n_keys) < 0 ||
        count_rows(db, "marks", run_id, &w->n_marks) < 0 ||
        count_rows(db, "phases", run_id, &w->n_spans) < 0)
        return -EIO;
    w->phases = calloc(n_ph ? n_ph : 1, sizeof *w->phases);
    w->records = calloc(n_keys ? n_keys : 1, sizeof *w->records);
    if (!w->phases || !w->records)
        return -ENOMEM;
    sqlite3_stmt *st;
    if (exec_bind(db, &st, "SELECT key, kind, count, total, last, min, max, first_ns, last_ns "
                           "FROM record_keys WHERE run_id = ?1 ORDER BY first_ns, key") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    while (w->n_records < n_keys && sqlite3_step(st) == SQLITE_ROW) {
        aim_record_summary *k = &w->records[w->n_records++];
        sq_col_text(st, 0, k->key, sizeof k->key);
        k->counter = strcmp((const char *)sqlite3_column_text(st, 1), "counter") == 0;
        k->count = (uint64_t)sqlite3_column_int64(st, 2);
        k->total = sqlite3_column_double(st, 3);
        k->last = sqlite3_column_double(st, 4);
        k->min = sqlite3_column_double(st, 5);
        k->max = sqlite3_column_double(st, 6);
        k->first_ns = sqlite3_column_int64(st, 7);
        k->last_ns = sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    if (exec_bind(db, &st, "SELECT name, instances, first_ns, last_end_ns, total_ns, carbon_g, "
                           "unterminated FROM phase_totals WHERE run_id = ?1 "
                           "ORDER BY first_ns, name") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    size_t nd = n_devices > 0 ? (size_t)n_devices : 1, nk = n_keys ? n_keys : 1;
    int r = 0;
    while (w->n_phases < n_ph && sqlite3_step(st) == SQLITE_ROW) {
        aim_phase_summary *p = &w->phases[w->n_phases++];
        sq_col_text(st, 0, p->name, sizeof p->name);
        p->instances = (uint64_t)sqlite3_column_int64(st, 1);
        p->first_ns = sqlite3_column_int64(st, 2);
        p->last_end_ns = sqlite3_column_int64(st, 3);
        p->total_ns = sqlite3_column_int64(st, 4);
        p->carbon_g = sqlite3_column_double(st, 5);
        p->unterminated = sqlite3_column_int(st, 6);
        p->energy_j = calloc(nd, sizeof *p->energy_j);
        p->peak_w = calloc(nd, sizeof *p->peak_w);
        p->rec_sum = calloc(nk, sizeof *p->rec_sum);
        p->rec_n = calloc(nk, sizeof *p->rec_n);
        if (!p->energy_j || !p->peak_w || !p->rec_sum || !p->rec_n)
            r = -ENOMEM;
    }
    sqlite3_finalize(st);
    if (r < 0)
        return r;
    if (exec_bind(db, &st, "SELECT phase, device_idx, energy_j, peak_w FROM phase_devices "
                           "WHERE run_id = ?1") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int p = find_phase(w, (const char *)sqlite3_column_text(st, 0));
        int d = sqlite3_column_int(st, 1);
        if (p < 0 || d < 0 || d >= n_devices)
            continue; /* a device this summary does not have: nothing to attach it to */
        w->phases[p].energy_j[d] = sqlite3_column_double(st, 2);
        w->phases[p].peak_w[d] = sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    if (exec_bind(db, &st, "SELECT phase, key, sum, n FROM phase_records WHERE run_id = ?1") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int p = find_phase(w, (const char *)sqlite3_column_text(st, 0));
        int k = find_record(w, (const char *)sqlite3_column_text(st, 1));
        if (p < 0 || k < 0)
            continue;
        w->phases[p].rec_sum[k] = sqlite3_column_double(st, 2);
        w->phases[p].rec_n[k] = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (exec_bind(db, &st, "SELECT phase, device_idx, metric_key, mean FROM phase_metrics "
                           "WHERE run_id = ?1 ORDER BY device_idx, metric_key") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        int p = find_phase(w, (const char *)sqlite3_column_text(st, 0));
        if (p < 0)
            continue;
        aim_phase_summary *ps = &w->phases[p];
        if (aim__array_resize(&ps->metrics, ps->n_metrics + 1, sizeof *ps->metrics) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_phase_metric *m = &ps->metrics[ps->n_metrics++];
        m->device = sqlite3_column_int(st, 1);
        sq_col_text(st, 2, m->key, sizeof m->key);
        m->mean = sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    if (r < 0)
        return r;
    if (exec_bind(db, &st, "SELECT workload_dropped FROM runs WHERE id = ?1") < 0)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        w->dropped = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int sq_workload_load(aim_db *adb, const char *run_id, int n_devices,
                         aim_workload_summary **ret) {
    aim_workload_summary *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    int r = load(aim__db_sqlite(adb), run_id, n_devices, w);
    if (r < 0 || (w->n_phases == 0 && w->n_records == 0 && w->n_marks == 0 && w->dropped == 0)) {
        aim__workload_summary_free(w);
        *ret = NULL;
        return r < 0 ? aim__db_set_error(adb, r, "store: cannot read the phases of run %s: %s",
                                        run_id, sqlite3_errmsg(aim__db_sqlite(adb)))
                     : 0;
    }
    *ret = w;
    return 0;
}

/* ------------------------------------------------------------------ a phase's time ranges */

int sq_phase_ranges(aim_db *adb, const char *run_id, const char *phase,
                        aim_time_range **ret_ranges, size_t *ret_n) {
    if (!adb || !run_id || !phase || !ret_ranges || !ret_n)
        return -EINVAL;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    /* An instance still open (a killed run) reaches the end of the run's samples. */
    if (exec_bind(db, &st, "SELECT start_ns, coalesce(end_ns, (SELECT duration_ns FROM runs "
                           "WHERE id = ?1)) FROM phases WHERE run_id = ?1 AND phase = ?2 "
                           "ORDER BY seq") < 0)
        return aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, phase, -1, SQLITE_STATIC);
    aim_time_range *out = NULL;
    size_t n = 0;
    int r = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (aim__array_resize(&out, n + 1, sizeof *out) < 0) {
            r = -ENOMEM;
            break;
        }
        out[n].t0_ns = sqlite3_column_int64(st, 0);
        out[n].t1_ns = sqlite3_column_int64(st, 1);
        n++;
    }
    sqlite3_finalize(st);
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

int sq_phase_metrics_store(aim_db *adb, const char *run_id, const aim_phases *phases,
                               int n_ch, const int *ch_device, const char (*ch_key)[48]) {
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(phases, &rows);
    if (n_rows == 0 || n_ch == 0)
        return 0;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st = NULL;
    int r = delete_phase_rows(db, "phase_metrics", "phase", run_id, phases);
    if (r == 0)
        r = exec_bind(db, &st, "INSERT OR REPLACE INTO phase_metrics (run_id, phase, device_idx, "
                               "metric_key, mean) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (size_t i = 0; i < n_rows && r == 0; i++)
        for (int c = 0; c < n_ch && c < AIM_PHASE_CHANNELS && r == 0; c++) {
            if (!(rows[i].ch_w[c] > 0))
                continue;
            sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, rows[i].name, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 3, ch_device[c]);
            sqlite3_bind_text(st, 4, ch_key[c], -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 5, rows[i].ch_sum[c] / rows[i].ch_w[c]);
            r = step_reset(st);
        }
    sqlite3_finalize(st);
    return r < 0 ? aim__db_set_error(adb, -EIO, "store: could not write phase metrics: %s",
                                    sqlite3_errmsg(db))
                 : 0;
}

int sq_phase_carbon_update(aim_db *adb, const char *run_id, const aim_phases *phases) {
    sqlite3 *db = aim__db_sqlite(adb);
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(phases, &rows);
    sqlite3_stmt *st = NULL;
    int r = n ? exec_bind(db, &st, "UPDATE phase_totals SET carbon_g = ?1 "
                                   "WHERE run_id = ?2 AND name = ?3") : 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        sqlite3_bind_double(st, 1, rows[i].carbon_g);
        sqlite3_bind_text(st, 2, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rows[i].name, -1, SQLITE_STATIC);
        r = step_reset(st);
    }
    sqlite3_finalize(st);
    if (r < 0)
        aim__db_set_error(adb, r, "storing the phases' carbon: %s", sqlite3_errmsg(db));
    return r;
}
