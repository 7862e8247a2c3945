/* aim_api_server_*: the UI (serve/ui_routes.h) and the store's JSON API (serve_api.h) over
 * the HTTP server (serve/http_server.h) with a thread per connection (the event streams
 * wait), the store opened for the server's life (read-only unless import is allowed) and
 * used under one mutex. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "api/serve_api.h"
#include "serve/http_server.h"
#include "serve/ui_routes.h"
#include "serve/web_config.h"
#include "store/store.h"

struct aim_api_server {
    aim_serve_ctx ctx;
    pthread_mutex_t lock;          /* ctx.store's */
    aim_http_server *http;
};

/* The server's handler: the UI's paths, else the API's. */
static int route(void *ctx, const aim_http_request *req, aim_http_response *resp) {
    if (aim__ui_path(req->path))
        return aim__ui_handle(req, resp);
    return aim__serve_api_handle(ctx, req, resp);
}

AIM_PUBLIC void aim_api_server_stop(aim_api_server *server) {
    if (!server)
        return;
    aim__http_server_stop(server->http); /* first: no request reads the store after it */
    aim_store_free(server->ctx.store);
    pthread_mutex_destroy(&server->lock);
    free(server);
}

AIM_PUBLIC int aim_api_server_start(const char *store_path, const char *address, unsigned port,
                                    const char *web_config, unsigned flags, aim_error *ret_error,
                                    aim_api_server **ret_server) {
    aim__error_clear(ret_error);
    if (!ret_server)
        return aim__error_set(ret_error, -EINVAL, "no place for the server");
    const char *addr = address ? address : "127.0.0.1";
    aim_api_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return aim__error_set(ret_error, -ENOMEM, "out of memory");
    pthread_mutex_init(&srv->lock, NULL);
    int import = (flags & AIM_API_SERVER_ALLOW_IMPORT) != 0;
    srv->ctx = (aim_serve_ctx){ .flags = import ? AIM_SERVE_ALLOW_IMPORT : 0, .lock = &srv->lock };
    int r = aim_store_new(&srv->ctx.store);
    /* a store that is not there is an error with import too (the read-only open says so, as
     * without it): a read-write open would create it, and its directory */
    struct stat sb;
    const char *file = NULL; /* a server's store (a URL) has no file to look for */
    int missing = import && store_path && aim_store_location_file(store_path, &file) == 1 &&
                  stat(file, &sb) < 0 && errno == ENOENT;
    if (r == 0 && (r = aim_store_open(srv->ctx.store, store_path, !import || missing)) == 0 &&
        missing) { /* it came between the two looks: not served read-only */
        aim__error_set(ret_error, -ENOENT, "%s: no such store", store_path);
        aim_api_server_stop(srv);
        return -ENOENT;
    }
    if (r < 0 && srv->ctx.store) {
        aim__error_set(ret_error, r, "%s", aim_store_errmsg(srv->ctx.store));
        aim_api_server_stop(srv);
        return r;
    }
    static const aim_http_options options = {
        .headers = aim__ui_security_headers, .wants_body = aim__serve_api_wants_body,
        .threads = 1,
    };
    aim_web_config *web = NULL;
    char err[sizeof ret_error->message];
    if (r == 0 && web_config && (r = aim__web_config_load(web_config, &web, err, sizeof err)) < 0) {
        aim__error_set(ret_error, r, "%s", err);
        aim_api_server_stop(srv);
        return r;
    }
    if (r == 0)
        r = aim__http_server_start(addr, port, web, route, &srv->ctx, NULL, &options,
                                   &srv->http);
    if (r < 0) {
        if (r == -EOPNOTSUPP)
            aim__error_set(ret_error, r, "%s asks for TLS, and this libmicrohttpd was built "
                                         "without it", web_config);
        else
            aim__error_set(ret_error, r, "cannot serve on %s port %u: %s", addr, port,
                           strerror(-r));
        aim_api_server_stop(srv);
        return r;
    }
    *ret_server = srv;
    return 0;
}
