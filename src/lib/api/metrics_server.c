/* aim_metrics_server_*: the public face of serve/prom_server.c. */
#include <errno.h>

#include "aimeter.h"
#include "serve/prom_server.h"

AIM_PUBLIC int aim_metrics_server_start(aim_session *s, const char *address, unsigned port,
                                        aim_metrics_server **ret_server) {
    if (!s || !ret_server)
        return -EINVAL;
    /* The public type is the server itself: no wrapper to allocate. */
    return aim__prom_server_start(s, address ? address : "127.0.0.1", port,
                                  (aim_prom_server **)ret_server);
}

AIM_PUBLIC void aim_metrics_server_stop(aim_metrics_server *server) {
    aim__prom_server_stop((aim_prom_server *)server);
}
