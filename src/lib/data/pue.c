/* Provider PUE defaults for `--pue aws|gcp|azure`. Green Algorithms' defaults_PUE.csv
 * (CC BY 4.0) rather than each provider's own latest figure: one table, one vintage, from the
 * tool whose estimate formula aimeter reproduces, so `aimeter estimate` and Green Algorithms'
 * calculator agree. The providers' own disclosures are compared in docs/methodology.md. */
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "aimeter.h"

#define GA_NUTANIX "Green Algorithms defaults_PUE.csv (CC BY 4.0), from nutanix.dev, 2023"

static const struct {
    const char *name, *alias;
    double pue;
    const char *source;
} pue_table[] = {
    { "aws", NULL, 1.2, GA_NUTANIX },
    { "gcp", "google", 1.12, GA_NUTANIX },
    { "azure", "microsoft", 1.12, GA_NUTANIX },
    { "ovhcloud", "ovh", 1.09, GA_NUTANIX },
    { "oracle", NULL, 1.2, GA_NUTANIX },
    { "average", NULL, 1.56,
      "Green Algorithms defaults_PUE.csv (CC BY 4.0): Uptime Institute global survey, 2024" },
};

int aim_pue_lookup(const char *name, double *ret_pue, const char **ret_source) {
    if (!name || !*name)
        return -EINVAL;
    for (size_t i = 0; i < sizeof pue_table / sizeof pue_table[0]; i++) {
        if (strcasecmp(name, pue_table[i].name) != 0 &&
            !(pue_table[i].alias && strcasecmp(name, pue_table[i].alias) == 0))
            continue;
        if (ret_pue)
            *ret_pue = pue_table[i].pue;
        if (ret_source)
            *ret_source = pue_table[i].source;
        return 0;
    }
    return -ENOENT;
}

const char *const *aim_pue_names(void) {
    static const char *const names[] = { "aws", "gcp", "azure", "ovhcloud", "oracle", "average",
                                         NULL };
    return names;
}
