/* aim_api_server_*: the store's JSON API (serve_api.h) over the HTTP server
 * (serve/http_server.h), the store opened read-only for the server's life. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "api/serve_api.h"
#include "serve/http_server.h"
#include "serve/web_config.h"

struct aim_api_server {
    aim_store *store;
    aim_http_server *http;
};

AIM_PUBLIC void aim_api_server_stop(aim_api_server *server) {
    if (!server)
        return;
    aim__http_server_stop(server->http); /* first: no request reads the store after it */
    aim_store_free(server->store);
    free(server);
}

AIM_PUBLIC int aim_api_server_start(const char *store_path, const char *address, unsigned port,
                                    const char *web_config, aim_error *ret_error,
                                    aim_api_server **ret_server) {
    aim__error_clear(ret_error);
    if (!ret_server)
        return aim__error_set(ret_error, -EINVAL, "no place for the server");
    const char *addr = address ? address : "127.0.0.1";
    aim_api_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return aim__error_set(ret_error, -ENOMEM, "out of memory");
    int r = aim_store_new(&srv->store);
    if (r == 0 && (r = aim_store_open(srv->store, store_path, 1)) < 0) {
        aim__error_set(ret_error, r, "%s", aim_store_errmsg(srv->store));
        aim_api_server_stop(srv);
        return r;
    }
    aim_web_config *web = NULL;
    char err[sizeof ret_error->message];
    if (r == 0 && web_config && (r = aim__web_config_load(web_config, &web, err, sizeof err)) < 0) {
        aim__error_set(ret_error, r, "%s", err);
        aim_api_server_stop(srv);
        return r;
    }
    if (r == 0)
        r = aim__http_server_start(addr, port, web, aim__serve_api_handle, srv->store, NULL,
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
