/* Large zeroed tables from mmap (pages.h says why). */
#include "util/pages.h"

#include <stdint.h>
#include <sys/mman.h>

void *aim__pages_alloc(size_t n, size_t size) {
    if (n == 0)
        n = 1;
    if (size == 0 || n > SIZE_MAX / size)
        return NULL;
    void *p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void aim__pages_free(void *p, size_t n, size_t size) {
    if (p)
        munmap(p, (n ? n : 1) * size);
}
