/* `aimeter intensity` (aim_intensity_fetch_render): a provider's grid-intensity series as
 * text or JSON. The fetch is the providers' (api/provider_public.c composes the two). */
#ifndef AIM_INTENSITY_RENDER_H
#define AIM_INTENSITY_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "model/intensity.h"

/* What a fetch answered: the series and what the provider said about it. */
typedef struct aim_intensity_listing {
    const char *provider;   /* as asked ("electricitymaps"); JSON only */
    const char *zone, *source, *note; /* note: "" when none */
    aim_signal signal;
    aim_basis basis;
    int64_t fetched_unix_ms;
    int from_cache, stale;
    const aim_intensity_point *points; /* sorted by time */
    size_t n;
} aim_intensity_listing;

/* json: 1 for JSON, 0 for text; both end with a newline. Caller frees *ret_text. -ENOMEM. */
int aim__intensity_render(const aim_intensity_listing *l, int json, char **ret_text);

#endif
