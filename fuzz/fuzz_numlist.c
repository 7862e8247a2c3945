/* The `job status` answer's parser (util/numlist.h) over arbitrary bytes: what `aimeter run`
 * reads back from whatever listens on the agent's socket. A success has at most
 * AIM_NUMLIST_PAIRS pairs, each name non-empty, NUL-terminated and without a space or '='
 * before its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "util/numlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    aim_numlist l;
    if (aim__numlist_parse(text, 3, &l) == 0) {
        if (l.n_pairs < 0 || l.n_pairs > AIM_NUMLIST_PAIRS)
            abort();
        for (int i = 0; i < l.n_pairs; i++) {
            size_t n = strnlen(l.name[i], AIM_NUMLIST_NAME);
            if (n == 0 || n == AIM_NUMLIST_NAME || strchr(l.name[i], ' '))
                abort();
        }
    }
    free(text);
    return 0;
}
