/* The profile routes of `aimeter serve` (docs/http-api.md, "Profiles"): a run's profile, and
 * the profiles imported into the store (report/profile.h, store/profiles_store.h). Routes of
 * serve_api.c's tables. */
#ifndef AIM_API_SERVE_API_PROFILES_H
#define AIM_API_SERVE_API_PROFILES_H

#include "api/serve_api.h"

/* GET /api/runs/{id}/profile: `aimeter export ID --profile -` (run_id resolved). */
int aim__serve_api_run_profile(aim_serve_ctx *ctx, const char *run_id,
                               const aim_http_request *req, aim_http_response *resp);
/* GET /api/profiles: {"profiles": [{id, name, imported_at, epochs, energy_j}]}, oldest first;
 * POST /api/profiles: an import (AIM_SERVE_ALLOW_IMPORT, else 403): req's body is a profile
 * (Content-Type application/json) or a CSV of epoch energies (text/csv), ?name= its name;
 * 201 and the stored profile with its id, 400 naming the field or line, 413 beyond 1 MiB or
 * 100,000 epochs. */
int aim__serve_api_profiles(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                            aim_http_response *resp);
/* GET /api/profiles/{pid}: the stored profile (arg: "{pid}"). */
int aim__serve_api_profile(aim_serve_ctx *ctx, const char *pid, const aim_http_request *req,
                           aim_http_response *resp);

#endif
