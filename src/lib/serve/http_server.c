/* The HTTP server (http_server.h): libmicrohttpd with one internal polling thread, so a
 * route runs for one request at a time, and the limits below. */
#include "serve/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "serve/web_auth.h"
#include "serve/web_deadline.h"
#include "serve/web_mhd.h"

/* One address holds at most an eighth of the connections: a client from elsewhere finds a
 * free one unless eight addresses gang up, and those lose theirs at the deadline. */
#define CONNECTION_LIMIT 64
#define PER_ADDRESS_LIMIT 8
#define CONNECTION_MEMORY (16 * 1024)
#define IDLE_TIMEOUT_S 10
#define REQUEST_DEADLINE_NS (10 * 1000000000LL)

struct aim_http_server {
    struct MHD_Daemon *daemon;
    aim_http_handler handler;
    void *ctx;
    aim_web_config *web;           /* the web-config file (TLS, credentials); NULL: none */
    aim_web_auth *auth;            /* NULL: no authentication asked for */
    aim_prom_stats *stats;         /* NULL: not counted */
    aim_web_deadline *deadline;    /* the watchdog of each request's deadline */
};

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

static enum MHD_Result queue(struct MHD_Connection *c, aim_http_response *resp) {
    struct MHD_Response *r = MHD_create_response_from_buffer(resp->len, resp->body,
                                                             MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(resp->body);
        return MHD_NO;
    }
    if (resp->type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->type);
    if (resp->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
    enum MHD_Result ok = MHD_queue_response(c, resp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *mhd_query(const aim_http_request *req, const char *key) {
    return MHD_lookup_connection_value(req->query_cls, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    aim_http_server *srv = cls;
    aim_auth_verdict verdict = srv->auth ? aim__web_mhd_check(srv->auth, c) : AIM_AUTH_OK;
    if (verdict != AIM_AUTH_OK)
        return aim__web_mhd_refuse(c, srv->auth, verdict);
    aim_http_request req = {
        .method = method, .path = url, .query = mhd_query, .query_cls = c,
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
    };
    aim_http_response resp = { .status = MHD_HTTP_OK };
    if (srv->handler(srv->ctx, &req, &resp) < 0 &&
        aim__http_respond(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                          "out of memory\n") < 0)
        return MHD_NO;
    return queue(c, &resp);
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
    (void)req_cls;
    (void)toe;
    aim__web_deadline_completed(((aim_http_server *)cls)->deadline, c);
}

static int start(const char *address, unsigned port, aim_web_config *web,
                 aim_http_server *srv) {
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD; /* no MHD_USE_ERROR_LOG: the library never prints */
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
    if ((r = aim__web_mhd_options(web, &flags, web_options)) < 0 ||
        (r = aim__web_auth_new(web, NULL, &srv->auth)) < 0 ||
        (r = aim__web_deadline_new(CONNECTION_LIMIT, REQUEST_DEADLINE_NS, &srv->deadline)) < 0)
        return r;
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
                           aim_http_server **ret) {
    aim_http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        aim__web_config_free(web);
        return -ENOMEM;
    }
    *srv = (aim_http_server){ .handler = handler, .ctx = ctx, .stats = stats, .web = web };
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
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    aim__web_auth_free(srv->auth);
    aim__web_config_free(srv->web);
    aim__web_deadline_free(srv->deadline); /* after the daemon: it notifies until it stops */
    free(srv);
}
