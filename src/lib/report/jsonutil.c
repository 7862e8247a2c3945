#include "report/jsonutil.h"

#include "model/run_tags.h"
#include "processing/report_words.h"

json_t *aim__json_tags(const struct aim_run_tag *tags, size_t n) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        json_t *v = aim__json_str(tags[i].value, sizeof tags[i].value);
        if (!v || json_object_set_new(o, tags[i].key, v) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

const char *aim__json_status(aim_run_status s) {
    switch (s) {
    case AIM_RUN_RUNNING: return "running";
    case AIM_RUN_COMPLETED: return "completed";
    case AIM_RUN_FAILED: return "failed";
    case AIM_RUN_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}
