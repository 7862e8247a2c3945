/* Where the store is when none is named (aim_default_db_path in aimeter.h): $AIMETER_DB,
 * else the XDG data directory; and a server store's spool (store/copy_store.h). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "store/copy_store.h"

static char *join_path(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 1);
    if (p) {
        memcpy(p, a, la);
        memcpy(p + la, b, lb + 1);
    }
    return p;
}

/* FILE ("/aimeter/NAME") in aimeter's XDG data directory. */
static int data_path(const char *file, char **ret_path) {
    char *path = NULL;
    /* The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored. */
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/') {
        path = join_path(xdg, file);
    } else {
        const char *home = getenv("HOME");
        char buf[4096];
        struct passwd pw, *found = NULL;
        if ((!home || !*home) && getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 &&
            found)
            home = found->pw_dir;
        if (!home || !*home)
            return -ENOENT;
        char rel[256];
        snprintf(rel, sizeof rel, "/.local/share%s", file);
        path = join_path(home, rel);
    }
    if (!path)
        return -ENOMEM;
    *ret_path = path;
    return 0;
}

int aim_default_db_path(char **ret_path) {
    if (!ret_path)
        return -EINVAL;
    const char *env = getenv("AIMETER_DB");
    if (!env || !*env)
        return data_path("/aimeter/aimeter.db", ret_path);
    char *path = strdup(env);
    if (!path)
        return -ENOMEM;
    *ret_path = path;
    return 0;
}

/* systemd's StateDirectory= sets STATE_DIRECTORY (a colon-separated list when several): the
 * agent's unit keeps its spool there. */
int aim__default_spool_path(char **ret_path) {
    if (!ret_path)
        return -EINVAL;
    const char *state = getenv("STATE_DIRECTORY");
    if (state && state[0] == '/') {
        size_t n = strcspn(state, ":");
        char *path = malloc(n + sizeof "/spool.db");
        if (!path)
            return -ENOMEM;
        memcpy(path, state, n);
        memcpy(path + n, "/spool.db", sizeof "/spool.db");
        *ret_path = path;
        return 0;
    }
    return data_path("/aimeter/spool.db", ret_path);
}
