/* Run tags (table run_tags, docs/store.md), the phase instances of a run (table phases),
 * read by `aimeter compare` and `aimeter forecast`, and its markers (table marks), read by
 * the HTML report. Internal. */
#ifndef AIM_TAGS_STORE_H
#define AIM_TAGS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/run_tags.h"
#include "store/db.h"

/* Writes the run's tags (once, when the run starts; inside the caller's transaction if it
 * holds one). n == 0 writes nothing. -EIO (db errmsg set). */
int aim__db_run_tags_store(aim_db *db, const char *run_id, const aim_run_tag *tags, size_t n);

/* The run's tags, by key. *ret is NULL when it has none; free it with free(). A store older
 * than schema 7 has none. -EIO, -ENOMEM (db errmsg set). */
int aim__db_run_tags_load(aim_db *db, const char *run_id, aim_run_tag **ret, size_t *ret_n);

/* The tags of each of runs[0..n) into its tags/n_tags (one statement for them all: a list of
 * 10,000 runs). -EIO, -ENOMEM (db errmsg set; the runs loaded so far keep theirs). */
int aim__db_runs_tags_load(aim_db *db, aim_run_summary *runs, size_t n);

/* The ids of the runs that have tag `key`, oldest first. Caller frees *ret. */
int aim__db_runs_with_tag(aim_db *db, const char *key, char (**ret)[40], size_t *ret_n);
/* The same for the runs whose tag `key` is `value` (a job's runs: key "job"), oldest first. */
int aim__db_runs_with_tag_value(aim_db *db, const char *key, const char *value,
                                char (**ret)[40], size_t *ret_n);

/* One instance of a phase as stored in `phases` (times in ns since the run's start). */
typedef struct aim_phase_instance {
    char name[129];
    int depth;
    int64_t start_ns;
    int64_t end_ns;          /* valid when closed */
    int closed;              /* 0: still open (a running run), or left open at its end */
    int unterminated;        /* 1: closed by aimeter when the run ended, not by the command
                                (phase_totals.unterminated): never a completed instance */
} aim_phase_instance;

/* Every instance of the run's phases in the order they began. *ret NULL when none; free it
 * with free(). The phases table keeps no flag per instance; a phase's unterminated count
 * (phase_totals) says how many of its instances aimeter closed itself when the run ended, all
 * at that one time, the latest end of any instance: its last such instances are marked.
 * -EIO, -ENOMEM (db errmsg set). */
int aim__db_phase_instances(aim_db *db, const char *run_id, aim_phase_instance **ret,
                           size_t *ret_n);

/* One marker as stored in `marks` (time in ns since the run's start). */
typedef struct aim_mark_row {
    int64_t t_ns;
    char text[129];
} aim_mark_row;

/* The run's markers in the order they were made. *ret NULL when none; free it with free().
 * -EIO, -ENOMEM (db errmsg set). */
int aim__db_marks_load(aim_db *db, const char *run_id, aim_mark_row **ret, size_t *ret_n);

#endif
