/* Growing a heap array by doubling: the one way every layer makes room for one more row (rows
 * read from the store, points of a series, channels found at open). Not for the sampling
 * path (it allocates). */
#ifndef AIM_UTIL_ARRAY_H
#define AIM_UTIL_ARRAY_H

#include <stddef.h>

/* The capacity to grow to so that `need` elements fit: cap doubled (from `first` when cap is
 * 0) until it holds need; cap itself when it already does. 0 when that would overflow. */
size_t aim__array_next_cap(size_t cap, size_t need, size_t first);

/* realloc of the array at *(T **)arrp to count elements of elem_size bytes, with the
 * multiplication checked. 0, or -ENOMEM with the array left as it was. */
int aim__array_resize(void *arrp, size_t count, size_t elem_size);

/* Makes room for `need` elements in the array at *(T **)arrp whose capacity is *cap,
 * doubling from `first`. 0, or -ENOMEM with the array and *cap left as they were. */
int aim__array_reserve(void *arrp, size_t *cap, size_t need, size_t elem_size, size_t first);

/* aim__array_reserve for a typed pointer: AIM_ARRAY_RESERVE(rows, cap, n + 1, 16). */
#define AIM_ARRAY_RESERVE(arr, cap, need, first) \
    aim__array_reserve(&(arr), &(cap), (need), sizeof *(arr), (first))

#endif
