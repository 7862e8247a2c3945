/* Which Host and Origin headers a server takes (http_server.c): the defence against DNS
 * rebinding and cross-site POSTs. A page of another site can make the browser send requests
 * to aimeter's loopback port under a name of its own (rebinding that name to 127.0.0.1):
 * the request then carries that name in Host. A server without credentials (the only kind
 * that may listen on loopback only, docs/cli.md) takes only a Host naming loopback or the
 * address it listens on; a POST's Origin, when sent, must be the server's own. */
#ifndef AIM_SERVE_WEB_ORIGIN_H
#define AIM_SERVE_WEB_ORIGIN_H

/* Whether host (a Host header's value: NAME or NAME:PORT, an IPv6 literal in brackets) names
 * this server: localhost, 127.0.0.1, [::1] or listen (the IPv4 or IPv6 literal listened on,
 * compared as addresses), any port or none, case-insensitively. NULL host (an HTTP/1.0
 * request without one; a browser always sends it): 1. */
int aim__web_host_ok(const char *host, const char *listen);

/* Whether origin (an Origin header's value, NULL when absent: 1) is this server's own: the
 * scheme it serves (https when tls, else http), "://", then exactly host (the request's
 * Host, case-insensitively). "null" and any other origin: 0. */
int aim__web_origin_ok(const char *origin, const char *host, int tls);

#endif
