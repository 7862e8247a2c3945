/* Parsers for the procfs files the procfs and proctree sources read. Pure functions over
 * (buffer, length): no I/O, no allocation, no reliance on a terminating NUL, and never a read
 * outside [buf, buf + len) whatever the input (each one has a fuzz target). They sit apart
 * from the sources so the fuzzers and unit tests can reach them without a /proc. */
#ifndef AIM_PROCFS_PARSE_H
#define AIM_PROCFS_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Jiffies of one CPU (or of all, for the aggregate line) from /proc/stat. */
typedef struct aim_cpu_jiffies {
    uint64_t total; /* user+nice+system+idle+iowait+irq+softirq+steal (guest is inside user) */
    uint64_t idle;  /* idle+iowait: see procfs.c for why iowait counts as idle */
} aim_cpu_jiffies;

/* Parses the "cpu" lines at the top of /proc/stat. The aggregate line goes to *ret_all; the
 * line of CPU n goes to cpus[n] with present[n] = 1 when n < n_cpus (other entries are left
 * alone: the caller clears present[]). A line cut short (no newline: the buffer ended) or
 * malformed is skipped, so that CPU reads as absent. *ret_max_cpu (may be NULL) receives the
 * highest CPU number seen, or -1. Returns the number of CPU lines parsed, or -EINVAL when the
 * aggregate line is missing or malformed (then nothing is valid). */
int aim__parse_proc_stat(const char *buf, size_t len, aim_cpu_jiffies *ret_all,
                        aim_cpu_jiffies *cpus, uint8_t *present, int n_cpus, int *ret_max_cpu);

enum {
    AIM_MEMINFO_TOTAL = 1u << 0,
    AIM_MEMINFO_FREE = 1u << 1,
    AIM_MEMINFO_AVAILABLE = 1u << 2,
    AIM_MEMINFO_BUFFERS = 1u << 3,
    AIM_MEMINFO_CACHED = 1u << 4,
};

/* The /proc/meminfo fields aimeter uses, in KiB (the file says "kB" and means KiB). */
typedef struct aim_meminfo {
    uint64_t total_kib;
    uint64_t free_kib;
    uint64_t available_kib;
    uint64_t buffers_kib;
    uint64_t cached_kib;
    unsigned have; /* AIM_MEMINFO_* bits of the fields found */
} aim_meminfo;

/* Returns 0 when MemTotal was found, -EINVAL otherwise. Lines without a newline (cut short)
 * are ignored. */
int aim__parse_meminfo(const char *buf, size_t len, aim_meminfo *ret);

/* Used memory: MemTotal - MemAvailable, or MemTotal - (MemFree + Buffers + Cached) on kernels
 * older than 3.14 that lack MemAvailable. -EINVAL when neither can be computed or the numbers
 * contradict each other (more available than total). */
int aim__meminfo_used_kib(const aim_meminfo *mi, uint64_t *ret_used_kib);

/* Copies the "model name" of the first processor in /proc/cpuinfo into out (always
 * NUL-terminated, truncated to fit). Returns 0, or -ENOENT when there is none (out = ""). */
int aim__parse_cpuinfo_model(const char *buf, size_t len, char *out, size_t out_size);

/* The fields of /proc/<pid>/stat that the process tree needs. */
typedef struct aim_pid_stat {
    int pid;
    char comm[64];      /* between the first '(' and the LAST ')', truncated to fit */
    char state;         /* R S D Z T t X I ... */
    int ppid;
    uint64_t utime;     /* clock ticks */
    uint64_t stime;
    uint64_t cutime;    /* of children already waited for; negative values read as 0 */
    uint64_t cstime;
    uint64_t starttime; /* clock ticks after boot: with the pid, identifies a process */
    uint64_t rss_pages; /* resident pages (field 24) */
} aim_pid_stat;

/* Parses one /proc/<pid>/stat line. comm may hold any byte but NUL, spaces and ')'
 * included, so the fields are found after the last ')'. Returns 0 or -EINVAL. */
int aim__parse_pid_stat(const char *buf, size_t len, aim_pid_stat *ret);


/* Incremental parser of a blank-separated pid list (/proc/<pid>/task/<tid>/children), fed
 * in chunks of any size: a number split across two chunks is carried over. */
typedef struct aim_pid_list_parser {
    uint32_t cur;
    int in_number;
    int bad;        /* the token being read is not a pid (too large, stray byte): dropped */
} aim_pid_list_parser;

typedef int (*aim_pid_list_fn)(int pid, void *userdata);

void aim__pid_list_init(aim_pid_list_parser *p);
/* Calls fn for each complete pid (> 0) in the chunk; a non-zero return from fn stops the
 * parse and is returned. A token holding anything but digits, or too large for a pid, is
 * dropped whole. */
int aim__pid_list_feed(aim_pid_list_parser *p, const char *buf, size_t len, aim_pid_list_fn fn,
                      void *userdata);
/* End of input: emits a pending number. */
int aim__pid_list_finish(aim_pid_list_parser *p, aim_pid_list_fn fn, void *userdata);

#endif
