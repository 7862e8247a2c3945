/* The credentials file parser over arbitrary bytes (a user's file, read before any request).
 * A value found must be NUL-terminated, fit the buffer, appear in the file and hold no
 * control character (it becomes an HTTP header); every refusal names a line of the file.
 * Each input is parsed for several keys and two buffer sizes, so that both "too long" and
 * found are reached. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "providers/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_lines(const char *text, size_t size) {
    int n = 1;
    for (size_t i = 0; i < size; i++)
        n += text[i] == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_exact(data, size);
    if (!text)
        return 0;
    static const char *const keys[] = { "electricitymaps_api_key", "watttime_username",
                                        "watttime_password", "a" };
    static const size_t sizes[] = { 64, 4 };
    int lines = count_lines(text, size);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            char out[64];
            int line = 0;
            int r = aim__credentials_parse(text, size, keys[k], out, sizes[s], &line);
            if (r == 0) {
                size_t n = strnlen(out, sizes[s]);
                if (n == sizes[s] || (n && !memmem(text, size, out, n)))
                    abort();
                for (size_t i = 0; i < n; i++)
                    if (((unsigned char)out[i] < 0x20 && out[i] != '\t') || out[i] == 0x7f)
                        abort();
            } else if (r == -EINVAL || r == -ENOBUFS) {
                if (line < 1 || line > lines)
                    abort();
            } else if (r != -ENOENT) {
                abort();
            }
        }
    free(text);
    return 0;
}
