/* Runs, their devices, series and intensity/price steps (store/store.h), in the SQL both
 * back-ends run (store/sql/sql.h). Statements are prepared once per handle (core.h).
 *
 * Parameters that may be NULL are tested as CAST(?N AS TEXT) IS NULL: PostgreSQL fixes a
 * parameter's type where it first meets it, and a bare ?N IS NULL gives it none. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "model/device.h"
#include "model/intensity.h"
#include "model/metrics.h"
#include "store/db.h"
#include "store/sql/core.h"
#include "util/array.h"

#define RUN_COLUMNS                                                                           \
    "id, name, command, host, aimeter_version, writer_pid, start_wall_ns, end_wall_ns, "     \
    "duration_ns, status, exit_code, interval_ns, achieved_interval_ns, samples, "            \
    "missed_deadlines, sources, zone, intensity_g_per_kwh, intensity_source, total_energy_j, " \
    "carbon_g, warnings, intensity_signal, intensity_basis, pue, pue_source, "                \
    "facility_energy_j, price_per_kwh, currency, price_source, cost, samples_lost"

static const char run_insert_sql[] =
    "INSERT INTO runs (" RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
    "?29, ?30, ?31, ?32)";
static const char device_insert_sql[] =
    "INSERT INTO devices (run_id, idx, name, kind, model, energy_j, energy_method, "
    "energy_detail, in_total, carbon_g) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char series_insert_sql[] =
    "INSERT INTO series (run_id, slot, device_idx, metric_key, instance, method, grp, "
    "resolution, counter, count, mean, min, max, mode, stddev, mode_exact) VALUES (?1, ?2, "
    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char run_update_sql[] =
    "UPDATE runs SET status = ?2, exit_code = ?3, end_wall_ns = ?4, duration_ns = ?5, "
    "achieved_interval_ns = ?6, samples = ?7, missed_deadlines = ?8, sources = ?9, "
    "zone = ?10, intensity_g_per_kwh = ?11, intensity_source = ?12, total_energy_j = ?13, "
    "carbon_g = ?14, warnings = ?15, intensity_signal = ?16, intensity_basis = ?17, "
    "pue = ?18, pue_source = ?19, facility_energy_j = ?20, price_per_kwh = ?21, "
    "currency = ?22, price_source = ?23, cost = ?24, samples_lost = ?25 WHERE id = ?1";
static const char device_update_sql[] =
    "UPDATE devices SET energy_j = ?3, energy_method = ?4, energy_detail = ?5, "
    "in_total = ?6, model = ?7, carbon_g = ?8 WHERE run_id = ?1 AND idx = ?2";
static const char series_update_sql[] =
    "UPDATE series SET count = ?3, mean = ?4, min = ?5, max = ?6, mode = ?7, stddev = ?8, "
    "mode_exact = ?9 WHERE run_id = ?1 AND slot = ?2";
static const char run_select_sql[] = "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1";
static const char devices_select_sql[] =
    "SELECT idx, name, kind, model, energy_j, energy_method, energy_detail, in_total, "
    "carbon_g FROM devices WHERE run_id = ?1 ORDER BY idx";
static const char series_select_sql[] =
    "SELECT slot, device_idx, metric_key, instance, method, grp, resolution, counter, count, "
    "mean, min, max, mode, stddev, mode_exact FROM series WHERE run_id = ?1 ORDER BY slot";
/* No limit is the largest one: LIMIT -1 is SQLite's alone. */
static const char run_list_sql[] =
    "SELECT " RUN_COLUMNS " FROM runs ORDER BY start_wall_ns DESC, id DESC LIMIT ?1";
static const char last_sql[] = "SELECT id FROM runs ORDER BY start_wall_ns DESC, id DESC LIMIT 1";
static const char exact_sql[] = "SELECT id FROM runs WHERE id = ?1";
static const char prefix_sql[] =
    "SELECT id FROM runs WHERE substr(id, 1, length(CAST(?1 AS TEXT))) = ?1 ORDER BY id "
    "LIMIT 6";
static const char *const steps_insert_sql[2] = {
    "INSERT INTO run_intensity (run_id, t_unix_ms, g_per_kwh) VALUES (?1, ?2, ?3)",
    "INSERT INTO run_price (run_id, t_unix_ms, price_per_kwh) VALUES (?1, ?2, ?3)",
};
static const char *const steps_select_sql[2] = {
    "SELECT t_unix_ms, g_per_kwh FROM run_intensity WHERE run_id = ?1 ORDER BY t_unix_ms",
    "SELECT t_unix_ms, price_per_kwh FROM run_price WHERE run_id = ?1 ORDER BY t_unix_ms",
};
static const char *const steps_count_sql[2] = {
    "SELECT count(*) FROM run_intensity WHERE run_id = ?1",
    "SELECT count(*) FROM run_price WHERE run_id = ?1",
};

/* One statement whatever the filter (an absent one is bound NULL): no SQL is built from a
 * request. The job is the first non-empty of the agent's job tags (engine/tags.c). The name
 * test is "contains": replace() changes the name exactly when the (non-empty) part occurs in
 * it, and is spelled alike in both engines (SQLite's instr is PostgreSQL's strpos). */
static const char list_where_sql[] =
    "SELECT " RUN_COLUMNS " FROM runs r WHERE (CAST(?1 AS TEXT) IS NULL OR "
    "replace(r.name, ?1, '') <> r.name) "
    "AND (CAST(?2 AS TEXT) IS NULL OR r.host = ?2) AND r.start_wall_ns BETWEEN ?3 AND ?4 "
    "AND (CAST(?5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id "
    "AND t.key = ?5 AND t.value = ?6)) "
    "AND (CAST(?7 AS TEXT) IS NULL OR ?7 = COALESCE("
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'slurm_job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'pbs_job' AND value <> ''), "
    "(SELECT value FROM run_tags WHERE run_id = r.id AND key = 'sge_job' AND value <> ''))) "
    "ORDER BY r.start_wall_ns DESC, r.id DESC LIMIT ?8 OFFSET ?9";

#define S(db) AIM_SQL_STORE(db)

/* ------------------------------------------------------------------ stored names */

/* The readable TEXT values stored for enum-like columns, and back. The parsers return the
 * fallback for text this aimeter does not know (a newer writer's value). */
static const char *const status_names[] = { "running", "completed", "failed", "interrupted" };
static const char *const method_names[] = { "measured", "derived", "estimated" };
#define N_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

static int find_name(const char *const *names, int n, const char *text) {
    for (int i = 0; text && i < n; i++)
        if (strcmp(names[i], text) == 0)
            return i;
    return -1;
}

static const char *status_text(aim_run_status status) {
    return (unsigned)status < (unsigned)N_OF(status_names) ? status_names[status] : "running";
}

static aim_run_status status_parse(const char *text, aim_run_status fallback) {
    int i = find_name(status_names, N_OF(status_names), text);
    return i < 0 ? fallback : (aim_run_status)i;
}

static const char *method_text(aim_method method) {
    return (unsigned)method < (unsigned)N_OF(method_names) ? method_names[method] : "measured";
}

static aim_method method_parse(const char *text, aim_method fallback) {
    int i = find_name(method_names, N_OF(method_names), text);
    return i < 0 ? fallback : (aim_method)i;
}

static aim_device_kind device_kind_parse(const char *text, aim_device_kind fallback) {
    for (int k = AIM_DEV_HOST; k <= AIM_DEV_PROCESS; k++)
        if (text && strcmp(aim__device_kind_name((aim_device_kind)k), text) == 0)
            return (aim_device_kind)k;
    return fallback;
}

/* ------------------------------------------------------------------ binding */

/* Binding fails only on a bad parameter number or no memory, which the step that follows
 * reports anyway (an unbound parameter is NULL and the NOT NULL columns refuse it): the
 * binders below do not check each call. */
static void bind_text(aim_sql_stmt *st, int i, const char *s) {
    aim__sql_bind_text(st, i, s ? s : "");
}

/* The twenty columns the insert (from ?13) and the end-of-run update (from ?6) both write,
 * in the same order: achieved_interval_ns to warnings, then the carbon method and cost of
 * schema 2, then schema 10's samples_lost. One binder keeps the two in step. */
static void bind_run_results(aim_sql_stmt *st, int first, const aim_run_summary *run) {
    aim__sql_bind_int64(st, first, run->achieved_interval_ns);
    aim__sql_bind_int64(st, first + 1, (int64_t)run->samples);
    aim__sql_bind_int64(st, first + 2, (int64_t)run->missed_deadlines);
    bind_text(st, first + 3, run->sources);
    bind_text(st, first + 4, run->zone);
    aim__sql_bind_double(st, first + 5, run->intensity_g_per_kwh);
    bind_text(st, first + 6, run->intensity_source);
    aim__sql_bind_double(st, first + 7, run->total_energy_j);
    aim__sql_bind_double(st, first + 8, run->carbon_g);
    bind_text(st, first + 9, run->warnings);
    const char *signal = aim__signal_name(run->signal), *basis = aim__basis_name(run->basis);
    bind_text(st, first + 10, signal ? signal : "average");
    bind_text(st, first + 11, basis ? basis : "unknown");
    aim__sql_bind_double(st, first + 12, run->pue >= 1.0 ? run->pue : 1.0);
    bind_text(st, first + 13, run->pue_source);
    aim__sql_bind_double(st, first + 14, run->facility_energy_j);
    int priced = run->currency[0] != '\0';
    aim__sql_bind_double(st, first + 15, priced ? run->price_per_kwh : NAN);
    bind_text(st, first + 16, run->currency);
    bind_text(st, first + 17, run->price_source);
    aim__sql_bind_double(st, first + 18, priced ? run->cost : NAN);
    aim__sql_bind_int64(st, first + 19, (int64_t)run->samples_lost);
}

/* ------------------------------------------------------------------ writing */

int sql_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_RUN_INSERT, run_insert_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run->id);
    bind_text(st, 2, run->name);
    bind_text(st, 3, run->command);
    bind_text(st, 4, run->host[0] ? run->host : S(db)->host);
    bind_text(st, 5, run->aimeter_version[0] ? run->aimeter_version : aim_version());
    aim__sql_bind_int64(st, 6, writer_pid);
    aim__sql_bind_int64(st, 7, run->start_wall_ns);
    aim__sql_bind_int64(st, 8, run->end_wall_ns);
    aim__sql_bind_int64(st, 9, run->duration_ns);
    bind_text(st, 10, status_text(AIM_RUN_RUNNING));
    aim__sql_bind_int64(st, 11, run->exit_code);
    aim__sql_bind_int64(st, 12, run->interval_ns);
    bind_run_results(st, 13, run);
    return aim__sql_store_done(db, st, "cannot insert the run");
}

int sql_device_insert(aim_db *db, const char *run_id, int index, const aim_device_summary *dev) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_DEVICE_INSERT, device_insert_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    aim__sql_bind_int64(st, 2, index);
    bind_text(st, 3, dev->name);
    bind_text(st, 4, aim__device_kind_name(dev->kind));
    bind_text(st, 5, dev->model);
    aim__sql_bind_double(st, 6, dev->has_energy ? dev->energy_j : NAN);
    bind_text(st, 7, method_text(dev->energy_method));
    bind_text(st, 8, dev->energy_detail);
    aim__sql_bind_int64(st, 9, dev->in_total != 0);
    aim__sql_bind_double(st, 10, dev->in_total && dev->has_energy ? dev->carbon_g : NAN);
    return aim__sql_store_done(db, st, "cannot insert a device");
}

int sql_series_insert(aim_db *db, const char *run_id, const aim_series_summary *s) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_SERIES_INSERT, series_insert_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    aim__sql_bind_int64(st, 2, s->slot);
    aim__sql_bind_int64(st, 3, s->device);
    bind_text(st, 4, s->metric_key);
    aim__sql_bind_int64(st, 5, s->instance);
    bind_text(st, 6, method_text(s->method));
    aim__sql_bind_int64(st, 7, s->group);
    /* The codec's quantum is a number even where a statistic is NaN. */
    aim__sql_bind_double(st, 8, s->resolution);
    aim__sql_bind_int64(st, 9, s->counter != 0);
    aim__sql_bind_int64(st, 10, (int64_t)s->count);
    aim__sql_bind_double(st, 11, s->mean);
    aim__sql_bind_double(st, 12, s->min);
    aim__sql_bind_double(st, 13, s->max);
    aim__sql_bind_double(st, 14, s->mode);
    aim__sql_bind_double(st, 15, s->stddev);
    aim__sql_bind_int64(st, 16, s->mode_exact != 0);
    return aim__sql_store_done(db, st, "cannot insert a series");
}

int sql_steps_insert(aim_db *db, const char *run_id, int which,
                     const aim_intensity_point *points, size_t n) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, which ? AIM_SQL_ST_PRICE_INSERT : AIM_SQL_ST_INTENSITY_INSERT,
                                steps_insert_sql[which != 0], &st);
    for (size_t i = 0; r == 0 && i < n; i++) {
        bind_text(st, 1, run_id);
        aim__sql_bind_int64(st, 2, points[i].t_unix_ms);
        aim__sql_bind_double(st, 3, points[i].g_per_kwh);
        r = aim__sql_store_done(db, st, which ? "cannot store the price series"
                                              : "cannot store the intensity series");
    }
    return r;
}

int sql_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, which ? AIM_SQL_ST_PRICE_COUNT : AIM_SQL_ST_INTENSITY_COUNT,
                                steps_count_sql[which != 0], &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    r = aim__sql_step(st);
    if (r == 1) {
        *ret_n = (size_t)aim__sql_column_int64(st, 0);
        r = 0;
    } else {
        r = aim__sql_store_fail(db, r < 0 ? r : -EIO, "cannot count the intensity series");
    }
    aim__sql_reset(st);
    return r;
}

static int update_run_row(aim_db *db, const aim_run_summary *run) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_RUN_UPDATE, run_update_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run->id);
    bind_text(st, 2, status_text(run->status));
    aim__sql_bind_int64(st, 3, run->exit_code);
    aim__sql_bind_int64(st, 4, run->end_wall_ns);
    aim__sql_bind_int64(st, 5, run->duration_ns);
    bind_run_results(st, 6, run);
    r = aim__sql_store_done(db, st, "cannot update the run");
    if (r == 0 && aim__sql_changes(S(db)->conn) == 0)
        r = aim__db_set_error(db, -ENOENT, "%s: no run %s to update", S(db)->path, run->id);
    return r;
}

static int update_devices(aim_db *db, const aim_run_summary *run) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_DEVICE_UPDATE, device_update_sql, &st);
    for (int i = 0; r == 0 && i < run->n_devices; i++) {
        const aim_device_summary *d = &run->devices[i];
        bind_text(st, 1, run->id);
        aim__sql_bind_int64(st, 2, i);
        aim__sql_bind_double(st, 3, d->has_energy ? d->energy_j : NAN);
        bind_text(st, 4, method_text(d->energy_method));
        bind_text(st, 5, d->energy_detail);
        aim__sql_bind_int64(st, 6, d->in_total != 0);
        bind_text(st, 7, d->model);
        aim__sql_bind_double(st, 8, d->in_total && d->has_energy ? d->carbon_g : NAN);
        r = aim__sql_store_done(db, st, "cannot update a device");
    }
    return r;
}

static int update_series(aim_db *db, const aim_run_summary *run) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_SERIES_UPDATE, series_update_sql, &st);
    for (int i = 0; r == 0 && i < run->n_series; i++) {
        const aim_series_summary *s = &run->series[i];
        bind_text(st, 1, run->id);
        aim__sql_bind_int64(st, 2, s->slot);
        aim__sql_bind_int64(st, 3, (int64_t)s->count);
        aim__sql_bind_double(st, 4, s->mean);
        aim__sql_bind_double(st, 5, s->min);
        aim__sql_bind_double(st, 6, s->max);
        aim__sql_bind_double(st, 7, s->mode);
        aim__sql_bind_double(st, 8, s->stddev);
        aim__sql_bind_int64(st, 9, s->mode_exact != 0);
        r = aim__sql_store_done(db, st, "cannot update a series");
    }
    return r;
}

int sql_run_update(aim_db *db, const aim_run_summary *run) {
    int began;
    int r = aim__sql_auto_begin(db, &began);
    if (r < 0)
        return r;
    r = update_run_row(db, run);
    if (r == 0)
        r = update_devices(db, run);
    if (r == 0)
        r = update_series(db, run);
    return aim__sql_auto_end(db, began, r);
}

/* ------------------------------------------------------------------ reading */

/* Same host (the pid means something here) and the pid is gone. A reused pid makes a
 * dead run look alive, never the reverse: "stale" is only ever said when it is true. */
static int writer_gone(aim_db *db, const char *host, int64_t pid) {
    if (!S(db)->host[0] || strcmp(S(db)->host, host) != 0 || pid <= 0 || pid > INT32_MAX)
        return 0;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void read_run_row(aim_db *db, aim_sql_stmt *st, aim_run_summary *run) {
    memset(run, 0, sizeof *run);
    aim__sql_column_text_copy(st, 0, run->id, sizeof run->id);
    aim__sql_column_text_copy(st, 1, run->name, sizeof run->name);
    aim__sql_column_text_copy(st, 2, run->command, sizeof run->command);
    aim__sql_column_text_copy(st, 3, run->host, sizeof run->host);
    aim__sql_column_text_copy(st, 4, run->aimeter_version, sizeof run->aimeter_version);
    int64_t pid = aim__sql_column_int64(st, 5);
    run->start_wall_ns = aim__sql_column_int64(st, 6);
    run->end_wall_ns = aim__sql_column_int64(st, 7);
    run->duration_ns = aim__sql_column_int64(st, 8);
    char status[24];
    aim__sql_column_text_copy(st, 9, status, sizeof status);
    /* An unknown status comes from a newer aimeter; "failed" is the honest reading. */
    run->status = status_parse(status, AIM_RUN_FAILED);
    run->exit_code = aim__sql_column_int(st, 10);
    run->interval_ns = aim__sql_column_int64(st, 11);
    run->achieved_interval_ns = aim__sql_column_int64(st, 12);
    run->samples = (uint64_t)aim__sql_column_int64(st, 13);
    run->missed_deadlines = (uint64_t)aim__sql_column_int64(st, 14);
    aim__sql_column_text_copy(st, 15, run->sources, sizeof run->sources);
    aim__sql_column_text_copy(st, 16, run->zone, sizeof run->zone);
    run->intensity_g_per_kwh = aim__sql_column_double(st, 17);
    aim__sql_column_text_copy(st, 18, run->intensity_source, sizeof run->intensity_source);
    run->total_energy_j = aim__sql_column_double(st, 19);
    run->carbon_g = aim__sql_column_double(st, 20);
    aim__sql_column_text_copy(st, 21, run->warnings, sizeof run->warnings);
    char text[24];
    aim__sql_column_text_copy(st, 22, text, sizeof text);
    if (aim__signal_parse(text, &run->signal) < 0)
        run->signal = AIM_SIGNAL_AVERAGE;
    aim__sql_column_text_copy(st, 23, text, sizeof text);
    if (aim__basis_parse(text, &run->basis) < 0)
        run->basis = AIM_BASIS_UNKNOWN;
    run->pue = aim__sql_column_double(st, 24);
    aim__sql_column_text_copy(st, 25, run->pue_source, sizeof run->pue_source);
    run->facility_energy_j = aim__sql_column_double(st, 26);
    run->price_per_kwh = aim__sql_column_double(st, 27);
    aim__sql_column_text_copy(st, 28, run->currency, sizeof run->currency);
    aim__sql_column_text_copy(st, 29, run->price_source, sizeof run->price_source);
    run->cost = aim__sql_column_double(st, 30);
    run->samples_lost = (uint64_t)aim__sql_column_int64(st, 31);
    run->stale = run->status == AIM_RUN_RUNNING && writer_gone(db, run->host, pid);
}

static int load_devices(aim_db *db, const char *run_id, aim_run_summary *run, int **ret_idx) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_DEVICES_SELECT, devices_select_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    size_t cap = 0;
    int rc;
    int *idx = NULL;
    while ((rc = aim__sql_step(st)) == 1) {
        if ((size_t)run->n_devices == cap) {
            /* Two arrays of the same length: both grow to the one new capacity. */
            size_t grown = aim__array_next_cap(cap, cap + 1, 8);
            if (grown == 0 || aim__array_resize(&run->devices, grown, sizeof *run->devices) < 0 ||
                aim__array_resize(&idx, grown, sizeof *idx) < 0) {
                r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", S(db)->path);
                break;
            }
            cap = grown;
        }
        aim_device_summary *d = &run->devices[run->n_devices];
        memset(d, 0, sizeof *d);
        idx[run->n_devices] = aim__sql_column_int(st, 0);
        aim__sql_column_text_copy(st, 1, d->name, sizeof d->name);
        char text[24];
        aim__sql_column_text_copy(st, 2, text, sizeof text);
        d->kind = device_kind_parse(text, AIM_DEV_OTHER);
        aim__sql_column_text_copy(st, 3, d->model, sizeof d->model);
        d->has_energy = !aim__sql_column_is_null(st, 4);
        d->energy_j = aim__sql_column_double(st, 4);
        aim__sql_column_text_copy(st, 5, text, sizeof text);
        d->energy_method = method_parse(text, AIM_METHOD_ESTIMATED);
        aim__sql_column_text_copy(st, 6, d->energy_detail, sizeof d->energy_detail);
        d->in_total = aim__sql_column_int64(st, 7) != 0;
        d->carbon_g = aim__sql_column_double(st, 8);
        run->n_devices++;
    }
    if (r == 0 && rc < 0)
        r = aim__sql_store_fail(db, rc, "cannot read devices");
    aim__sql_reset(st);
    if (r < 0)
        free(idx);
    else
        *ret_idx = idx;
    return r;
}

static int load_series(aim_db *db, const char *run_id, aim_run_summary *run, const int *dev_idx) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_SERIES_SELECT, series_select_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    size_t cap = 0;
    int rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(run->series, cap, (size_t)run->n_series + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", S(db)->path);
            break;
        }
        aim_series_summary *s = &run->series[run->n_series];
        memset(s, 0, sizeof *s);
        s->slot = aim__sql_column_int(st, 0);
        /* devices.idx is dense when aimeter wrote it; map it anyway so a gap cannot make
         * the report index past the array. */
        int stored = aim__sql_column_int(st, 1);
        s->device = -1;
        for (int i = 0; i < run->n_devices; i++)
            if (dev_idx[i] == stored)
                s->device = i;
        aim__sql_column_text_copy(st, 2, s->metric_key, sizeof s->metric_key);
        s->metric = aim__metric_id_of(aim_metric_find(s->metric_key));
        s->instance = aim__sql_column_int(st, 3);
        char text[24];
        aim__sql_column_text_copy(st, 4, text, sizeof text);
        s->method = method_parse(text, AIM_METHOD_ESTIMATED);
        s->group = aim__sql_column_int(st, 5);
        /* NOT NULL: read as stored (a NULL read as NaN would be a quantum of NaN). */
        s->resolution = aim__sql_column_is_null(st, 6) ? 0 : aim__sql_column_double(st, 6);
        s->counter = aim__sql_column_int64(st, 7) != 0;
        s->count = (uint64_t)aim__sql_column_int64(st, 8);
        s->mean = aim__sql_column_double(st, 9);
        s->min = aim__sql_column_double(st, 10);
        s->max = aim__sql_column_double(st, 11);
        s->mode = aim__sql_column_double(st, 12);
        s->stddev = aim__sql_column_double(st, 13);
        s->mode_exact = aim__sql_column_int64(st, 14) != 0;
        run->n_series++;
    }
    if (r == 0 && rc < 0)
        r = aim__sql_store_fail(db, rc, "cannot read series");
    aim__sql_reset(st);
    return r;
}

static int load_steps(aim_db *db, int which, const char *run_id, aim_intensity_point **ret,
                      size_t *ret_n) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, which ? AIM_SQL_ST_PRICE_SELECT : AIM_SQL_ST_INTENSITY_SELECT,
                                steps_select_sql[which != 0], &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    aim_intensity_point *pts = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(pts, cap, n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", S(db)->path);
            break;
        }
        pts[n].t_unix_ms = aim__sql_column_int64(st, 0);
        pts[n].g_per_kwh = aim__sql_column_is_null(st, 1) ? 0 : aim__sql_column_double(st, 1);
        n++;
    }
    if (r == 0 && rc < 0)
        r = aim__sql_store_fail(db, rc, "cannot read the intensity series");
    aim__sql_reset(st);
    if (r < 0) {
        free(pts);
        return r;
    }
    *ret = pts;
    *ret_n = n;
    return 0;
}

int sql_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_RUN_SELECT, run_select_sql, &st);
    if (r < 0)
        return r;
    aim_run_summary *run = calloc(1, sizeof *run);
    if (!run)
        return aim__db_set_error(db, -ENOMEM, "%s: out of memory", S(db)->path);
    bind_text(st, 1, run_id);
    int rc = aim__sql_step(st);
    if (rc == 1)
        read_run_row(db, st, run);
    else if (rc == 0)
        r = aim__db_set_error(db, -ENOENT, "%s: no run %s", S(db)->path, run_id);
    else
        r = aim__sql_store_fail(db, rc, "cannot read the run");
    aim__sql_reset(st);

    int *dev_idx = NULL;
    if (r == 0)
        r = load_devices(db, run_id, run, &dev_idx);
    if (r == 0)
        r = load_series(db, run_id, run, dev_idx);
    if (r == 0)
        r = load_steps(db, 0, run_id, &run->intensity_points, &run->n_intensity_points);
    if (r == 0)
        r = load_steps(db, 1, run_id, &run->price_points, &run->n_price_points);
    free(dev_idx);
    if (r < 0) {
        aim__run_summary_clear(run);
        free(run);
        return r;
    }
    *ret = *run;
    free(run);
    return 0;
}

/* The runs st's rows are (RUN_COLUMNS), st reset. */
static int collect_runs(aim_db *db, aim_sql_stmt *st, aim_run_summary **ret_runs,
                        size_t *ret_count) {
    int r = 0;
    aim_run_summary *runs = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(runs, cap, n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "%s: out of memory", S(db)->path);
            break;
        }
        read_run_row(db, st, &runs[n++]);
    }
    if (r == 0 && rc < 0)
        r = aim__sql_store_fail(db, rc, "cannot list runs");
    aim__sql_reset(st);
    if (r < 0) {
        free(runs);
        return r;
    }
    *ret_runs = runs;
    *ret_count = n;
    return 0;
}

static int64_t limit_of(size_t limit) {
    return limit == 0 || limit > INT64_MAX ? INT64_MAX : (int64_t)limit;
}

int sql_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_RUN_LIST, run_list_sql, &st);
    if (r < 0)
        return r;
    aim__sql_bind_int64(st, 1, limit_of(limit));
    return collect_runs(db, st, ret_runs, ret_count);
}

/* NULL (no filter) for NULL, and for "" too: every name contains the empty string. */
static void bind_part(aim_sql_stmt *st, int i, const char *s) {
    aim__sql_bind_text(st, i, s && *s ? s : NULL);
}

int sql_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                        size_t *ret_count) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_RUN_LIST_WHERE, list_where_sql, &st);
    if (r < 0)
        return r;
    bind_part(st, 1, f->name_part);
    aim__sql_bind_text(st, 2, f->host);
    aim__sql_bind_int64(st, 3, f->from_ns);
    aim__sql_bind_int64(st, 4, f->to_ns);
    aim__sql_bind_text_len(st, 5, f->tag_key, f->tag_key_len);
    aim__sql_bind_text(st, 6, f->tag_value);
    aim__sql_bind_text(st, 7, f->job);
    aim__sql_bind_int64(st, 8, limit_of(f->limit));
    aim__sql_bind_int64(st, 9, f->offset > INT64_MAX ? INT64_MAX : (int64_t)f->offset);
    return collect_runs(db, st, ret_runs, ret_count);
}

/* Runs a one-column id query; collects up to max ids. Returns the count or -errno. */
static int collect_ids(aim_db *db, aim_sql_stmt *st, char ids[][40], int max) {
    int n = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (n < max)
            aim__sql_column_text_copy(st, 0, ids[n], sizeof ids[n]);
        n++;
    }
    int r = rc == 0 ? n : aim__sql_store_fail(db, rc, "cannot look the run up");
    aim__sql_reset(st);
    return r;
}

/* RUN as the commands take it (db.h): "last", a full id, a unique prefix of one, or a run's
 * name (its latest run), else a unique prefix of a name. Names are free text: one that is
 * also an id prefix is ambiguous, never silently one of the two. */
static const char named_sql[] =
    "SELECT id FROM runs WHERE name = ?1 ORDER BY start_wall_ns DESC, id DESC";
static const char name_prefix_sql[] =
    "SELECT name FROM runs WHERE name <> '' AND "
    "substr(name, 1, length(CAST(?1 AS TEXT))) = ?1 GROUP BY name ORDER BY name LIMIT 6";

/* One statement of this file's own (not kept prepared: a lookup is one per command) with
 * ?1 = ref, its first column's texts into out[0..max) (size each): the row count or -errno. */
static int lookup_texts(aim_db *db, const char *sql, const char *ref, char *out, size_t size,
                        int max) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(S(db)->conn, sql, &st);
    if (r < 0)
        return aim__db_set_error(db, r, "%s: cannot look the run up: %s", S(db)->path,
                                 aim__sql_errmsg(S(db)->conn));
    bind_text(st, 1, ref);
    int n = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (n < max)
            aim__sql_column_text_copy(st, 0, out + (size_t)n * size, size);
        n++;
    }
    r = rc == 0 ? n : aim__sql_store_fail(db, rc, "cannot look the run up");
    aim__sql_finalize(st);
    return r;
}

/* ", "-separated items[0..min(n, 5)) into buf, then ", ..." when there are more. */
static void join_some(char *buf, size_t size, const char *items, size_t item_size, int n,
                      int quote) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < 5 && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, quote ? "%s\"%s\"" : "%s%s",
                                 i ? ", " : "", items + (size_t)i * item_size);
    if (n > 5 && used < size)
        snprintf(buf + used, size - used, ", ...");
}

/* ref, neither an id's start nor a name: the latest run of the one name it begins. 1 (the
 * id in ids[0]) or -errno (db's message set). */
static int resolve_name_prefix(aim_db *db, const char *ref, char ids[][40]) {
    char names[6][sizeof ((aim_run_summary *)0)->name];
    int k = lookup_texts(db, name_prefix_sql, ref, names[0], sizeof names[0], 6);
    if (k < 0)
        return k;
    if (k == 0)
        return aim__db_set_error(db, -ENOENT, "no run matches '%s' in %s", ref, S(db)->path);
    if (k > 1) {
        char list[768];
        join_some(list, sizeof list, names[0], sizeof names[0], k, 1);
        return aim__db_set_error(db, -EEXIST, "run '%s' is ambiguous: it begins the names %s "
                                 "(give a whole name or an id)", ref, list);
    }
    int n = lookup_texts(db, named_sql, names[0], ids[0], sizeof ids[0], 1);
    return n == 0 ? aim__db_set_error(db, -ENOENT, "no run matches '%s' in %s", ref, S(db)->path)
                  : n < 0 ? n : 1;
}

int sql_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen) {
    char ids[6][40];
    aim_sql_stmt *st = NULL;
    int n, r;
    if (err && errlen)
        err[0] = '\0';
    if (!ref || !*ref) {
        r = aim__db_set_error(db, -EINVAL, "no run given");
        goto out;
    }
    if (strcmp(ref, "last") == 0) {
        r = aim__sql_store_stmt(db, AIM_SQL_ST_LAST, last_sql, &st);
        if (r < 0)
            goto out;
        n = collect_ids(db, st, ids, 1);
        if (n == 0)
            n = aim__db_set_error(db, -ENOENT, "no runs in %s yet", S(db)->path);
    } else {
        r = aim__sql_store_stmt(db, AIM_SQL_ST_EXACT, exact_sql, &st);
        if (r < 0)
            goto out;
        bind_text(st, 1, ref);
        n = collect_ids(db, st, ids, 1);
        if (n == 0) {
            r = aim__sql_store_stmt(db, AIM_SQL_ST_PREFIX, prefix_sql, &st);
            if (r < 0)
                goto out;
            bind_text(st, 1, ref);
            n = collect_ids(db, st, ids, 6);
            /* An id prefix that is also a name: both are listed, neither is taken (unless
             * the name's latest run is the one run the prefix matches). */
            char named[1][40];
            int m = n >= 0 ? lookup_texts(db, named_sql, ref, named[0], sizeof named[0], 1) : 0;
            if (m < 0) {
                n = m;
            } else if (m > 0 && n > 0 && !(n == 1 && strcmp(ids[0], named[0]) == 0)) {
                char list[256];
                join_some(list, sizeof list, ids[0], sizeof ids[0], n, 0);
                n = aim__db_set_error(db, -EEXIST, "run '%s' is ambiguous: the name of %d run%s "
                                      "(the latest %s) and the start of the id of %s (give a "
                                      "full id)", ref, m, m == 1 ? "" : "s", named[0], list);
            } else if (n == 0 && m > 0) {
                memcpy(ids[0], named[0], sizeof ids[0]);
                n = 1;
            } else if (n == 0) {
                n = resolve_name_prefix(db, ref, ids);
            }
        }
        if (n > 1) {
            char list[256];
            join_some(list, sizeof list, ids[0], sizeof ids[0], n, 0);
            n = aim__db_set_error(db, -EEXIST, "run '%s' is ambiguous: it matches %s", ref, list);
        }
    }
    r = n < 0 ? n : 0;
    if (r == 0) {
        char *id = strdup(ids[0]);
        if (!id)
            r = aim__db_set_error(db, -ENOMEM, "out of memory");
        else
            *ret_id = id;
    }
out:
    if (r < 0 && err && errlen)
        snprintf(err, errlen, "%s", db->err);
    return r;
}

int sql_run_exists(aim_db *db, const char *run_id) {
    aim_sql_stmt *st = NULL;
    char ids[1][40];
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_EXACT, exact_sql, &st);
    if (r < 0)
        return r;
    bind_text(st, 1, run_id);
    int n = collect_ids(db, st, ids, 1);
    if (n == 0)
        return aim__db_set_error(db, -ENOENT, "%s: no run %s", S(db)->path, run_id);
    return n < 0 ? n : 0;
}
