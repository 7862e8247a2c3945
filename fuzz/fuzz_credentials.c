/* The credentials file parser over arbitrary bytes. A value found must be NUL-terminated,
 * fit the buffer and hold no control character (it becomes an HTTP header). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "carbon/provider_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_exact(data, size);
    if (!text)
        return 0;
    static const char *const keys[] = { "electricitymaps_api_key", "watttime_username", "watttime_password", "a" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char out[64];
        int line = 0;
        int r = aim_credentials_parse(text, size, keys[k], out, sizeof out, &line);
        if (r == 0) {
            size_t n = strnlen(out, sizeof out);
            if (n == sizeof out)
                abort();
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)out[i] < 0x20 && out[i] != '\t')
                    abort();
        } else if (r == -EINVAL && line < 1) {
            abort();
        }
    }
    free(text);
    return 0;
}
