/* aim_parse_duration over arbitrary bytes: the text comes from the command line and, later,
 * from configuration files. A success must be a positive duration. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    int64_t ns = -1;
    if (aim_parse_duration(text, &ns) == 0 && ns < 1)
        abort();
    free(text);
    return 0;
}
