/* Where the store is when none is named (aim_default_db_path in aimeter.h): $AIMETER_DB,
 * else the XDG data directory. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"

static char *join_path(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 1);
    if (p) {
        memcpy(p, a, la);
        memcpy(p + la, b, lb + 1);
    }
    return p;
}

int aim_default_db_path(char **ret_path) {
    if (!ret_path)
        return -EINVAL;
    const char *env = getenv("AIMETER_DB");
    char *path = NULL;
    if (env && *env) {
        path = strdup(env);
    } else {
        /* The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored. */
        const char *xdg = getenv("XDG_DATA_HOME");
        if (xdg && xdg[0] == '/') {
            path = join_path(xdg, "/aimeter/aimeter.db");
        } else {
            const char *home = getenv("HOME");
            char buf[4096];
            struct passwd pw, *found = NULL;
            if ((!home || !*home) && getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 &&
                found)
                home = found->pw_dir;
            if (!home || !*home)
                return -ENOENT;
            path = join_path(home, "/.local/share/aimeter/aimeter.db");
        }
    }
    if (!path)
        return -ENOMEM;
    *ret_path = path;
    return 0;
}
