/* Version, error names and the log callback. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aim_config.h"
#include "aimeter.h"
#include "util/log.h"
#include "util/text.h"

const char *aim_version(void) { return AIM_VERSION; }

const char *aim_strerror(int err) {
    if (err < 0)
        err = -err;
    switch (err) {
    case 0: return "success";
    case EOPNOTSUPP: return "not supported here (vendor library or interface absent)";
    case ENODEV: return "no such device, or nothing to measure";
    case EBADMSG: return "not an aimeter store, or corrupt data";
    case EPROTO: return "written by a newer aimeter";
    case EBUSY: return "store is locked by another process";
    case EALREADY: return "already started or stopped";
    default: return strerror(err);
    }
}

/* Messages logged while no callback is set wait here (the last LOG_KEPT), and reach the
 * next callback set: a host may then set its callback after start() has returned (the
 * Python package does, docs/performance.md) and still hear what start() had to say. */
#define LOG_KEPT 16

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static aim_log_fn log_fn;
static void *log_userdata;
static struct {
    aim_log_level level;
    char msg[512];
} kept[LOG_KEPT];
static unsigned kept_first, kept_count;

void aim_set_log_callback(aim_log_fn fn, void *userdata) {
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_userdata = userdata;
    /* Under the lock, so that a message logged meanwhile comes after these, not before. */
    for (; fn && kept_count; kept_count--, kept_first = (kept_first + 1) % LOG_KEPT)
        fn(kept[kept_first].level, kept[kept_first].msg, userdata);
    pthread_mutex_unlock(&log_lock);
}

void aim__log(aim_log_level level, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One line whatever a message quotes (a file name, a provider's answer): a host that
     * writes each message as a line must not be made to write two. */
    aim__text_one_line(msg);
    pthread_mutex_lock(&log_lock);
    aim_log_fn fn = log_fn;
    void *userdata = log_userdata;
    if (!fn) {
        unsigned slot = (kept_first + kept_count) % LOG_KEPT;
        if (kept_count == LOG_KEPT)
            kept_first = (kept_first + 1) % LOG_KEPT; /* the oldest goes */
        else
            kept_count++;
        kept[slot].level = level;
        memcpy(kept[slot].msg, msg, sizeof msg);
    }
    pthread_mutex_unlock(&log_lock);
    if (fn)
        fn(level, msg, userdata);
}
