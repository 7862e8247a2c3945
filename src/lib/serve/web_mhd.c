/* web_mhd.h: TLS through libmicrohttpd's own GnuTLS support, keys from memory. */
#include "serve/web_mhd.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int aim__web_mhd_options(const aim_web_config *cfg, unsigned *flags, struct MHD_OptionItem *items) {
    /* GnuTLS priority strings for exporter-toolkit's min_version (TLS12 by default). */
    static const char *const priorities[] = {
        "NORMAL", "NORMAL:-VERS-TLS1.0",
        "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1", "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.2",
    };
    int n = 0;
    if (cfg && cfg->cert_pem) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return -EOPNOTSUPP;
        *flags |= MHD_USE_TLS;
        int v = cfg->min_version >= 10 && cfg->min_version <= 13 ? cfg->min_version - 10 : 2;
        items[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, cfg->cert_pem };
        items[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, cfg->key_pem };
        items[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
                                              (void *)priorities[v] };
    }
    items[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    return 0;
}

enum MHD_Result aim__web_mhd_refuse(struct MHD_Connection *c, const aim_web_auth *a,
                                    aim_auth_verdict v, const char *const *headers) {
    static const char denied[] = "unauthorized: this aimeter asks for credentials\n";
    static const char busy[] = "busy checking credentials: retry in a second\n";
    const char *text = v == AIM_AUTH_BUSY ? busy : denied;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    if (v == AIM_AUTH_BUSY)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    else
        for (const char *const *ch = aim__web_auth_challenges(a); *ch; ch++)
            MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, *ch);
    for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    enum MHD_Result ok = MHD_queue_response(c, v == AIM_AUTH_BUSY ? MHD_HTTP_SERVICE_UNAVAILABLE
                                                                  : MHD_HTTP_UNAUTHORIZED, r);
    MHD_destroy_response(r);
    return ok;
}

aim_auth_verdict aim__web_mhd_check(aim_web_auth *a, struct MHD_Connection *c) {
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c,
        MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const void *)sa;
        return aim__web_auth_check_from(a, h, &v4->sin_addr, sizeof v4->sin_addr);
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const void *)sa;
        return aim__web_auth_check_from(a, h, &v6->sin6_addr, sizeof v6->sin6_addr);
    }
    return aim__web_auth_check(a, h);
}
