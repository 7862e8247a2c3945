/* The public store handle's error message, set by every public function that fails. */
#ifndef AIM_API_STORE_ERROR_H
#define AIM_API_STORE_ERROR_H

#include "aimeter.h"
#include "report/renderers.h"

/* Sets the public handle's error message (api/public.c). */
void aim__store_set_error(aim_store *store, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 0 when `out` renders `format`, else -EOPNOTSUPP with "the OUTPUT has no FORMAT output
 * (text or json)" as the store's message (api/public.c). */
int aim__store_check_format(aim_store *store, aim_output out, aim_format format);

#endif
