/* aimeter whatif rendering (aim_whatif_render in aimeter.h) over the pricing of
 * processing/whatif.h. */
#ifndef AIM_API_WHATIF_H
#define AIM_API_WHATIF_H

#include "aimeter.h"
#include "processing/whatif.h"

/* The options every what-if rendering checks first: format "text" or "json" (*ret_json set)
 * and pue 0 (the run's own) or 1.0-5.0. 0, or -EINVAL with store's message set. */
int aim_whatif_check_options(aim_store *store, const char *format, double pue, int *ret_json);
#endif
