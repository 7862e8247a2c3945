/* The disk cache's file parser, the ISO 8601 parser and the Retry-After parser over arbitrary
 * bytes: a cache file may be corrupt or planted, and times and headers come from servers.
 * A time accepted must format back to a time that parses to the same second. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "providers/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_exact(data, size);
    if (!text)
        return 0;
    aim_cache_entry e;
    if (aim__cache_parse(text, size, &e) == 0) {
        for (size_t i = 0; i < e.series.n; i++) {
            if (!isfinite(e.series.p[i].g_per_kwh) || (i > 0 && e.series.p[i].t_unix_ms <= e.series.p[i - 1].t_unix_ms))
                abort();
            char t[48]; /* what the CLI does with every cached point */
            aim__iso8601_format(e.series.p[i].t_unix_ms, 1, t, sizeof t);
        }
        aim__cache_entry_free(&e);
    }
    int64_t ms;
    if (aim__iso8601_parse(text, size, &ms) == 0) {
        char buf[48];
        size_t n = aim__iso8601_format(ms, 1, buf, sizeof buf);
        int64_t back;
        if (aim__iso8601_parse(buf, n, &back) != 0 || back / 1000 != (ms - ((ms % 1000) + 1000) % 1000) / 1000)
            abort();
    }
    char *cstr = fuzz_copy_cstr(data, size > 256 ? 256 : size);
    if (cstr) {
        int s = aim__http_parse_retry_after(cstr, 1795251600);
        if (s < -1 || s > 86400)
            abort();
        free(cstr);
    }
    free(text);
    return 0;
}
