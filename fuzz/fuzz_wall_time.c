/* ISO 8601 times: aim_parse_wall_time (public API; `aimeter intensity --from/--to`) over a C
 * string, and the providers' parser under it (aim__iso8601_parse) over exact bytes. A time
 * accepted must print and parse back to itself (to the second), and fit in ns when asked for ns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"
#include "providers/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 256)
        return 0;
    char *exact = fuzz_copy_exact(data, size);
    char *cstr = fuzz_copy_cstr(data, size);
    if (!exact || !cstr)
        abort();
    int64_t ms, again, ns;
    if (aim__iso8601_parse(exact, size, &ms) == 0 && ms >= AIM_ISO8601_MIN_MS &&
        ms <= AIM_ISO8601_MAX_MS) {
        char text[64];
        aim__iso8601_format(ms, 1, text, sizeof text);
        int64_t second = ms - ((ms % 1000) + 1000) % 1000; /* printed to the second */
        if (aim__iso8601_parse(text, strlen(text), &again) != 0 || again != second)
            abort();
    }
    if (aim_parse_wall_time(cstr, &ns) == 0) {
        if (aim__iso8601_parse(cstr, strlen(cstr), &ms) != 0 || ns / 1000000 != ms || ns % 1000000)
            abort();
    }
    free(exact);
    free(cstr);
    return 0;
}
