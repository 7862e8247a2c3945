/* The store's operations as callers call them (internal API). Each aim_db_* function
 * dispatches through the back-end's table (store/store.h, store.c); sqlite/ is the only
 * back-end. docs/store.md documents the SQLite schema for users.
 *
 * One aim_db per thread: the writer thread owns the session's handle. Several processes may
 * write one file at once (WAL, busy timeout); each only ever writes its own run's rows. */
#ifndef AIM_DB_H
#define AIM_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "processing/summary.h"
#include "store/codec.h"

#define AIM_DB_SCHEMA_VERSION 11
/* The oldest schema a read-only open reads as it is (no migration without a write): schema
 * 11 only added chunks.summary, which a reader does without (it decodes such chunks). */
#define AIM_DB_SCHEMA_READABLE 10

typedef struct aim_db aim_db;

/* Opens or creates the store named by path: a plain path or a "sqlite:" URL (SQLite);
 * another "scheme://" is -EPROTONOSUPPORT (err names the scheme). Creates parent directories
 * when writable; migrates older schemas. Errors: -EACCES/-EROFS/-ENOENT/-EISDIR (path),
 * -EBADMSG (not an aimeter store or not SQLite), -EBUSY (locked beyond the busy timeout),
 * -EPROTO (newer schema), -ENOMEM.
 * err receives one line describing the problem (always NUL-terminated). On error *ret is
 * untouched and nothing is left open. */
int aim__db_open(const char *path, int readonly, aim_db **ret, char *err, size_t errlen);
void aim__db_close(aim_db *db);
const char *aim__db_errmsg(const aim_db *db);

int aim__db_begin(aim_db *db);
/* The run's idle baseline (a run id, "" for none) and whether its report shows embodied
 * carbon (store/sql/extras_store.c). */
int aim__db_run_set_extras(aim_db *db, const char *run_id, const char *idle_run_id, int embodied);
/* Device idx's energy attributed to the monitored process tree, and how. */
int aim__db_device_attribution(aim_db *db, const char *run_id, int idx, double joules,
                              const char *method);
/* The run's mean host CPU use over its samples, in % (series cpu.util): *ret_pct NaN when it
 * has none (no procfs, or too short to take a difference). -EIO. */
int aim__db_run_cpu_use(aim_db *db, const char *run_id, double *ret_pct);
struct aim_run_extras;
/* What the report needs of them: *ret NULL when the run has neither. */
int aim__db_extras_load(aim_db *db, const char *run_id, struct aim_run_extras **ret);

struct aim_phases;
/* Per phase, the time-weighted mean of each followed metric (channel c: device ch_device[c],
 * metric ch_key[c]); rewritten at each commit. */
int aim__db_phase_metrics_store(aim_db *db, const char *run_id, const struct aim_phases *phases,
                               int n_ch, const int *ch_device, const char (*ch_key)[48]);

/* A run's phases, markers and records for its report: *ret NULL when it has none. */
struct aim_workload_summary;
int aim__db_workload_load(aim_db *db, const char *run_id, int n_devices,
                         struct aim_workload_summary **ret);
/* The workload's phases, markers and records (engine/workload.h): every phase row and its
 * per-device figures, the spans from spans_from on, the marks from marks_from on, the record
 * keys and the given record rows; times relative to start_mono_ns. Inside the commit's
 * transaction (store/sql/workload_store.c). */
struct aim_phases;
struct aim_records;
struct aim_record_row;
int aim__db_workload_store(aim_db *db, const char *run_id, int64_t start_mono_ns,
                          const struct aim_phases *phases, size_t spans_from, size_t n_spans,
                          size_t marks_from, size_t n_marks, const struct aim_records *records,
                          const struct aim_record_row *rows, size_t n_rows, uint64_t dropped);
/* Each phase row's carbon as phases has it now (a re-pricing at the end of the run). */
int aim__db_phase_carbon_update(aim_db *db, const char *run_id, const struct aim_phases *phases);
int aim__db_commit(aim_db *db);
int aim__db_rollback(aim_db *db);
/* A server store's bounds (store.h's cancel and statement_timeout): -EOPNOTSUPP for a local
 * file. aim__db_cancel is thread-safe: the statement another thread runs on db fails at
 * once (a stalled server), and every later one; db is then only to be closed. */
int aim__db_cancel(aim_db *db);
int aim__db_statement_timeout(aim_db *db, int64_t ms);

/* Writing a run (inside a transaction or not). The run row is inserted with status
 * "running" and the pid/host of the aimeter process so a dead writer can be recognised. */
int aim__db_run_insert(aim_db *db, const aim_run_summary *run, pid_t writer_pid);
/* 0 when the store holds a run with exactly this id, -ENOENT when not (message set). */
int aim__db_run_exists(aim_db *db, const char *run_id);
int aim__db_device_insert(aim_db *db, const char *run_id, int index,
                         const aim_device_summary *dev);
/* Stores the series with its codec column (resolution, counter) so old chunks decode
 * even if a later aimeter changes the registry. */
int aim__db_series_insert(aim_db *db, const char *run_id, const aim_series_summary *series);
int aim__db_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq,
                        int64_t t_first_ns, int64_t t_last_ns, int n_ticks,
                        const void *blob, size_t len);
/* The same with the chunk's summary (aim__chunk_encoder_summary; NULL: none), what the writer
 * and a retention store, so that a reader may skip decoding it (chunks.summary). */
int aim__db_chunk_insert_summary(aim_db *db, const char *run_id, int group, int64_t seq,
                                int64_t t_first_ns, int64_t t_last_ns, int n_ticks,
                                const void *blob, size_t len, const void *summary,
                                size_t summary_len);
/* Rewrites the run row's progress fields (status, end time, samples, missed deadlines,
 * achieved interval, total energy, carbon, warnings), each device's energy and each
 * series' statistics from run. Called at every commit and at the end. */
int aim__db_run_update(aim_db *db, const aim_run_summary *run);

/* Appends points of the run's intensity (which = 0) or price (which = 1) series; they must
 * be later than those already stored. */
int aim__db_steps_insert(aim_db *db, const char *run_id, int which,
                        const aim_intensity_point *points, size_t n);
/* How many points of that series the store holds for the run. */
int aim__db_steps_count(aim_db *db, const char *run_id, int which, size_t *ret_n);

/* Reading. aim__db_load_summary fills *ret (free with aim__run_summary_clear); stale is set
 * when the run says running but its writer pid is gone on this host. -ENOENT. */
int aim__db_load_summary(aim_db *db, const char *run_id, aim_run_summary *ret);
/* aim__db_load_summary also loads the run's intensity and price points into the summary. */

/* Runs newest first, at most limit (0 = all); caller frees each with aim__run_summary_clear
 * and the array with free(). Devices/series are not loaded (n_devices = n_series = 0). */
int aim__db_list_runs(aim_db *db, size_t limit, aim_run_summary **ret_runs, size_t *ret_count);

/* The runs GET /api/runs lists (api/serve_api_runs.c), filtered and paged by the store so a
 * store of 10,000 runs answers a page without loading them all. NULL or 0: any. */
typedef struct aim_run_filter {
    const char *name_part;   /* a substring of the name */
    const char *host;        /* the host, exactly */
    const char *tag_key;     /* tag_key_len bytes: the run has this tag with value tag_value */
    size_t tag_key_len;
    const char *tag_value;
    const char *job;         /* its job: the first non-empty tag of job, slurm_job, pbs_job,
                                sge_job (as the agent reads it) */
    int64_t from_ns, to_ns;  /* started in [from_ns, to_ns] (Unix ns; INT64_MIN/MAX: open) */
    size_t offset, limit;    /* the page after offset matches; limit 0: all */
} aim_run_filter;
/* Those runs newest first, as aim__db_list_runs returns them (no tags, devices or series). */
int aim__db_list_runs_where(aim_db *db, const aim_run_filter *f, aim_run_summary **ret_runs,
                            size_t *ret_count);

/* RUN as every command takes it (store/sql/runs.c; docs/cli.md, "RUN"): "last", a full id,
 * a unique prefix of one, a run's name (its newest run), a unique prefix of a name. -ENOENT,
 * -EEXIST (ambiguous: several ids or names, or a name that is also the start of other runs'
 * ids; err lists some). */
int aim__db_resolve_run(aim_db *db, const char *ref, char **ret_id, char *err, size_t errlen);

/* Calls fn for every tick of every chunk of group `group` of the run, in time order (the
 * series reader of store.h over that one group).
 * values[i] belongs to the i-th series of that group in slot order (a group's slots are
 * contiguous). -ENOENT for an unknown run or group, -EBADMSG for a corrupt chunk. */
int aim__db_for_each_tick(aim_db *db, const char *run_id, int group, aim_chunk_tick_fn fn,
                         void *userdata);

/* The database behind a public aim_store handle (api/public.c), or NULL if not open. */
struct aim_store;
aim_db *aim__store_db(struct aim_store *store);

/* Sets the aim_db's error message (printf-style) and returns err, for callers that detect
 * a problem above the store (a corrupt chunk during export, out of memory in a replay). */
int aim__db_set_error(aim_db *db, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Iterates one group's chunks in seq order (the back-end's chunk_iter), so several
 * iterators (one per group, for the series reader) can be live on one aim_db. */
typedef struct aim_db_chunk_iter aim_db_chunk_iter;

int aim__db_chunk_iter_new(aim_db *db, const char *run_id, int group, aim_db_chunk_iter **ret);
/* The same over the chunks that end at or after from_ns (ns since the run's start). */
int aim__db_chunk_iter_from(aim_db *db, const char *run_id, int group, int64_t from_ns,
                            aim_db_chunk_iter **ret);
/* 1 and a blob borrowed until the next call, 0 at the end, or -errno (db errmsg set).
 * ret_seq may be NULL. */
int aim__db_chunk_iter_next(aim_db_chunk_iter *it, const uint8_t **ret_blob, size_t *ret_len,
                           int64_t *ret_seq);
/* The summary stored with the chunk next() last returned (store/codec.h), borrowed as its
 * blob: 1 and the bytes, or 0 when it has none (written before schema 11, by a test). */
int aim__db_chunk_iter_summary(aim_db_chunk_iter *it, const uint8_t **ret, size_t *ret_len);
void aim__db_chunk_iter_free(aim_db_chunk_iter *it);

/* Sum of n_ticks over the group's chunks (0 when it has none). */
int aim__db_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks);

/* The time ranges of every instance of a phase of a run, in the order they began
 * (aim_store_phase_ranges in aimeter.h): *ret_ranges is allocated. -ENOENT when the run has
 * no such phase, -EIO, -ENOMEM; db's message says more. */
int aim__db_phase_ranges(aim_db *db, const char *run_id, const char *phase,
                        aim_time_range **ret_ranges, size_t *ret_n);

/* Retention of a long run's samples (docs/retention.md), for the writer thread between two
 * commits: each call is one transaction of its own (not inside aim__db_begin/commit) that
 * touches a bounded number of rows, so a caller makes passes until one does less than its
 * bound. Times are ns since the run's start, as the chunks' t_first_ns/t_last_ns.
 *
 * prune_before deletes the run's chunks whose last tick is before before_ns, its closed
 * phase instances that ended before it, and its marks and records made before it: at most
 * max_rows of each table. The run row, devices, series statistics, phase totals and
 * per-phase figures and record keys (the writer's own running aggregates) stay. Returns
 * how many rows went (>= 0) or -errno (-EINVAL, -EIO, -EBUSY; db's message set).
 *
 * downsample replaces group's chunks of raw samples before before_ns (rounded down to a
 * multiple of step_ns) by one tick per step_ns bucket at the bucket's last ns: a gauge's
 * mean of the bucket's valid values, a counter's last reading (cumulative counters stay
 * exact at each bucket's end), invalid where the bucket had no value. One pass reads about
 * max_chunks (>= 2) chunks, then to the end of the bucket it is in. Returns the chunks it
 * rewrote (0: nothing left to do; a second call with the same arguments returns 0) or
 * -errno (-EINVAL, -EIO, -EBADMSG for a corrupt chunk, -ENOMEM). */
int aim__db_prune_before(aim_db *db, const char *run_id, int64_t before_ns, int max_rows);
int aim__db_downsample(aim_db *db, const char *run_id, int group, int64_t before_ns,
                      int64_t step_ns, int max_chunks);

/* Replaces the back-end's "not an error" (the reason of a later call that succeeded) in msg by
 * the text of err, a negative errno. Used by every set_error function. */
void aim__db_fix_reason(char *msg, size_t size, int err);

#endif
