/* The store interface: what a back-end implements (docs/architecture.md, "a new store
 * back-end"). A back-end is a folder under store/ that fills one const aim_store_ops table;
 * store.c picks the table from the store's URL or path (store_url.c) and every aim_db_*
 * function of db.h, corr_store.h, steps_store.h and tags_store.h dispatches through it, so
 * callers never see which back-end they use. sqlite/ is the only back-end today.
 *
 * Errors: each operation returns 0 (or a count) or a negative errno and sets db->err to one
 * line (aim__db_set_error), as the aim_db_* functions document. */
#ifndef AIM_STORE_H
#define AIM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/corr_store.h"
#include "store/db.h"
#include "store/profiles_store.h"
#include "store/steps_store.h"
#include "store/tags_store.h"

/* The handle every caller holds: the back-end's table, its own state, and the message of
 * the last failure (one line, always NUL-terminated). */
struct aim_db {
    const struct aim_store_ops *ops;
    void *impl;
    char *url;                 /* the path part of the URL (PostgreSQL: the whole URL) */
    char err[512];
};

typedef struct aim_store_ops {
    const char *name;          /* "sqlite": the URL scheme that names it */

    /* Opens the store at path (the URL's path part) and sets db->impl; on failure db->err
     * says why and nothing is left open (close is not called). */
    int (*open)(aim_db *db, const char *path, int readonly);
    void (*close)(aim_db *db);

    /* Batches: every write between begin and commit lands at once or not at all (the
     * writer's chunk batches, a re-pricing). A failed commit rolls back. */
    int (*begin)(aim_db *db);
    int (*commit)(aim_db *db);
    int (*rollback)(aim_db *db);

    /* Runs and devices. */
    int (*run_insert)(aim_db *db, const aim_run_summary *run, pid_t writer_pid);
    int (*run_exists)(aim_db *db, const char *run_id);
    int (*run_update)(aim_db *db, const aim_run_summary *run);
    int (*run_set_extras)(aim_db *db, const char *run_id, const char *idle_run_id, int embodied);
    int (*run_cpu_use)(aim_db *db, const char *run_id, double *ret_pct);
    int (*extras_load)(aim_db *db, const char *run_id, struct aim_run_extras **ret);
    int (*device_insert)(aim_db *db, const char *run_id, int index, const aim_device_summary *dev);
    int (*device_attribution)(aim_db *db, const char *run_id, int idx, double joules,
                              const char *method);
    int (*load_summary)(aim_db *db, const char *run_id, aim_run_summary *ret);
    int (*list_runs)(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count);
    int (*list_runs_where)(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                           size_t *ret_count);
    int (*resolve_run)(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen);

    /* Series and their chunks: the chunk writer (series_insert, chunk_insert inside a batch)
     * and what the series reader (below) reads them with. */
    int (*series_insert)(aim_db *db, const char *run_id, const aim_series_summary *series);
    int (*chunk_insert)(aim_db *db, const char *run_id, int group, int64_t seq,
                        int64_t t_first_ns, int64_t t_last_ns, int n_ticks, const void *blob,
                        size_t len, const void *summary, size_t summary_len);
    /* A group's codec columns in slot order (*ret allocated, may be NULL when n is 0). */
    int (*group_columns)(aim_db *db, const char *run_id, int group, aim_chunk_column **ret,
                         int *ret_n);
    int (*group_ticks)(aim_db *db, const char *run_id, int group, int64_t *ret_ticks);
    int (*grid_group)(aim_db *db, const aim_run_summary *run, int *ret_group,
                      int *ret_n_groups);
    /* A group's chunks in seq order, the back-end's own iterator (db.h's aim_db_chunk_iter
     * wraps it): several may be live on one handle. Only the chunks that end at or after
     * from_ns (INT64_MIN: all), so that a live reader reads only what is new. */
    int (*chunk_iter_new)(aim_db *db, const char *run_id, int group, int64_t from_ns,
                          void **ret);
    int (*chunk_iter_next)(void *it, const uint8_t **ret_blob, size_t *ret_len,
                           int64_t *ret_seq);
    /* The current chunk's summary (db.h's aim__db_chunk_iter_summary). */
    int (*chunk_iter_summary)(void *it, const uint8_t **ret, size_t *ret_len);
    void (*chunk_iter_free)(void *it);

    /* The run's intensity and price steps. */
    int (*steps_insert)(aim_db *db, const char *run_id, int which,
                        const aim_intensity_point *points, size_t n);
    int (*steps_count)(aim_db *db, const char *run_id, int which, size_t *ret_n);
    int (*steps_replace)(aim_db *db, const char *run_id, int which,
                         const aim_intensity_point *points, size_t n);

    /* Phases, markers, records and tags. */
    int (*workload_store)(aim_db *db, const char *run_id, int64_t start_mono_ns,
                          const struct aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const struct aim_records *records,
                          const struct aim_record_row *rows, size_t n_rows, uint64_t dropped);
    int (*workload_load)(aim_db *db, const char *run_id, int n_devices,
                         struct aim_workload_summary **ret);
    int (*phase_metrics_store)(aim_db *db, const char *run_id, const struct aim_phases *phases,
                               int n_ch, const int *ch_device, const char (*ch_key)[48]);
    int (*phase_carbon_update)(aim_db *db, const char *run_id, const struct aim_phases *phases);
    int (*phase_ranges)(aim_db *db, const char *run_id, const char *phase,
                        aim_time_range **ret_ranges, size_t *ret_n);
    int (*phase_instances)(aim_db *db, const char *run_id, aim_phase_instance **ret,
                           size_t *ret_n);
    int (*marks_load)(aim_db *db, const char *run_id, aim_mark_row **ret, size_t *ret_n);
    int (*run_tags_store)(aim_db *db, const char *run_id, const aim_run_tag *tags, size_t n);
    int (*run_tags_load)(aim_db *db, const char *run_id, aim_run_tag **ret, size_t *ret_n);
    int (*runs_with_tag)(aim_db *db, const char *key, char (**ret)[40], size_t *ret_n);
    int (*runs_with_tag_value)(aim_db *db, const char *key, const char *value, char (**ret)[40],
                               size_t *ret_n);
    int (*runs_tags_load)(aim_db *db, aim_run_summary *runs, size_t n);

    /* Imported profiles (store/profiles_store.h). */
    int (*profile_insert)(aim_db *db, const struct aim_profile_row *row, const char *json,
                          int64_t *ret_id);
    int (*profile_list)(aim_db *db, struct aim_profile_row **ret, size_t *ret_n);
    int (*profile_get)(aim_db *db, int64_t id, struct aim_profile_row *ret_row, char **ret_json);

    /* Retention of a long run (docs/retention.md): each call its own bounded transaction
     * (never inside begin/commit), times in ns since the run's start, as the chunks'. */
    int (*prune_before)(aim_db *db, const char *run_id, int64_t before_ns, int max_rows);
    int (*downsample)(aim_db *db, const char *run_id, int group, int64_t before_ns,
                      int64_t step_ns, int max_chunks);

    /* Correlation matrices (computing them is processing's; store/corr_store.h). */
    int (*corr_save)(aim_db *db, const char *run_id, const aim_corr_matrix *m);
    int (*corr_load)(aim_db *db, const char *run_id, aim_corr_matrix **ret);

    /* A server's bounds (NULL for a local file): cancel makes the statement db runs now, in
     * another thread, fail at once (and every later one; db is then only to be closed); it
     * is the one operation that may be called while another thread uses db, never during
     * close. statement_timeout bounds each later statement of the session (ms). */
    int (*cancel)(aim_db *db);
    int (*statement_timeout)(aim_db *db, int64_t ms);
} aim_store_ops;

/* The back-end a store URL or path names: "sqlite:PATH", "sqlite://PATH" or a plain path
 * (no "scheme://") name SQLite; *ret_path points into url at the path part.
 * "postgresql://..." and "postgres://..." name PostgreSQL with *ret_path the whole URL
 * (-EPROTONOSUPPORT when built without libpq). Any other "scheme://" is -EPROTONOSUPPORT
 * with err saying which schemes there are. */
int aim__store_backend_for(const char *url, const aim_store_ops **ret_ops, const char **ret_path,
                          char *err, size_t errlen);

/* The back-ends (one line each in store_url.c). */
extern const aim_store_ops aim_sqlite_store_ops;
/* postgresql:// and postgres:// (store/postgres/; open gets the whole URL). */
extern const aim_store_ops aim_postgres_store_ops;

/* ------------------------------------------------------------------ the series reader
 *
 * The one reader of stored samples: the ticks of one or more rate groups of a run, merged in
 * time order, one decoded chunk per group in memory whatever the run's length. Ties go to
 * the group listed first. Used by the CSV export, the correlation replay, the what-if and
 * forecast replays (aim__db_for_each_tick). */

typedef struct aim_series_reader aim_series_reader;

/* One tick as next() hands it: values[i]/valid[i] for the i-th series of the group in slot
 * order; borrowed until the next call. */
typedef struct aim_series_tick {
    int index;                 /* which of the reader's groups (position in its list) */
    int group;                 /* the group's number in the store */
    int64_t t_rel_ns;          /* since the run's start */
    int n;                     /* series in the group */
    const double *values;
    const uint8_t *valid;
} aim_series_tick;

/* One group to read and its columns (cols[n], the group's series in slot order). */
typedef struct aim_series_group {
    int group;
    int n;
    const aim_chunk_column *cols;
} aim_series_group;

/* Opens a reader over the groups listed (copied). -ENOMEM, or the back-end's -errno. */
int aim__series_reader_open(aim_db *db, const char *run_id, const aim_series_group *groups,
                           int n_groups, aim_series_reader **ret);
/* The same for a loaded run: groups lists group numbers (NULL: every group its series use,
 * in order of first use); columns come from run's series. */
int aim__series_reader_open_run(aim_db *db, const aim_run_summary *run, const int *groups,
                               int n_groups, aim_series_reader **ret);
/* The same from the chunks that end at or after from_ns (ns since the run's start): the
 * ticks from_ns on, and some before it (the rest of the first chunk read). A live view's
 * poll (api/serve_api_events.c) reads only what is new. */
int aim__series_reader_open_run_from(aim_db *db, const aim_run_summary *run, const int *groups,
                                    int n_groups, int64_t from_ns, aim_series_reader **ret);
/* 1 and the next tick in time order, 0 at the end, or -errno: -EBADMSG for a corrupt chunk
 * ("run R, group G: chunk S is corrupt" in db's message), -EINVAL for a bad resolution,
 * -ENOMEM. */
int aim__series_reader_next(aim_series_reader *r, aim_series_tick *ret);
/* Whether group index has another tick: 1, 0 at its end, or -errno as next() (it may read
 * the group's next chunk). The CSV export stops when its grid group ends. */
int aim__series_reader_more(aim_series_reader *r, int index);
/* The number of groups and the group numbers in reading order. */
int aim__series_reader_groups(const aim_series_reader *r);
int aim__series_reader_group(const aim_series_reader *r, int index);
void aim__series_reader_free(aim_series_reader *r);

#endif
