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

/* The control socket's replies (docs/control.md): whole lines, each "ok", "ok ..." or
 * "error ...", without a control character inside. abort() otherwise. */
static inline void fuzz_check_control_replies(const char *replies, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)replies[i];
        if (ch == '\n') {
            const char *line = replies + start;
            size_t len = i - start;
            if (!(len == 2 && memcmp(line, "ok", 2) == 0) && !(len > 3 && memcmp(line, "ok ", 3) == 0) &&
                !(len > 6 && memcmp(line, "error ", 6) == 0))
                abort();
            start = i + 1;
        } else if (ch < 0x20 || ch == 0x7f) {
            abort();
        }
    }
    if (start != n)
        abort();
}

#endif
