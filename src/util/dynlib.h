/* Loading a vendor library at run time (NVML, DCGM, later ROCm SMI) from one table: which
 * sonames to try, and for each function the names to try, newest version first. aimeter
 * ships its own minimal declarations (docs/decisions.md), so nothing vendor is needed to
 * build, and the binary runs unchanged where the library is absent. */
#ifndef AIM_DYNLIB_H
#define AIM_DYNLIB_H

#include <stddef.h>

typedef struct aim_dynsym {
    const char *names[4]; /* candidates, newest first ("nvmlInit_v2", "nvmlInit"), NULL-ended */
    size_t offset;        /* where the function pointer goes in the caller's table struct */
    int required;         /* 0: optional, left NULL when no candidate exists */
} aim_dynsym;

typedef struct aim_dynlib {
    void *handle;
    char path[256];       /* what was loaded */
} aim_dynlib;

/* Loads the library named by the environment variable override_env when it is set (tests
 * point it at fake libraries built from test sources), else the first of sonames that
 * loads; then resolves every symbol into table. Returns 0; -EOPNOTSUPP when no library
 * loads; -ENOSYS when a required function has none of its names (err names it and the
 * library). err always receives one line. On error nothing stays loaded. */
int aim__dynlib_open(aim_dynlib *lib, const char *const *sonames, const char *override_env,
                    const aim_dynsym *syms, size_t n_syms, void *table, char *err, size_t errlen);

/* Which candidate name a symbol resolved to (for `aimeter devices`), or NULL. */
const char *aim__dynlib_resolved_name(const aim_dynlib *lib, const aim_dynsym *sym);

void aim__dynlib_close(aim_dynlib *lib);

#endif
