/* [ADDR:]PORT of --prometheus (and agent --listen), --web-config, and starting the server:
 * cli.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* 127.0.0.0/8 and ::1: what may be served without a token. */
static int is_loopback(const char *addr) {
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, addr, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, addr, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

int cli_listen_parse(const char *opt, const char *text, char *addr, size_t addr_size,
                     unsigned *ret_port) {
    const char *port = text, *colon = strrchr(text, ':');
    char host[64] = "127.0.0.1";
    if (colon) {
        const char *h = text;
        size_t n = (size_t)(colon - text);
        if (n >= 2 && h[0] == '[' && h[n - 1] == ']') { /* [::1]:PORT */
            h++;
            n -= 2;
        } else if (memchr(h, ':', n)) {
            cli_error("bad %s '%s': write an IPv6 address in brackets, [::1]:PORT", opt, text);
            return AIM_EXIT_USAGE;
        }
        if (n == 0 || n >= sizeof host) {
            cli_error("bad %s '%s': [ADDR:]PORT", opt, text);
            return AIM_EXIT_USAGE;
        }
        memcpy(host, h, n);
        host[n] = '\0';
        if (strcmp(host, "localhost") == 0)
            snprintf(host, sizeof host, "127.0.0.1");
        port = colon + 1;
    }
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || port[0] < '0' || port[0] > '9' || p < 1 || p > 65535) {
        cli_error("bad %s '%s': the port must be 1 to 65535", opt, text);
        return AIM_EXIT_USAGE;
    }
    struct in6_addr any;
    if (inet_pton(AF_INET, host, &any) != 1 && inet_pton(AF_INET6, host, &any) != 1) {
        cli_error("bad %s '%s': ADDR must be an IPv4 or IPv6 address or localhost", opt, text);
        return AIM_EXIT_USAGE;
    }
    snprintf(addr, addr_size, "%s", host);
    *ret_port = (unsigned)p;
    return 0;
}

int cli_listen_option(const char *opt, const char *text, char *addr, size_t addr_size,
                      unsigned *ret_port) {
    int code = cli_listen_parse(opt, text, addr, addr_size, ret_port);
    if (code == 0 && !is_loopback(addr)) {
        cli_error("%s %s: serving beyond this machine needs credentials (--web-config); use a "
                  "loopback address (docs/cli.md)", opt, text);
        return AIM_EXIT_USAGE;
    }
    return code;
}

int cli_http_check(const char *opt, const char *addr, const char *web_config) {
    int auth = 0;
    aim_error e;
    int r = web_config ? aim_web_config_check(web_config, &auth, NULL, &e) : 0;
    if (r < 0) {
        cli_error("%s", e.message);
        return r == -ENOENT || r == -EACCES || r == -EISDIR ? AIM_EXIT_NOINPUT
                                                            : AIM_EXIT_DATAERR;
    }
    if (!is_loopback(addr) && !auth) {
        cli_error("%s: %s is not a loopback address; serving beyond this machine needs "
                  "credentials: --web-config FILE with basic_auth_users or bearer_tokens "
                  "(docs/cli.md)", opt, addr);
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cli_start_http(aim_session *s, const char *opt, const char *addr, unsigned port,
                   const char *web_config, aim_metrics_server **ret) {
    int code = cli_http_check(opt, addr, web_config);
    if (code)
        return code;
    aim_error e;
    int r = aim_metrics_server_start_with(s, addr, port, web_config, &e, ret);
    if (r == -EADDRINUSE || r == -EACCES) {
        cli_error("cannot serve /metrics on %s port %u: %s", addr, port, strerror(-r));
        return AIM_EXIT_UNAVAILABLE;
    }
    if (r < 0) { /* the file changed since cli_http_check, or TLS is missing */
        cli_error("%s", e.message);
        return r == -EOPNOTSUPP ? AIM_EXIT_UNAVAILABLE : AIM_EXIT_DATAERR;
    }
    return 0;
}
