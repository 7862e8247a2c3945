/* libcurl through the dlopen helper the GPU sources use (curl_api.h says why). */
#include "providers/curl_api.h"

#include <pthread.h>
#include <stdio.h>

#include "util/dynlib.h"

#define SYM(field, name) { { name, NULL }, offsetof(aim_curl_api, field), 1 }

static const aim_dynsym curl_syms[] = {
    SYM(global_init, "curl_global_init"),
    SYM(easy_init, "curl_easy_init"),
    SYM(easy_setopt, "curl_easy_setopt"),
    SYM(easy_perform, "curl_easy_perform"),
    SYM(easy_getinfo, "curl_easy_getinfo"),
    SYM(easy_cleanup, "curl_easy_cleanup"),
    SYM(easy_strerror, "curl_easy_strerror"),
    SYM(slist_append, "curl_slist_append"),
    SYM(slist_free_all, "curl_slist_free_all"),
    SYM(getdate, "curl_getdate"),
    SYM(url, "curl_url"),
    SYM(url_cleanup, "curl_url_cleanup"),
    SYM(url_set, "curl_url_set"),
    SYM(url_get, "curl_url_get"),
    SYM(free, "curl_free"),
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static aim_curl_api api;
static aim_dynlib lib;
static int loaded;
static char why[320];

static void load(void) {
    static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4", NULL };
    char err[256];
    if (aim__dynlib_open(&lib, sonames, "AIMETER_LIBCURL", curl_syms,
                        sizeof curl_syms / sizeof curl_syms[0], &api, err, sizeof err) < 0) {
        snprintf(why, sizeof why, "libcurl is needed for live grid-intensity providers: %s", err);
        return;
    }
    /* Never unloaded: libcurl's global state lives until the process ends. */
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(why, sizeof why, "libcurl could not be initialised (%s)", lib.path);
        return;
    }
    loaded = 1;
}

const aim_curl_api *aim__curl(const char **ret_why) {
    pthread_once(&once, load);
    if (ret_why)
        *ret_why = loaded ? NULL : why;
    return loaded ? &api : NULL;
}
