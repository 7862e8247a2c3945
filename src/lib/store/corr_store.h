/* Correlation matrices in the store (table `correlations`, docs/store.md). Recomputing one
 * from a run's stored chunks is engine/corr_replay.h's (the series reader feeding
 * processing/corr.h). Internal. */
#ifndef AIM_CORR_STORE_H
#define AIM_CORR_STORE_H

#include <stddef.h>

#include "processing/corr.h"
#include "processing/summary.h"
#include "store/db.h"

/* Replaces the run's stored matrix (one transaction unless the caller holds one). */
int aim__db_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m);

/* The matrix the run stored when it ended. -ENOENT when it stored none (db errmsg set). */
int aim__db_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret);

/* The grid group of a stored run: the lowest group whose stored ticks equal runs.samples (the
 * main group's count), else the group with the most ticks. -ENOENT when it has no chunks. */
int aim__db_corr_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group,
                           int *ret_n_groups);

#endif
