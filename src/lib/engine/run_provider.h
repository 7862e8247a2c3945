/* A live provider during a run (docs/methodology.md, "Live providers"): one synchronous fetch
 * of the latest value when the run starts, which starts the run's intensity series; a feed
 * thread (provider_feed.h) that appends each new point to the series as it arrives; and at
 * the end a back-fill of the run's span from the provider's history, merged with what was
 * received into the series the run is priced with again. Nothing here prices energy or
 * touches the store: run_carbon.c does. Nothing here prints; messages for the user come back
 * in buffers and never hold a key. */
#ifndef AIM_RUN_PROVIDER_H
#define AIM_RUN_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "providers/provider_impl.h"
#include "model/intensity_series.h"
#include "engine/config.h"

/* The start waits this long at most for the first answer: a run's command must not wait on
 * a slow provider, and a provider that cannot answer in 3 s is taken as unavailable (the
 * run then uses the table, and says so). */
#define AIM_RUN_PROVIDER_START_MS 3000
/* The back-fill at the end waits this long at most (every request of it together). */
#define AIM_RUN_PROVIDER_BACKFILL_MS 10000

typedef struct aim_run_provider aim_run_provider;

/* The query for cfg's provider, without any I/O: asked for the provider's own region
 * (cfg->provider_region) if given, else the position (cfg->lat/lon), else the zone
 * (cfg->zone); the marginal signal when cfg->marginal. q's strings borrow cfg. 0, -ENOENT
 * when cfg has no provider, -EINVAL/-EOPNOTSUPP with err (aim__provider_check_query). */
int aim__run_provider_query(const aim_config *cfg, aim_provider_query *q, char *err, size_t errlen);

/* Asks cfg's provider for its latest value, timeout_ms at most (the disk cache is used as
 * for `aimeter intensity`). On success returns 0, appends the points to out (empty, not yet
 * shared with other threads), sets its origin (provider), zone, signal, basis and source
 * (provider, zone, signal, fetch time, cache or stale status), puts the answer's caveat in
 * note ("" when none) and the provider in *ret (free with aim__run_provider_free). On failure
 * -errno with one line in note (never a secret), out untouched. */
int aim__run_provider_open(const aim_config *cfg, int64_t timeout_ms, aim_intensity_series *out,
                          aim_run_provider **ret, char *note, size_t notelen);

/* Starts polling the latest value at cadence_ms (0: the provider's own cadence; the
 * environment variable AIMETER_PROVIDER_CADENCE, a duration of at least 100ms, overrides it
 * for tests). Each answer whose newest point is new (a later period, or a revised value) has
 * that point appended to series as it arrives (series.h moves it to the time priced so far
 * when it is older). The polling thread appends; the series' mutex is all it shares with the
 * writer, so the sampler never waits on the provider. -EALREADY, -ENOMEM, -errno. */
int aim__run_provider_start(aim_run_provider *p, aim_intensity_series *series, int64_t cadence_ms);

/* Stops polling (aborting a request in flight) and waits for the thread. Idempotent. */
void aim__run_provider_stop(aim_run_provider *p);

/* Polls made and failed since the start, and the last error or caveat (note may be NULL). */
void aim__run_provider_counts(aim_run_provider *p, uint64_t *ret_polls, uint64_t *ret_failures,
                             char *note, size_t notelen);

/* Points received so far (the start's answer and every poll's), at their own times. */
size_t aim__run_provider_received(aim_run_provider *p);

/* The provider's history for [from_ms, to_ms) (timeout_ms at most, no disk cache: the run
 * stores what it uses), merged with the points received (aim__run_provider_merge) into *ret
 * (free with aim__prov_series_free). source gets the history answer's source, note its
 * caveat ("" when none). -errno with one line in note. Call after aim__run_provider_stop. */
int aim__run_provider_backfill(aim_run_provider *p, int64_t from_ms, int64_t to_ms,
                              int64_t timeout_ms, aim_prov_series *ret, char *source,
                              size_t sourcelen, char *note, size_t notelen);

/* The series a run is priced with at its end. The history is authoritative over the span it
 * covers, [its first point, its last point]: it holds the values the provider published
 * after the fact, or revised. Points received live fill in before and after it (a history
 * that starts late, or a newer period than the history has yet). The result is clipped to
 * the value in force at from_ms and the points before to_ms. Inputs sorted, distinct times.
 * Pure. 0, -ENOMEM, -EFBIG. */
int aim__run_provider_merge(const aim_intensity_point *live, size_t n_live,
                           const aim_intensity_point *hist, size_t n_hist, int64_t from_ms,
                           int64_t to_ms, aim_prov_series *out);

/* "electricitymaps", "watttime", "ukgrid". */
const char *aim__run_provider_name(const aim_run_provider *p);

/* Stops if needed and frees. Accepts NULL. */
void aim__run_provider_free(aim_run_provider *p);

#endif
