/* The client side of a run's control socket (aimeter.h, "the control socket"): the one
 * implementation behind `aimeter mark/phase/record` and the Python package. One line out,
 * one reply line back (docs/control.md); the run answers at once, 5 s covers a machine under
 * load. Also the record-kind rule, public for the bindings (model/control_proto.c has it). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "aimeter.h"
#include "model/control_proto.h"

#define REPLY_TIMEOUT_MS 5000
/* Where a system agent listens: systemd's RuntimeDirectory=aimeter (contrib/systemd). */
#define AIM_AGENT_RUN_DIR "/run/aimeter"
/* A reply line: "ok RUN_ID STORE_PATH" holds a path (PATH_MAX) and an id. */
#define REPLY_MAX 4352

struct aim_control_client {
    struct sockaddr_un addr;
    int fd;                   /* -1 when not connected */
    char job[AIM_CONTROL_JOB_MAX + 1]; /* sent as "job ID" on each connection; "" none */
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
            if (c->job[0]) {
                /* The job first; whatever the reply (an older aimeter does not know the
                 * line), the message itself is what the caller asked for. */
                char line_job[AIM_CONTROL_JOB_MAX + 8];
                snprintf(line_job, sizeof line_job, "job %s", c->job);
                if (exchange(c->fd, line_job, buf, sizeof buf) < 0) {
                    disconnect(c);
                    return -EPROTO;
                }
            }
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

int aim_control_client_set_job(aim_control_client *c, const char *job) {
    if (!c || (job && *job && !aim__job_id_valid(job)))
        return -EINVAL;
    snprintf(c->job, sizeof c->job, "%s", job ? job : "");
    disconnect(c); /* the next line goes on a connection that says it */
    return 0;
}

const char *aim_job_from_env(void) {
    static const char *const vars[] = { "AIMETER_JOB", "SLURM_JOB_ID", "PBS_JOBID", "JOB_ID" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v && aim__job_id_valid(v))
            return v;
    }
    return NULL;
}

static int is_socket(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int put_path(char *buf, size_t size, const char *a, const char *b) {
    int n = snprintf(buf, size, "%s%s", a, b);
    if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof ((struct sockaddr_un *)0)->sun_path)
        return -ENAMETOOLONG;
    return 0;
}

int aim_agent_socket_path(int listen, char *buf, size_t size) {
    if (!buf || !size)
        return -EINVAL;
    const char *env = getenv("AIMETER_AGENT_SOCKET");
    if (env && *env)
        return put_path(buf, size, env, "");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int has_xdg = xdg && xdg[0] == '/';
    if (listen) {
        if (geteuid() == 0 || access(AIM_AGENT_RUN_DIR, W_OK) == 0)
            return put_path(buf, size, AIM_AGENT_RUN_DIR, "/agent.sock");
        return has_xdg ? put_path(buf, size, xdg, "/aimeter/agent.sock") : -ENOENT;
    }
    if (is_socket(AIM_AGENT_RUN_DIR "/agent.sock"))
        return put_path(buf, size, AIM_AGENT_RUN_DIR, "/agent.sock");
    if (has_xdg && put_path(buf, size, xdg, "/aimeter/agent.sock") == 0 && is_socket(buf))
        return 0;
    return -ENOENT;
}

int aim_record_key_kind(const char *key) {
    if (!key || !aim__record_key_valid(key))
        return -EINVAL;
    return aim__record_default_kind(key) == AIM_RECORD_COUNTER ? 1 : 0;
}
