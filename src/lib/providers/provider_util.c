/* Small pieces shared by the providers: the growable series, error lines, URLs, and the
 * mapping of HTTP statuses to errors. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/provider_impl.h"
#include "util/array.h"
#include "util/json.h"

#define SERIES_MAX 1000000

int aim__prov_series_push(aim_prov_series *s, int64_t t_ms, double g_per_kwh) {
    if (s->n == s->cap && s->cap >= SERIES_MAX)
        return -EFBIG;
    if (AIM_ARRAY_RESERVE(s->p, s->cap, s->n + 1, 64) < 0)
        return -ENOMEM;
    s->p[s->n].t_unix_ms = t_ms;
    s->p[s->n].g_per_kwh = g_per_kwh;
    s->n++;
    return 0;
}

/* Stable merge sort by time, so that "the one appended last wins" is well defined. */
static void merge_sort(aim_intensity_point *a, aim_intensity_point *tmp, size_t n) {
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = a[j].t_unix_ms < a[i].t_unix_ms ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

void aim__prov_series_sort_dedupe(aim_prov_series *s) {
    if (s->n < 2)
        return;
    int sorted = 1;
    for (size_t i = 1; i < s->n && sorted; i++)
        sorted = s->p[i - 1].t_unix_ms < s->p[i].t_unix_ms;
    if (sorted)
        return;
    aim_intensity_point *tmp = malloc(s->n * sizeof *tmp);
    if (tmp) {
        merge_sort(s->p, tmp, s->n);
        free(tmp);
    } else {
        /* Out of memory: an insertion sort needs none, and series are short. */
        for (size_t i = 1; i < s->n; i++)
            for (size_t j = i; j > 0 && s->p[j].t_unix_ms < s->p[j - 1].t_unix_ms; j--) {
                aim_intensity_point t = s->p[j];
                s->p[j] = s->p[j - 1];
                s->p[j - 1] = t;
            }
    }
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (w > 0 && s->p[w - 1].t_unix_ms == s->p[i].t_unix_ms)
            s->p[w - 1] = s->p[i];
        else
            s->p[w++] = s->p[i];
    }
    s->n = w;
}

void aim__prov_series_clip(aim_prov_series *s, int64_t from_ms, int64_t to_ms) {
    size_t first = 0;
    while (first < s->n && s->p[first].t_unix_ms <= from_ms)
        first++;
    if (first > 0)
        first--; /* the value in force at from */
    size_t w = 0;
    for (size_t i = first; i < s->n && s->p[i].t_unix_ms < to_ms; i++)
        s->p[w++] = s->p[i];
    s->n = w;
}

void aim__prov_series_free(aim_prov_series *s) {
    free(s->p);
    s->p = NULL;
    s->n = s->cap = 0;
}

void aim__prov_parsed_free(aim_prov_parsed *p) { aim__prov_series_free(&p->series); }

int aim__prov_fail(char *err, size_t errlen, int rc, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void aim__prov_scrub(char *text, const char *secret) {
    size_t sl = secret ? strlen(secret) : 0;
    if (!text || sl < 4)
        return;
    char *p;
    while ((p = strstr(text, secret)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + sl, strlen(p + sl) + 1);
    }
}

void aim__prov_quote(char *dst, size_t size, const char *src, size_t max) {
    size_t w = 0;
    for (size_t i = 0; src && src[i] && i < max && w + 1 < size; i++)
        dst[w++] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
    if (size)
        dst[w] = '\0';
}

void aim__prov_base_url(const char *env_name, const char *def, char *buf, size_t size) {
    const char *env = getenv(env_name);
    snprintf(buf, size, "%s", env && *env ? env : def);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '/')
        buf[--n] = '\0';
}

int aim__prov_url_add(char *url, size_t size, const char *name, const char *value) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(url);
    int k = snprintf(url + n, size - n, "%c%s=", strchr(url, '?') ? '&' : '?', name);
    if (k < 0 || (size_t)k >= size - n)
        return -ENOBUFS;
    n += (size_t)k;
    for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
        int plain = (*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') ||
                    *v == '-' || *v == '.' || *v == '_' || *v == '~';
        if (n + (plain ? 1 : 3) >= size)
            return -ENOBUFS;
        if (plain) {
            url[n++] = (char)*v;
        } else {
            url[n++] = '%';
            url[n++] = hex[*v >> 4];
            url[n++] = hex[*v & 15];
        }
    }
    url[n] = '\0';
    return 0;
}

int aim__prov_get(aim_prov_ctx *c, const char *url, const char *header, const char *user,
                 const char *password, aim_http_response *rs, char *err, size_t errlen) {
    int64_t left = c->deadline_mono_ms - aim__prov_mono_ms();
    if (left <= 0)
        return aim__prov_fail(err, errlen, -EAGAIN, "timed out (no time left for the next request)");
    aim_http_request rq = {
        .url = url, .header = header, .username = user, .password = password,
        .timeout_ms = (long)left, .cancel = c->cancel,
    };
    return aim__http_get(&rq, rs, err, errlen);
}

/* msg with this fetch's secrets replaced by "***", then quoted (120 bytes at most) into
 * buf: scrubbing after the cut would miss a key that straddles it, and leave its first part. */
static void quote_scrubbed(const aim_prov_ctx *c, const char *msg, char *buf, size_t size) {
    char *copy = strdup(msg);
    if (!copy) {
        snprintf(buf, size, ": (message not shown: out of memory)");
        return;
    }
    for (size_t i = 0; c && i < sizeof c->secret / sizeof c->secret[0]; i++)
        aim__prov_scrub(copy, c->secret[i]);
    char q[128];
    aim__prov_quote(q, sizeof q, copy, 120);
    explicit_bzero(copy, strlen(copy));
    free(copy);
    snprintf(buf, size, ": \"%s\"", q);
}

/* The provider's own explanation, when its error body is JSON with one. */
static void body_message(const aim_prov_ctx *c, const aim_http_response *rs, char *buf, size_t size) {
    buf[0] = '\0';
    if (!rs->body || rs->len == 0)
        return;
    json_t *root = aim__json_parse(rs->body, rs->len, NULL, 0);
    if (!root)
        return;
    static const char *const keys[] = { "message", "error", "detail" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !buf[0]; i++) {
        json_t *m = json_object_get(root, keys[i]);
        if (json_is_object(m))
            m = json_object_get(m, "message");
        if (json_is_string(m))
            quote_scrubbed(c, json_string_value(m), buf, size);
    }
    json_decref(root);
}

int aim__prov_http_status(const aim_prov_ctx *c, const aim_http_response *rs, const char *what,
                         aim_prov_answer *a, char *err, size_t errlen) {
    long st = rs->status;
    if (a)
        a->http_status = st;
    if (st >= 200 && st < 300)
        return 0;
    char msg[160];
    body_message(c, rs, msg, sizeof msg);
    if (st == 401)
        return aim__prov_fail(err, errlen, -EACCES, "%s: credentials refused (HTTP 401)%s", what, msg);
    if (st == 403)
        return aim__prov_fail(err, errlen, -EACCES, "%s: not allowed for this account (HTTP 403)%s",
                             what, msg);
    if (st == 400 || st == 404 || st == 422)
        return aim__prov_fail(err, errlen, -ENOENT,
                             "%s: the provider refused the zone or period (HTTP %ld)%s", what, st, msg);
    if (st == 429) {
        if (a) {
            a->rate_limited = 1;
            a->retry_after_s = rs->retry_after_s > 0 ? rs->retry_after_s : 0;
        }
        if (rs->retry_after_s >= 0)
            return aim__prov_fail(err, errlen, -EAGAIN, "%s: rate limited (HTTP 429), retry after %d s",
                                 what, rs->retry_after_s);
        return aim__prov_fail(err, errlen, -EAGAIN, "%s: rate limited (HTTP 429)", what);
    }
    if (st >= 500 && st < 600)
        return aim__prov_fail(err, errlen, -EAGAIN, "%s: provider error (HTTP %ld)%s", what, st, msg);
    return aim__prov_fail(err, errlen, -EPROTO, "%s: unexpected HTTP status %ld", what, st);
}
