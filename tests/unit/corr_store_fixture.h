/* Test helper of the correlation tests that go through the store (test_corr_replay.c,
 * test_corr_render.c): a temporary store, and one run in it ("corr-run") with the two groups
 * of corr_fixture.h stored as chunks and the live matrix saved as the writer does. */
#ifndef AIM_TEST_CORR_STORE_FIXTURE_H
#define AIM_TEST_CORR_STORE_FIXTURE_H

#include "aimeter.h"
#include "corr_fixture.h"

/* The store's path, one per test program (its pid). */
extern char db_path[64];

/* cmocka setup and teardown: no store before, none (nor its WAL files) after. */
int store_setup(void **state);
int store_teardown(void **state);

/* Opens the store read-only through the public API; fails the test on error. */
aim_store *open_store(void);

/* Stores the run: fills d (make_two_groups), writes the run, its devices, series and chunks,
 * and saves the live matrix, returned in *ret_live (the caller frees it). */
void make_stored_run(two_groups *d, aim_corr_matrix **ret_live);

#endif
