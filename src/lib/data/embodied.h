/* Embodied (manufacturing) carbon per class of device (data/embodied.csv, compiled in by
 * tools/gen_hw_tables.py) and its amortisation over a run. The public side is in aimeter.h;
 * the method and every figure's source are in docs/methodology.md, "Embodied carbon". */
#ifndef AIM_CARBON_EMBODIED_H
#define AIM_CARBON_EMBODIED_H

#include <stddef.h>

#include "aimeter.h"

extern const aim_embodied_info aim_embodied_table[];
extern const size_t aim_embodied_table_count;

/* Seconds in the year used for lifetimes: 365.25 days, the mean Julian year, so a lifetime
 * of N years is the same number of seconds whatever leap years it spans. */
#define AIM_EMBODIED_YEAR_S (365.25 * 86400.0)

/* As aim_embodied_lookup(). */
int aim__embodied_find(const char *kind, const char *model, const aim_embodied_info **ret);

#endif
