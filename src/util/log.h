/* The library's only way to say something: the user's log callback, if any. */
#ifndef AIM_LOG_H
#define AIM_LOG_H

#include "aimeter.h"

void aim__log(aim_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
