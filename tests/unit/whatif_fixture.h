/* Test helper of the tests that re-price a stored run (test_whatif_replay.c, test_whatif.c,
 * test_schema.c): a temporary folder per program, a store opened or failing the test, chunks
 * encoded as the writer encodes them, and the 10 s run they all price. */
#ifndef AIM_TEST_WHATIF_FIXTURE_H
#define AIM_TEST_WHATIF_FIXTURE_H

#include <stdint.h>

#include "store/db.h"

#define T0_NS 1767614400000000000LL /* 2026-01-05T12:00:00Z */
#define T0_MS (T0_NS / 1000000)
#define S_NS 1000000000LL

/* The program's temporary folder, made by setup and removed by teardown (group fixtures). */
extern char tmpdir[64];
int setup(void **state);
int teardown(void **state);

/* Fails the test unless got is want within rel (relative). */
void near(double got, double want, double rel);

/* The store at path opened (created or migrated), or the test fails. */
aim_db *open_db(const char *path);

/* Encodes ticks (values v[tick * n + i], all valid) into chunk seq of group. */
void insert_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                  const aim_chunk_column *cols, int ticks, const int64_t *t, const double *v);

/* A run of 10 s sampled every second (11 ticks at 0..10 s):
 *   cpu0  a RAPL-style energy counter, 748.5 J per second: 7485 J (group 0, slot 0);
 *   dram0 measured power, 2 W throughout, integrated: 20 J (group 1, slot 1);
 *   psys0 a counter of 1000 J/s, not in the total (group 0, slot 2).
 * Its own intensity: 56 g/kWh (FR), PUE 1. */
void make_run(aim_db *db, const char *id);

/* The run's summary as the store loads it; the caller clears it. */
aim_run_summary load(aim_db *db, const char *id);

#endif
