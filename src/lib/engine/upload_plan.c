/* The uploader's schedule and outage accounting (upload_plan.h). */
#include "engine/upload_plan.h"

#include <string.h>

void aim__upload_plan_init(aim_upload_plan *p, int64_t interval_ns, int64_t now_ns) {
    memset(p, 0, sizeof *p);
    p->interval_ns = interval_ns > 0 ? interval_ns : AIM_UPLOAD_INTERVAL_DEFAULT_NS;
    p->next_ns = now_ns;
}

aim_upload_event aim__upload_plan_ok(aim_upload_plan *p, int64_t now_ns, int64_t wall_ns) {
    aim_upload_event ev = AIM_UPLOAD_NOTHING;
    if (p->down_since_wall_ns) {
        /* The oldest samples that waited: those committed just after the last success (or
         * at the outage's start when the server was down from the first try). */
        int64_t from = p->last_ok_wall_ns ? p->last_ok_wall_ns : p->down_since_wall_ns;
        if (wall_ns - from > p->max_delay_ns)
            p->max_delay_ns = wall_ns - from;
        p->last_up_wall_ns = wall_ns;
        p->down_since_wall_ns = 0;
        p->outages++;
        ev = AIM_UPLOAD_CAME_BACK;
    }
    p->last_ok_wall_ns = wall_ns;
    p->backoff_ns = 0;
    p->next_ns = now_ns + p->interval_ns;
    return ev;
}

aim_upload_event aim__upload_plan_failed(aim_upload_plan *p, int64_t now_ns, int64_t wall_ns) {
    aim_upload_event ev = AIM_UPLOAD_NOTHING;
    if (!p->down_since_wall_ns) {
        p->down_since_wall_ns = wall_ns;
        if (!p->first_down_wall_ns)
            p->first_down_wall_ns = wall_ns;
        ev = AIM_UPLOAD_WENT_DOWN;
    }
    int64_t cap = p->interval_ns > AIM_UPLOAD_BACKOFF_MAX_NS ? p->interval_ns
                                                             : AIM_UPLOAD_BACKOFF_MAX_NS;
    p->backoff_ns = p->backoff_ns ? p->backoff_ns * 2 : p->interval_ns;
    if (p->backoff_ns > cap)
        p->backoff_ns = cap;
    p->next_ns = now_ns + p->backoff_ns;
    return ev;
}

int64_t aim__upload_plan_final_wait_ns(const aim_upload_plan *p) {
    int64_t w = 3 * p->interval_ns;
    return w < 1000000000LL ? 1000000000LL : w > 15000000000LL ? 15000000000LL : w;
}
