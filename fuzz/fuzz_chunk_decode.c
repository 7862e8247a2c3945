/* Chunk decoder fuzz target. Input: byte 0 n_series (mod 33), bytes 1-4 a little-endian
 * bitmask of counter columns, then the chunk blob, which is also read as a chunk summary
 * (chunks.summary, aim__chunk_summary_decode). Column i's resolution is
 * {0.1, 1e-6, 1/1024, 0.01}[i % 4], the convention tests/unit/test_codec.c uses when it
 * writes the seed corpus. */
#include <stddef.h>
#include <stdint.h>

#include "store/codec.h"

typedef struct sink {
    double sum;
    int n;
} sink;

static int touch_all(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    sink *s = userdata;
    s->sum += (double)(t & 0xff);
    /* Read every value the decoder hands out: ASan flags any outside its arrays. */
    for (int i = 0; i < s->n; i++)
        if (valid[i])
            s->sum += values[i] == values[i] ? 1 : 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const double res[4] = { 0.1, 1e-6, 1.0 / 1024, 0.01 };
    if (size < 5)
        return 0;
    int n = data[0] % 33;
    uint32_t counters = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
                        (uint32_t)data[4] << 24;
    aim_chunk_column cols[32] = { 0 }; /* zeroed: gcc -O2 with ASan cannot tell that only n are read */
    for (int i = 0; i < n; i++) {
        cols[i].resolution = res[i % 4];
        cols[i].counter = (int)((counters >> i) & 1);
    }
    sink s = { 0, n };
    aim__chunk_decode(data + 5, size - 5, n, cols, touch_all, &s);
    aim_chunk_summary h;
    aim_chunk_col_summary cs[32];
    if (aim__chunk_summary_decode(data + 5, size - 5, n, cols, &h, cs) == 0)
        for (int i = 0; i < n; i++) /* ASan flags a column left out of cs */
            s.sum += cs[i].count + cs[i].v_min + cs[i].v_max;
    return s.sum > 0 ? 0 : 0;
}
