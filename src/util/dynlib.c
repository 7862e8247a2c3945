#include "util/dynlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aim__dynlib_open(aim_dynlib *lib, const char *const *sonames, const char *override_env,
                    const aim_dynsym *syms, size_t n_syms, void *table, char *err, size_t errlen) {
    memset(lib, 0, sizeof *lib);
    const char *override = override_env ? getenv(override_env) : NULL;
    char tried[192] = "";
    if (override && *override) {
        snprintf(tried, sizeof tried, "%s", override);
        lib->handle = dlopen(override, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t i = 0; sonames && sonames[i] && !lib->handle; i++) {
            size_t used = strlen(tried);
            snprintf(tried + used, sizeof tried - used, "%s%s", i ? " or " : "", sonames[i]);
            lib->handle = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!lib->handle) {
        /* dlerror() describes only the last name tried; say which names were tried. */
        const char *why = dlerror();
        snprintf(err, errlen, "%s not loaded (last error: %s)", tried[0] ? tried : "?",
                 why ? why : "not found");
        return -EOPNOTSUPP;
    }
    snprintf(lib->path, sizeof lib->path, "%s", override && *override ? override : "?");
    if (!(override && *override))
        for (size_t i = 0; sonames[i]; i++) /* which soname it was, for messages */
            if (dlopen(sonames[i], RTLD_NOW | RTLD_NOLOAD) == lib->handle) {
                snprintf(lib->path, sizeof lib->path, "%s", sonames[i]);
                dlclose(lib->handle); /* RTLD_NOLOAD took a reference */
                break;
            }
    for (size_t k = 0; k < n_syms; k++) {
        void *fn = NULL;
        for (int c = 0; c < 4 && syms[k].names[c] && !fn; c++)
            fn = dlsym(lib->handle, syms[k].names[c]);
        memcpy((char *)table + syms[k].offset, &fn, sizeof fn);
        if (!fn && syms[k].required) {
            snprintf(err, errlen, "%s lacks %s (too old a driver?)", lib->path, syms[k].names[0]);
            dlclose(lib->handle);
            lib->handle = NULL;
            return -ENOSYS;
        }
    }
    snprintf(err, errlen, "%s loaded", lib->path);
    return 0;
}

const char *aim__dynlib_resolved_name(const aim_dynlib *lib, const aim_dynsym *sym) {
    for (int c = 0; lib->handle && c < 4 && sym->names[c]; c++)
        if (dlsym(lib->handle, sym->names[c]))
            return sym->names[c];
    return NULL;
}

void aim__dynlib_close(aim_dynlib *lib) {
    if (lib && lib->handle) {
        dlclose(lib->handle);
        lib->handle = NULL;
    }
}
