/* The web-config file applied to libmicrohttpd (prom_server.c): TLS options, and the answer
 * to a request that authentication refuses. */
#ifndef AIM_SERVE_WEB_MHD_H
#define AIM_SERVE_WEB_MHD_H

#include <microhttpd.h>

#include "serve/web_auth.h"
#include "serve/web_config.h"

#define AIM_WEB_MHD_OPTIONS 4

/* Fills items (AIM_WEB_MHD_OPTIONS of them, the last MHD_OPTION_END) for MHD_OPTION_ARRAY and
 * adds MHD_USE_TLS to *flags when cfg (may be NULL) asks for TLS. cfg must outlive the
 * daemon's start. 0, or -EOPNOTSUPP when this libmicrohttpd was built without TLS. */
int aim__web_mhd_options(const aim_web_config *cfg, unsigned *flags, struct MHD_OptionItem *items);

/* The verdict on c's Authorization header, from c's client address (web_auth.h's budget per
 * address). */
aim_auth_verdict aim__web_mhd_check(aim_web_auth *a, struct MHD_Connection *c);

/* Queues the answer for a verdict other than AIM_AUTH_OK: 401 with WWW-Authenticate, or 503
 * with Retry-After, and headers (name, value, ..., NULL; NULL: none), the server's own. */
enum MHD_Result aim__web_mhd_refuse(struct MHD_Connection *c, const aim_web_auth *a,
                                    aim_auth_verdict v, const char *const *headers);

#endif
