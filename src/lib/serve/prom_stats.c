/* Counting for the self-metrics (prom_stats.h). */
#include "serve/prom_stats.h"

#include <string.h>

#include "engine/live_view.h"

void aim__prom_stats_init(aim_prom_stats *st, aim_session *s, const char *version) {
    st->session = s;
    st->version = version;
    atomic_init(&st->connections, 0);
    atomic_init(&st->open, 0);
    atomic_init(&st->requests, 0);
    atomic_init(&st->scrapes, 0);
}

void aim__prom_stats_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                                enum MHD_ConnectionNotificationCode code) {
    aim_prom_stats *st = cls;
    (void)c;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add_explicit(&st->connections, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->open, 1, memory_order_relaxed);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        atomic_fetch_sub_explicit(&st->open, 1, memory_order_relaxed);
    }
}

void *aim__prom_stats_request(void *cls, const char *uri, struct MHD_Connection *c) {
    aim_prom_stats *st = cls;
    (void)uri;
    (void)c;
    atomic_fetch_add_explicit(&st->requests, 1, memory_order_relaxed);
    return NULL;
}

void aim__prom_stats_scrape(aim_prom_stats *st, aim_prom_self *ret) {
    aim_live_counters lc = { 0 };
    memset(ret, 0, sizeof *ret);
    /* A started session always answers; zeros are the figures of one that did not. */
    if (aim__session_live_counters(st->session, &lc) < 0)
        lc = (aim_live_counters){ 0 };
    ret->version = st->version;
    ret->ticks = lc.ticks;
    ret->missed = lc.missed;
    ret->interval_s = lc.interval_s;
    ret->connections = atomic_load_explicit(&st->connections, memory_order_relaxed);
    ret->connections_open = atomic_load_explicit(&st->open, memory_order_relaxed);
    ret->requests = atomic_load_explicit(&st->requests, memory_order_relaxed);
    ret->scrapes = atomic_fetch_add_explicit(&st->scrapes, 1, memory_order_relaxed) + 1;
}
