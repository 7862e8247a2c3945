/* Internals shared by the provider files: a growable series, the strict time parser, the
 * HTTP wrapper, credentials, the disk cache, and each provider's pure parse functions
 * (separate from their HTTP so that tests and fuzz targets feed them bodies directly). */
#ifndef AIM_PROVIDER_IMPL_H
#define AIM_PROVIDER_IMPL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/provider.h"
#include "util/iso8601.h"

/* Values above this are refused as implausible: the dirtiest grids are near 1200 g/kWh,
 * and --intensity accepts at most 5000 too. */
#define AIM_PROVIDER_MAX_G_PER_KWH 5000.0

/* ---------------------------------------------------------------- series */

typedef struct aim_prov_series {
    aim_intensity_point *p;
    size_t n, cap;
} aim_prov_series;

/* Appends (0 or -ENOMEM; refuses to grow past 1,000,000 points with -EFBIG). */
int aim__prov_series_push(aim_prov_series *s, int64_t t_ms, double g_per_kwh);
/* Sorts by time; of points with the same time the one appended last wins. */
void aim__prov_series_sort_dedupe(aim_prov_series *s);
/* Keeps the points in [from, to), plus the last one before from (the value in force at
 * from). Expects a sorted series. */
void aim__prov_series_clip(aim_prov_series *s, int64_t from_ms, int64_t to_ms);
void aim__prov_series_free(aim_prov_series *s);

/* What a parse function fills: the points appended, and what the answer said about them. */
typedef struct aim_prov_parsed {
    aim_prov_series series;
    char zone[64];   /* "" when the body does not say */
    char label[64];  /* a human name of the region, when the body gives one */
    aim_basis basis; /* AIM_BASIS_UNKNOWN when the body does not say */
    int skipped;     /* points without a value (null): no data, not an error */
} aim_prov_parsed;

/* ---------------------------------------------------------------- time */

/* ISO 8601 times: util/iso8601.h (aim__iso8601_parse, aim__iso8601_format). */
/* Wall clock now, in ms. */
int64_t aim__prov_now_ms(void);
/* CLOCK_MONOTONIC now, in ms (deadlines). */
int64_t aim__prov_mono_ms(void);

/* ---------------------------------------------------------------- messages */

/* snprintf into err when err is not NULL; returns rc so callers can `return`. */
int aim__prov_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Replaces every occurrence of secret (when at least 4 bytes) in text by "***". */
void aim__prov_scrub(char *text, const char *secret);
/* Copies at most max bytes of a provider's own message, printable ASCII only, for
 * quoting in an error line. */
void aim__prov_quote(char *dst, size_t size, const char *src, size_t max);

/* ---------------------------------------------------------------- HTTP */

typedef struct aim_http_request {
    const char *url;
    const char *header;     /* one extra "Name: value" line, or NULL */
    const char *username;   /* HTTP basic auth when not NULL */
    const char *password;
    long timeout_ms;        /* total; the connect phase gets at most 10 s of it */
    size_t max_body;        /* 0 = 16 MiB */
    const atomic_int *cancel; /* when set and non-zero, the transfer is aborted (-ECANCELED) */
    const char *ca_file;    /* PEM certificates to verify https with instead of the system's
                               (a self-signed server); NULL: the system's */
} aim_http_request;

typedef struct aim_http_response {
    long status;
    char *body;         /* NUL-terminated, malloc'd; free with aim__http_response_free */
    size_t len;
    int retry_after_s;  /* Retry-After, as seconds from now; -1 when absent */
} aim_http_response;

/* GET. 0 with status set for any HTTP answer, or: -EINVAL bad URL; -EPERM plain http://
 * to a host that is not a literal loopback address or localhost (plain http is never sent
 * through a proxy); -ENETUNREACH cannot resolve/connect; -EAGAIN timeout;
 * -EPROTO truncated body, TLS or protocol failure, a redirect to another host; -EFBIG body
 * above max_body; -ECANCELED; -ENOMEM. Same-host redirects are followed (at most 3).
 * TLS is verified; headers are never logged. Thread-safe. */
int aim__http_get(const aim_http_request *rq, aim_http_response *rs, char *err, size_t errlen);
void aim__http_response_free(aim_http_response *rs);

/* Retry-After's value: delta-seconds or an HTTP-date. Seconds from now_s (clamped to
 * 0..86400), or -1 when it is neither. */
int aim__http_parse_retry_after(const char *value, int64_t now_s);

/* Scheme, host and port of url ("https://api.x.org:443" style, lower-case) for
 * comparing redirects. -EINVAL when it is not an http(s) URL. */
int aim__http_origin(const char *url, char *buf, size_t size);

/* ---------------------------------------------------------------- credentials */

/* The value of key in a credentials file's text (INI-like `key = value`, # and ; start
 * comments, [sections] ignored, keys case-insensitive, the last occurrence wins, a value
 * may be in double quotes). 0 found; -ENOENT absent; -EINVAL a malformed line (its number
 * in *ret_line) or a value with control characters; -ENOBUFS value longer than outlen-1. */
int aim__credentials_parse(const char *text, size_t len, const char *key, char *out,
                          size_t outlen, int *ret_line);

/* The credentials file path: $AIMETER_CREDENTIALS, else $XDG_CONFIG_HOME/aimeter/credentials
 * (absolute only), else ~/.config/aimeter/credentials. -ENOENT when none can be formed. */
int aim__credentials_path(char *buf, size_t size);

/* A secret from the environment variable env_name, else from the credentials file's key.
 * 0; -EACCES (absent: err says where to put it; the file is not yours or others can read
 * it: err says `chmod 600 FILE`; malformed). The caller wipes out with explicit_bzero. */
int aim__credentials_get(const char *env_name, const char *key, char *out, size_t outlen,
                        char *err, size_t errlen);

/* ---------------------------------------------------------------- cache */

typedef struct aim_cache_entry {
    aim_prov_series series;
    int64_t fetched_ms;
    char zone[64];
    aim_signal signal;
    aim_basis basis;
    char source[192];
    char note[256];
} aim_cache_entry;

/* The file name for a query ("electricitymaps_DE_average_lifecycle_latest.json"). */
int aim__cache_name(const aim_provider_query *q, char *buf, size_t size);
/* Parses a cache file's text (untrusted: validated like a provider answer). 0 or -EPROTO. */
int aim__cache_parse(const char *text, size_t len, aim_cache_entry *e);
/* Loads dir/name. 0; -ENOENT none; -EPROTO unreadable or corrupt (treated as absent). */
int aim__cache_load(const char *dir, const char *name, aim_cache_entry *e);
/* Writes dir/name atomically (temporary file, fsync, rename), mode 0600, creating dir
 * (0700) as needed. 0 or -errno. */
int aim__cache_store(const char *dir, const char *name, const aim_cache_entry *e);
/* 1 when the entry can still be served without asking the provider: history that ended
 * more than a day before it was fetched is final; anything else lives for the provider's
 * cadence. */
int aim__cache_fresh(const aim_provider_query *q, const aim_cache_entry *e, int64_t now_ms);
void aim__cache_entry_free(aim_cache_entry *e);

/* ---------------------------------------------------------------- providers */

/* What one provider's fetch fills, beyond the points. */
typedef struct aim_prov_answer {
    aim_prov_series series;
    char zone[64];
    aim_basis basis;
    char source[192];
    char note[256];
    long http_status;  /* of the last answer (403 tells "not on this plan" from 401) */
    int rate_limited;  /* the last error was an HTTP 429 */
    int retry_after_s; /* its Retry-After in seconds (0 when absent) */
} aim_prov_answer;

/* Per-fetch context: the query, a deadline on the monotonic clock, a cancel flag. */
typedef struct aim_prov_ctx {
    const aim_provider_query *q;
    int64_t deadline_mono_ms;
    const atomic_int *cancel;
    char secret[2][4096]; /* secrets loaded by this fetch, scrubbed out of err at the end */
} aim_prov_ctx;

/* GET with the context's remaining time. Same returns as aim__http_get; -EAGAIN when the
 * deadline has already passed. */
int aim__prov_get(aim_prov_ctx *c, const char *url, const char *header, const char *user,
                 const char *password, aim_http_response *rs, char *err, size_t errlen);
/* 0 for a 2xx status, else the error for it with a message naming `what` (and quoting the
 * provider's own message, when its JSON body has one, with c's secrets scrubbed out before
 * it is cut to length; c may be NULL): 401/403 -EACCES, 400/404/422
 * -ENOENT, 429 -EAGAIN (a->rate_limited, a->retry_after_s), 5xx -EAGAIN, else -EPROTO. */
int aim__prov_http_status(const aim_prov_ctx *c, const aim_http_response *rs, const char *what,
                         aim_prov_answer *a, char *err, size_t errlen);
/* The base URL: the env override when set (test or proxy use), else the default.
 * Trailing slashes removed. */
void aim__prov_base_url(const char *env_name, const char *def, char *buf, size_t size);
/* Appends "&name=escaped(value)" (or "?name=" when url has no '?'). -ENOBUFS. */
int aim__prov_url_add(char *url, size_t size, const char *name, const char *value);

/* Electricity Maps. kind: which endpoint answered, which decides the expected shape. */
typedef enum aim_em_kind { AIM_EM_LATEST, AIM_EM_HISTORY, AIM_EM_RANGE } aim_em_kind;
int aim__em_parse(const char *body, size_t len, aim_em_kind kind, aim_prov_parsed *out,
                 char *err, size_t errlen);
int aim__em_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen);

/* WattTime. expected_signal: "co2_moer"/"co2_aoer"; values converted to g/kWh. */
int aim__wt_parse_data(const char *body, size_t len, const char *expected_signal,
                      aim_prov_parsed *out, char *err, size_t errlen);
int aim__wt_parse_login(const char *body, size_t len, char *token, size_t size, char *err,
                       size_t errlen);
int aim__wt_parse_region(const char *body, size_t len, char *region, size_t size, char *err,
                        size_t errlen);
/* The signal index (a 0-100 percentile): its latest value. */
int aim__wt_parse_index(const char *body, size_t len, double *ret_percent, char *err,
                       size_t errlen);
int aim__wt_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen);
/* Forgets the process's login token (tests). */
void aim__wt_forget_token(void);

/* UK Carbon Intensity API: national (`intensity.actual` where published, else the
 * forecast) and regional (forecast only) shapes. */
int aim__uk_parse(const char *body, size_t len, int regional, aim_prov_parsed *out, char *err,
                 size_t errlen);
int aim__uk_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen);

void aim__prov_parsed_free(aim_prov_parsed *p);

/* ---------------------------------------------------------------- the core */

/* aim__provider_fetch without the caller's buffer: the points go into *out (which the
 * caller frees with aim__prov_series_free), everything else into meta (whose points/cap are
 * not used). cancel, when not NULL, aborts a transfer as soon as it becomes non-zero. */
int aim__provider_fetch_series(const aim_provider_query *q, const atomic_int *cancel,
                              aim_provider_result *meta, aim_prov_series *out, char *err,
                              size_t errlen);

#endif
