/* The aim_error out-object of the functions without an object (aimeter.h, "errors without
 * an object"; the rule in docs/api.md). */
#ifndef AIM_API_ERROR_OUT_H
#define AIM_API_ERROR_OUT_H

#include "aimeter.h"
#include "report/renderers.h"

/* Clears e (may be NULL): code 0, message "". Called first by each such function, so that
 * success leaves no stale message. */
void aim__error_clear(aim_error *e);
/* Fills e (may be NULL) with code and the message, one line; returns code. */
int aim__error_set(aim_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The start of an object-less rendering function: clears e, then 0, or -EINVAL for no
 * ret_text / -EOPNOTSUPP for a format `out` lacks, with e filled. */
int aim__error_render_start(aim_error *e, char **ret_text, aim_output out, aim_format format);

#endif
