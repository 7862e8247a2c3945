/* The store's JSON API of `aimeter serve` (docs/http-api.md, docs/openapi.yaml): routes of
 * the HTTP server (serve/http_server.h) that read an open store and render what the CLI's
 * --json outputs render, so the numbers are the CLI's. Pure functions of (store, request):
 * unit-tested and fuzzed without a socket. Read-only; a request's path never reaches the
 * file system: a run id is checked for its characters and looked up in the store. */
#ifndef AIM_API_SERVE_API_H
#define AIM_API_SERVE_API_H

#include "aimeter.h"
#include "serve/http_server.h"
#include "util/json.h"

#define AIM_SERVE_JSON_TYPE "application/json; charset=utf-8"
#define AIM_SERVE_POINTS_DEFAULT 2000
#define AIM_SERVE_POINTS_MAX 100000

/* The router (an aim_http_handler; ctx: the aim_store *, open). Every answer is JSON: 200,
 * or {"error": "..."} with 400 (bad input), 404 (no such route or run), 405 (not GET/HEAD,
 * with Allow), 500 (the store failed). */
int aim__serve_api_handle(void *ctx, const aim_http_request *req, aim_http_response *resp);

/* The store's routes (serve_api_runs.c, serve_api_series.c); run_id: a full id, resolved. */
int aim__serve_api_runs(aim_store *store, const aim_http_request *req, aim_http_response *resp);
int aim__serve_api_series(aim_store *store, const char *run_id, const aim_http_request *req,
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
