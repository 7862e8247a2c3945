/* The --metrics parser over arbitrary bytes (command line and, later, configuration files).
 * A success must select power and energy and nothing outside the registry. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"

#include "model/metric_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    aim_metric_select sel;
    char err[160];
    if (aim__metric_select_parse(text, &sel, err, sizeof err) == 0 &&
        sel.mode == AIM_METRICS_EXPLICIT &&
        (!aim__metric_selected(&sel, AIM_M_POWER) || !aim__metric_selected(&sel, AIM_M_ENERGY) ||
         aim__metric_selected(&sel, AIM_M__COUNT)))
        abort();
    free(text);
    return 0;
}
