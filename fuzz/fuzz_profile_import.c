/* The profile importer's parser (report/profile.h) over arbitrary bytes: what POST
 * /api/profiles hands it. The first byte picks the format (even: JSON, odd: CSV), the rest is
 * the body. A success holds at most AIM_PROFILE_MAX_EPOCHS epochs in non-decreasing index order
 * with finite energies >= 0, and renders to JSON that parses back to the same rendering (what
 * the store keeps is what GET /api/profiles/{pid} returns). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "report/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    aim_profile_format format = data[0] & 1 ? AIM_PROFILE_CSV : AIM_PROFILE_JSON;
    aim_profile p;
    char err[256];
    int r = aim__profile_parse((const char *)data + 1, size - 1, format, &p, err, sizeof err);
    if (r < 0 && !err[0])
        abort(); /* every refusal says why */
    if (r == 0) {
        if (p.n_epochs > AIM_PROFILE_MAX_EPOCHS)
            abort();
        for (size_t i = 0; i < p.n_epochs; i++)
            if ((i && p.epochs[i].index < p.epochs[i - 1].index) ||
                !isfinite(p.epochs[i].energy_j) || p.epochs[i].energy_j < 0)
                abort();
        char *text = NULL, *again = NULL;
        aim_profile q;
        if (aim__profile_render(&p, &text) == 0) {
            if (aim__profile_parse(text, strlen(text), AIM_PROFILE_JSON, &q, err, sizeof err) != 0)
                abort();
            if (aim__profile_render(&q, &again) == 0 && strcmp(text, again) != 0)
                abort();
            aim__profile_clear(&q);
        }
        free(text);
        free(again);
    }
    aim__profile_clear(&p);
    return 0;
}
