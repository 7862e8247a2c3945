/* The --gpu-spec parser (whatif --hardware) over arbitrary text: "NAME:tdp=W,tflops=T" as a
 * user types it. A stated device is either refused with a one-line message, or has a
 * positive TDP, a name that matches itself, and its name and source inside the struct. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "data/hw_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 512)
        size = 512;
    aim_hw_spec s;
    char err[320];
    int r = aim__hw_spec_parse((const char *)data, size, &s, err, sizeof err);
    if (r == 0) {
        if (!(s.info.tdp_w > 0) || s.info.name != s.name || s.info.source != s.source ||
            !aim__hw_spec_matches(&s, s.name))
            abort();
        if (isnan(s.info.tensor_tflops) && isnan(s.info.fp16_tflops) && isnan(s.info.fp32_tflops))
            abort();
    } else if (r != -EINVAL || !memchr(err, '\0', sizeof err) || strchr(err, '\n')) {
        abort();
    }
    return 0;
}
