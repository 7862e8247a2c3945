/* aim_metrics_server_*: the public face of serve/prom_server.c; aim_web_config_check and
 * aim_password_hash for its web-config file (serve/web_config.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "serve/prom_server.h"
#include "serve/web_config.h"
#include "util/password.h"

AIM_PUBLIC int aim_metrics_server_start(aim_session *s, const char *address, unsigned port,
                                        aim_metrics_server **ret_server) {
    return aim_metrics_server_start_with(s, address, port, NULL, NULL, ret_server);
}

static int load(const char *path, aim_web_config **ret, aim_error *ret_error) {
    char err[sizeof ret_error->message];
    int r = aim__web_config_load(path, ret, err, sizeof err);
    if (r < 0)
        return aim__error_set(ret_error, r, "%s", err);
    return 0;
}

AIM_PUBLIC int aim_metrics_server_start_with(aim_session *s, const char *address, unsigned port,
                                             const char *web_config, aim_error *ret_error,
                                             aim_metrics_server **ret_server) {
    aim__error_clear(ret_error);
    if (!s || !ret_server)
        return aim__error_set(ret_error, -EINVAL, "no session or no place for the server");
    aim_web_config *web = NULL;
    int r = web_config ? load(web_config, &web, ret_error) : 0;
    if (r < 0)
        return r;
    /* The public type is the server itself: no wrapper to allocate. The server owns web. */
    r = aim__prom_server_start_web(s, address ? address : "127.0.0.1", port, web,
                                   (aim_prom_server **)ret_server);
    if (r == -EOPNOTSUPP)
        return aim__error_set(ret_error, r, "%s asks for TLS, and this libmicrohttpd was built "
                                            "without it", web_config);
    if (r < 0)
        return aim__error_set(ret_error, r, "cannot serve on %s port %u: %s",
                              address ? address : "127.0.0.1", port, strerror(-r));
    return 0;
}

AIM_PUBLIC void aim_metrics_server_stop(aim_metrics_server *server) {
    aim__prom_server_stop((aim_prom_server *)server);
}

AIM_PUBLIC int aim_web_config_check(const char *path, int *ret_auth, int *ret_tls,
                                    aim_error *ret_error) {
    aim__error_clear(ret_error);
    if (!path)
        return aim__error_set(ret_error, -EINVAL, "no web-config file");
    aim_web_config *web;
    int r = load(path, &web, ret_error);
    if (r < 0)
        return r;
    if (ret_auth)
        *ret_auth = aim__web_config_has_auth(web);
    if (ret_tls)
        *ret_tls = web->cert_file != NULL;
    aim__web_config_free(web);
    return 0;
}

AIM_PUBLIC int aim_password_hash(const char *password, char **ret_hash) {
    if (!password || !ret_hash)
        return -EINVAL;
    size_t len = strlen(password);
    if (len == 0 || len > 72) /* bcrypt reads 72 bytes: more would pass with any tail */
        return -EINVAL;
    char hash[AIM_BCRYPT_LEN + 1];
    int r = aim__bcrypt_hash(password, AIM_BCRYPT_COST, hash, sizeof hash);
    if (r < 0)
        return r;
    if (!(*ret_hash = strdup(hash)))
        return -ENOMEM;
    return 0;
}
