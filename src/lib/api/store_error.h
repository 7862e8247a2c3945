/* The public store handle's error message, set by every public function that fails. */
#ifndef AIM_API_STORE_ERROR_H
#define AIM_API_STORE_ERROR_H

#include "aimeter.h"

/* Sets the public handle's error message (api/public.c). */
void aim_store_set_error(aim_store *store, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
