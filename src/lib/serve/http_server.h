/* The HTTP server of aimeter (libmicrohttpd), whatever it serves: the live routes of a run
 * or an agent (prom_server.c: /metrics, /api/live) and the store's JSON API of `aimeter
 * serve` (api/serve_api.c). It owns what every server needs: the listening socket, the
 * limits that keep a slow or hostile client from exhausting aimeter (connections in total
 * and per address, 16 KiB of memory per connection, a 10 s idle timeout and a 10 s deadline
 * on each whole request: web_deadline.h), the web-config file's TLS and credentials (checked
 * before any route), and the self-metrics' counting (prom_stats.h) when asked. What a path
 * answers is the route callback's: a pure function of the request, no libmicrohttpd in it,
 * so routes are unit-tested and fuzzed without a socket. */
#ifndef AIM_SERVE_HTTP_SERVER_H
#define AIM_SERVE_HTTP_SERVER_H

#include <stddef.h>

#include "serve/prom_stats.h"
#include "serve/web_config.h"

typedef struct aim_http_request aim_http_request;

/* A request as a route sees it. path is decoded (percent escapes resolved) and without the
 * query; the query's parameters are read through aim__http_query. */
struct aim_http_request {
    const char *method;            /* "GET", "HEAD", "POST", ... */
    const char *path;
    const char *accept;            /* the Accept header, NULL when none */
    /* the value of the query parameter key (decoded; "" for `?key`), NULL when absent */
    const char *(*query)(const aim_http_request *req, const char *key);
    void *query_cls;               /* the query function's own */
};

/* The answer a route fills. body is malloc'd and taken by the server (NULL: empty). */
typedef struct aim_http_response {
    unsigned status;               /* 200, 400, ... */
    const char *type;              /* Content-Type, a static string */
    char *body;
    size_t len;
    const char *allow;             /* an Allow header (405), static; NULL: none */
} aim_http_response;

/* A route: fills resp for req; 0, or a negative errno, answered 500 (resp's body freed). */
typedef int (*aim_http_handler)(void *ctx, const aim_http_request *req, aim_http_response *resp);

/* The value of req's query parameter key, NULL when absent. */
const char *aim__http_query(const aim_http_request *req, const char *key);

/* resp set to a copy of text with the given status and type; 0 or -ENOMEM. */
int aim__http_respond(aim_http_response *resp, unsigned status, const char *type,
                      const char *text);

typedef struct aim_http_server aim_http_server;

/* Listens on address (an IPv4 or IPv6 literal) and port and answers every request that the
 * web-config file's credentials let through (web: NULL for none; taken over: freed with the
 * server, or at once when the start fails) with handler(ctx, ...) in libmicrohttpd's one
 * polling thread. stats (NULL: none) counts connections and requests; it and ctx must
 * outlive the server. -EINVAL (address, port), -EADDRINUSE, -EACCES, -ENOMEM, -EOPNOTSUPP
 * (TLS asked for, none in this libmicrohttpd), -errno of the watchdog's thread. */
int aim__http_server_start(const char *address, unsigned port, aim_web_config *web,
                           aim_http_handler handler, void *ctx, aim_prom_stats *stats,
                           aim_http_server **ret);
/* Stops listening and waits for the answers in flight; NULL: no-op. */
void aim__http_server_stop(aim_http_server *srv);

#endif
