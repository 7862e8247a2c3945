/* The public phase/mark/record calls (aimeter.h): validated like control-socket lines, then
 * queued for the writer (workload.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine/session_internal.h"

/* Text the protocol accepts: 1-128 bytes, no control characters. */
static int text_ok(const char *t, int required) {
    size_t n = t ? strnlen(t, AIM_CONTROL_NAME_MAX + 1) : 0;
    if (n > AIM_CONTROL_NAME_MAX || (required && n == 0))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
            return 0;
    return 1;
}

static int push(aim_session *s, aim_control_op op, const char *name, double value,
                aim_record_kind kind) {
    if (!s || !s->started || s->stopped)
        return -ENODEV;
    aim_control_msg m;
    memset(&m, 0, sizeof m);
    m.op = op;
    if (name)
        memcpy(m.name, name, strnlen(name, AIM_CONTROL_NAME_MAX));
    m.value = value;
    m.kind = kind;
    return aim__workload_push(&s->workload, &m);
}

int aim_phase_begin(aim_session *s, const char *name) {
    return text_ok(name, 1) ? push(s, AIM_CTL_PHASE_BEGIN, name, 0, 0) : -EINVAL;
}

int aim_phase_end(aim_session *s, const char *name) {
    return text_ok(name, 0) ? push(s, AIM_CTL_PHASE_END, name, 0, 0) : -EINVAL;
}

int aim_mark(aim_session *s, const char *text) {
    return text_ok(text, 1) ? push(s, AIM_CTL_MARK, text, 0, 0) : -EINVAL;
}

int aim_record_as(aim_session *s, const char *key, double value, int counter) {
    if (!aim__record_key_valid(key) || !isfinite(value))
        return -EINVAL;
    return push(s, AIM_CTL_RECORD, key, value, counter ? AIM_RECORD_COUNTER : AIM_RECORD_GAUGE);
}

int aim_record(aim_session *s, const char *key, double value) {
    if (!aim__record_key_valid(key))
        return -EINVAL;
    return aim_record_as(s, key, value, aim__record_default_kind(key) == AIM_RECORD_COUNTER);
}
