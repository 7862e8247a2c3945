/* A run's profile (report/profile.h) built from the store: aim_profile_render (aimeter.h)
 * renders it, GET /api/runs/{id}/profile serves it (serve_api_profiles.c). */
#ifndef AIM_API_PROFILE_H
#define AIM_API_PROFILE_H

#include "aimeter.h"
#include "report/profile.h"

/* Fills *ret (aim__profile_clear it whatever the result) from run run_id: its summary, its
 * devices' energy by kind, and one epoch per completed instance of phase "epoch" (numbered
 * "epoch 1", "epoch 2", or all called "epoch"), chosen by aimeter forecast's rule
 * (processing/forecast_run.h) and measured as it measures them. -ENOENT (no run), -EIO,
 * -EBADMSG (corrupt samples), -ENOMEM; the store's message set. */
int aim__api_profile_build(aim_store *store, const char *run_id, aim_profile *ret);

#endif
