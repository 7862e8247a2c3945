/* aim__em_parse over arbitrary bytes, as each endpoint's answer: a provider's body is
 * untrusted input. Every point accepted must be a finite, plausible intensity, and the zone a
 * terminated string. */
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
    static const aim_em_kind kinds[] = { AIM_EM_LATEST, AIM_EM_HISTORY, AIM_EM_RANGE };
    for (size_t k = 0; k < 3; k++) {
        aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
        char err[160];
        int r = aim__em_parse(body, size, kinds[k], &p, err, sizeof err);
        if (r == 0 && memchr(p.zone, '\0', sizeof p.zone) == NULL)
            abort();
        for (size_t i = 0; r == 0 && i < p.series.n; i++)
            if (!isfinite(p.series.p[i].g_per_kwh) || p.series.p[i].g_per_kwh < 0 ||
                p.series.p[i].g_per_kwh > AIM_PROVIDER_MAX_G_PER_KWH)
                abort();
        if (r < 0 && memchr(err, '\0', sizeof err) == NULL)
            abort();
        aim__prov_parsed_free(&p);
    }
    free(body);
    return 0;
}
