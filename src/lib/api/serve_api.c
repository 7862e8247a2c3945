/* The router of the store's JSON API (serve_api.h). */
#include "api/serve_api.h"
#include "api/serve_api_analyses.h"
#include "api/serve_api_profiles.h"

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

int aim__serve_api_id_ok(const char *s, size_t n) { return id_ok(s, n); }

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

/* The routes' own signatures, to the table's. */
static int runs(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                aim_http_response *resp) {
    (void)arg;
    return aim__serve_api_runs(ctx->store, req, resp);
}

static int run_report(aim_serve_ctx *ctx, const char *id, const aim_http_request *req,
                      aim_http_response *resp) {
    (void)req;
    return report(ctx->store, id, resp);
}

static int series(aim_serve_ctx *ctx, const char *id, const aim_http_request *req,
                  aim_http_response *resp) {
    return aim__serve_api_series(ctx->store, id, req, resp);
}

static int zones(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                 aim_http_response *resp) {
    (void)ctx;
    (void)arg;
    return aim__serve_api_zones(req, resp);
}

static int hardware(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                    aim_http_response *resp) {
    (void)ctx;
    (void)arg;
    (void)req;
    return aim__serve_api_hardware(resp);
}

/* The routes of /api (docs/http-api.md): one line each. */
static const aim_serve_route routes[] = {
    { "/api/runs", AIM_SERVE_GET, runs },
    { "/api/zones", AIM_SERVE_GET, zones },
    { "/api/hardware", AIM_SERVE_GET, hardware },
    { "/api/live", AIM_SERVE_GET, aim__serve_api_live },
    { "/api/profiles", AIM_SERVE_GET_POST, aim__serve_api_profiles },
    { "/api/profiles/", AIM_SERVE_GET, aim__serve_api_profile },
    { "/api/compare", AIM_SERVE_GET, aim__serve_api_compare },
};

/* The routes of one run, /api/runs/{id}PATH: arg is the resolved run id. */
static const aim_serve_route run_routes[] = {
    { "", AIM_SERVE_GET, run_report },
    { "/series", AIM_SERVE_GET, series },
    { "/profile", AIM_SERVE_GET, aim__serve_api_run_profile },
    { "/events", AIM_SERVE_GET, aim__serve_api_events },
    { "/view", AIM_SERVE_GET, aim__serve_api_view },
    { "/whatif", AIM_SERVE_GET, aim__serve_api_whatif },
    { "/forecast", AIM_SERVE_GET, aim__serve_api_forecast },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The route of table t that path matches (*arg: the rest after a prefix route), NULL. */
static const aim_serve_route *find(const aim_serve_route *t, size_t n, const char *path,
                                   const char **arg) {
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(t[i].path);
        int prefix = l > 0 && t[i].path[l - 1] == '/';
        if (prefix ? strncmp(path, t[i].path, l) == 0 && path[l] : strcmp(path, t[i].path) == 0) {
            *arg = prefix ? path + l : NULL;
            return &t[i];
        }
    }
    return NULL;
}

/* Whether method is one of allow's ("GET, HEAD, POST"); HEAD goes with GET. */
static int allowed(const char *allow, const char *method) {
    size_t n = strlen(method);
    for (const char *p = allow; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && memcmp(p, method, n) == 0)
            return 1;
        p = c ? c + 2 : p + l;
    }
    return 0;
}

/* /api/runs/{id}PATH: the run's route, its id checked and resolved in the store (a prefix,
 * as the CLI takes it). NULL *route: answered (404, 400). */
static int run_route(aim_serve_ctx *ctx, const char *rest, const aim_http_request *req,
                     aim_http_response *resp, const aim_serve_route **route, char **id) {
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *arg;
    *route = find(run_routes, COUNT(run_routes), slash ? slash : "", &arg);
    *id = NULL;
    if (!*route)
        return aim__serve_api_error(resp, 404, "no such resource: %.128s", req->path);
    if (!id_ok(rest, n)) {
        *route = NULL;
        return aim__serve_api_error(resp, 400, "bad run id: letters, digits, '-' and '_' only");
    }
    if (!allowed((*route)->allow, req->method))
        return 0; /* 405, answered by the caller */
    char ref[64];
    memcpy(ref, rest, n);
    ref[n] = '\0';
    int r = aim_store_resolve_run(ctx->store, ref, id);
    if (r < 0)
        *route = NULL;
    if (r == -ENOENT)
        return aim__serve_api_error(resp, 404, "no run %s in the store", ref);
    if (r < 0) /* -EEXIST: a prefix of several runs, the request's to fix */
        return aim__serve_api_error(resp, r == -EINVAL || r == -EEXIST ? 400 : 500, "%s",
                                    aim_store_errmsg(ctx->store));
    return 0;
}

static int dispatch(aim_serve_ctx *ctx, const aim_http_request *req, aim_http_response *resp) {
    const char *p = req->path ? req->path : "";
    const char *arg = NULL;
    char *id = NULL;
    const aim_serve_route *route = find(routes, COUNT(routes), p, &arg);
    int r = 0;
    if (!route && strncmp(p, "/api/runs/", 10) == 0) {
        if ((r = run_route(ctx, p + 10, req, resp, &route, &id)) < 0 || !route)
            return r;
        arg = id;
    }
    if (!route)
        return aim__serve_api_error(resp, 404, "no such resource: %.128s (docs/http-api.md)", p);
    if (!allowed(route->allow, req->method)) {
        r = aim__serve_api_error(resp, 405, "method %.16s not allowed here: %s", req->method,
                                 route->allow);
        resp->allow = route->allow;
    } else {
        r = route->fn(ctx, arg, req, resp);
    }
    free(id);
    return r;
}

int aim__serve_api_wants_body(void *ctx, const aim_http_request *req) {
    const char *arg;
    /* the only body is an import's: without --allow-import the route answers 403 unread */
    if (!(((const aim_serve_ctx *)ctx)->flags & AIM_SERVE_ALLOW_IMPORT))
        return 0;
    const aim_serve_route *route = find(routes, COUNT(routes), req->path ? req->path : "", &arg);
    return route && strcmp(req->method, "POST") == 0 && allowed(route->allow, "POST");
}

int aim__serve_api_handle(void *ctx, const aim_http_request *req, aim_http_response *resp) {
    aim_serve_ctx *c = ctx;
    if (c->lock)
        pthread_mutex_lock(c->lock);
    int r = dispatch(c, req, resp);
    if (c->lock)
        pthread_mutex_unlock(c->lock);
    resp->cache_control = "no-store";
    return r;
}
