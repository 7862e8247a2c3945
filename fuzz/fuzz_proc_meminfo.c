/* aim__parse_meminfo, aim__meminfo_used_kib and aim__parse_cpuinfo_model (the same "key: value"
 * line format) over arbitrary bytes, copied to an exactly sized allocation for ASan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sources/procfs_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = fuzz_copy_exact(data, size);
    if (!buf)
        return 0;
    aim_meminfo mi;
    int r = aim__parse_meminfo(buf, size, &mi);
    if ((r == 0) != ((mi.have & AIM_MEMINFO_TOTAL) != 0))
        abort();
    uint64_t used;
    if (aim__meminfo_used_kib(&mi, &used) == 0 && (r < 0 || used > mi.total_kib))
        abort();
    char model[32];
    memset(model, 'x', sizeof model);
    r = aim__parse_cpuinfo_model(buf, size, model, sizeof model);
    if (memchr(model, '\0', sizeof model) == NULL || (r < 0 && model[0] != '\0'))
        abort();
    free(buf);
    return 0;
}
