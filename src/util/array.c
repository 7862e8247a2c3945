/* Growing arrays by doubling (util/array.h). */
#include "util/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t aim__array_next_cap(size_t cap, size_t need, size_t first) {
    size_t c = cap ? cap : (first ? first : 1);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return 0;
        c *= 2;
    }
    return c;
}

int aim__array_resize(void *arrp, size_t count, size_t elem_size) {
    if (elem_size && count > SIZE_MAX / elem_size)
        return -ENOMEM;
    /* The caller's pointer is read and written as bytes: arrp is the address of any T *. */
    void *old;
    memcpy(&old, arrp, sizeof old);
    size_t bytes = count * elem_size;
    void *grown = realloc(old, bytes ? bytes : 1); /* never realloc(p, 0), which may free p */
    if (!grown)
        return -ENOMEM;
    memcpy(arrp, &grown, sizeof grown);
    return 0;
}

int aim__array_reserve(void *arrp, size_t *cap, size_t need, size_t elem_size, size_t first) {
    if (need <= *cap)
        return 0;
    size_t c = aim__array_next_cap(*cap, need, first);
    if (c == 0 || aim__array_resize(arrp, c, elem_size) < 0)
        return -ENOMEM;
    *cap = c;
    return 0;
}
