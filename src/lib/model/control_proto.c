/* The control protocol's parser (control_proto.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/control_proto.h"
#include "model/job_info.h"
#include "util/number.h"
#include "util/utf8.h"

static int fail(char *err, size_t errlen, const char *msg) {
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return -EINVAL;
}

/* Printable text: no control characters (bytes < 0x20 and 0x7f); UTF-8 bytes pass. */
static int printable(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

int aim__record_key_valid(const char *key) {
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > AIM_CONTROL_KEY_MAX || key[0] < 'a' || key[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return 0;
    }
    return 1;
}

int aim__job_id_valid(const char *id) {
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > AIM_CONTROL_JOB_MAX || strcmp(id, "end") == 0 || strcmp(id, "status") == 0)
        return 0;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:@+[]") == n;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

aim_record_kind aim__record_default_kind(const char *key) {
    static const char *const counted[] = { "tokens", "samples", "requests", "inferences",
                                           "images", "steps", "batches", "items" };
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++)
        if (strcmp(key, counted[i]) == 0 || ends_with(key, counted[i]))
            return AIM_RECORD_COUNTER;
    return ends_with(key, "_total") || ends_with(key, "_count") ? AIM_RECORD_COUNTER
                                                                : AIM_RECORD_GAUGE;
}

/* The next space-separated word of [*p, end): sets *w and *wlen, advances *p past it and the
 * spaces after it. 0 when there is none. */
static int word(const char **p, const char *end, const char **w, size_t *wlen) {
    while (*p < end && **p == ' ')
        (*p)++;
    if (*p >= end)
        return 0;
    *w = *p;
    while (*p < end && **p != ' ')
        (*p)++;
    *wlen = (size_t)(*p - *w);
    while (*p < end && **p == ' ')
        (*p)++;
    return 1;
}

static int is(const char *w, size_t len, const char *text) {
    return len == strlen(text) && memcmp(w, text, len) == 0;
}

/* The rest of the line as a name (trailing spaces dropped). */
static int take_name(const char *p, const char *end, aim_control_msg *m, int required,
                     char *err, size_t errlen) {
    while (end > p && end[-1] == ' ')
        end--;
    size_t n = (size_t)(end - p);
    if (n == 0 && required)
        return fail(err, errlen, "a name is missing");
    if (n > AIM_CONTROL_NAME_MAX)
        return fail(err, errlen, "the name is longer than 128 bytes");
    memcpy(m->name, p, n);
    m->name[n] = '\0';
    return 0;
}

int aim__control_parse(const char *line, size_t len, aim_control_msg *ret, char *err,
                      size_t errlen) {
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len + 1 > AIM_CONTROL_LINE_MAX)
        return fail(err, errlen, "line too long (at most 511 bytes)");
    if (!printable(line, len))
        return fail(err, errlen, "control characters in the line");
    /* Names go to the store, the JSON report and terminals: text, not arbitrary bytes. */
    if (!aim__utf8_valid(line, len))
        return fail(err, errlen, "the line is not valid UTF-8");
    const char *p = line, *end = line + len, *w;
    size_t wl;
    aim_control_msg m;
    memset(&m, 0, sizeof m);
    if (!word(&p, end, &w, &wl))
        return fail(err, errlen, "empty line");
    if (is(w, wl, "ping")) {
        if (p != end)
            return fail(err, errlen, "ping takes no argument");
        m.op = AIM_CTL_PING;
    } else if (is(w, wl, "run")) {
        if (p != end)
            return fail(err, errlen, "run takes no argument");
        m.op = AIM_CTL_RUN;
    } else if (is(w, wl, "job")) {
        if (!word(&p, end, &w, &wl))
            return fail(err, errlen, "job needs an id, end or status");
        if (is(w, wl, "info")) { /* KEY=VALUE words: checked here, read by the agent */
            aim_job_info info;
            if (aim__job_info_parse(p, (size_t)(end - p), &info, err, errlen) < 0)
                return -EINVAL;
            m.op = AIM_CTL_JOB_INFO;
            m.info_off = (unsigned short)(p - line);
            *ret = m;
            return 0;
        }
        if (p != end)
            return fail(err, errlen, "job takes one word");
        if (is(w, wl, "end") || is(w, wl, "status")) {
            m.op = w[0] == 'e' ? AIM_CTL_JOB_END : AIM_CTL_JOB_STATUS;
        } else if (is(w, wl, "hold") || is(w, wl, "node")) {
            m.op = w[0] == 'h' ? AIM_CTL_JOB_HOLD : AIM_CTL_JOB_NODE;
        } else if (is(w, wl, "leave")) {
            m.op = AIM_CTL_JOB_LEAVE;
        } else {
            m.op = AIM_CTL_JOB;
            if (wl > AIM_CONTROL_JOB_MAX)
                return fail(err, errlen, "a job id is at most 64 bytes");
            memcpy(m.name, w, wl);
            m.name[wl] = '\0';
            if (!aim__job_id_valid(m.name))
                return fail(err, errlen, "a job id is A-Z a-z 0-9 _ . - : @ + [ ]");
        }
    } else if (is(w, wl, "mark")) {
        m.op = AIM_CTL_MARK;
        if (take_name(p, end, &m, 1, err, errlen) < 0)
            return -EINVAL;
    } else if (is(w, wl, "phase")) {
        if (!word(&p, end, &w, &wl))
            return fail(err, errlen, "phase needs begin or end");
        if (is(w, wl, "begin"))
            m.op = AIM_CTL_PHASE_BEGIN;
        else if (is(w, wl, "end"))
            m.op = AIM_CTL_PHASE_END;
        else
            return fail(err, errlen, "phase needs begin or end");
        if (take_name(p, end, &m, m.op == AIM_CTL_PHASE_BEGIN, err, errlen) < 0)
            return -EINVAL;
    } else if (is(w, wl, "record")) {
        m.op = AIM_CTL_RECORD;
        if (!word(&p, end, &w, &wl) || wl > AIM_CONTROL_KEY_MAX)
            return fail(err, errlen, "record needs a key of 1-48 characters");
        memcpy(m.name, w, wl);
        m.name[wl] = '\0';
        if (!aim__record_key_valid(m.name))
            return fail(err, errlen, "a record key is a-z first, then a-z 0-9 _ . -");
        if (!word(&p, end, &w, &wl))
            return fail(err, errlen, "record needs a value");
        if (aim__parse_decimal(w, wl, 1, &m.value) < 0)
            return fail(err, errlen, "the value is not a finite decimal number");
        m.kind = aim__record_default_kind(m.name);
        if (word(&p, end, &w, &wl)) {
            if (is(w, wl, "counter"))
                m.kind = AIM_RECORD_COUNTER;
            else if (is(w, wl, "gauge"))
                m.kind = AIM_RECORD_GAUGE;
            else
                return fail(err, errlen, "the kind is counter or gauge");
            if (p != end)
                return fail(err, errlen, "too many words after record");
        }
    } else {
        return fail(err, errlen, "unknown message (phase, mark, record, ping, run, job)");
    }
    *ret = m;
    return 0;
}

size_t aim__control_rank_scope(const char *name) {
    if (strncmp(name, "[rank ", 6) != 0)
        return 0;
    size_t i = 6;
    while (name[i] >= '0' && name[i] <= '9' && i < 16)
        i++;
    return i > 6 && name[i] == ']' && name[i + 1] == ' ' ? i + 2 : 0;
}
