/* The HTTP server of aimeter (libmicrohttpd), whatever it serves: the live routes of a run
 * or an agent (prom_server.c: /metrics, /api/live) and the store's JSON API of `aimeter
 * serve` (api/serve_api.c). It owns what every server needs: the listening socket, the
 * limits that keep a slow or hostile client from exhausting aimeter (connections in total
 * and per address, 16 KiB of memory per connection, a 10 s idle timeout and a 10 s deadline
 * on each whole request: web_deadline.h), the web-config file's TLS and credentials (checked
 * before any route; without credentials, a Host naming this server: 421 else; a POST's Origin,
 * when sent, its own: 403 else; web_origin.h), the self-metrics' counting (prom_stats.h) when asked, request bodies
 * (at most 1 MiB, for the routes that take one), headers on every answer (the UI's security
 * headers), and streamed answers (Server-Sent Events, sse.h) in a thread per connection.
 * What a path answers is the route callback's: a pure function of the request, no
 * libmicrohttpd in it, so routes are unit-tested and fuzzed without a socket. */
#ifndef AIM_SERVE_HTTP_SERVER_H
#define AIM_SERVE_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "serve/prom_stats.h"
#include "serve/web_config.h"
#include "util/strbuf.h"

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
    /* The request's body, a NUL-terminated copy of at most AIM_HTTP_BODY_MAX bytes: only for
     * a request whose route accepts one (aim_http_options.wants_body); else NULL, 0. */
    const char *body;
    size_t body_len;
    const char *content_type;      /* the Content-Type header, NULL when none */
    const char *last_event_id;     /* the Last-Event-ID header (an EventSource's), NULL */
    /* When the server cuts this request (CLOCK_MONOTONIC ns, aim__http_now_ns; 0: never): a
     * stream ends before it (on a kept-alive connection the idle time before counts). */
    int64_t deadline_ns;
};

/* CLOCK_MONOTONIC in ns, the clock of deadline_ns. */
int64_t aim__http_now_ns(void);

/* The largest request body the server reads (413 beyond). */
#define AIM_HTTP_BODY_MAX (1024 * 1024)

/* A streamed answer (Server-Sent Events, serve/sse.h): the server calls next from the
 * connection's own thread until it returns 0 or a negative errno, sending what it appended
 * to out as it comes, then free (also when the client went away or the server stops). next
 * may wait (about a second at most) for something to send; it owns the bound on the whole
 * stream's length (the request deadline of web_deadline.h cuts a longer one). */
typedef struct aim_http_stream {
    int (*next)(void *cls, aim_strbuf *out);  /* 1 more to come, 0 the end, -errno */
    void (*free)(void *cls);
    void *cls;
} aim_http_stream;

/* The answer a route fills. body is malloc'd and taken by the server (NULL: empty). */
typedef struct aim_http_response {
    unsigned status;               /* 200, 400, ... */
    const char *type;              /* Content-Type, a static string */
    char *body;
    size_t len;
    const char *allow;             /* an Allow header (405), static; NULL: none */
    const char *cache_control;     /* a Cache-Control header, static; NULL: none */
    aim_http_stream stream;        /* next set: the answer is this stream, body unused */
} aim_http_response;

/* A route: fills resp for req; 0, or a negative errno, answered 500 (resp's body freed). */
typedef int (*aim_http_handler)(void *ctx, const aim_http_request *req, aim_http_response *resp);

/* The value of req's query parameter key, NULL when absent. */
const char *aim__http_query(const aim_http_request *req, const char *key);

/* resp set to a copy of text with the given status and type; 0 or -ENOMEM. */
int aim__http_respond(aim_http_response *resp, unsigned status, const char *type,
                      const char *text);

typedef struct aim_http_server aim_http_server;

/* What a server may do beyond answering GETs one at a time (aim__http_server_start). */
typedef struct aim_http_options {
    /* name, value, name, value, ..., NULL: headers added to every answer (security headers) */
    const char *const *headers;
    /* Whether req's route reads a body (req->body still NULL): 1 yes, 0 no (the route is
     * called at once and answers, e.g. 405). NULL: no route reads one. */
    int (*wants_body)(void *ctx, const aim_http_request *req);
    /* 1: a thread per connection, so routes run concurrently (ctx's own locking) and may
     * answer with a stream; 0: libmicrohttpd's one polling thread, no streams. */
    int threads;
} aim_http_options;

/* Listens on address (an IPv4 or IPv6 literal) and port and answers every request that the
 * web-config file's credentials let through (web: NULL for none; taken over: freed with the
 * server, or at once when the start fails) with handler(ctx, ...) in libmicrohttpd's one
 * polling thread, or a thread per connection (opts; NULL: the defaults, all 0). stats (NULL:
 * none; only without threads) counts connections and requests; it, opts' headers and ctx
 * must outlive the server. -EINVAL (address, port), -EADDRINUSE, -EACCES, -ENOMEM,
 * -EOPNOTSUPP (TLS asked for, none in this libmicrohttpd), -errno of the watchdog's thread. */
int aim__http_server_start(const char *address, unsigned port, aim_web_config *web,
                           aim_http_handler handler, void *ctx, aim_prom_stats *stats,
                           const aim_http_options *opts, aim_http_server **ret);
/* Stops listening and waits for the answers in flight; NULL: no-op. */
void aim__http_server_stop(aim_http_server *srv);

#endif
