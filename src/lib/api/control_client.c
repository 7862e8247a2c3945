/* The client side of a run's control socket (aimeter.h, "the control socket"): the one
 * implementation behind `aimeter mark/phase/record` and the Python package. One line out,
 * one reply line back (docs/control.md); the run answers at once, 5 s covers a machine under
 * load. Also the record-kind rule, public for the bindings (model/control_proto.c has it). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "aimeter.h"
#include "model/control_proto.h"

#define REPLY_TIMEOUT_MS 5000
/* A reply line: "ok RUN_ID STORE_PATH" holds a path (PATH_MAX) and an id. */
#define REPLY_MAX 4352

struct aim_control_client {
    struct sockaddr_un addr;
    int fd;                   /* -1 when not connected */
};

static int make_addr(const char *path, struct sockaddr_un *addr) {
    if (!path || !*path)
        return -EINVAL;
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len >= sizeof addr->sun_path)
        return -ENAMETOOLONG;
    memcpy(addr->sun_path, path, len + 1);
    return 0;
}

static int connect_to(const struct sockaddr_un *addr) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

/* Sends line + '\n' and reads one reply line into buf. 0, -EPIPE when the connection is
 * broken (the line may be sent again on a new one), -EPROTO when no answer came. */
static int exchange(int fd, const char *line, char *buf, size_t size) {
    size_t len = strlen(line);
    if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len || send(fd, "\n", 1, MSG_NOSIGNAL) != 1)
        return -EPIPE;
    size_t got = 0;
    while (got < size - 1 && !memchr(buf, '\n', got)) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1)
            return -EPROTO;
        ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
        if (n <= 0)
            return got ? -EPROTO : -EPIPE;
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (!memchr(buf, '\n', got))
        return -EPROTO;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* The reply's meaning (aim_control_send). */
static int reply_code(const char *buf, char *reply, size_t reply_len) {
    const char *rest;
    int code;
    if (strcmp(buf, "ok") == 0 || strncmp(buf, "ok ", 3) == 0) {
        rest = buf[2] ? buf + 3 : "";
        code = 0;
    } else if (strncmp(buf, "error ", 6) == 0) {
        rest = buf + 6;
        code = -EBADMSG;
    } else {
        return -EPROTO;
    }
    if (reply && reply_len) {
        size_t n = strnlen(rest, reply_len - 1);
        memcpy(reply, rest, n);
        reply[n] = '\0';
    }
    return code;
}

/* A newline inside would be taken as two messages; the run judges the rest (length,
 * characters) and says why it refuses. */
static int valid_line(const char *line) {
    return line && !strchr(line, '\n');
}

int aim_control_send(const char *socket_path, const char *line, char *reply, size_t reply_len) {
    struct sockaddr_un addr;
    int r = make_addr(socket_path, &addr);
    if (r < 0)
        return r;
    if (!valid_line(line))
        return -EINVAL;
    int fd = connect_to(&addr);
    if (fd < 0)
        return fd;
    char buf[REPLY_MAX];
    r = exchange(fd, line, buf, sizeof buf);
    close(fd);
    return r < 0 ? -EPROTO : reply_code(buf, reply, reply_len);
}

int aim_control_client_new(const char *socket_path, aim_control_client **ret) {
    if (!ret)
        return -EINVAL;
    aim_control_client *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    int r = make_addr(socket_path, &c->addr);
    if (r < 0) {
        free(c);
        return r;
    }
    c->fd = -1;
    *ret = c;
    return 0;
}

static void disconnect(aim_control_client *c) {
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int aim_control_client_send(aim_control_client *c, const char *line, char *reply,
                            size_t reply_len) {
    if (!c || !valid_line(line))
        return -EINVAL;
    char buf[REPLY_MAX];
    /* A connection the run closed (it drops idle ones) is reopened once, the line sent
     * again; a run that does not answer is not asked twice. */
    for (int attempt = 0; attempt < 2; attempt++) {
        int fresh = c->fd < 0;
        if (fresh) {
            int fd = connect_to(&c->addr);
            if (fd < 0)
                return fd;
            c->fd = fd;
        }
        int r = exchange(c->fd, line, buf, sizeof buf);
        if (r == 0)
            return reply_code(buf, reply, reply_len);
        disconnect(c);
        if (r != -EPIPE || fresh)
            return -EPROTO;
    }
    return -EPROTO;
}

void aim_control_client_free(aim_control_client *c) {
    if (!c)
        return;
    disconnect(c);
    free(c);
}

int aim_record_key_kind(const char *key) {
    if (!key || !aim__record_key_valid(key))
        return -EINVAL;
    return aim__record_default_kind(key) == AIM_RECORD_COUNTER ? 1 : 0;
}
