/* The per-process parsers of the process tree over arbitrary bytes: /proc/<pid>/stat (whose
 * comm is chosen by the process itself, so it is hostile input) and the children pid list
 * fed in two chunks split at every possible point of a short prefix. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sources/procfs_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_pid(int pid, void *userdata) {
    int *count = userdata;
    if (pid <= 0)
        abort();
    (*count)++;
    return 0;
}

static int count_pids(const char *buf, size_t len, size_t split) {
    aim_pid_list_parser p;
    int count = 0;
    aim__pid_list_init(&p);
    aim__pid_list_feed(&p, buf, split, check_pid, &count);
    aim__pid_list_feed(&p, buf + split, len - split, check_pid, &count);
    aim__pid_list_finish(&p, check_pid, &count);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = fuzz_copy_exact(data, size);
    if (!buf)
        return 0;
    aim_pid_stat st;
    if (aim__parse_pid_stat(buf, size, &st) == 0 &&
        (st.pid <= 0 || st.ppid < 0 || memchr(st.comm, '\0', sizeof st.comm) == NULL))
        abort();
    /* Where a chunk boundary falls must not change the pids found. */
    int whole = count_pids(buf, size, size);
    for (size_t split = 0; split <= size && split < 64; split++)
        if (count_pids(buf, size, split) != whole)
            abort();
    free(buf);
    return 0;
}
