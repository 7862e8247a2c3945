/* The time-zone parsers of the zone guess over arbitrary text: zone.tab, zone1970.tab and
 * tzdata.zi come from the system, $TZ and /etc/timezone from anyone. Also the zone lookups
 * with a signal, a basis and "provider:region" names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"
#include "providers/zone_guess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536)
        size = 65536;
    char *exact = fuzz_copy_exact(data, size); /* the file parsers take a length, no NUL */
    char *text = fuzz_copy_cstr(data, size);
    if (!exact || !text) {
        free(exact);
        free(text);
        return 0;
    }
    char name[128] = "Europe/Paris", cc[3], target[64];
    if (aim__tz_name_parse(text, name, sizeof name) == 0 && strlen(name) >= sizeof name)
        abort();
    static const char *const names[] = { "Europe/Paris", "UTC", "America/Regina", "" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *n = names[i][0] ? names[i] : name;
        if (aim__tz_tab_country(exact, size, n, cc) == 0 &&
            (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z'))
            abort();
        if (aim__tz_zi_link(exact, size, n, target, sizeof target) == 0 &&
            strlen(target) >= sizeof target)
            abort();
    }
    const aim_zone_info *z;
    for (int marginal = 0; marginal < 2; marginal++)
        if (aim_zone_lookup_basis(text, marginal, marginal ? "direct" : NULL, &z) == 0 &&
            (!z->code || !z->signal))
            abort();
    const aim_cloud_region *r;
    if (aim_cloud_region_lookup(text, &r) == 0 && !r->zone)
        abort();
    free(exact);
    free(text);
    return 0;
}
