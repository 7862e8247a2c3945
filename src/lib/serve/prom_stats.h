/* The metrics server's side of the self-metrics (report/prometheus_self.h): connections and
 * requests counted through libmicrohttpd's notification callbacks, scrapes counted when the
 * exposition is rendered, and the sampler's counters read from the session
 * (engine/live_view.h). Atomics: the callbacks and the renderer run in libmicrohttpd's
 * thread(s), whichever threading mode the server uses. */
#ifndef AIM_SERVE_PROM_STATS_H
#define AIM_SERVE_PROM_STATS_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "aimeter.h"
#include "report/prometheus_self.h"

typedef struct aim_prom_stats {
    aim_session *session;
    const char *version;
    atomic_uint_fast64_t connections, open, requests, scrapes;
} aim_prom_stats;

void aim__prom_stats_init(aim_prom_stats *st, aim_session *s, const char *version);

/* Counting connections (the server's MHD_OPTION_NOTIFY_CONNECTION callback calls it, with
 * the deadline's: web_deadline.h) and requests (the MHD_start_daemon options below). The
 * request callback hands NULL on as the request's req_cls, so an access handler sees what it
 * would without it. */
void aim__prom_stats_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                                enum MHD_ConnectionNotificationCode code);
void *aim__prom_stats_request(void *cls, const char *uri, struct MHD_Connection *c);
#define AIM_PROM_STATS_OPTIONS(st) \
    MHD_OPTION_URI_LOG_CALLBACK, aim__prom_stats_request, (void *)(st)

/* One scrape: counts it and fills ret with every figure (this scrape included). */
void aim__prom_stats_scrape(aim_prom_stats *st, aim_prom_self *ret);

#endif
