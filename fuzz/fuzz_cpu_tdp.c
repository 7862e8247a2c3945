/* aim__cpu_tdp_lookup, aim_zone_lookup and the estimate's model line over arbitrary text:
 * /proc/cpuinfo's model name and a user's zone code are untrusted strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"
#include "data/hardware.h"
#include "sources/estimate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096)
        size = 4096;
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    const aim_cpu_tdp *t;
    if (aim__cpu_tdp_lookup(text, &t) == 0 && (!*aim__cpu_tdp_model(t) || t->tdp_w <= 0))
        abort();
    const aim_zone_info *z;
    if (aim_zone_lookup(text, &z) == 0 && !z->code)
        abort();
    char line[64];
    aim__estimate_model_text(line, sizeof line, AIM_DEV_CPU, text, 2, 8);
    if (strlen(line) >= sizeof line)
        abort();
    free(text);
    return 0;
}
