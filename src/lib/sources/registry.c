/* The sources compiled in, in the order they are opened and polled. Order matters:
 * estimate looks at what the others declared and fills only what nobody measures. */
#include <pthread.h>

#include "aimeter.h"
#include "sources/source.h"

extern const aim_source_ops aim_source_procfs;
extern const aim_source_ops aim_source_proctree;
extern const aim_source_ops aim_source_rapl;
extern const aim_source_ops aim_source_hwmon;
extern const aim_source_ops aim_source_nvml;
extern const aim_source_ops aim_source_dcgm;
extern const aim_source_ops aim_source_nvml_pcie;
extern const aim_source_ops aim_source_estimate;

const aim_source_ops *const aim_sources[] = {
    &aim_source_procfs, &aim_source_proctree, &aim_source_rapl, &aim_source_hwmon,
    &aim_source_nvml,   &aim_source_dcgm,     &aim_source_nvml_pcie, &aim_source_estimate,
};
const int aim_source_count = (int)(sizeof aim_sources / sizeof aim_sources[0]);

static const char *source_names[sizeof aim_sources / sizeof aim_sources[0] + 1];

static void fill_source_names(void) {
    for (int i = 0; i < aim_source_count; i++)
        source_names[i] = aim_sources[i]->name;
}

const char *const *aim_source_names(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_source_names);
    return source_names;
}
