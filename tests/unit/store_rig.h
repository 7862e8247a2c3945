/* Helpers for unit tests that build synthetic stores. */
#ifndef AIM_TEST_STORE_RIG_H
#define AIM_TEST_STORE_RIG_H

#include <stdint.h>

#include "store/db.h"

/* Encodes ticks (values v[tick * n + i], validity ok likewise or NULL for all valid) into one
 * chunk and stores it as chunk seq of the group; fails the test on any error. */
void store_rig_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                     const aim_chunk_column *cols, int ticks, const int64_t *t, const double *v,
                     const uint8_t *ok);

#endif
