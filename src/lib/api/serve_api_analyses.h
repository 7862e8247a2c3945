/* The analyses of the store's JSON API (docs/http-api.md): a run's what-ifs, forecast and
 * report data, and runs compared; each answers what the CLI's --json prints for the same
 * query, through the same library function (serve_api_analyses.c). Routes of serve_api.c's
 * tables (aim_serve_route_fn): run_id is the resolved id; arg of compare is NULL. */
#ifndef AIM_API_SERVE_API_ANALYSES_H
#define AIM_API_SERVE_API_ANALYSES_H

#include "api/serve_api.h"

/* GET /api/runs/{id}/view?zones=&buckets=: the HTML report's data (aimeter.html/1). */
int aim__serve_api_view(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                        aim_http_response *resp);
/* GET /api/runs/{id}/whatif?zones=..|rank=1..|hardware=..: aimeter.whatif/1,
 * aimeter.whatif-rank/1 or aimeter.whatif-hardware/1. */
int aim__serve_api_whatif(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp);
/* GET /api/runs/{id}/forecast?epochs=N[&phase=P][&skip=K]: aimeter.forecast/1. */
int aim__serve_api_forecast(aim_serve_ctx *ctx, const char *run_id,
                            const aim_http_request *req, aim_http_response *resp);
/* GET /api/compare?runs=a,b[&baseline=a][&by=TAG]: aimeter.compare/1. */
int aim__serve_api_compare(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                           aim_http_response *resp);

/* Whether the n bytes at s are a run id as the API takes one (serve_api.c). */
int aim__serve_api_id_ok(const char *s, size_t n);

#endif
