/* Synthetic stores for unit tests (store_rig.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_rig.h"

void store_rig_chunk(aim_db *db, const char *run_id, int group, int64_t seq, int n,
                     const aim_chunk_column *cols, int ticks, const int64_t *t, const double *v,
                     const uint8_t *ok) {
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(n, cols, ticks, &e), 0);
    for (int i = 0; i < ticks; i++)
        assert_int_equal(aim__chunk_encoder_add(e, t[i], v + i * n, ok ? ok + i * n : NULL), 0);
    int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    const uint8_t *sum; /* with its summary, as the writer stores it */
    size_t sum_len;
    aim__chunk_encoder_summary(e, &sum, &sum_len);
    assert_int_equal(aim__db_chunk_insert_summary(db, run_id, group, seq, first, last, ticks, blob,
                                                  len, sum, sum_len), 0);
    aim__chunk_encoder_free(e);
}
