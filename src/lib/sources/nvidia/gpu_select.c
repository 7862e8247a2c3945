#include "sources/nvidia/gpu_select.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"

const aim_source_option aim_nv_gpu_options[] = { AIM_NV_GPUS_OPTION, { NULL, NULL, NULL } };

/* The shape only (items: an index or a UUID-like word, no blanks); which GPUs exist is known
 * at open, where aim__gpu_select ends the list at the first entry that names none. */
int aim__gpu_list_check(const char *list) {
    if (!*list)
        return -EINVAL;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0)
            return -EINVAL;
        for (size_t i = 0; i < n; i++)
            if (!(isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == ':' || p[i] == '.'))
                return -EINVAL;
        p += n;
        if (*p == ',' && !*++p)
            return -EINVAL;
    }
    return 0;
}

const char *aim__gpu_spec(const char *given, const char **ret_origin) {
    if (given && *given) {
        *ret_origin = "--gpus";
        return given;
    }
    static const char *const vars[] = { "AIMETER_GPUS", "CUDA_VISIBLE_DEVICES" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v) {
            *ret_origin = vars[i];
            return v;
        }
    }
    *ret_origin = "";
    return NULL;
}

static int uuid_matches(const char *uuid, const char *entry, size_t len) {
    if (len == 0 || !uuid[0])
        return 0;
    return strncasecmp(uuid, entry, len) == 0 ||
           (strncasecmp(uuid, "GPU-", 4) == 0 && strncasecmp(uuid + 4, entry, len) == 0);
}

int aim__gpu_select(const char *spec, int n, const unsigned int *ids, const char *uuids,
                   size_t uuid_stride, int *sel, char *bad, size_t badlen) {
    bad[0] = '\0';
    while (*spec == ' ')
        spec++;
    if (strcasecmp(spec, "all") == 0) {
        for (int i = 0; i < n; i++)
            sel[i] = 1;
        return n;
    }
    int count = 0;
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ",");
        const char *e = p;
        size_t elen = len;
        while (elen && *e == ' ')
            e++, elen--;
        while (elen && e[elen - 1] == ' ')
            elen--;
        int match = -1, ambiguous = 0;
        if (elen > 0 && elen < 6 && strspn(e, "0123456789") >= elen) {
            unsigned int id = (unsigned int)atoi(e);
            for (int i = 0; i < n; i++)
                if (ids[i] == id)
                    match = i;
        } else {
            for (int i = 0; i < n; i++)
                if (uuid_matches(uuids + (size_t)i * uuid_stride, e, elen)) {
                    ambiguous |= match >= 0;
                    match = i;
                }
        }
        if (match < 0 || ambiguous) {
            if (elen > 0 && !(elen == 2 && strncmp(e, "-1", 2) == 0))
                snprintf(bad, badlen, "%.*s", (int)(elen < 64 ? elen : 64), e);
            break;
        }
        if (!sel[match])
            count++;
        sel[match] = 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return count;
}

int aim__nvidia_driver_absent(const char *sysfs_root, const char *override_env) {
    const char *override = override_env ? getenv(override_env) : NULL;
    char path[PATH_MAX];
    struct stat st;
    if ((override && *override) || !sysfs_root ||
        aim__path_join(path, sizeof path, sysfs_root, "module") < 0 || stat(path, &st) != 0 ||
        !S_ISDIR(st.st_mode) ||
        aim__path_join(path, sizeof path, sysfs_root, "module/nvidia") < 0 ||
        access(path, F_OK) == 0)
        return 0;
    return access("/dev/nvidiactl", F_OK) != 0 && access("/dev/dxg", F_OK) != 0;
}
