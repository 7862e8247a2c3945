/* web_origin.h: Host and Origin checks. */
#include "serve/web_origin.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

/* The address of literal (IPv4, or IPv6 without brackets) into buf: its family, or 0. */
static int address(const char *literal, unsigned char buf[16]) {
    if (inet_pton(AF_INET, literal, buf) == 1)
        return AF_INET;
    if (inet_pton(AF_INET6, literal, buf) == 1)
        return AF_INET6;
    return 0;
}

/* Whether a and b are literals of one address. */
static int same_address(const char *a, const char *b) {
    unsigned char x[16], y[16];
    int f = address(a, x);
    return f && f == address(b, y) && memcmp(x, y, f == AF_INET ? 4 : 16) == 0;
}

int aim__web_host_ok(const char *host, const char *listen) {
    if (!host)
        return 1;
    char name[64];
    const char *end;
    if (host[0] == '[') { /* an IPv6 literal: [ADDR] or [ADDR]:PORT */
        host++;
        end = strchr(host, ']');
        if (!end)
            return 0;
    } else {
        end = host + strcspn(host, ":");
    }
    size_t n = (size_t)(end - host);
    if (n == 0 || n >= sizeof name)
        return 0;
    memcpy(name, host, n);
    name[n] = '\0';
    const char *port = end + (*end == ']');
    if (*port == ':') { /* a port: 1 to 5 digits */
        size_t d = strspn(port + 1, "0123456789");
        if (d == 0 || d > 5 || port[1 + d])
            return 0;
    } else if (*port) {
        return 0;
    }
    if (end[0] != ']' && strchr(name, ':'))
        return 0; /* an IPv6 literal without its brackets */
    return strcasecmp(name, "localhost") == 0 || same_address(name, "127.0.0.1") ||
           (end[0] == ']' && same_address(name, "::1")) ||
           (listen && same_address(name, listen) && (end[0] == ']') == (strchr(listen, ':') != NULL));
}

int aim__web_origin_ok(const char *origin, const char *host, int tls) {
    if (!origin)
        return 1;
    const char *scheme = tls ? "https://" : "http://";
    size_t n = strlen(scheme);
    return host && strncasecmp(origin, scheme, n) == 0 && strcasecmp(origin + n, host) == 0;
}
