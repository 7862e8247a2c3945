/* Helpers shared by the fuzz targets (header only: each target is one program). */
#ifndef AIM_FUZZ_UTIL_H
#define AIM_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A heap copy of exactly size bytes (no NUL added), so that ASan flags a parser reading even
 * one byte past the end, which the fuzzer's own buffer might not. NULL when out of memory;
 * release with free(). */
static inline char *fuzz_copy_exact(const uint8_t *data, size_t size) {
    char *buf = malloc(size ? size : 1);
    if (buf)
        memcpy(buf, data, size);
    return buf;
}

/* A heap copy with a NUL after the input, for parsers of C strings (an embedded NUL just ends
 * the string early, as it would in real use). NULL when out of memory; release with free(). */
static inline char *fuzz_copy_cstr(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (buf) {
        memcpy(buf, data, size);
        buf[size] = '\0';
    }
    return buf;
}

#endif
