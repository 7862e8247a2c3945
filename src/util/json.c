/* The one JSON module (json.h). */
#include "util/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/iso8601.h"
#include "util/number.h"
#include "util/numfmt.h"

void aim__json_put(json_t *obj, const char *key, json_t *v, int *err) {
    if (json_object_set_new(obj, key, v) < 0)
        *err = 1;
}

void aim__json_push(json_t *arr, json_t *v, int *err) {
    if (json_array_append_new(arr, v) < 0)
        *err = 1;
}

json_t *aim__json_str(const char *s, size_t n) {
    n = strnlen(s, n);
    json_t *v = json_stringn(s, n);
    if (v)
        return v;
    /* jansson refuses invalid UTF-8: repaired (U+FFFD) and tried again. */
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append_utf8(&b, s, n);
    v = !b.err && b.data ? json_stringn(b.data, b.len) : NULL;
    aim__strbuf_free(&b);
    return v;
}

json_t *aim__json_str_or_null(const char *s, size_t n) {
    return strnlen(s, n) ? aim__json_str(s, n) : json_null();
}

json_t *aim__json_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *aim__json_count(uint64_t v) {
    return json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v);
}

json_t *aim__json_time(int64_t unix_ns) {
    char buf[40];
    aim__fmt_time_iso(buf, sizeof buf, unix_ns);
    return json_string(buf);
}

int aim__json_dump_flags(json_t *root, size_t flags, int newline, char **ret_text) {
    char *dumped = json_dumps(root, flags);
    if (!dumped)
        return -ENOMEM;
    /* Copied so the caller can free() it whatever allocator jansson was given. */
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append(&b, dumped);
    if (newline)
        aim__strbuf_putc(&b, '\n');
    free(dumped);
    return aim__strbuf_steal(&b, ret_text);
}

json_t *aim__json_parse(const char *text, size_t len, char *err, size_t errlen) {
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root && err && errlen)
        snprintf(err, errlen, "malformed JSON (line %d: %.60s)", je.line, je.text);
    return root;
}

int aim__json_dump(json_t *root, char **ret_text) {
    return aim__json_dump_flags(root, AIM_JSON_FLAGS, 1, ret_text);
}

void aim__json_append_str(aim_strbuf *b, const char *s, size_t n) {
    json_t *v = aim__json_str(s ? s : "", s ? n : 0);
    char *text = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (!text) {
        b->err = b->err ? b->err : -ENOMEM;
        return;
    }
    aim__strbuf_append(b, text);
    free(text);
}

void aim__json_append_real(aim_strbuf *b, double v, int digits) {
    char num[AIM_NUM_MAX];
    if (!isfinite(v)) {
        aim__strbuf_append(b, "null");
        return;
    }
    aim__fmt_g(num, v, digits ? digits : 15);
    double back;
    if (!digits && (aim__parse_decimal(num, strlen(num), 1, &back) < 0 || back != v))
        aim__fmt_g(num, v, 17);
    aim__strbuf_append(b, num);
}
