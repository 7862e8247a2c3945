/* aim__zone_spec_resolve and aim_zone_history_lookup over arbitrary bytes: the items come from
 * the command line (`whatif --zones FR@2010,PL@marginal`). The item is not terminated, so a
 * read past its end shows under ASan. A success names a row; a failure says why in one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "data/zone_history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *item = fuzz_copy_exact(data, size);
    char *text = fuzz_copy_cstr(data, size);
    if (!item || !text) {
        free(item);
        free(text);
        return 0;
    }
    aim_zone_spec s;
    char err[320];
    if (aim__zone_spec_resolve(item, size, &s, err, sizeof err) == 0) {
        if (!s.label[0] || !s.row.code || !(s.row.g_per_kwh >= 0) ||
            strnlen(s.label, sizeof s.label) == sizeof s.label ||
            (s.year && s.row.year != s.year))
            abort();
    } else if (!err[0] || strnlen(err, sizeof err) == sizeof err || strchr(err, '\n')) {
        abort();
    }
    /* The public lookup, on the text with a year taken from its first bytes. */
    aim_zone_info z;
    int year = size >= 2 ? 1990 + data[0] % 40 : 2015;
    if (aim_zone_history_lookup(text, year, &z) == 0 && (z.year != year || !(z.g_per_kwh >= 0)))
        abort();
    char have[64];
    aim__zone_history_describe(text, have, sizeof have);
    if (strnlen(have, sizeof have) == sizeof have)
        abort();
    free(item);
    free(text);
    return 0;
}
