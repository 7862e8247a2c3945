/* The hardware tables of `aimeter estimate` (data/gpu_specs.csv and data/cpu_cores.csv,
 * compiled in by tools/gen_hw_tables.py) and the name matching shared by every lookup that
 * takes a model name a user typed.
 *
 * The matching rule, applied to the query and to every table name and alias alike:
 *  1. the sequences "(R)", "(TM)" and "(C)" (any case) are dropped;
 *  2. the text is cut into words at every character that is not an ASCII letter or digit
 *     ("H100-SXM5 80GB" -> h100 sxm5 80gb), and letters are lower-cased;
 *  3. leading brand words are dropped, as many as there are: nvidia, amd, google, intel,
 *     tesla, geforce, radeon, instinct, habana, amazon, aws, huawei;
 *  4. a socket word loses its generation ("sxm4" -> sxm), and memory sizes ("80gb") move
 *     to the end, wherever the name had them: NVML says "A800 80GB PCIe" and
 *     "A800-SXM4-80GB" where datasheets say "A800 PCIe 80GB" and "A800 SXM";
 *  5. the remaining words are joined into one key ("h100sxm80gb"), so spacing and
 *     punctuation never matter ("TPUv4" = "TPU v4" = "tpu-v4").
 * A query finds the row one of whose keys equals its key; failing that, a query with a memory
 * size finds the row its key without the size equals, when that row states no memory size or
 * the same one ("A800-SXM4-80GB" is the row "A800 SXM"). The build (tools/gen_hw_tables.py,
 * same rule in Python) refuses two rows sharing a key, so the answer is unique. When no key
 * is equal, the rows with a key that begins with the query's key are candidates: two or more
 * make the name ambiguous (-EEXIST); a single one is only a suggestion (-ENOENT), because a
 * prefix of one model's name is often the whole name of another that is not in the table
 * ("TPU v5" is not "TPU v5p"). */
#ifndef AIM_CARBON_GPU_SPECS_H
#define AIM_CARBON_GPU_SPECS_H

#include <stddef.h>

#include "aimeter.h"

/* A row of Green Algorithms' CPU table: TDP per core is what its formula needs. */
typedef struct aim_cpu_core_spec {
    const char *model;
    double tdp_w;            /* NAN for the "Any" row */
    int cores;               /* 0 for the "Any" row */
    double tdp_per_core_w;
    const char *source;
    const char *licence;
} aim_cpu_core_spec;

extern const aim_gpu_info aim_gpu_spec_table[];
extern const size_t aim_gpu_spec_table_count;
extern const aim_cpu_core_spec aim_cpu_core_table[];
extern const size_t aim_cpu_core_table_count;

/* Longest key kept; longer names match nothing (no table name comes close). */
#define AIM_HW_KEY_MAX 96

/* Writes the key of name (rule above) into out, NUL-terminated. Returns its length (> 0),
 * -EINVAL for NULL or a name with no letter or digit left, -ENAMETOOLONG when the key
 * would not fit in size bytes. */
int aim__hw_name_key(const char *name, char *out, size_t size);

/* 1 when key equals the key of name or of one of the '|'-separated aliases; 2 when it is
 * only a proper prefix of one of them; 0 otherwise. */
int aim__hw_name_match(const char *key, const char *name, const char *aliases);

/* The accelerator named name (rule above). -EINVAL, -ENOENT or -EEXIST as for
 * aim_gpu_lookup(). */
int aim__gpu_spec_lookup(const char *name, const aim_gpu_info **ret);

/* The row of Green Algorithms' CPU table named name, same rule. -EINVAL, -ENOENT, -EEXIST. */
int aim__cpu_core_lookup(const char *name, const aim_cpu_core_spec **ret);

#endif
