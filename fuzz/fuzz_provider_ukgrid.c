/* aim__uk_parse over arbitrary bytes, national and regional. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "providers/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *body = fuzz_copy_exact(data, size);
    if (!body)
        return 0;
    for (int regional = 0; regional < 2; regional++) {
        aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
        char err[160];
        int r = aim__uk_parse(body, size, regional, &p, err, sizeof err);
        if (r == 0 && (memchr(p.zone, '\0', sizeof p.zone) == NULL || memchr(p.label, '\0', sizeof p.label) == NULL))
            abort();
        for (size_t i = 0; r == 0 && i < p.series.n; i++)
            if (!isfinite(p.series.p[i].g_per_kwh) || p.series.p[i].g_per_kwh < 0 ||
                p.series.p[i].g_per_kwh > AIM_PROVIDER_MAX_G_PER_KWH)
                abort();
        aim__prov_parsed_free(&p);
    }
    free(body);
    return 0;
}
