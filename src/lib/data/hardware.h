/* Hardware tables (data/cpu_tdp.csv and friends, compiled in) for the estimate source. */
#ifndef AIM_HARDWARE_H
#define AIM_HARDWARE_H

/* A row of data/cpu_tdp.csv. No pointers: the ~5,000 rows held three each, and every one
 * was a relocation the dynamic loader applied at each load of libaimeter (~0.07 ms of every
 * Python `import aimeter`, docs/performance.md). Read the text through the functions. */
typedef struct aim_cpu_tdp {
    unsigned int model;     /* offset of its name in the names pool */
    unsigned short origin;  /* index of its source and licence */
    double tdp_w;
} aim_cpu_tdp;
typedef struct aim_cpu_tdp_origin {
    const char *source;    /* "CodeCarbon cpu_power.csv (Intel ARK, AMD listings)" */
    const char *licence;   /* "MIT" */
} aim_cpu_tdp_origin;

/* The model as in the table ("Intel Xeon Gold 6248"), its source and licence. */
const char *aim__cpu_tdp_model(const aim_cpu_tdp *t);
const char *aim__cpu_tdp_source(const aim_cpu_tdp *t);
const char *aim__cpu_tdp_licence(const aim_cpu_tdp *t);

/* Finds the TDP of a CPU from its /proc/cpuinfo "model name" (e.g. "Intel(R) Xeon(R) Gold
 * 6248 CPU @ 2.50GHz"), matching the table's model names as whole tokens. The rule, applied
 * to both the name and every table entry:
 *  - "(R)", "(TM)" (any case) become spaces; everything from " @ " on (the clock) is dropped;
 *  - the text is split into tokens at blanks and commas; the tokens "CPU", "Processor" and
 *    "<N>-Core" are dropped; tokens compare case-insensitively;
 *  - an entry matches when all its tokens appear, in order and adjacent, in the name
 *    ("Intel Xeon Gold 6248" is in "Intel Xeon Gold 6248", "Gold 6248R" is not);
 *  - an entry naming no vendor never matches a name containing "Intel": CodeCarbon lists
 *    old AMD parts by number alone ("6274", "750"), and "Core(TM) i5 CPU 750" is no AMD part
 *    (entries that start with a vendor already need that vendor's token to match);
 *  - of several matches the one with most tokens wins, then the longest text, then the
 *    first in the table.
 * The returned entry is static. -ENOENT when nothing matches, -EINVAL for NULL/empty.
 * Thread-safe. */
int aim__cpu_tdp_lookup(const char *model_name, const aim_cpu_tdp **ret);

#endif
