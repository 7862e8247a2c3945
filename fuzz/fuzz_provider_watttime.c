/* WattTime's answers (data, login, region-from-loc, signal index) over arbitrary bytes. A
 * token or region accepted must be safe to put into a header or a URL. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "providers/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_safe(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *body = fuzz_copy_exact(data, size);
    if (!body)
        return 0;
    char err[160], tok[256], region[64];
    aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
    if (aim__wt_parse_data(body, size, "co2_moer", &p, err, sizeof err) == 0) {
        for (size_t i = 0; i < p.series.n; i++)
            if (!isfinite(p.series.p[i].g_per_kwh) || p.series.p[i].g_per_kwh < 0 ||
                p.series.p[i].g_per_kwh > AIM_PROVIDER_MAX_G_PER_KWH)
                abort();
        check_safe(p.zone);
    }
    aim__prov_parsed_free(&p);
    if (aim__wt_parse_login(body, size, tok, sizeof tok, err, sizeof err) == 0)
        check_safe(tok);
    if (aim__wt_parse_region(body, size, region, sizeof region, err, sizeof err) == 0)
        check_safe(region);
    double pct;
    if (aim__wt_parse_index(body, size, &pct, err, sizeof err) == 0 && !(pct >= 0 && pct <= 100))
        abort();
    free(body);
    return 0;
}
