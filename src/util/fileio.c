#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int aim__path_join(char *buf, size_t size, const char *root, const char *rel) {
    while (*rel == '/')
        rel++;
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    int n = snprintf(buf, size, "%.*s/%s", (int)rl, root, rel);
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return 0;
}

int aim__open_ro(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int aim__pread_text(int fd, char *buf, size_t size) {
    if (size < 2)
        return -ENOBUFS;
    ssize_t n;
    do
        n = pread(fd, buf, size - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return (int)n;
}

int aim__read_text(const char *path, char *buf, size_t size) {
    int fd = aim__open_ro(path);
    if (fd < 0)
        return fd;
    int n = aim__pread_text(fd, buf, size);
    close(fd);
    if (n < 0)
        return n;
    if ((size_t)n == size - 1)
        return -ENOBUFS;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return n;
}

/* secret: every buffer given back to malloc is wiped first (explicit_bzero), on growing and
 * on failing, so a private key leaves no copy in freed memory. */
static int read_alloc(const char *path, size_t max, int secret, char **ret_text,
                      size_t *ret_len) {
    int fd = aim__open_ro(path);
    if (fd < 0)
        return fd;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int r = buf ? 0 : -ENOMEM;
    while (r == 0) {
        if (len == cap - 1) {
            char *bigger = cap > max ? NULL : secret ? malloc(cap * 2) : realloc(buf, cap * 2);
            if (!bigger) {
                r = cap > max ? -EFBIG : -ENOMEM;
                break;
            }
            if (secret) { /* realloc could leave the old copy behind unwiped */
                memcpy(bigger, buf, len);
                explicit_bzero(buf, len);
                free(buf);
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            r = -errno;
        else if (n == 0)
            break;
        else
            len += (size_t)n;
    }
    close(fd);
    if (r == 0 && len > max)
        r = -EFBIG;
    if (r < 0) {
        if (buf && secret)
            explicit_bzero(buf, len);
        free(buf);
        return r;
    }
    buf[len] = '\0';
    *ret_text = buf;
    *ret_len = len;
    return 0;
}

int aim__read_file_alloc(const char *path, size_t max, char **ret_text, size_t *ret_len) {
    return read_alloc(path, max, 0, ret_text, ret_len);
}

int aim__read_secret_alloc(const char *path, size_t max, char **ret_text, size_t *ret_len) {
    return read_alloc(path, max, 1, ret_text, ret_len);
}

void aim__free_secret(char *text, size_t len) {
    if (!text)
        return;
    explicit_bzero(text, len);
    free(text);
}

int aim__scan_u64(const char **p, uint64_t *ret_value) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
        s++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    *p = s;
    *ret_value = v;
    return 0;
}

static int parse_u64_text(const char *text, uint64_t *ret_value) {
    const char *p = text;
    uint64_t v;
    int r = aim__scan_u64(&p, &v);
    if (r < 0)
        return r;
    if (*p != '\0' && *p != '\n')
        return -EINVAL;
    *ret_value = v;
    return 0;
}

static int parse_i64_text(const char *text, int64_t *ret_value) {
    int neg = text[0] == '-';
    uint64_t v;
    int r = parse_u64_text(text + neg, &v);
    if (r < 0)
        return r;
    if (v > (uint64_t)INT64_MAX)
        return -ERANGE;
    *ret_value = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int aim__read_u64(const char *path, uint64_t *ret_value) {
    char buf[64];
    int r = aim__read_text(path, buf, sizeof buf);
    return r < 0 ? r : parse_u64_text(buf, ret_value);
}

int aim__read_i64(const char *path, int64_t *ret_value) {
    char buf[64];
    int r = aim__read_text(path, buf, sizeof buf);
    return r < 0 ? r : parse_i64_text(buf, ret_value);
}

int aim__pread_u64(int fd, uint64_t *ret_value) {
    char buf[64];
    int r = aim__pread_text(fd, buf, sizeof buf);
    return r < 0 ? r : parse_u64_text(buf, ret_value);
}

int aim__pread_i64(int fd, int64_t *ret_value) {
    char buf[64];
    int r = aim__pread_text(fd, buf, sizeof buf);
    return r < 0 ? r : parse_i64_text(buf, ret_value);
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

const char *aim__sysfs_root(void) { return env_or("AIMETER_SYSFS_ROOT", "/sys"); }
const char *aim__system_root(void) { return env_or("AIMETER_SYSTEM_ROOT", "/"); }
const char *aim__procfs_root(void) { return env_or("AIMETER_PROCFS_ROOT", "/proc"); }
