/* aimeter whatif rendering (aim_whatif_render in aimeter.h) over the pricing of
 * processing/whatif.h. */
#ifndef AIM_API_WHATIF_H
#define AIM_API_WHATIF_H

#include "aimeter.h"
#include "report/renderers.h"
#include "processing/whatif.h"

/* The options every what-if rendering checks first: a format `out` has (else -EOPNOTSUPP)
 * and pue 0 (the run's own) or 1.0-5.0 (else -EINVAL), with the store's message set. */
int aim__whatif_check_options(aim_store *store, aim_output out, aim_format format, double pue);
#endif
