/* A live provider during a run: one thread polls the provider at the provider's own cadence
 * (not per sample: the grid changes every 5 to 30 minutes, and free keys are rate
 * limited), keeps every distinct point received, honours Retry-After and backs off on
 * errors. The run reads the latest value while sampling, copies the whole series out at
 * the end, and back-fills the run's span from the provider's history where it has one. */
#ifndef AIM_PROVIDER_FEED_H
#define AIM_PROVIDER_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "providers/provider.h"

typedef struct aim_provider_feed aim_provider_feed;

/* A feed for q's provider/zone/signal (its from/to are ignored: the feed asks for the
 * latest value). q's strings are copied. cadence_ms 0 = aim__provider_cadence_ms(); tests
 * pass a short one. -EINVAL for a query the provider can never answer (checked here, so a
 * typo fails before the run starts), -ENOMEM. */
int aim__provider_feed_new(const aim_provider_query *q, int64_t cadence_ms, aim_provider_feed **ret);

/* Called on the polling thread after every successful answer, with that answer's points
 * (sorted, distinct times) and what it said about them. Outside the feed's lock: it may call
 * aim__provider_feed_latest/_points. It should not block for long (a stop waits for it).
 * This is how a run gets each new point into its intensity series as it arrives, without
 * a thread of its own and without the sampler ever waiting on the provider. */
typedef void (*aim_provider_feed_fn)(void *userdata, const aim_intensity_point *points, size_t n,
                                     const aim_provider_result *meta);

/* Sets the callback (NULL: none). Only before aim__provider_feed_start. -EALREADY after. */
int aim__provider_feed_set_callback(aim_provider_feed *f, aim_provider_feed_fn fn, void *userdata);

/* Starts the polling thread; the first poll is immediate. -EALREADY, or -errno from
 * pthread_create. */
int aim__provider_feed_start(aim_provider_feed *f);

/* The newest point received. 0; -ENODATA when none yet (note says why: the last error, or
 * "waiting for the first answer"). note, when not NULL, gets the current caveat or the
 * last error ("" when none). Thread-safe, cheap (a mutex, no I/O). */
int aim__provider_feed_latest(aim_provider_feed *f, aim_intensity_point *ret, char *note,
                             size_t notelen);

/* Copies every distinct point received, sorted, into r->points (r->cap), with the zone,
 * signal, basis and source of the last answer. r->n is the number of points; -ENOBUFS
 * when they do not fit (r->n says how many), -ENODATA when there are none. */
int aim__provider_feed_points(aim_provider_feed *f, aim_provider_result *r);

/* Polls made, and those that failed (tests, and the report's warnings). */
void aim__provider_feed_counts(aim_provider_feed *f, uint64_t *ret_polls, uint64_t *ret_failures);

/* Stops the thread (aborting a request in flight) and waits for it. Idempotent. */
void aim__provider_feed_stop(aim_provider_feed *f);

/* Stops if needed and frees. Accepts NULL. */
void aim__provider_feed_free(aim_provider_feed *f);

/* The provider's history for [from, to): aim__provider_fetch with that period. Where the
 * account or the API has no history, the result holds what it does have (the current
 * value, with a note), or the error. */
int aim__provider_backfill(const aim_provider_query *q, int64_t from_ms, int64_t to_ms,
                          aim_provider_result *r, char *err, size_t errlen);

#endif
