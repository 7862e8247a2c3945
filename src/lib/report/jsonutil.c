#include "report/jsonutil.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/run_tags.h"
#include "processing/report_words.h"
#include "util/strbuf.h"

void aim_json_put(json_t *obj, const char *key, json_t *v, int *err) {
    if (json_object_set_new(obj, key, v) < 0)
        *err = 1;
}

void aim_json_push(json_t *arr, json_t *v, int *err) {
    if (json_array_append_new(arr, v) < 0)
        *err = 1;
}

json_t *aim_json_str(const char *s, size_t n) {
    n = strnlen(s, n);
    json_t *v = json_stringn(s, n);
    if (v)
        return v;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim_strbuf_append_utf8(&b, s, n);
    v = !b.err && b.data ? json_stringn(b.data, b.len) : NULL;
    aim_strbuf_free(&b);
    return v;
}

json_t *aim_json_str_or_null(const char *s, size_t n) {
    return strnlen(s, n) ? aim_json_str(s, n) : json_null();
}

json_t *aim_json_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *aim_json_count(uint64_t v) {
    return json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v);
}

json_t *aim_json_time(int64_t unix_ns) {
    char buf[40];
    aim_fmt_time_iso(buf, sizeof buf, unix_ns);
    return json_string(buf);
}

json_t *aim_json_tags(const struct aim_run_tag *tags, size_t n) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        json_t *v = aim_json_str(tags[i].value, sizeof tags[i].value);
        if (!v || json_object_set_new(o, tags[i].key, v) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

const char *aim_json_status(aim_run_status s) {
    switch (s) {
    case AIM_RUN_RUNNING: return "running";
    case AIM_RUN_COMPLETED: return "completed";
    case AIM_RUN_FAILED: return "failed";
    case AIM_RUN_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}

/* 15 significant digits: beyond any sensor's precision, and 0.1 stays "0.1" instead of the
 * 17-digit "0.10000000000000001". */
#define AIM_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

int aim_json_dump(json_t *root, char **ret_text) {
    char *dumped = json_dumps(root, AIM_JSON_FLAGS);
    if (!dumped)
        return -ENOMEM;
    /* Copied so the caller can free() it whatever allocator jansson was given. */
    aim_strbuf b = AIM_STRBUF_INIT;
    aim_strbuf_append(&b, dumped);
    aim_strbuf_putc(&b, '\n');
    free(dumped);
    return aim_strbuf_steal(&b, ret_text);
}
