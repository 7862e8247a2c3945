/* Zeroed memory straight from the kernel, for tables sized for the worst case that a run
 * mostly leaves untouched (the workload's event queue, phase and record tables: ~25 MB):
 * pages become resident only when written. calloc gave the same on a process's first
 * session, but glibc raises its mmap threshold when such a block is freed, so a later
 * session's calloc came from the heap and cleared every byte: 12 ms of start() and 25 MB of
 * resident memory from the third session of a process on (docs/performance.md). */
#ifndef AIM_PAGES_H
#define AIM_PAGES_H

#include <stddef.h>

/* n * size zeroed bytes, or NULL (overflow, no memory). Free with aim__pages_free and the
 * same n and size. */
void *aim__pages_alloc(size_t n, size_t size);
void aim__pages_free(void *p, size_t n, size_t size);

#endif
