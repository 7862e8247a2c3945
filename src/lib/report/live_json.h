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

/* A counter record of the workload: "records" of the run's entry in "runs". */
typedef struct aim_live_json_record {
    const char *key;
    double total;
} aim_live_json_record;

typedef struct aim_live_json_extra {
    uint64_t samples;          /* ticks of the main group so far */
    int have_missed;           /* missed_deadlines is known (else null) */
    uint64_t missed_deadlines; /* deadlines the sampler skipped, all groups */
    const aim_live_json_record *records; /* the run's counter records (the node's for an
                                          * agent), in the order they first came */
    int n_records;
} aim_live_json_extra;

/* The object, compact, with a trailing newline; "runs" holds the run itself, then an agent's
 * jobs (in->jobs). The caller frees *ret_text. -ENOMEM. */
int aim__live_json_render(const aim_prom_input *in, const aim_live_json_extra *extra,
                          char **ret_text);

#define AIM_LIVE_JSON_CONTENT_TYPE "application/json"

#endif
