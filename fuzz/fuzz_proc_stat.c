/* aim__parse_proc_stat over arbitrary bytes: a FUSE /proc (lxcfs) or a future kernel can hand
 * the procfs source anything. The input is copied to an allocation of exactly its size so
 * ASan catches a read one byte past the end. */
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
    enum { N = 16 };
    aim_cpu_jiffies all, cpus[N];
    uint8_t present[N] = { 0 };
    int max_cpu = -2;
    int n = aim__parse_proc_stat(buf, size, &all, cpus, present, N, &max_cpu);
    if (n >= 0) {
        /* idle + iowait are part of the total, so a parsed line never has more idle. */
        if (all.idle > all.total || max_cpu < -1 || (n == 0) != (max_cpu == -1))
            abort();
        for (int i = 0; i < N; i++)
            if (present[i] && (cpus[i].idle > cpus[i].total || i > max_cpu))
                abort();
    }
    /* Without tables, as open() sizes them. */
    int m = aim__parse_proc_stat(buf, size, &all, NULL, NULL, 0, NULL);
    if (m != n)
        abort();
    free(buf);
    return 0;
}
