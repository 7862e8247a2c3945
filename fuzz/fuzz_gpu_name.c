/* The hardware-name matcher over arbitrary text: a user's --gpu / --cpu argument, or a
 * device model a driver reports, reaches aim__hw_name_key and every lookup built on it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "aimeter.h"
#include "data/gpu_specs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096)
        size = 4096;
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    char key[AIM_HW_KEY_MAX];
    int n = aim__hw_name_key(text, key, sizeof key);
    if (n > 0 && (strlen(key) != (size_t)n || n >= AIM_HW_KEY_MAX))
        abort();
    const aim_gpu_info *g = NULL;
    int r = aim_gpu_lookup(text, &g);
    if (r == 0 && (!g || !(g->tdp_w > 0)))
        abort();
    if (r != 0 && r != -ENOENT && r != -EEXIST && r != -EINVAL)
        abort();
    const aim_gpu_info *cand[4];
    size_t c = aim_gpu_candidates(text, cand, 4);
    if (r == -EEXIST && c < 2)
        abort();
    for (size_t i = 0; i < c && i < 4; i++)
        if (!cand[i] || !cand[i]->name)
            abort();
    aim_cpu_info cpu;
    if (aim_cpu_lookup(text, &cpu) == 0 && !cpu.model)
        abort();
    const aim_embodied_info *e;
    if (aim_embodied_lookup("gpu", text, &e) != 0 || !e->model)
        abort();
    double pue;
    if (aim_pue_lookup(text, &pue, NULL) == 0 && !(pue >= 1.0))
        abort();
    free(text);
    return 0;
}
