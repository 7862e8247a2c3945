/* The store's JSON API of `aimeter serve` (docs/http-api.md, docs/openapi.yaml): routes of
 * the HTTP server (serve/http_server.h) that read an open store and render what the CLI's
 * --json outputs render, so the numbers are the CLI's. Pure functions of (store, request):
 * unit-tested and fuzzed without a socket. Read-only; a request's path never reaches the
 * file system: a run id is checked for its characters and looked up in the store. */
#ifndef AIM_API_SERVE_API_H
#define AIM_API_SERVE_API_H

#include <pthread.h>

#include "aimeter.h"
#include "serve/http_server.h"
#include "util/json.h"

#define AIM_SERVE_JSON_TYPE "application/json; charset=utf-8"
#define AIM_SERVE_POINTS_DEFAULT 2000
#define AIM_SERVE_POINTS_MAX 100000

/* What every route receives. The routes may run in several threads at once (a thread per
 * connection): the router holds lock (when not NULL) around each route's call, so a route
 * uses the store freely; a stream's producer runs later, and takes lock itself around each
 * use of the store. */
typedef struct aim_serve_ctx {
    aim_store *store;              /* open; read-write only with AIM_SERVE_ALLOW_IMPORT */
    unsigned flags;                /* AIM_SERVE_* */
    pthread_mutex_t *lock;         /* the store's; NULL: one thread (unit tests, fuzz) */
} aim_serve_ctx;

/* `aimeter serve --allow-import`: POST /api/profiles stores profiles (403 without). */
#define AIM_SERVE_ALLOW_IMPORT 1u

/* A route: arg is the resolved run id for a run's route (/api/runs/{id}...), the rest of the
 * path after a prefix route's path ("/api/profiles/" + "p1"), else NULL. Answers as
 * aim_http_handler does (the method is one of the route's allow). */
typedef int (*aim_serve_route_fn)(aim_serve_ctx *ctx, const char *arg,
                                  const aim_http_request *req, aim_http_response *resp);
typedef struct aim_serve_route {
    const char *path;              /* exact; ending in '/': a prefix */
    const char *allow;             /* AIM_SERVE_GET or AIM_SERVE_GET_POST */
    aim_serve_route_fn fn;
} aim_serve_route;
#define AIM_SERVE_GET "GET, HEAD"
#define AIM_SERVE_GET_POST "GET, HEAD, POST"

/* The router (an aim_http_handler; ctx: an aim_serve_ctx *) of /api/...: the route tables
 * are in serve_api.c. Every answer is JSON (or a stream): 200, or {"error": "..."} with 400
 * (bad input), 404 (no such route or run), 405 (a method the route does not take, with
 * Allow), 500 (the store failed); Cache-Control: no-store. */
int aim__serve_api_handle(void *ctx, const aim_http_request *req, aim_http_response *resp);
/* aim_http_options.wants_body: whether req's route takes a POST body (only with
 * AIM_SERVE_ALLOW_IMPORT in ctx's flags: without it the route refuses, 403, the body unread). */
int aim__serve_api_wants_body(void *ctx, const aim_http_request *req);

/* The store's routes (serve_api_runs.c, serve_api_series.c); run_id: a full id, resolved. */
int aim__serve_api_runs(aim_store *store, const aim_http_request *req, aim_http_response *resp);
int aim__serve_api_series(aim_store *store, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp);
/* The series' decimation (serve_api_series.c): dec, its points pushed over [x0, x1] into
 * points / 2 buckets, finished and, past points (gaps), decimated once more over its own
 * points, each pass keeping every bucket's minimum and maximum. 0, -ENOMEM. */
struct aim_decimator;
int aim__serve_api_bound(struct aim_decimator *dec, double x0, double x1, long points);

/* GET /api/live (serve_api_live.c) and the stream GET /api/runs/{id}/events
 * (serve_api_events.c). */
int aim__serve_api_live(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                        aim_http_response *resp);
int aim__serve_api_events(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp);
/* The built-in tables (serve_api_tables.c): no store. */
int aim__serve_api_zones(const aim_http_request *req, aim_http_response *resp);
int aim__serve_api_hardware(aim_http_response *resp);

/* resp: {"error": message} with status; 0 or -ENOMEM. */
int aim__serve_api_error(aim_http_response *resp, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* resp: root (taken) as JSON, 200; 0 or -ENOMEM. */
int aim__serve_api_json(aim_http_response *resp, json_t *root);
/* A whole non-negative integer query parameter within [min, max]: 1 and *ret, 0 when absent
 * (*ret untouched), -1 when bad (resp then holds the 400). */
int aim__serve_api_uint(const aim_http_request *req, const char *key, long min, long max,
                        long *ret, aim_http_response *resp);

#endif
