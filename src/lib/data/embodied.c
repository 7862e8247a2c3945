/* Embodied-carbon lookup and linear amortisation. A model without a row of its own falls
 * back to its class's "any" row rather than failing: a report can always show an
 * order of magnitude, and the returned row says that it is the generic one. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "data/embodied.h"
#include "data/gpu_specs.h"

static const aim_embodied_info *find_exact(const char *kind, const char *model) {
    char key[AIM_HW_KEY_MAX];
    if (aim__hw_name_key(model, key, sizeof key) < 0)
        return NULL;
    for (size_t i = 0; i < aim_embodied_table_count; i++) {
        const aim_embodied_info *e = &aim_embodied_table[i];
        if (strcasecmp(e->kind, kind) == 0 && strcmp(e->model, "any") != 0 &&
            aim__hw_name_match(key, e->model, NULL) == 1)
            return e;
    }
    return NULL;
}

int aim__embodied_find(const char *kind, const char *model, const aim_embodied_info **ret) {
    if (!kind || !ret)
        return -EINVAL;
    const aim_embodied_info *any = NULL;
    for (size_t i = 0; i < aim_embodied_table_count && !any; i++)
        if (strcasecmp(aim_embodied_table[i].kind, kind) == 0 &&
            strcmp(aim_embodied_table[i].model, "any") == 0)
            any = &aim_embodied_table[i];
    if (!any)
        return -ENOENT; /* the generator gives every kind an "any" row */
    const aim_embodied_info *e = NULL;
    if (model && *model) {
        e = find_exact(kind, model);
        const aim_gpu_info *g;
        /* "A100 80GB" or nvidia-smi's "NVIDIA A100-SXM4-80GB" reach the canonical name. */
        if (!e && strcasecmp(kind, "gpu") == 0 && aim__gpu_spec_lookup(model, &g) == 0)
            e = find_exact(kind, g->name);
    }
    *ret = e ? e : any;
    return 0;
}

int aim_embodied_lookup(const char *kind, const char *model,
                        const aim_embodied_info **ret_info) {
    return aim__embodied_find(kind, model, ret_info);
}

size_t aim_embodied_count(void) {
    return aim_embodied_table_count;
}

const aim_embodied_info *aim_embodied_get(size_t index) {
    return index < aim_embodied_table_count ? &aim_embodied_table[index] : NULL;
}

double aim_embodied_amortise(double kg, double lifetime_years, double run_seconds) {
    if (!isfinite(kg) || !isfinite(lifetime_years) || !isfinite(run_seconds) || kg < 0 ||
        lifetime_years <= 0 || run_seconds < 0)
        return NAN;
    return kg * run_seconds / (lifetime_years * AIM_EMBODIED_YEAR_S);
}
