/* A line of numbers: n_head space-separated decimal numbers, then NAME=NUMBER pairs, e.g.
 * the control protocol's `job status` answer "12.5 3000 0.4 gpu0=2000 cpu0=1000"
 * (docs/control.md). Numbers as aim__parse_decimal reads them (any locale). */
#ifndef AIM_UTIL_NUMLIST_H
#define AIM_UTIL_NUMLIST_H

#include <stddef.h>

#define AIM_NUMLIST_HEAD 4
#define AIM_NUMLIST_PAIRS 32
#define AIM_NUMLIST_NAME 32   /* bytes of a name, NUL included */

typedef struct aim_numlist {
    double head[AIM_NUMLIST_HEAD];
    int n_pairs;
    char name[AIM_NUMLIST_PAIRS][AIM_NUMLIST_NAME];
    double value[AIM_NUMLIST_PAIRS];
} aim_numlist;

/* Parses text (NUL-terminated) with n_head (at most AIM_NUMLIST_HEAD) leading numbers into
 * ret; pairs past AIM_NUMLIST_PAIRS are left out. Returns 0, or -EINVAL (a missing or bad
 * number, an empty or too long name, a word without '='); ret is then unspecified. */
int aim__numlist_parse(const char *text, int n_head, aim_numlist *ret);

#endif
