/* Numbers read from sysfs and procfs files (hwmon power, energy and temperature inputs, RAPL
 * energy_uj and max_energy_range_uj, ...) through the same fd-based readers the sources use,
 * over a memory file holding the input. The readers must accept exactly the grammar written out
 * below, with the value of its digits. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The grammar the readers accept, written out independently of fileio.c: for i64 an optional
 * '-' first, then blanks, decimal digits, blanks, and the end or a newline (what follows a
 * newline is not looked at). 0 and the magnitude in *v when the text is of that form. */
static int expect(const char *s, int allow_sign, int *neg, uint64_t *v) {
    *neg = 0;
    if (allow_sign && *s == '-') {
        *neg = 1;
        s++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    *v = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (*v > UINT64_MAX / 10 || *v * 10 > UINT64_MAX - d)
            return -1;
        *v = *v * 10 + d;
        s++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || *s == '\n' ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("fuzz-sysfs", MFD_CLOEXEC)) < 0)
        abort();
    if (size > 256)
        size = 256;
    if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
    char text[64];
    int n = aim__pread_text(fd, text, sizeof text);
    if (n < 0 || (size_t)n != (size < sizeof text - 1 ? size : sizeof text - 1) || text[n] != '\0')
        abort();

    uint64_t u;
    int64_t i;
    int neg;
    uint64_t v;
    /* Both ways: what the grammar accepts is read, with its value; nothing else is. */
    int ok_u = expect(text, 0, &neg, &v) == 0;
    int r = aim__pread_u64(fd, &u);
    if ((r == 0) != ok_u || (r == 0 && v != u))
        abort();
    int ok_i = expect(text, 1, &neg, &v) == 0 && v <= (uint64_t)INT64_MAX;
    r = aim__pread_i64(fd, &i);
    if ((r == 0) != ok_i || (r == 0 && (neg ? -(int64_t)v : (int64_t)v) != i))
        abort();
    return 0;
}
