/* The perf power PMU's sysfs texts: the same bytes go through the event, scale and CPU-list
 * parsers (what a broken or hostile sysfs could hand them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "sources/cpu/rapl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* sysfs reads are NUL-terminated by aim__read_text */
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    uint64_t config;
    double scale;
    int cpus[AIM_RAPL_MAX_CPUS], n;
    (void)aim__rapl_parse_event(text, &config);
    if (aim__rapl_parse_scale(text, &scale) == 0 && !(scale > 0))
        abort();
    if (aim__rapl_parse_cpulist(text, cpus, AIM_RAPL_MAX_CPUS, &n) == 0 &&
        (n <= 0 || n > AIM_RAPL_MAX_CPUS))
        abort();
    free(text);
    return 0;
}
