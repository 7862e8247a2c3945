/* Accelerator and per-core CPU lookups for estimates, with the name rule of gpu_specs.h.
 * Keys are rebuilt for every row at each lookup: the tables have about a hundred rows and
 * lookups happen once per command, so precomputed keys would only be a second copy of the
 * rule to keep in step. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/gpu_specs.h"
#include "data/hardware.h"
#include "util/number.h"

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(unsigned char c) {
    return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

static int is_brand(const char *word, size_t len) {
    static const char *const brands[] = { "nvidia", "amd", "google", "intel", "tesla",
                                          "geforce", "radeon", "instinct", "habana",
                                          "amazon", "aws", "huawei" };
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (strlen(brands[i]) == len && strncasecmp(word, brands[i], len) == 0)
            return 1;
    return 0;
}

/* Length of a trademark mark at p ("(R)", "(TM)", "(C)"), 0 when there is none. */
static size_t mark_len(const char *p) {
    static const char *const marks[] = { "(r)", "(tm)", "(c)" };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t n = strlen(marks[i]);
        if (strncasecmp(p, marks[i], n) == 0)
            return n;
    }
    return 0;
}

/* "80gb", "141GB": a memory size, which drivers and datasheets put anywhere in the name. */
static int is_memory(const char *word, size_t len) {
    size_t d = 0;
    while (d < len && word[d] >= '0' && word[d] <= '9')
        d++;
    return d > 0 && len == d + 2 && lower((unsigned char)word[d]) == 'g' &&
           lower((unsigned char)word[d + 1]) == 'b';
}

/* "sxm2", "SXM5": the socket's generation follows the GPU's and names nothing more. */
static size_t socket_len(const char *word, size_t len) {
    if (len < 3 || strncasecmp(word, "sxm", 3) != 0)
        return len;
    for (size_t i = 3; i < len; i++)
        if (word[i] < '0' || word[i] > '9')
            return len;
    return 3;
}

/* Appends the words of name that are (memory = 1) or are not (0) memory sizes to out. */
static int key_words(const char *name, int memory, char *out, size_t size, size_t *n) {
    int leading = 1; /* still before the first word that is not a brand */
    const char *p = name;
    while (*p) {
        size_t skip = *p == '(' ? mark_len(p) : 0;
        if (skip || !is_alnum((unsigned char)*p)) {
            p += skip ? skip : 1;
            continue;
        }
        const char *word = p;
        while (is_alnum((unsigned char)*p))
            p++;
        size_t len = (size_t)(p - word);
        if (leading && is_brand(word, len))
            continue;
        leading = 0;
        if (is_memory(word, len) != memory)
            continue;
        len = socket_len(word, len);
        if (len >= size - *n)
            return -ENAMETOOLONG;
        for (size_t i = 0; i < len; i++)
            out[(*n)++] = lower((unsigned char)word[i]);
    }
    return 0;
}

int aim__hw_name_key(const char *name, char *out, size_t size) {
    if (!name || !out || size == 0)
        return -EINVAL;
    size_t n = 0;
    int r = key_words(name, 0, out, size, &n);
    if (r == 0)
        r = key_words(name, 1, out, size, &n);
    if (r < 0)
        return r;
    out[n] = '\0';
    return n ? (int)n : -EINVAL;
}

/* 1 equal, 2 key is a proper prefix of name's key, 0 neither. */
static int match_one(const char *key, size_t key_len, const char *name) {
    char k[AIM_HW_KEY_MAX];
    if (aim__hw_name_key(name, k, sizeof k) < 0)
        return 0;
    if (strcmp(k, key) == 0)
        return 1;
    return strncmp(k, key, key_len) == 0 ? 2 : 0;
}

int aim__hw_name_match(const char *key, const char *name, const char *aliases) {
    size_t key_len = strlen(key);
    int best = match_one(key, key_len, name);
    for (const char *a = aliases; a && *a && best != 1;) {
        const char *end = strchr(a, '|');
        size_t len = end ? (size_t)(end - a) : strlen(a);
        char alias[AIM_HW_KEY_MAX];
        if (len < sizeof alias) {
            memcpy(alias, a, len);
            alias[len] = '\0';
            int m = match_one(key, key_len, alias);
            if (m == 1 || (m == 2 && best == 0))
                best = m;
        }
        a = end ? end + 1 : a + len;
    }
    return best;
}

/* The row whose key equals key exactly, or NULL; *partial counts the rows it only begins. */
static const aim_gpu_info *gpu_exact(const char *key, size_t *partial) {
    for (size_t i = 0; i < aim_gpu_spec_table_count; i++) {
        const aim_gpu_info *g = &aim_gpu_spec_table[i];
        int m = aim__hw_name_match(key, g->name, g->aliases);
        if (m == 1)
            return g;
        if (partial)
            *partial += m == 2;
    }
    return NULL;
}

int aim__gpu_spec_lookup(const char *name, const aim_gpu_info **ret) {
    char key[AIM_HW_KEY_MAX];
    int r = aim__hw_name_key(name, key, sizeof key);
    if (r == -ENAMETOOLONG)
        return -ENOENT;
    if (r < 0)
        return r;
    size_t partial = 0;
    const aim_gpu_info *g = gpu_exact(key, &partial);
    if (!g) {
        /* A driver's name with a memory size the row does not state ("A800-SXM4-80GB" for
         * the row "A800 SXM"): the name without it, when the row's memory is unknown or the
         * same. Never a row that states another size: 40GB and 80GB boards differ. */
        char bare[AIM_HW_KEY_MAX];
        size_t n = 0;
        double gb = NAN;
        const char *w = name;
        while (*w) {
            while (*w && !is_alnum((unsigned char)*w))
                w++;
            const char *start = w;
            while (is_alnum((unsigned char)*w))
                w++;
            if (w > start && is_memory(start, (size_t)(w - start)) &&
                aim__parse_decimal(start, (size_t)(w - start) - 2, 0, &gb) < 0) /* "80GB" */
                gb = NAN;
        }
        if (!isnan(gb) && key_words(name, 0, bare, sizeof bare, &n) == 0 && n > 0) {
            bare[n] = '\0';
            const aim_gpu_info *c = gpu_exact(bare, NULL);
            if (c && (isnan(c->memory_gb) || c->memory_gb == gb))
                g = c;
        }
    }
    if (g) {
        if (ret)
            *ret = g;
        return 0;
    }
    return partial >= 2 ? -EEXIST : -ENOENT;
}

int aim__cpu_core_lookup(const char *name, const aim_cpu_core_spec **ret) {
    char key[AIM_HW_KEY_MAX];
    int r = aim__hw_name_key(name, key, sizeof key);
    if (r == -ENAMETOOLONG)
        return -ENOENT;
    if (r < 0)
        return r;
    size_t partial = 0;
    for (size_t i = 0; i < aim_cpu_core_table_count; i++) {
        int m = aim__hw_name_match(key, aim_cpu_core_table[i].model, NULL);
        if (m == 1) {
            if (ret)
                *ret = &aim_cpu_core_table[i];
            return 0;
        }
        partial += m == 2;
    }
    return partial >= 2 ? -EEXIST : -ENOENT;
}

/* ---------------------------------------------------------------- public API */

int aim_gpu_lookup(const char *name, const aim_gpu_info **ret_gpu) {
    return aim__gpu_spec_lookup(name, ret_gpu);
}

size_t aim_gpu_candidates(const char *name, const aim_gpu_info **ret, size_t max) {
    char key[AIM_HW_KEY_MAX];
    if (aim__hw_name_key(name, key, sizeof key) < 0)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < aim_gpu_spec_table_count; i++) {
        const aim_gpu_info *g = &aim_gpu_spec_table[i];
        if (aim__hw_name_match(key, g->name, g->aliases) == 0)
            continue;
        if (ret && n < max)
            ret[n] = g;
        n++;
    }
    return n;
}

size_t aim_gpu_count(void) {
    return aim_gpu_spec_table_count;
}

const aim_gpu_info *aim_gpu_get(size_t index) {
    return index < aim_gpu_spec_table_count ? &aim_gpu_spec_table[index] : NULL;
}

int aim_cpu_lookup(const char *name, aim_cpu_info *ret_cpu) {
    if (!name || !*name || !ret_cpu)
        return -EINVAL;
    const aim_cpu_core_spec *c;
    int r = aim__cpu_core_lookup(name, &c);
    if (r == 0) {
        *ret_cpu = (aim_cpu_info){ .model = c->model, .tdp_w = c->tdp_w, .cores = c->cores,
                                   .tdp_per_core_w = c->tdp_per_core_w, .source = c->source,
                                   .licence = c->licence };
        return 0;
    }
    if (r == -EEXIST)
        return r;
    /* Not in the per-core table: the estimate source's TDP table knows 50 times more models,
     * /proc/cpuinfo spellings included, but not their core counts. */
    const aim_cpu_tdp *t;
    if (aim__cpu_tdp_lookup(name, &t) == 0) {
        *ret_cpu = (aim_cpu_info){ .model = aim__cpu_tdp_model(t), .tdp_w = t->tdp_w, .cores = 0,
                                   .tdp_per_core_w = NAN, .source = aim__cpu_tdp_source(t),
                                   .licence = aim__cpu_tdp_licence(t) };
        return 0;
    }
    return r == -EINVAL ? -ENOENT : r;
}
