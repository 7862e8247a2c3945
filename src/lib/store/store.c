/* The store's front: opening by URL, the handle's message, and one dispatcher per operation
 * (store/store.h). Nothing here knows a back-end beyond its table. */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim_config.h"
#include "aimeter.h"
#include "store/redact.h"

/* The back-ends, by URL scheme. */
static const aim_store_ops *const backends[] = { &aim_sqlite_store_ops };
#define N_BACKENDS (sizeof backends / sizeof backends[0])

/* PostgreSQL's URL schemes: libpq reads the whole URL (store/postgres/pg.h). */
static const char *const pg_schemes[] = { "postgresql", "postgres" };

int aim__store_backend_for(const char *url, const aim_store_ops **ret_ops, const char **ret_path,
                          char *err, size_t errlen) {
    size_t n = aim__store_scheme_len(url);
    for (size_t i = 0; n && i < sizeof pg_schemes / sizeof pg_schemes[0]; i++)
        if (strlen(pg_schemes[i]) == n && strncmp(url, pg_schemes[i], n) == 0 &&
            strncmp(url + n, "://", 3) == 0) {
#if AIM_HAVE_POSTGRES
            *ret_ops = &aim_postgres_store_ops;
            *ret_path = url;
            return 0;
#else
            /* Not the URL itself: unparsed, it may hold a password. */
            if (err && errlen)
                snprintf(err, errlen, "%s:// store: this aimeter was built without PostgreSQL "
                         "(install libpq-dev and rebuild)", pg_schemes[i]);
            return -EPROTONOSUPPORT;
#endif
        }
    for (size_t i = 0; n && i < N_BACKENDS; i++)
        if (strlen(backends[i]->name) == n && strncmp(url, backends[i]->name, n) == 0) {
            const char *path = url + n + 1;
            if (strncmp(path, "//", 2) == 0)
                path += 2; /* sqlite:///abs/path, sqlite://rel/path */
            *ret_ops = backends[i];
            *ret_path = path;
            return 0;
        }
    /* Only "scheme://" is a URL: a file may well be called "runs:old.db". */
    if (n && strncmp(url + n, "://", 3) == 0) {
        if (err && errlen) {
            char shown[1024];   /* a mistyped scheme's URL may hold a password all the same */
            aim__store_redact(url, shown, sizeof shown);
            snprintf(err, errlen, "%s: unknown store type \"%.*s\" (stores are a file path, "
                     "sqlite:PATH or postgresql://...)", shown, (int)n, url);
        }
        return -EPROTONOSUPPORT;
    }
    *ret_ops = backends[0];
    *ret_path = url;
    return 0;
}

int aim__db_open(const char *path, int readonly, aim_db **ret, char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path || !ret) {
        if (err && errlen)
            snprintf(err, errlen, "no store path given");
        return -EINVAL;
    }
    const aim_store_ops *ops;
    const char *where;
    int r = aim__store_backend_for(path, &ops, &where, err, errlen);
    if (r < 0)
        return r;
    /* The location as every message shows it (db->url, the back-end's messages): its
     * secrets replaced (store/redact.h). */
    char shown[4200];
    aim__store_redact(path, shown, sizeof shown);
    if (!*where) {
        if (err && errlen)
            snprintf(err, errlen, "%s: no store path given", shown);
        return -EINVAL;
    }
    aim_db *db = calloc(1, sizeof *db);
    if (!db) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", shown);
        return -ENOMEM;
    }
    db->ops = ops;
    db->url = strdup(where == path && strcmp(shown, path) != 0 ? shown : where);
    r = db->url ? ops->open(db, where, readonly)
                : aim__db_set_error(db, -ENOMEM, "%s: out of memory", shown);
    if (r < 0) {
        if (err && errlen) {
            snprintf(err, errlen, "%s", db->err);
            /* A back-end's message may quote the URL its own way (libpq's does). */
            aim__store_scrub(err, errlen, path);
        }
        free(db->url);
        free(db);
        return r;
    }
    *ret = db;
    return 0;
}

void aim__db_close(aim_db *db) {
    if (!db)
        return;
    db->ops->close(db);
    free(db->url);
    free(db);
}

const char *aim__db_errmsg(const aim_db *db) { return db ? db->err : "no store"; }

int aim__db_cancel(aim_db *db) {
    return db && db->ops->cancel ? db->ops->cancel(db) : -EOPNOTSUPP;
}

int aim__db_statement_timeout(aim_db *db, int64_t ms) {
    return db && db->ops->statement_timeout ? db->ops->statement_timeout(db, ms) : -EOPNOTSUPP;
}

int aim__db_set_error(aim_db *db, int err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    aim__db_fix_reason(db->err, sizeof db->err, err);
    return err;
}

void aim__db_fix_reason(char *msg, size_t size, int err) {
    /* A back-end's message may describe its last call, which may have succeeded since the
     * one that failed (a finalize, a rollback): its "not an error" would then stand as the
     * reason. The error code's own text says more. */
    static const char ok[] = "not an error";
    char *at = strstr(msg, ok);
    if (!at || err >= 0)
        return;
    char tail[512];
    snprintf(tail, sizeof tail, "%s", at + strlen(ok));
    snprintf(at, size - (size_t)(at - msg), "%s%s", aim_strerror(err), tail);
}

/* ------------------------------------------------------------------ dispatch */

int aim__db_begin(aim_db *db) { return db->ops->begin(db); }
int aim__db_commit(aim_db *db) { return db->ops->commit(db); }
int aim__db_rollback(aim_db *db) { return db->ops->rollback(db); }

int aim__db_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid) {
    return db->ops->run_insert(db, run, writer_pid);
}
int aim__db_run_exists(aim_db *db, const char *run_id) { return db->ops->run_exists(db, run_id); }
int aim__db_run_update(aim_db *db, const aim_run_summary *run) {
    return db->ops->run_update(db, run);
}
int aim__db_run_set_extras(aim_db *db, const char *run_id, const char *idle_run_id, int embodied) {
    return db->ops->run_set_extras(db, run_id, idle_run_id, embodied);
}
int aim__db_run_cpu_use(aim_db *db, const char *run_id, double *ret_pct) {
    return db->ops->run_cpu_use(db, run_id, ret_pct);
}
int aim__db_extras_load(aim_db *db, const char *run_id, struct aim_run_extras **ret) {
    return db->ops->extras_load(db, run_id, ret);
}
int aim__db_device_insert(aim_db *db, const char *run_id, int index,
                         const aim_device_summary *dev) {
    return db->ops->device_insert(db, run_id, index, dev);
}
int aim__db_device_attribution(aim_db *db, const char *run_id, int idx, double joules,
                              const char *method) {
    return db->ops->device_attribution(db, run_id, idx, joules, method);
}
int aim__db_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret) {
    return db->ops->load_summary(db, run_id, ret);
}
int aim__db_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count) {
    return db->ops->list_runs(db, limit, ret_runs, ret_count);
}
int aim__db_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                            size_t *ret_count) {
    return db->ops->list_runs_where(db, f, ret_runs, ret_count);
}
int aim__db_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen) {
    return db->ops->resolve_run(db, ref, ret_id, err, errlen);
}

int aim__db_series_insert(aim_db *db, const char *run_id, const aim_series_summary *series) {
    return db->ops->series_insert(db, run_id, series);
}
int aim__db_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq,
                        int64_t t_first_ns, int64_t t_last_ns, int n_ticks, const void *blob,
                        size_t len) {
    return db->ops->chunk_insert(db, run_id, group, seq, t_first_ns, t_last_ns, n_ticks, blob,
                                 len, NULL, 0);
}
int aim__db_chunk_insert_summary(aim_db *db, const char *run_id, int group, int64_t seq,
                                int64_t t_first_ns, int64_t t_last_ns, int n_ticks,
                                const void *blob, size_t len, const void *summary,
                                size_t summary_len) {
    return db->ops->chunk_insert(db, run_id, group, seq, t_first_ns, t_last_ns, n_ticks, blob,
                                 len, summary, summary_len);
}
int aim__db_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks) {
    return db->ops->group_ticks(db, run_id, group, ret_ticks);
}
int aim__db_prune_before(aim_db *db, const char *run_id, int64_t before_ns, int max_rows) {
    return db->ops->prune_before(db, run_id, before_ns, max_rows);
}
int aim__db_downsample(aim_db *db, const char *run_id, int group, int64_t before_ns,
                      int64_t step_ns, int max_chunks) {
    return db->ops->downsample(db, run_id, group, before_ns, step_ns, max_chunks);
}
int aim__db_corr_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group,
                           int *ret_n_groups) {
    return db->ops->grid_group(db, run, ret_group, ret_n_groups);
}

/* The iterator records its table so that next/free need no handle. */
struct aim_db_chunk_iter {
    const aim_store_ops *ops;
    void *impl;
};

int aim__db_chunk_iter_new(aim_db *db, const char *run_id, int group, aim_db_chunk_iter **ret) {
    return aim__db_chunk_iter_from(db, run_id, group, INT64_MIN, ret);
}

int aim__db_chunk_iter_from(aim_db *db, const char *run_id, int group, int64_t from_ns,
                            aim_db_chunk_iter **ret) {
    aim_db_chunk_iter *it = calloc(1, sizeof *it);
    if (!it)
        return aim__db_set_error(db, -ENOMEM, "out of memory");
    it->ops = db->ops;
    int r = db->ops->chunk_iter_new(db, run_id, group, from_ns, &it->impl);
    if (r < 0) {
        free(it);
        return r;
    }
    *ret = it;
    return 0;
}
int aim__db_chunk_iter_next(aim_db_chunk_iter *it, const uint8_t **ret_blob, size_t *ret_len,
                           int64_t *ret_seq) {
    return it->ops->chunk_iter_next(it->impl, ret_blob, ret_len, ret_seq);
}
int aim__db_chunk_iter_summary(aim_db_chunk_iter *it, const uint8_t **ret, size_t *ret_len) {
    return it->ops->chunk_iter_summary(it->impl, ret, ret_len);
}
void aim__db_chunk_iter_free(aim_db_chunk_iter *it) {
    if (!it)
        return;
    it->ops->chunk_iter_free(it->impl);
    free(it);
}

int aim__db_steps_insert(aim_db *db, const char *run_id, int which,
                        const aim_intensity_point *points, size_t n) {
    return db->ops->steps_insert(db, run_id, which, points, n);
}
int aim__db_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n) {
    return db->ops->steps_count(db, run_id, which, ret_n);
}
int aim__db_steps_replace(aim_db *db, const char *run_id, int which,
                         const aim_intensity_point *points, size_t n) {
    return db->ops->steps_replace(db, run_id, which, points, n);
}

int aim__db_workload_store(aim_db *db, const char *run_id, int64_t start_mono_ns,
                          const struct aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const struct aim_records *records,
                          const struct aim_record_row *rows, size_t n_rows, uint64_t dropped) {
    return db->ops->workload_store(db, run_id, start_mono_ns, phases, spans_from, n_spans,
                                   marks_from, n_marks, records, rows, n_rows, dropped);
}
int aim__db_workload_load(aim_db *db, const char *run_id, int n_devices,
                         struct aim_workload_summary **ret) {
    return db->ops->workload_load(db, run_id, n_devices, ret);
}
int aim__db_phase_metrics_store(aim_db *db, const char *run_id, const struct aim_phases *phases,
                               int n_ch, const int *ch_device, const char (*ch_key)[48]) {
    return db->ops->phase_metrics_store(db, run_id, phases, n_ch, ch_device, ch_key);
}
int aim__db_phase_carbon_update(aim_db *db, const char *run_id, const struct aim_phases *phases) {
    return db->ops->phase_carbon_update(db, run_id, phases);
}
int aim__db_phase_ranges(aim_db *db, const char *run_id, const char *phase,
                        aim_time_range **ret_ranges, size_t *ret_n) {
    return db->ops->phase_ranges(db, run_id, phase, ret_ranges, ret_n);
}
int aim__db_phase_instances(aim_db *db, const char *run_id, aim_phase_instance **ret,
                           size_t *ret_n) {
    return db->ops->phase_instances(db, run_id, ret, ret_n);
}
int aim__db_marks_load(aim_db *db, const char *run_id, aim_mark_row **ret, size_t *ret_n) {
    return db->ops->marks_load(db, run_id, ret, ret_n);
}
int aim__db_run_tags_store(aim_db *db, const char *run_id, const aim_run_tag *tags, size_t n) {
    return db->ops->run_tags_store(db, run_id, tags, n);
}
int aim__db_run_tags_load(aim_db *db, const char *run_id, aim_run_tag **ret, size_t *ret_n) {
    return db->ops->run_tags_load(db, run_id, ret, ret_n);
}
int aim__db_runs_tags_load(aim_db *db, aim_run_summary *runs, size_t n) {
    return db->ops->runs_tags_load(db, runs, n);
}
int aim__db_runs_with_tag(aim_db *db, const char *key, char (**ret)[40], size_t *ret_n) {
    return db->ops->runs_with_tag(db, key, ret, ret_n);
}
int aim__db_runs_with_tag_value(aim_db *db, const char *key, const char *value,
                                char (**ret)[40], size_t *ret_n) {
    return db->ops->runs_with_tag_value(db, key, value, ret, ret_n);
}
int aim__db_profile_insert(aim_db *db, const aim_profile_row *row, const char *json,
                           int64_t *ret_id) {
    return db->ops->profile_insert(db, row, json, ret_id);
}
int aim__db_profile_list(aim_db *db, aim_profile_row **ret, size_t *ret_n) {
    return db->ops->profile_list(db, ret, ret_n);
}
int aim__db_profile_get(aim_db *db, int64_t id, aim_profile_row *ret_row, char **ret_json) {
    return db->ops->profile_get(db, id, ret_row, ret_json);
}

int aim__db_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    return db->ops->corr_save(db, run_id, m);
}
int aim__db_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret) {
    return db->ops->corr_load(db, run_id, ret);
}
