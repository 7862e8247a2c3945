/* The one place aimeter speaks HTTP: a libcurl GET with the limits a measurement tool
 * needs around someone else's server. A whole-request timeout (a hung provider must not
 * hang a run's end), a body size cap (a broken proxy must not fill memory), TLS verified,
 * only http and https, and redirects followed only to the same origin: the API key travels
 * in a custom header, which libcurl would happily send on to any host a redirect names.
 * Plain http is allowed only to literal loopback addresses (and localhost), never through a
 * proxy, which is what tests and local mirrors use; a key must never cross a network in
 * clear text. Headers are never logged. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aim_config.h"
#include "providers/curl_api.h"
#include "providers/provider_impl.h"
#include "util/array.h"

#define DEFAULT_MAX_BODY (16u << 20)
#define MAX_REDIRECTS 3
#define CONNECT_TIMEOUT_MS 10000L

typedef struct transfer {
    char *body;
    size_t len, cap, max;
    int too_big;
    int retry_after_s;
    const atomic_int *cancel;
} transfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    transfer *t = userdata;
    size_t n = size * nmemb;
    if (t->len + n > t->max) {
        t->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (AIM_ARRAY_RESERVE(t->body, t->cap, t->len + n + 1, 4096) < 0)
        return 0;
    memcpy(t->body + t->len, data, n);
    t->len += n;
    t->body[t->len] = '\0';
    return n;
}

int aim__http_parse_retry_after(const char *value, int64_t now_s) {
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
                     value[n - 1] == '\n'))
        n--;
    if (n == 0 || n > 64)
        return -1;
    char buf[65];
    memcpy(buf, value, n);
    buf[n] = '\0';
    int64_t secs;
    if (strspn(buf, "0123456789") == n) {
        secs = n > 6 ? 86400 : strtoll(buf, NULL, 10);
    } else {
        const aim_curl_api *cu = aim__curl(NULL);
        if (!cu)
            return -1;
        time_t t = cu->getdate(buf, NULL);
        if (t == -1)
            return -1;
        secs = (int64_t)t - now_s;
    }
    return secs < 0 ? 0 : secs > 86400 ? 86400 : (int)secs;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
    transfer *t = userdata;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && n < 256 && strncasecmp(data, name, sizeof name - 1) == 0) {
        char v[256];
        memcpy(v, data + sizeof name - 1, n - (sizeof name - 1));
        v[n - (sizeof name - 1)] = '\0';
        t->retry_after_s = aim__http_parse_retry_after(v, (int64_t)time(NULL));
    } else if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        t->retry_after_s = -1; /* a new response (after a 100 Continue): forget the old one */
    }
    return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    const transfer *t = userdata;
    return t->cancel && atomic_load(t->cancel) ? 1 : 0;
}

int aim__http_origin(const char *url, char *buf, size_t size) {
    const aim_curl_api *cu = aim__curl(NULL);
    if (!cu)
        return -ENOSYS;
    CURLU *u = cu->url();
    if (!u)
        return -ENOMEM;
    char *scheme = NULL, *host = NULL, *port = NULL;
    int r = -EINVAL;
    if (cu->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0)) {
        int k = snprintf(buf, size, "%s://%s:%s", scheme, host, port);
        r = k > 0 && (size_t)k < size ? 0 : -ENOBUFS;
        for (char *p = buf; r == 0 && *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    cu->free(scheme);
    cu->free(host);
    cu->free(port);
    cu->url_cleanup(u);
    return r;
}

/* Plain http only to this machine (see the top of the file), decided on what the host is,
 * not on how its name begins: "127.attacker.example" is a name that any resolver, or any
 * proxy, may send anywhere. A literal 127.0.0.0/8 or ::1 address, or "localhost" (which
 * libcurl answers itself, without asking a resolver), is loopback. 1 https, 2 plain http to
 * loopback (the caller then bypasses every proxy), 0 refused. */
static int origin_allowed(const char *url) {
    const aim_curl_api *cu = aim__curl(NULL);
    CURLU *u = cu->url();
    if (!u)
        return 0;
    char *scheme = NULL, *host = NULL;
    int r = 0;
    if (cu->url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        cu->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (strcasecmp(scheme, "https") == 0) {
            r = 1;
        } else if (strcasecmp(scheme, "http") == 0) {
            struct in_addr a4;
            struct in6_addr a6;
            char h[64];
            size_t n = strlen(host);
            /* CURLU gives an IPv6 host in brackets: "[::1]". A zone id ("%eth0") is not
             * loopback's business and fails inet_pton. */
            if (n >= 2 && n < sizeof h && host[0] == '[' && host[n - 1] == ']') {
                memcpy(h, host + 1, n - 2);
                h[n - 2] = '\0';
                r = inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6) ? 2 : 0;
            } else if (inet_pton(AF_INET, host, &a4) == 1) {
                r = (ntohl(a4.s_addr) >> 24) == 127 ? 2 : 0;
            } else {
                r = strcasecmp(host, "localhost") == 0 ? 2 : 0;
            }
        }
    }
    cu->free(scheme);
    cu->free(host);
    cu->url_cleanup(u);
    return r;
}

static int map_curl_error(CURLcode cc, const transfer *t, const char *origin, const char *detail,
                          char *err, size_t errlen) {
    const char *d = detail[0] ? detail : aim__curl(NULL)->easy_strerror(cc);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return aim__prov_fail(err, errlen, -ENETUNREACH, "cannot reach %s: %s", origin, d);
    case CURLE_OPERATION_TIMEDOUT:
        return aim__prov_fail(err, errlen, -EAGAIN, "%s did not answer in time: %s", origin, d);
    case CURLE_ABORTED_BY_CALLBACK:
        return aim__prov_fail(err, errlen, -ECANCELED, "request to %s cancelled", origin);
    case CURLE_FILESIZE_EXCEEDED:
        return aim__prov_fail(err, errlen, -EFBIG, "answer from %s is larger than %zu bytes",
                             origin, t->max);
    case CURLE_WRITE_ERROR:
        if (t->too_big)
            return aim__prov_fail(err, errlen, -EFBIG, "answer from %s is larger than %zu bytes",
                                 origin, t->max);
        return aim__prov_fail(err, errlen, -ENOMEM, "out of memory reading the answer from %s", origin);
    case CURLE_OUT_OF_MEMORY:
        return aim__prov_fail(err, errlen, -ENOMEM, "out of memory");
    case CURLE_PARTIAL_FILE:
        return aim__prov_fail(err, errlen, -EPROTO, "answer from %s was truncated: %s", origin, d);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return aim__prov_fail(err, errlen, -EPROTO, "TLS with %s failed: %s", origin, d);
    default:
        return aim__prov_fail(err, errlen, -EPROTO, "request to %s failed: %s", origin, d);
    }
}

/* One request, no redirect followed. */
static int get_once(const aim_http_request *rq, const char *url, const char *origin, int direct,
                    aim_http_response *rs, char *location, size_t locsize, char *err, size_t errlen) {
    const aim_curl_api *cu = aim__curl(NULL); /* loaded: aim__http_get checked */
    CURL *h = cu->easy_init();
    if (!h)
        return aim__prov_fail(err, errlen, -ENOMEM, "out of memory");
    transfer t = { .max = rq->max_body ? rq->max_body : DEFAULT_MAX_BODY, .retry_after_s = -1,
                   .cancel = rq->cancel };
    char detail[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL, *tmp;
    int r = 0;
    if (rq->header) {
        if (!(tmp = cu->slist_append(hdrs, rq->header)))
            r = -ENOMEM;
        else
            hdrs = tmp;
    }
    if (r == 0 && (tmp = cu->slist_append(hdrs, "Accept: application/json")) != NULL)
        hdrs = tmp;
    long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 20000;
    cu->easy_setopt(h, CURLOPT_URL, url);
    cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
    cu->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    cu->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (rq->ca_file)
        cu->easy_setopt(h, CURLOPT_CAINFO, rq->ca_file);
    cu->easy_setopt(h, CURLOPT_USERAGENT, "aimeter/" AIM_VERSION);
    cu->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    cu->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    cu->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t.max);
    cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    cu->easy_setopt(h, CURLOPT_WRITEDATA, &t);
    cu->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    cu->easy_setopt(h, CURLOPT_HEADERDATA, &t);
    cu->easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    cu->easy_setopt(h, CURLOPT_VERBOSE, 0L);
    /* Plain http to loopback goes straight to this machine: a proxy (http_proxy,
     * ALL_PROXY) would carry the key in clear text to wherever it is, and to whatever the
     * proxy thinks the name means. */
    if (direct)
        cu->easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (rq->cancel) {
        cu->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        cu->easy_setopt(h, CURLOPT_XFERINFODATA, &t);
        cu->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (rq->username) {
        cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        cu->easy_setopt(h, CURLOPT_USERNAME, rq->username);
        cu->easy_setopt(h, CURLOPT_PASSWORD, rq->password ? rq->password : "");
    }
    if (r == 0) {
        CURLcode cc = cu->easy_perform(h);
        if (cc != CURLE_OK) {
            r = map_curl_error(cc, &t, origin, detail, err, errlen);
        } else {
            long status = 0;
            cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            char *loc = NULL;
            location[0] = '\0';
            if (status >= 300 && status < 400 && cu->easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
                snprintf(location, locsize, "%s", loc);
            rs->status = status;
            rs->retry_after_s = t.retry_after_s;
            if (!t.body && !(t.body = calloc(1, 1)))
                r = aim__prov_fail(err, errlen, -ENOMEM, "out of memory");
            rs->body = t.body;
            rs->len = t.len;
            t.body = NULL;
        }
    } else {
        aim__prov_fail(err, errlen, r, "out of memory");
    }
    free(t.body);
    cu->slist_free_all(hdrs);
    cu->easy_cleanup(h);
    return r;
}

int aim__http_get(const aim_http_request *rq, aim_http_response *rs, char *err, size_t errlen) {
    memset(rs, 0, sizeof *rs);
    rs->retry_after_s = -1;
    const char *why;
    if (!aim__curl(&why))
        return aim__prov_fail(err, errlen, -ENOSYS, "%s", why);
    char origin[512];
    if (!rq->url || aim__http_origin(rq->url, origin, sizeof origin) < 0)
        return aim__prov_fail(err, errlen, -EINVAL, "not an http(s) URL");
    int allowed = origin_allowed(rq->url);
    if (!allowed)
        return aim__prov_fail(err, errlen, -EPERM,
                             "refusing plain http to %s: a key must not cross a network in clear text; "
                             "use https, or http to a loopback address (127.0.0.1, [::1], localhost)",
                             origin);
    char url[2048], location[2048];
    snprintf(url, sizeof url, "%s", rq->url);
    for (int hop = 0;; hop++) {
        int r = get_once(rq, url, origin, allowed == 2, rs, location, sizeof location, err, errlen);
        if (r < 0 || !location[0])
            return r;
        char to[512];
        if (aim__http_origin(location, to, sizeof to) < 0 || strcmp(to, origin) != 0 || hop >= MAX_REDIRECTS) {
            aim__http_response_free(rs);
            if (hop >= MAX_REDIRECTS)
                return aim__prov_fail(err, errlen, -EPROTO, "%s redirected more than %d times", origin,
                                     MAX_REDIRECTS);
            return aim__prov_fail(err, errlen, -EPROTO, "%s redirected to another host; not followed",
                                 origin);
        }
        aim__http_response_free(rs);
        snprintf(url, sizeof url, "%s", location);
    }
}

void aim__http_response_free(aim_http_response *rs) {
    free(rs->body);
    rs->body = NULL;
    rs->len = 0;
}
