/* The GPU list (--gpus, AIMETER_GPUS, CUDA_VISIBLE_DEVICES: whatever the environment of a
 * job holds) over four GPUs with ids and UUIDs. The count returned is the number selected,
 * and the entry reported as bad is a bounded C string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "sources/nvidia/gpu_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UUID_LEN 48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const unsigned int ids[4] = { 0, 1, 2, 7 };
    static const char uuids[4][UUID_LEN] = {
        "GPU-5a8f0c52-1b2d-4c3e-9f00-0123456789ab",
        "GPU-5a8f0c52-1b2d-4c3e-9f00-0123456789ac",
        "GPU-e1d2c3b4-0000-1111-2222-333344445555",
        "",  /* a GPU whose UUID could not be read */
    };
    char *spec = fuzz_copy_cstr(data, size);
    if (!spec)
        abort();
    int sel[4] = { 0 };
    char bad[80];
    memset(bad, 'x', sizeof bad);
    int count = aim__gpu_select(spec, 4, ids, uuids[0], UUID_LEN, sel, bad, sizeof bad);
    int selected = 0;
    for (int i = 0; i < 4; i++)
        selected += sel[i] != 0;
    if (count < 0 || count > 4 || count != selected || !memchr(bad, '\0', sizeof bad))
        abort();
    free(spec);
    return 0;
}
