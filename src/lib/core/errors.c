/* Version, error names and the log callback. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aim_config.h"
#include "aimeter.h"
#include "log.h"

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

static aim_log_fn log_fn;
static void *log_userdata;

void aim_set_log_callback(aim_log_fn fn, void *userdata) {
    log_fn = fn;
    log_userdata = userdata;
}

void aim_log(aim_log_level level, const char *fmt, ...) {
    aim_log_fn fn = log_fn;
    if (!fn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(level, msg, log_userdata);
}
