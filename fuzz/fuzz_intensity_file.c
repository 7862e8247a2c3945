/* The step-function CSV parser (--intensity-file, --price-file, whatif --intensity-file) over
 * arbitrary bytes: a user's file. Checks the promises of a successful parse too: at least
 * one point, times strictly increasing, values finite and >= 0. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"

#include "providers/intensity_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *buf, size_t size, int allow_signal) {
    aim_step_file f;
    int r = aim__step_file_parse(buf, size, allow_signal, &f);
    if (r == 0) {
        if (f.n == 0 || !f.points)
            abort();
        for (size_t i = 0; i < f.n; i++) {
            if (!isfinite(f.points[i].g_per_kwh) || f.points[i].g_per_kwh < 0)
                abort();
            if (f.points[i].t_unix_ms < 0 || (i && f.points[i].t_unix_ms <= f.points[i - 1].t_unix_ms))
                abort();
        }
        if (!allow_signal && f.has_signal)
            abort();
    } else if (r == -EBADMSG) {
        if (f.error_line < 0 || !f.error[0])
            abort();
    }
    aim__step_file_clear(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536)
        size = 65536;
    char *buf = fuzz_copy_exact(data, size);
    if (!buf)
        return 0;
    check(buf, size, 1);
    check(buf, size, 0);
    free(buf);
    return 0;
}
