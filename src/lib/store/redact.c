/* Secrets out of store locations (redact.h). One scanner finds them; redact copies a URL
 * around them, scrub hunts their text down in a message. */
#include "store/redact.h"

#include <stdio.h>
#include <string.h>

#include "util/number.h"

size_t aim__store_scheme_len(const char *url) {
    size_t n = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    while (url[n] && (url[n] == '+' || url[n] == '-' || url[n] == '.' ||
                      (url[n] >= 'a' && url[n] <= 'z') || (url[n] >= 'A' && url[n] <= 'Z') ||
                      (url[n] >= '0' && url[n] <= '9')))
        n++;
    return url[n] == ':' ? n : 0;
}

/* Whether the query parameter name key[0..n) names a secret once percent-decoded. */
static int secret_key(const char *key, size_t n) {
    char name[16];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        int hi = i + 2 < n ? aim__hex_digit(key[i + 1]) : -1;
        int lo = i + 2 < n ? aim__hex_digit(key[i + 2]) : -1;
        if (c == '%' && hi >= 0 && lo >= 0) {
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (k + 1 >= sizeof name)
            return 0;
        name[k++] = c;
    }
    name[k] = '\0';
    return strcmp(name, "password") == 0 || strcmp(name, "sslpassword") == 0;
}

/* The secret after offset `from` of url: 1 with [*at, *at + *len), or 0 when none is left. */
static int next_secret(const char *url, size_t from, size_t *at, size_t *len) {
    size_t n = aim__store_scheme_len(url);
    if (!n || strncmp(url + n, "://", 3) != 0)
        return 0;
    size_t auth = n + 3, auth_end = auth + strcspn(url + auth, "/?#");
    /* user:SECRET@: the last '@' of the authority ends the user information. */
    const char *atsign = NULL;
    for (size_t i = auth; i < auth_end; i++)
        if (url[i] == '@')
            atsign = url + i;
    if (atsign) {
        const char *colon = memchr(url + auth, ':', (size_t)(atsign - (url + auth)));
        if (colon && colon + 1 < atsign && (size_t)(colon + 1 - url) >= from) {
            *at = (size_t)(colon + 1 - url);
            *len = (size_t)(atsign - colon - 1);
            return 1;
        }
    }
    const char *q = strchr(url + auth_end, '?');
    if (!q)
        return 0;
    size_t end = (size_t)(q - url) + 1 + strcspn(q + 1, "#");
    for (size_t p = (size_t)(q - url) + 1; p < end;) {
        size_t plen = strcspn(url + p, "&#");
        if (p + plen > end)
            plen = end - p;
        const char *eq = memchr(url + p, '=', plen);
        if (eq && secret_key(url + p, (size_t)(eq - (url + p)))) {
            size_t v = (size_t)(eq + 1 - url), vlen = p + plen - v;
            if (vlen && v >= from) {
                *at = v;
                *len = vlen;
                return 1;
            }
        }
        p += plen + 1;
    }
    return 0;
}

void aim__store_redact(const char *url, char *out, size_t size) {
    if (!size)
        return;
    size_t o = 0, from = 0, at, len;
    out[0] = '\0';
    while (next_secret(url, from, &at, &len)) {
        o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%.*s%s", (int)(at - from),
                              url + from, AIM_STORE_REDACTED);
        if (o >= size)
            return;
        from = at + len;
    }
    snprintf(out + o, size - o, "%s", url + from);
}

void aim__store_scrub(char *msg, size_t size, const char *url) {
    size_t from = 0, at, len;
    while (size && next_secret(url, from, &at, &len)) {
        from = at + len;
        /* Messages are a line (at most a few hundred bytes): rebuilt here, then copied back
         * truncated to size. */
        char out[2048];
        size_t o = 0;
        const char *p = msg, *hit;
        while ((hit = memmem(p, strlen(p), url + at, len)) != NULL && o < sizeof out) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%.*s%s", (int)(hit - p), p,
                                  AIM_STORE_REDACTED);
            p = hit + len;
        }
        if (p == msg)
            continue;   /* not there */
        if (o < sizeof out)
            snprintf(out + o, sizeof out - o, "%s", p);
        snprintf(msg, size, "%s", out);
    }
}
