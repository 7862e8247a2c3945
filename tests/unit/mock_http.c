/* See mock_http.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mock_http.h"

#define MAX_LOG 64

struct mock_http {
    int fd, port, wake[2];
    pthread_t thread;
    mock_handler fn;
    void *userdata;
    pthread_mutex_t lock;
    int count;
    int64_t t[MAX_LOG];
    char path[MAX_LOG][1024];
    char headers[MAX_LOG][2048];
};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            return;
        p += k;
        n -= (size_t)k;
    }
}

static void serve(mock_http *m, int c) {
    char req[8192];
    size_t len = 0;
    while (len + 1 < sizeof req) {
        ssize_t k = read(c, req + len, sizeof req - 1 - len);
        if (k <= 0)
            return;
        len += (size_t)k;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    char path[1024] = "";
    sscanf(req, "GET %1023s", path);
    const char *hdrs = strstr(req, "\r\n");
    pthread_mutex_lock(&m->lock);
    int index = m->count;
    if (index < MAX_LOG) {
        m->t[index] = mono_ms();
        snprintf(m->path[index], sizeof m->path[index], "%s", path);
        snprintf(m->headers[index], sizeof m->headers[index], "%s", hdrs ? hdrs + 2 : "");
    }
    m->count++;
    pthread_mutex_unlock(&m->lock);
    mock_reply r = { .status = 200 };
    m->fn(path, hdrs ? hdrs + 2 : "", index, m->userdata, &r);
    if (r.delay_ms > 0) {
        /* Sleep in slices, giving up when the client has gone (it timed out). */
        for (int waited = 0; waited < r.delay_ms; waited += 20) {
            struct pollfd p = { .fd = c, .events = POLLIN };
            if (poll(&p, 1, 20) > 0) {
                char b;
                if (recv(c, &b, 1, MSG_PEEK) <= 0)
                    return;
            }
        }
    }
    const char *body = r.body ? r.body : "";
    size_t blen = strlen(body);
    char head[2048];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d Mock\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                     r.status, blen + (r.truncate ? 100 : 0), r.headers ? r.headers : "");
    write_all(c, head, (size_t)n);
    write_all(c, body, blen);
}

static void *loop(void *arg) {
    mock_http *m = arg;
    for (;;) {
        struct pollfd p[2] = { { .fd = m->fd, .events = POLLIN }, { .fd = m->wake[0], .events = POLLIN } };
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (p[0].revents & POLLIN) {
            int c = accept(m->fd, NULL, NULL);
            if (c >= 0) {
                serve(m, c);
                shutdown(c, SHUT_RDWR);
                close(c);
            }
        }
    }
    return NULL;
}

mock_http *mock_http_start(mock_handler fn, void *userdata) {
    mock_http *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->fn = fn;
    m->userdata = userdata;
    pthread_mutex_init(&m->lock, NULL);
    m->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (m->fd < 0 || bind(m->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(m->fd, 16) < 0 ||
        getsockname(m->fd, (struct sockaddr *)&a, &al) < 0 || pipe(m->wake) < 0) {
        free(m);
        return NULL;
    }
    m->port = ntohs(a.sin_port);
    pthread_create(&m->thread, NULL, loop, m);
    return m;
}

int mock_http_port(const mock_http *m) { return m->port; }

void mock_http_url(const mock_http *m, const char *suffix, char *buf, size_t size) {
    snprintf(buf, size, "http://127.0.0.1:%d%s", m->port, suffix ? suffix : "");
}

int mock_http_count(mock_http *m) {
    pthread_mutex_lock(&m->lock);
    int n = m->count;
    pthread_mutex_unlock(&m->lock);
    return n;
}

int64_t mock_http_time_ms(mock_http *m, int i) {
    pthread_mutex_lock(&m->lock);
    int64_t t = i >= 0 && i < m->count && i < MAX_LOG ? m->t[i] : 0;
    pthread_mutex_unlock(&m->lock);
    return t;
}

const char *mock_http_path(mock_http *m, int i) {
    return i >= 0 && i < mock_http_count(m) && i < MAX_LOG ? m->path[i] : "";
}

const char *mock_http_headers(mock_http *m, int i) {
    return i >= 0 && i < mock_http_count(m) && i < MAX_LOG ? m->headers[i] : "";
}

void mock_http_stop(mock_http *m) {
    if (!m)
        return;
    write_all(m->wake[1], "x", 1);
    pthread_join(m->thread, NULL);
    close(m->fd);
    close(m->wake[0]);
    close(m->wake[1]);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
