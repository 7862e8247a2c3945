/* The router of the store's JSON API (serve_api.h). */
#include "api/serve_api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int aim__serve_api_json(aim_http_response *resp, json_t *root) {
    char *text = NULL;
    int r = root ? aim__json_dump(root, &text) : -ENOMEM;
    json_decref(root);
    if (r < 0)
        return r;
    free(resp->body);
    *resp = (aim_http_response){ .status = 200, .type = AIM_SERVE_JSON_TYPE, .body = text,
                                 .len = strlen(text) };
    return 0;
}

int aim__serve_api_error(aim_http_response *resp, unsigned status, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    int err = 0;
    aim__json_put(o, "error", aim__json_str(msg, sizeof msg), &err);
    if (err) {
        json_decref(o);
        return -ENOMEM;
    }
    int r = aim__serve_api_json(resp, o);
    resp->status = status;
    return r;
}

int aim__serve_api_uint(const aim_http_request *req, const char *key, long min, long max,
                        long *ret, aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    if (!v)
        return 0;
    long n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && n <= max; i++)
        n = n * 10 + (v[i] - '0');
    if (i == 0 || v[i] || n < min || n > max) {
        int r = aim__serve_api_error(resp, 400, "bad %s '%.64s': a whole number from %ld to %ld",
                                     key, v, min, max);
        return r < 0 ? r : -1;
    }
    *ret = n;
    return 1;
}

/* A run id as the store makes them (digits, letters, '-', '_'), or a prefix of one: nothing
 * else is looked up, so no '/', '.' or '%' from a request goes anywhere. */
static int id_ok(const char *s, size_t n) {
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* GET /api/runs/{id}: `aimeter report ID --format json`. */
static int report(aim_store *store, const char *id, aim_http_response *resp) {
    char *text = NULL;
    int r = aim_report_render(store, id, AIM_FORMAT_JSON, &text);
    if (r == -ENOENT)
        return aim__serve_api_error(resp, 404, "no run %s in the store", id);
    if (r < 0)
        return aim__serve_api_error(resp, 500, "%s", aim_store_errmsg(store));
    free(resp->body);
    *resp = (aim_http_response){ .status = 200, .type = AIM_SERVE_JSON_TYPE, .body = text,
                                 .len = strlen(text) };
    return 0;
}

/* /api/runs/{id}[/series]: the id checked and resolved in the store (a prefix, as the CLI
 * takes it), then the route. */
static int run_route(aim_store *store, const char *rest, const aim_http_request *req,
                     aim_http_response *resp) {
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    int series = slash && strcmp(slash, "/series") == 0;
    if (slash && !series)
        return aim__serve_api_error(resp, 404, "no such resource: %.128s", req->path);
    if (!id_ok(rest, n))
        return aim__serve_api_error(resp, 400, "bad run id: letters, digits, '-' and '_' only");
    char ref[64];
    memcpy(ref, rest, n);
    ref[n] = '\0';
    char *id = NULL;
    int r = aim_store_resolve_run(store, ref, &id);
    if (r == -ENOENT)
        return aim__serve_api_error(resp, 404, "no run %s in the store", ref);
    if (r < 0)
        return aim__serve_api_error(resp, r == -EINVAL ? 400 : 500, "%s",
                                    aim_store_errmsg(store));
    r = series ? aim__serve_api_series(store, id, req, resp) : report(store, id, resp);
    free(id);
    return r;
}

int aim__serve_api_handle(void *ctx, const aim_http_request *req, aim_http_response *resp) {
    aim_store *store = ctx;
    const char *p = req->path ? req->path : "";
    int runs = strcmp(p, "/api/runs") == 0;
    int run = strncmp(p, "/api/runs/", 10) == 0;
    int zones = strcmp(p, "/api/zones") == 0, hardware = strcmp(p, "/api/hardware") == 0;
    if (!runs && !run && !zones && !hardware)
        return aim__serve_api_error(resp, 404, "no such resource: %.128s (docs/http-api.md)", p);
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        int r = aim__serve_api_error(resp, 405, "method %.16s not allowed: the API is read-only",
                                     req->method);
        resp->allow = "GET, HEAD";
        return r;
    }
    if (zones)
        return aim__serve_api_zones(req, resp);
    if (hardware)
        return aim__serve_api_hardware(resp);
    return runs ? aim__serve_api_runs(store, req, resp) : run_route(store, p + 10, req, resp);
}
