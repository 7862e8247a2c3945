/* [ADDR:]PORT of --prometheus (and, later, agent --listen): cli.h. */
#include <arpa/inet.h>
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

int cli_listen_option(const char *opt, const char *text, char *addr, size_t addr_size,
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
    if (!is_loopback(host)) {
        cli_error("%s %s: serving beyond this machine needs a token, which this aimeter does "
                  "not support yet; use a loopback address (docs/cli.md)", opt, text);
        return AIM_EXIT_USAGE;
    }
    snprintf(addr, addr_size, "%s", host);
    *ret_port = (unsigned)p;
    return 0;
}
