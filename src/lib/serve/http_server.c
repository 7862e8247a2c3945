/* The HTTP server (http_server.h): libmicrohttpd with one internal polling thread, so a
 * route runs for one request at a time, or (aim_http_options.threads) a thread per
 * connection, so that a stream's producer may wait for data without holding up the other
 * connections; and the limits below, the same in both. */
#include "serve/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "serve/web_auth.h"
#include "serve/web_deadline.h"
#include "serve/web_mhd.h"
#include "serve/web_origin.h"

/* One address holds at most an eighth of the connections: a client from elsewhere finds a
 * free one unless eight addresses gang up, and those lose theirs at the deadline. */
#define CONNECTION_LIMIT 64
#define PER_ADDRESS_LIMIT 8
#define CONNECTION_MEMORY (16 * 1024)
#define IDLE_TIMEOUT_S 10
#define REQUEST_DEADLINE_NS (10 * 1000000000LL)
#define STREAM_BLOCK 4096

struct aim_http_server {
    struct MHD_Daemon *daemon;
    aim_http_handler handler;
    void *ctx;
    aim_http_options opts;
    aim_web_config *web;           /* the web-config file (TLS, credentials); NULL: none */
    aim_web_auth *auth;            /* NULL: no authentication asked for */
    aim_prom_stats *stats;         /* NULL: not counted */
    aim_web_deadline *deadline;    /* the watchdog of each request's deadline */
    char listen[64];               /* the address literal listened on (web_origin.h) */
    int tls;                       /* https: a POST's own origin (web_origin.h) */
    atomic_int stopping;           /* the streams end at their next chunk */
};

/* A request whose body is being read (its req_cls until notify_completed). */
typedef struct upload {
    aim_strbuf body;
    int too_large;                 /* past AIM_HTTP_BODY_MAX: the rest is read and dropped */
} upload;

/* A stream being sent (MHD_create_response_from_callback's). */
typedef struct streaming {
    aim_http_stream s;
    aim_http_server *srv;
    aim_strbuf out;                /* the producer's last chunk */
    size_t sent;                   /* of out */
    int done;                      /* the producer said its last */
} streaming;

int64_t aim__http_now_ns(void) {
    return aim__web_deadline_now();
}

const char *aim__http_query(const aim_http_request *req, const char *key) {
    return req->query ? req->query(req, key) : NULL;
}

int aim__http_respond(aim_http_response *resp, unsigned status, const char *type,
                      const char *text) {
    free(resp->body);
    resp->body = strdup(text);
    resp->len = resp->body ? strlen(text) : 0;
    resp->status = status;
    resp->type = type;
    return resp->body ? 0 : -ENOMEM;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    streaming *st = cls;
    while (st->sent == st->out.len) {
        if (st->done || atomic_load(&st->srv->stopping))
            return st->done > 0 ? MHD_CONTENT_READER_END_OF_STREAM
                                : MHD_CONTENT_READER_END_WITH_ERROR;
        st->out.len = st->sent = 0;
        int r = st->s.next(st->s.cls, &st->out); /* may wait about a second */
        if (st->out.err)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (r <= 0)
            st->done = r == 0 ? 1 : -1; /* what it appended still goes out */
    }
    size_t n = st->out.len - st->sent < max ? st->out.len - st->sent : max;
    memcpy(buf, st->out.data + st->sent, n);
    st->sent += n;
    return (ssize_t)n;
}

static void free_stream(void *cls) {
    streaming *st = cls;
    if (st->s.free)
        st->s.free(st->s.cls);
    aim__strbuf_free(&st->out);
    free(st);
}

static struct MHD_Response *stream_response(aim_http_server *srv, aim_http_response *resp) {
    streaming *st = srv->opts.threads ? calloc(1, sizeof *st) : NULL;
    struct MHD_Response *r = NULL;
    free(resp->body); /* a stream has no body of its own */
    resp->body = NULL;
    if (st) {
        *st = (streaming){ .s = resp->stream, .srv = srv };
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, read_stream, st,
                                              free_stream);
        if (!r)
            free(st);
    }
    if (!r && resp->stream.free) /* not taken: freed here */
        resp->stream.free(resp->stream.cls);
    return r;
}

static enum MHD_Result queue(aim_http_server *srv, struct MHD_Connection *c,
                             aim_http_response *resp) {
    struct MHD_Response *r = resp->stream.next
        ? stream_response(srv, resp)
        : MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(resp->body);
        return MHD_NO;
    }
    if (resp->type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->type);
    if (resp->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, resp->cache_control);
    for (const char *const *h = srv->opts.headers; h && h[0] && h[1]; h += 2)
        MHD_add_response_header(r, h[0], h[1]);
    enum MHD_Result ok = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *mhd_query(const aim_http_request *req, const char *key) {
    return MHD_lookup_connection_value(req->query_cls, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result too_large(aim_http_server *srv, struct MHD_Connection *c) {
    aim_http_response resp = { 0 };
    if (aim__http_respond(&resp, MHD_HTTP_CONTENT_TOO_LARGE, "application/json; charset=utf-8",
                          "{\"error\": \"request body too large: at most 1 MiB\"}\n") < 0)
        return MHD_NO;
    return queue(srv, c, &resp);
}

/* A one-line text answer of status (a refusal before any route). */
static enum MHD_Result refuse(aim_http_server *srv, struct MHD_Connection *c, unsigned status,
                              const char *text) {
    aim_http_response resp = { 0 };
    if (aim__http_respond(&resp, status, "text/plain; charset=utf-8", text) < 0)
        return MHD_NO;
    return queue(srv, c, &resp);
}

/* Whether the request announces a body larger than the server reads. */
static int announced_too_large(struct MHD_Connection *c) {
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!v)
        return 0;
    unsigned long long n = 0;
    for (; *v >= '0' && *v <= '9' && n <= AIM_HTTP_BODY_MAX; v++)
        n = n * 10 + (unsigned)(*v - '0');
    return n > AIM_HTTP_BODY_MAX;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
    (void)version;
    aim_http_server *srv = cls;
    upload *up = *req_cls;
    if (up && *upload_data_size) { /* a piece of the body */
        /* libmicrohttpd takes no answer before the body's end (chunked: no length known):
         * past the bound the rest is dropped as it comes, within the request's deadline */
        if (up->too_large || up->body.len + *upload_data_size > AIM_HTTP_BODY_MAX) {
            up->too_large = 1;
            aim__strbuf_free(&up->body);
        } else {
            aim__strbuf_appendn(&up->body, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    aim_http_request req = {
        .method = method, .path = url, .query = mhd_query, .query_cls = c,
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE),
        .last_event_id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID"),
        .deadline_ns = aim__web_deadline_of(srv->deadline, c),
    };
    if (!up) { /* the headers are in: Host, credentials, Origin, then decide on a body */
        const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
        /* without credentials only a name of this server: no DNS rebinding (web_origin.h) */
        if (!srv->auth && !aim__web_host_ok(host, srv->listen))
            return refuse(srv, c, 421, "misdirected request: this aimeter answers to localhost, "
                                       "127.0.0.1, [::1] or the address it listens on\n");
        aim_auth_verdict verdict = srv->auth ? aim__web_mhd_check(srv->auth, c) : AIM_AUTH_OK;
        if (verdict != AIM_AUTH_OK)
            return aim__web_mhd_refuse(c, srv->auth, verdict, srv->opts.headers);
        if (strcmp(method, "POST") == 0 &&
            !aim__web_origin_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"), host,
                                srv->tls))
            return refuse(srv, c, MHD_HTTP_FORBIDDEN, "forbidden: a POST from another origin\n");
        if (srv->opts.wants_body && srv->opts.wants_body(srv->ctx, &req)) {
            if (announced_too_large(c))
                return too_large(srv, c);
            if (!(*req_cls = calloc(1, sizeof(upload))))
                return MHD_NO;
            return MHD_YES; /* the body comes in the next calls, then one with size 0 */
        }
    } else {
        if (up->too_large)
            return too_large(srv, c);
        if (up->body.err)
            return MHD_NO;
        req.body = up->body.data ? up->body.data : "";
        req.body_len = up->body.len;
    }
    aim_http_response resp = { .status = MHD_HTTP_OK };
    if (srv->handler(srv->ctx, &req, &resp) < 0) {
        if (resp.stream.free)
            resp.stream.free(resp.stream.cls);
        resp.stream = (aim_http_stream){ 0 };
        if (aim__http_respond(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                              "out of memory\n") < 0)
            return MHD_NO;
    }
    return queue(srv, c, &resp);
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
    aim_http_server *srv = cls;
    if (srv->stats)
        aim__prom_stats_connection(srv->stats, c, socket_context, code);
    aim__web_deadline_connection(srv->deadline, c, socket_context, code);
}

static void *notify_request(void *cls, const char *uri, struct MHD_Connection *c) {
    aim_http_server *srv = cls;
    return srv->stats ? aim__prom_stats_request(srv->stats, uri, c) : NULL;
}

static void notify_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                             enum MHD_RequestTerminationCode toe) {
    (void)toe;
    upload *up = *req_cls;
    if (up) {
        aim__strbuf_free(&up->body);
        free(up);
        *req_cls = NULL;
    }
    aim__web_deadline_completed(((aim_http_server *)cls)->deadline, c);
}

static int start(const char *address, unsigned port, aim_web_config *web,
                 aim_http_server *srv) {
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD; /* no MHD_USE_ERROR_LOG: the library never prints */
    if (srv->opts.threads)
        flags |= MHD_USE_THREAD_PER_CONNECTION;
    if (port > 65535 || !address)
        return -EINVAL;
    if (inet_pton(AF_INET, address, &v4.sin_addr) == 1) {
        sa = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, address, &v6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return -EINVAL;
    }
    struct MHD_OptionItem web_options[AIM_WEB_MHD_OPTIONS];
    int r;
    if (strlen(address) >= sizeof srv->listen)
        return -EINVAL;
    strcpy(srv->listen, address);
    if ((r = aim__web_mhd_options(web, &flags, web_options)) < 0 ||
        (r = aim__web_auth_new(web, NULL, &srv->auth)) < 0 ||
        (r = aim__web_deadline_new(CONNECTION_LIMIT, REQUEST_DEADLINE_NS, &srv->deadline)) < 0)
        return r;
    srv->tls = (flags & MHD_USE_TLS) != 0;
    srv->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, srv,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_ARRAY, web_options,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, (void *)srv,
        MHD_OPTION_NOTIFY_COMPLETED, notify_completed, (void *)srv,
        MHD_OPTION_URI_LOG_CALLBACK, notify_request, (void *)srv,
        MHD_OPTION_END);
    if (!srv->daemon) /* MHD does not say why; a taken port is by far the likeliest */
        return errno == EACCES ? -EACCES : -EADDRINUSE;
    return 0;
}

int aim__http_server_start(const char *address, unsigned port, aim_web_config *web,
                           aim_http_handler handler, void *ctx, aim_prom_stats *stats,
                           const aim_http_options *opts, aim_http_server **ret) {
    aim_http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        aim__web_config_free(web);
        return -ENOMEM;
    }
    *srv = (aim_http_server){ .handler = handler, .ctx = ctx, .stats = stats, .web = web };
    if (opts)
        srv->opts = *opts;
    int r = start(address, port, web, srv);
    if (r < 0) {
        aim__http_server_stop(srv);
        return r;
    }
    *ret = srv;
    return 0;
}

void aim__http_server_stop(aim_http_server *srv) {
    if (!srv)
        return;
    atomic_store(&srv->stopping, 1); /* a stream ends at its producer's next return */
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    aim__web_auth_free(srv->auth);
    aim__web_config_free(srv->web);
    aim__web_deadline_free(srv->deadline); /* after the daemon: it notifies until it stops */
    free(srv);
}
