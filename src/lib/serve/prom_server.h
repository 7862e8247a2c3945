/* /metrics over HTTP (libmicrohttpd) for a running session: the Prometheus text format, or
 * OpenMetrics when the scraper's Accept asks for it. A scrape copies the live snapshot
 * (engine/live.h, a seqlock: it never blocks the writer) and never touches hardware. */
#ifndef AIM_SERVE_PROM_SERVER_H
#define AIM_SERVE_PROM_SERVER_H

#include "aimeter.h"
#include "serve/web_config.h"

typedef struct aim_prom_server aim_prom_server;

/* Listens on address (an IPv4 or IPv6 literal) and port, for a started session, which must
 * outlive the server. -EINVAL (address, session not started), -EADDRINUSE, -EACCES, -ENOMEM,
 * -EIO (the daemon would not start). */
int aim__prom_server_start(aim_session *s, const char *address, unsigned port,
                           aim_prom_server **ret);
/* The same, with a web-config file's TLS and credentials (serve/web_config.h; NULL: none),
 * which the server takes over (freed with it, or at once when the start fails). Also
 * -EOPNOTSUPP: TLS asked for, and this libmicrohttpd has none; -EINVAL: a certificate or
 * key GnuTLS refuses. */
int aim__prom_server_start_web(aim_session *s, const char *address, unsigned port,
                               aim_web_config *web, aim_prom_server **ret);
void aim__prom_server_stop(aim_prom_server *srv);

#endif
