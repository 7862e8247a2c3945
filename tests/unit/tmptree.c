#include "tmptree.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tmptree_copy(const char *fixture) {
    char tmpl[] = "/tmp/aim_tree_XXXXXX";
    if (!mkdtemp(tmpl) || chmod(tmpl, 0755) < 0)
        return NULL;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp -R '%s/%s/.' '%s' && chmod -R a+rX '%s'", AIM_FIXTURES_DIR,
             fixture, tmpl, tmpl);
    if (system(cmd) != 0)
        return NULL;
    return strdup(tmpl);
}

int tmptree_write(const char *root, const char *rel, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    /* Overwritten in place, cut to length after: a source polling the file meanwhile reads
     * the old or the new text, never the empty file an O_TRUNC open would show it (a sysfs
     * counter is never empty; a source reading one drops itself as broken). */
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t n = pwrite(fd, text, len, 0);
    int cut = n == (ssize_t)len ? ftruncate(fd, (off_t)len) : 0;
    close(fd);
    return n == (ssize_t)len && cut == 0 ? 0 : -EIO;
}

int tmptree_chmod(const char *root, const char *rel, unsigned mode) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return chmod(path, (mode_t)mode) < 0 ? -errno : 0;
}

void tmptree_remove(char *root) {
    if (!root)
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) {
        /* Leaving a temp directory behind is not worth failing a test for. */
    }
    free(root);
}

int tmptree_run_unprivileged(int (*fn)(void *arg, char *out, size_t size), void *arg,
                             char *out, size_t size) {
    int p[2];
    if (pipe(p) < 0)
        return -1000;
    pid_t pid = fork();
    if (pid < 0)
        return -1000;
    if (pid == 0) {
        close(p[0]);
        if (geteuid() == 0 &&
            (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
            _exit(2);
        char *buf = calloc(1, size);
        int r = buf ? fn(arg, buf, size) : -ENOMEM;
        if (write(p[1], &r, sizeof r) != (ssize_t)sizeof r ||
            (buf && write(p[1], buf, size) != (ssize_t)size))
            _exit(3);
        free(buf);
        _exit(0);
    }
    close(p[1]);
    int r = -1000;
    size_t got = 0;
    if (read(p[0], &r, sizeof r) != (ssize_t)sizeof r)
        r = -1000;
    while (got < size) {
        ssize_t n = read(p[0], out + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (size)
        out[got < size ? got : size - 1] = '\0';
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1000;
    return r;
}
