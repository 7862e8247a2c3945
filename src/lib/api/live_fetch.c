/* aim_live_fetch: `aimeter top`'s GET of /api/live, through the providers' one HTTP client
 * (providers/provider_http.c: libcurl loaded on first use, plain http only to loopback,
 * never through a proxy, a body cap, a whole-request timeout). */
#include <errno.h>
#include <stdlib.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "providers/provider_impl.h"

/* A live snapshot of 8 GPUs x 40 metrics is ~60 KiB: 4 MiB is room for any node and still
 * stops a wrong server from filling memory. */
#define LIVE_MAX_BODY (4u << 20)

AIM_PUBLIC int aim_live_fetch(const char *url, int64_t timeout_ns, char **ret_body,
                              aim_error *ret_error) {
    aim__error_clear(ret_error);
    if (!url || !ret_body)
        return aim__error_set(ret_error, -EINVAL, "no URL");
    long ms = timeout_ns > 0 ? (long)(timeout_ns / 1000000) : 5000;
    aim_http_request rq = { .url = url, .timeout_ms = ms > 0 ? ms : 1, .max_body = LIVE_MAX_BODY };
    aim_http_response rs;
    char err[256];
    int r = aim__http_get(&rq, &rs, err, sizeof err);
    if (r < 0)
        return aim__error_set(ret_error, r, "%s", err);
    if (rs.status != 200) {
        long status = rs.status;
        aim__http_response_free(&rs);
        return aim__error_set(ret_error, status == 404 ? -ENOENT : -EPROTO,
                              "%s answered HTTP %ld", url, status);
    }
    *ret_body = rs.body; /* NUL-terminated, malloc'd: the caller's free() */
    return 0;
}
