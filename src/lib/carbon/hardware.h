/* Hardware tables (data/cpu_tdp.csv and friends, compiled in) for the estimate source. */
#ifndef AIM_HARDWARE_H
#define AIM_HARDWARE_H

typedef struct aim_cpu_tdp {
    const char *model;     /* as in the table, e.g. "Intel Xeon Gold 6248" */
    double tdp_w;
    const char *source;    /* "CodeCarbon cpu_power.csv (Intel ARK, AMD listings)" */
    const char *licence;   /* "MIT" */
} aim_cpu_tdp;

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
int aim_cpu_tdp_lookup(const char *model_name, const aim_cpu_tdp **ret);

#endif
