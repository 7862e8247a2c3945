/* Where a run's intensity and price series come from: the precedence of the configuration's
 * inputs, in one place (docs/methodology.md, "Carbon"). */
#ifndef AIM_CARBON_CHOOSE_H
#define AIM_CARBON_CHOOSE_H

#include <stddef.h>
#include <stdint.h>

#include "model/intensity_series.h"
#include "engine/config.h"

/* Fills out (initialised, empty) with the run's intensity series and its metadata, from the
 * first input of the configuration that gives one:
 *   1. a constant (--intensity G): one point;
 *   2. a file (--intensity-file): its points;
 *      (a live provider, --provider: aim__intensity_choose_live only)
 *   3. a zone of the built-in table (--zone): one point, the row's basis, year and source;
 *   4. the world average of the table.
 * Single points are stamped now_unix_ms (a step function extends its first value
 * backwards, so the stamp changes nothing). Returns 0; -EBADMSG with err = "FILE:LINE:
 * reason" for a bad file, -errno with err when it cannot be read, -ENOMEM. */
int aim__intensity_choose(const aim_config *cfg, int64_t now_unix_ms, aim_intensity_series *out,
                         char *err, size_t errlen);

/* As aim__intensity_choose, with cfg's live provider asked in its slot, between the file and
 * the zone (run_provider.h: its latest value, AIM_RUN_PROVIDER_START_MS at most). When it
 * answers, *ret_live is the provider (the caller starts its feed and frees it) and warning
 * holds the answer's caveat, if any. When it cannot (offline, a refused key, a rate limit,
 * a bad answer), that is not an error: the next input gives the series, and warning says
 * why in one line naming the provider and what is used instead. aim__intensity_choose()
 * never asks a provider (tests, and anything that must not do I/O). Errors as above. */
struct aim_run_provider;
int aim__intensity_choose_live(const aim_config *cfg, int64_t now_unix_ms,
                              aim_intensity_series *out, struct aim_run_provider **ret_live,
                              char *warning, size_t warnlen, char *err, size_t errlen);

/* The price series: a constant (--price) as one point, a time-of-use file (--price-file),
 * or nothing (origin AIM_ORIGIN_NONE, no points). Errors as above. */
int aim__price_choose(const aim_config *cfg, int64_t now_unix_ms, aim_intensity_series *out,
                     char *err, size_t errlen);

#endif
