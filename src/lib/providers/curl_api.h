/* libcurl, loaded on first use. Only a run with a live grid-intensity provider (and
 * `aimeter intensity`) speaks HTTP, yet linking libcurl pulls ~30 libraries (TLS, Kerberos,
 * LDAP, SSH) into every process that loads libaimeter: ~5 ms and ~5.6 MiB of a Python
 * `import aimeter` + `monitor.start()` (docs/performance.md). The types and constants come
 * from Debian's curl headers at build time; the functions come from dlopen at run time. */
#ifndef AIM_CURL_API_H
#define AIM_CURL_API_H

#include <curl/curl.h>
#include <stddef.h>
#include <time.h>

typedef struct aim_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
    time_t (*getdate)(const char *s, const time_t *unused);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *u);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get)(CURLU *u, CURLUPart what, char **part, unsigned int flags);
    void (*free)(void *p);
} aim_curl_api;

/* The loaded and initialised libcurl (libcurl.so.4, once per process, thread-safe), or NULL
 * when it cannot be loaded; then *ret_why (static, may be NULL to ignore) says why in one
 * line. AIMETER_LIBCURL names another file to load (tests). */
const aim_curl_api *aim__curl(const char **ret_why);

#endif
