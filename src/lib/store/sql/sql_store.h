/* The store's operations written once in SQL (store/sql/sql.h) and shared by the SQLite and
 * PostgreSQL back-ends: a back-end's open connects, checks or creates its schema, then hands
 * the connection to aim__sql_store_attach; every other operation of its aim_store_ops table is
 * one of the sql_* functions below (AIM_SQL_STORE_OPS fills them in). store/store.h documents
 * each operation under its aim_db_* name. */
#ifndef AIM_SQL_STORE_H
#define AIM_SQL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/sql/sql.h"
#include "store/store.h"

#define AIM_SQL_STORE_CACHE 64   /* prepared statements kept per store */

/* The state behind aim_db.impl for both back-ends. */
typedef struct aim_sql_store {
    aim_sql *conn;
    int readonly;
    aim_sql_stmt *cache[AIM_SQL_STORE_CACHE];
    char path[4096];          /* what messages name: the file, or the URL (no secrets in it) */
    char host[256];           /* this machine: a writer pid means something only here */
    /* AIMETER_TEST_STORE_FAULT (tests only): commits of samples number fault_first to
     * fault_last (1-based; last 0: for ever) fail as on a full disk. */
    int64_t fault_first, fault_last;
    int64_t sample_commits;   /* commits of transactions that inserted a chunk */
    int tx_chunks;            /* the open transaction inserted a chunk */
    int summaries;            /* chunks.summary exists (SQLite schema 11 on; PostgreSQL always) */
} aim_sql_store;

#define AIM_SQL_STORE(db) ((aim_sql_store *)(db)->impl)

/* The connection of an open store (NULL when closed). */
aim_sql *aim__db_sql(aim_db *db);

/* Makes db an open SQL store over conn (which it then owns, also on failure): allocates the
 * state, names it by display_path in messages, reads AIMETER_TEST_STORE_FAULT when writable.
 * summaries: whether chunks.summary exists. 0 or -ENOMEM. */
int aim__sql_store_attach(aim_db *db, aim_sql *conn, const char *display_path, int readonly,
                          int summaries);

/* The metrics table (model/metrics.h's registry): whether it is up to date, and writing it
 * (upsert of every metric). Both back-ends call them from their schema code. */
int aim__sql_metrics_current(aim_sql *c, int *ret_current);
int aim__sql_metrics_refresh(aim_sql *c);

/* Helpers of the sql_* files (store/sql/sql_store.c). fail: db's message "PATH: what: the
 * engine's message" for err, the -errno of a failed call on the connection; returns err.
 * done: steps st, which returns no row, and resets it; 0 or fail's -errno. */
int aim__sql_store_fail(aim_db *db, int err, const char *what);
int aim__sql_store_done(aim_db *db, aim_sql_stmt *st, const char *what);
/* Multi-statement writes are atomic whether or not the caller opened a transaction:
 * auto_begin begins one when none is open (*began: it did), auto_end ends it with r: a
 * commit when r is 0, else a rollback that keeps db's message. Both return -errno or r. */
int aim__sql_auto_begin(aim_db *db, int *began);
int aim__sql_auto_end(aim_db *db, int began, int r);

/* The shared operations (store/store.h). */
void sql_close(aim_db *db);
int sql_begin(aim_db *db);
int sql_commit(aim_db *db);
int sql_rollback(aim_db *db);
int sql_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid);
int sql_run_exists(aim_db *db, const char *run_id);
int sql_run_update(aim_db *db, const aim_run_summary *run);
int sql_run_set_extras(aim_db *db, const char *run_id, const char *idle_run_id, int embodied);
int sql_run_cpu_use(aim_db *db, const char *run_id, double *ret_pct);
int sql_extras_load(aim_db *db, const char *run_id, struct aim_run_extras **ret);
int sql_device_insert(aim_db *db, const char *run_id, int index, const aim_device_summary *dev);
int sql_device_attribution(aim_db *db, const char *run_id, int idx, double joules,
                           const char *method);
int sql_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret);
int sql_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count);
int sql_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                        size_t *ret_count);
int sql_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen);
int sql_series_insert(aim_db *db, const char *run_id, const aim_series_summary *series);
int sql_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq, int64_t t_first_ns,
                     int64_t t_last_ns, int n_ticks, const void *blob, size_t len,
                     const void *summary, size_t summary_len);
int sql_group_columns(aim_db *db, const char *run_id, int group, aim_chunk_column **ret,
                      int *ret_n);
int sql_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks);
int sql_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group, int *ret_n_groups);
int sql_chunk_iter_new(aim_db *db, const char *run_id, int group, int64_t from_ns, void **ret);
int sql_chunk_iter_next(void *it, const uint8_t **ret_blob, size_t *ret_len, int64_t *ret_seq);
int sql_chunk_iter_summary(void *it, const uint8_t **ret, size_t *ret_len);
void sql_chunk_iter_free(void *it);
int sql_steps_insert(aim_db *db, const char *run_id, int which,
                     const aim_intensity_point *points, size_t n);
int sql_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n);
int sql_steps_replace(aim_db *db, const char *run_id, int which,
                      const aim_intensity_point *points, size_t n);
int sql_workload_store(aim_db *db, const char *run_id, int64_t start_mono_ns,
                       const struct aim_phases *phases, size_t spans_from, size_t n_spans,
                       size_t marks_from, size_t n_marks, const struct aim_records *records,
                       const struct aim_record_row *rows, size_t n_rows, uint64_t dropped);
int sql_workload_load(aim_db *db, const char *run_id, int n_devices,
                      struct aim_workload_summary **ret);
int sql_phase_metrics_store(aim_db *db, const char *run_id, const struct aim_phases *phases,
                            int n_ch, const int *ch_device, const char (*ch_key)[48]);
int sql_phase_carbon_update(aim_db *db, const char *run_id, const struct aim_phases *phases);
int sql_phase_ranges(aim_db *db, const char *run_id, const char *phase,
                     aim_time_range **ret_ranges, size_t *ret_n);
int sql_phase_instances(aim_db *db, const char *run_id, aim_phase_instance **ret, size_t *ret_n);
int sql_marks_load(aim_db *db, const char *run_id, aim_mark_row **ret, size_t *ret_n);
int sql_run_tags_store(aim_db *db, const char *run_id, const aim_run_tag *tags, size_t n);
int sql_run_tags_load(aim_db *db, const char *run_id, aim_run_tag **ret, size_t *ret_n);
int sql_runs_with_tag(aim_db *db, const char *key, char (**ret)[40], size_t *ret_n);
int sql_runs_with_tag_value(aim_db *db, const char *key, const char *value, char (**ret)[40],
                            size_t *ret_n);
int sql_runs_tags_load(aim_db *db, aim_run_summary *runs, size_t n);
int sql_profile_insert(aim_db *db, const aim_profile_row *row, const char *json,
                       int64_t *ret_id);
int sql_profile_list(aim_db *db, aim_profile_row **ret, size_t *ret_n);
int sql_profile_get(aim_db *db, int64_t id, aim_profile_row *ret_row, char **ret_json);
int sql_prune_before(aim_db *db, const char *run_id, int64_t before_ns, int max_rows);
int sql_downsample(aim_db *db, const char *run_id, int group, int64_t before_ns,
                   int64_t step_ns, int max_chunks);
int sql_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m);
int sql_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret);

/* Every operation but open and name, for a back-end's table:
 *   const aim_store_ops aim_sqlite_store_ops = { .name = "sqlite", .open = ..., AIM_SQL_STORE_OPS }; */
#define AIM_SQL_STORE_OPS                                                                     \
    .close = sql_close, .begin = sql_begin, .commit = sql_commit, .rollback = sql_rollback,  \
    .run_insert = sql_run_insert, .run_exists = sql_run_exists,                              \
    .run_update = sql_run_update, .run_set_extras = sql_run_set_extras,                      \
    .run_cpu_use = sql_run_cpu_use, .extras_load = sql_extras_load,                          \
    .device_insert = sql_device_insert, .device_attribution = sql_device_attribution,        \
    .load_summary = sql_load_summary, .list_runs = sql_list_runs,                            \
    .list_runs_where = sql_list_runs_where, .resolve_run = sql_resolve_run,                  \
    .series_insert = sql_series_insert, .chunk_insert = sql_chunk_insert,                    \
    .group_columns = sql_group_columns, .group_ticks = sql_group_ticks,                      \
    .grid_group = sql_grid_group, .chunk_iter_new = sql_chunk_iter_new,                      \
    .chunk_iter_next = sql_chunk_iter_next, .chunk_iter_summary = sql_chunk_iter_summary,    \
    .chunk_iter_free = sql_chunk_iter_free, .steps_insert = sql_steps_insert,                \
    .steps_count = sql_steps_count, .steps_replace = sql_steps_replace,                      \
    .workload_store = sql_workload_store, .workload_load = sql_workload_load,                \
    .phase_metrics_store = sql_phase_metrics_store,                                          \
    .phase_carbon_update = sql_phase_carbon_update, .phase_ranges = sql_phase_ranges,        \
    .phase_instances = sql_phase_instances, .marks_load = sql_marks_load,                    \
    .run_tags_store = sql_run_tags_store, .run_tags_load = sql_run_tags_load,                \
    .runs_with_tag = sql_runs_with_tag, .runs_tags_load = sql_runs_tags_load,                \
    .runs_with_tag_value = sql_runs_with_tag_value,                                          \
    .profile_insert = sql_profile_insert, .profile_list = sql_profile_list,                  \
    .profile_get = sql_profile_get, .prune_before = sql_prune_before,                        \
    .downsample = sql_downsample, .corr_save = sql_corr_save, .corr_load = sql_corr_load

#endif
