/* The SQLite back-end's internals, shared by the files of store/sqlite/ only: the handle for
 * files with queries of their own, and the operations ops.c puts in its aim_store_ops table
 * (store/store.h documents each one under its aim_db_* name). */
#ifndef AIM_SQLITE_STORE_H
#define AIM_SQLITE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct sqlite3;
struct sqlite3 *aim__db_sqlite(aim_db *db);
struct sqlite3_stmt;
/* Column i's text into buf (truncated to size, "" for NULL): the one copy of a stored name. */
void sq_col_text(struct sqlite3_stmt *st, int i, char *buf, size_t size);

int sq_open(aim_db *db, const char *path, int readonly);
void sq_close(aim_db *db);
int sq_begin(aim_db *db);
int sq_commit(aim_db *db);
int sq_rollback(aim_db *db);
int sq_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid);
int sq_run_exists(aim_db *db, const char *run_id);
int sq_run_update(aim_db *db, const aim_run_summary *run);
int sq_run_set_extras(aim_db *db, const char *run_id, const char *idle_run_id, int embodied);
int sq_run_cpu_use(aim_db *db, const char *run_id, double *ret_pct);
int sq_extras_load(aim_db *db, const char *run_id, struct aim_run_extras **ret);
int sq_device_insert(aim_db *db, const char *run_id, int index, const aim_device_summary *dev);
int sq_device_attribution(aim_db *db, const char *run_id, int idx, double joules,
                          const char *method);
int sq_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret);
int sq_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count);
int sq_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                       size_t *ret_count);
int sq_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen);
int sq_series_insert(aim_db *db, const char *run_id, const aim_series_summary *series);
int sq_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq, int64_t t_first_ns,
                    int64_t t_last_ns, int n_ticks, const void *blob, size_t len,
                    const void *summary, size_t summary_len);
int sq_group_columns(aim_db *db, const char *run_id, int group, aim_chunk_column **ret,
                     int *ret_n);
int sq_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks);
int sq_corr_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group,
                       int *ret_n_groups);
int sq_chunk_iter_new(aim_db *db, const char *run_id, int group, int64_t from_ns, void **ret);
int sq_chunk_iter_next(void *it, const uint8_t **ret_blob, size_t *ret_len, int64_t *ret_seq);
int sq_chunk_iter_summary(void *it, const uint8_t **ret, size_t *ret_len);
void sq_chunk_iter_free(void *it);
int sq_steps_insert(aim_db *db, const char *run_id, int which, const aim_intensity_point *points,
                    size_t n);
int sq_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n);
int sq_steps_replace(aim_db *db, const char *run_id, int which,
                     const aim_intensity_point *points, size_t n);
int sq_workload_store(aim_db *db, const char *run_id, int64_t start_mono_ns,
                      const struct aim_phases *phases, size_t spans_from, size_t n_spans,
                      size_t marks_from, size_t n_marks, const struct aim_records *records,
                      const struct aim_record_row *rows, size_t n_rows, uint64_t dropped);
int sq_workload_load(aim_db *db, const char *run_id, int n_devices,
                     struct aim_workload_summary **ret);
int sq_phase_metrics_store(aim_db *db, const char *run_id, const struct aim_phases *phases,
                           int n_ch, const int *ch_device, const char (*ch_key)[48]);
int sq_phase_carbon_update(aim_db *db, const char *run_id, const struct aim_phases *phases);
int sq_phase_ranges(aim_db *db, const char *run_id, const char *phase,
                    aim_time_range **ret_ranges, size_t *ret_n);
int sq_phase_instances(aim_db *db, const char *run_id, aim_phase_instance **ret, size_t *ret_n);
int sq_marks_load(aim_db *db, const char *run_id, aim_mark_row **ret, size_t *ret_n);
int sq_run_tags_store(aim_db *db, const char *run_id, const aim_run_tag *tags, size_t n);
int sq_run_tags_load(aim_db *db, const char *run_id, aim_run_tag **ret, size_t *ret_n);
int sq_runs_with_tag(aim_db *db, const char *key, char (**ret)[40], size_t *ret_n);
int sq_runs_tags_load(aim_db *db, aim_run_summary *runs, size_t n);
int sq_profile_insert(aim_db *db, const aim_profile_row *row, const char *json, int64_t *ret_id);
int sq_profile_list(aim_db *db, aim_profile_row **ret, size_t *ret_n);
int sq_profile_get(aim_db *db, int64_t id, aim_profile_row *ret_row, char **ret_json);
int sq_prune_before(aim_db *db, const char *run_id, int64_t before_ns, int max_rows);
int sq_downsample(aim_db *db, const char *run_id, int group, int64_t before_ns, int64_t step_ns,
                  int max_chunks);
int sq_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m);
int sq_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret);

#endif
