/* GET /api/live: the live snapshot as one JSON object (docs/http-api.md), for `aimeter top`
 * and the web UI. It renders the same copy of the snapshot that /metrics renders (an
 * aim_prom_input filled by serve/), so the two endpoints never disagree and neither touches
 * the engine. */
#ifndef AIM_REPORT_LIVE_JSON_H
#define AIM_REPORT_LIVE_JSON_H

#include <stdint.h>

#include "report/prometheus.h"

/* The schema's version ("schema" in the object): bumped when a field changes meaning. */
#define AIM_LIVE_JSON_SCHEMA 1

typedef struct aim_live_json_extra {
    uint64_t samples;          /* ticks of the main group so far */
    int have_missed;           /* missed_deadlines is known (else null) */
    uint64_t missed_deadlines; /* deadlines the sampler skipped, all groups */
} aim_live_json_extra;

/* The object, compact, with a trailing newline; the caller frees *ret_text. -ENOMEM. */
int aim__live_json_render(const aim_prom_input *in, const aim_live_json_extra *extra,
                          char **ret_text);

#define AIM_LIVE_JSON_CONTENT_TYPE "application/json"

#endif
