/* Stale control directories: `aimeter run` makes BASE/aimeter-PID-XXXXXX (mode 0700, from
 * mkdtemp) holding its socket `control`, and removes both at the end; an aimeter killed with
 * SIGKILL cannot. The next run removes what such a run left, and nothing else: a directory
 * is removed only when its name has that shape, it is a real directory (not a link) owned
 * by this user, the PID in its name is not a live process, it holds nothing but `control`,
 * `control` is a socket, and nobody listens on it (a live aimeter in another PID namespace
 * sharing the directory still answers a connect). Names without a PID (older aimeters) are
 * never touched. Every step works on descriptors, so a rename in between cannot redirect it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/control_dirs.h"

#define PREFIX "aimeter-"

/* The PID in "aimeter-PID-XXXXXX" (XXXXXX: six characters of mkdtemp's alphabet), or 0. */
static long name_pid(const char *name) {
    size_t plen = strlen(PREFIX);
    if (strncmp(name, PREFIX, plen) != 0)
        return 0;
    const char *p = name + plen;
    long pid = 0;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9' && digits < 10)
        pid = pid * 10 + (p[digits++] - '0');
    if (digits == 0 || p[0] == '0' || p[digits] != '-' || strlen(p + digits + 1) != 6)
        return 0;
    for (const char *q = p + digits + 1; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
            return 0;
    return pid;
}

/* 1 when something accepts connections on the socket `control` in dirfd. */
static int listened(const char *base, const char *name) {
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (snprintf(a.sun_path, sizeof a.sun_path, "%s/%s/control", base, name) >=
        (int)sizeof a.sun_path)
        return 1; /* cannot ask: keep it */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 1;
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    close(fd);
    return r == 0 || e != ECONNREFUSED;
}

/* Removes BASE/name when every condition at the top holds; 1 when it did. */
static int clean_one(int basefd, const char *base, const char *name, uid_t uid) {
    long pid = name_pid(name);
    if (pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
        return 0;
    int dfd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    struct stat st;
    int ok = fstat(dfd, &st) == 0 && st.st_uid == uid && (st.st_mode & 0777) == 0700;
    DIR *d = ok ? fdopendir(dup(dfd)) : NULL;
    int has_control = 0;
    if (d) {
        struct dirent *e;
        while (ok && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                if (strcmp(e->d_name, "control") == 0)
                    has_control = 1;
                else
                    ok = 0; /* something of the user's own: not ours to remove */
            }
        closedir(d);
    } else {
        ok = 0;
    }
    if (ok && has_control) {
        struct stat cs;
        ok = fstatat(dfd, "control", &cs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(cs.st_mode) &&
             cs.st_uid == uid && !listened(base, name) &&
             unlinkat(dfd, "control", 0) == 0;
    }
    close(dfd);
    return ok && unlinkat(basefd, name, AT_REMOVEDIR) == 0;
}

int cli_clean_stale_control_dirs(const char *base) {
    int basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (basefd < 0)
        return 0;
    DIR *d = fdopendir(dup(basefd));
    int removed = 0;
    if (d) {
        uid_t uid = geteuid();
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)
                removed += clean_one(basefd, base, e->d_name, uid);
        closedir(d);
    }
    close(basefd);
    return removed;
}
