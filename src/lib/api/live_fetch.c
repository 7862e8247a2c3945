/* aim_live_fetch: `aimeter top`'s GET of /api/live, through the providers' one HTTP client
 * (providers/provider_http.c: libcurl loaded on first use, plain http only to loopback,
 * never through a proxy, a body cap, a whole-request timeout, TLS verified). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "providers/provider_impl.h"

/* A live snapshot of 8 GPUs x 40 metrics is ~60 KiB: 4 MiB is room for any node and still
 * stops a wrong server from filling memory. */
#define LIVE_MAX_BODY (4u << 20)

/* The public cancel flag is a plain int (the header stays free of <stdatomic.h>); the
 * client reads it as the atomic_int it is laid out as. */
_Static_assert(sizeof(atomic_int) == sizeof(int), "atomic_int is laid out as int");

AIM_PUBLIC int aim_live_fetch_with(const aim_live_fetch_options *o, char **ret_body,
                                   aim_error *ret_error) {
    aim__error_clear(ret_error);
    if (!o || !o->url || !ret_body)
        return aim__error_set(ret_error, -EINVAL, "no URL");
    if (o->bearer_token && strpbrk(o->bearer_token, "\r\n"))
        return aim__error_set(ret_error, -EINVAL, "a bearer token is one line");
    long ms = o->timeout_ns > 0 ? (long)(o->timeout_ns / 1000000) : 5000;
    char header[4200] = "";
    if (o->bearer_token &&
        (size_t)snprintf(header, sizeof header, "Authorization: Bearer %s", o->bearer_token) >=
            sizeof header)
        return aim__error_set(ret_error, -EINVAL, "a bearer token longer than 4096 bytes");
    aim_http_request rq = { .url = o->url, .timeout_ms = ms > 0 ? ms : 1,
                            .max_body = LIVE_MAX_BODY, .header = header[0] ? header : NULL,
                            .username = o->username, .password = o->password,
                            .ca_file = o->ca_file, .cancel = (const atomic_int *)o->cancel };
    aim_http_response rs;
    char err[256];
    int r = aim__http_get(&rq, &rs, err, sizeof err);
    explicit_bzero(header, sizeof header);
    if (r < 0)
        return aim__error_set(ret_error, r, "%s", err);
    if (rs.status != 200) {
        long status = rs.status;
        aim__http_response_free(&rs);
        if (status == 401 || status == 403)
            return aim__error_set(ret_error, -EACCES, "%s answered HTTP %ld: %s", o->url, status,
                                  o->bearer_token || o->username
                                      ? "the credentials were not accepted"
                                      : "it asks for credentials");
        return aim__error_set(ret_error, status == 404 ? -ENOENT : -EPROTO,
                              "%s answered HTTP %ld", o->url, status);
    }
    *ret_body = rs.body; /* NUL-terminated, malloc'd: the caller's free() */
    return 0;
}

AIM_PUBLIC int aim_live_fetch(const char *url, int64_t timeout_ns, char **ret_body,
                              aim_error *ret_error) {
    aim_live_fetch_options o = { .url = url, .timeout_ns = timeout_ns };
    return aim_live_fetch_with(&o, ret_body, ret_error);
}
