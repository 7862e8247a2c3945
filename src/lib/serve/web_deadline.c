/* The watchdog of web_deadline.h. */
#include "serve/web_deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define WAKE_NS 500000000LL /* how often the watchdog looks: a deadline is late by at most this */

typedef struct slot {
    int used, shut, fd;
    int64_t since_ns; /* accept, or the end of the previous request */
} slot;

struct aim_web_deadline {
    pthread_mutex_t lock; /* the slots, stop */
    pthread_cond_t wake;
    pthread_t thread;
    int64_t deadline_ns;
    int n, stop;
    slot slots[];
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *watch(void *arg) {
    aim_web_deadline *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        int64_t now = now_ns();
        for (int i = 0; i < d->n; i++) {
            slot *s = &d->slots[i];
            if (s->used && !s->shut && now - s->since_ns > d->deadline_ns) {
                shutdown(s->fd, SHUT_RDWR); /* libmicrohttpd reads the end and closes it */
                s->shut = 1;
            }
        }
        int64_t until = now + WAKE_NS;
        struct timespec ts = { .tv_sec = until / 1000000000, .tv_nsec = until % 1000000000 };
        pthread_cond_timedwait(&d->wake, &d->lock, &ts);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int aim__web_deadline_new(int slots, int64_t deadline_ns, aim_web_deadline **ret) {
    aim_web_deadline *d = calloc(1, sizeof *d + (size_t)slots * sizeof(slot));
    if (!d)
        return -ENOMEM;
    d->n = slots;
    d->deadline_ns = deadline_ns;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->lock, NULL);
    int r = pthread_create(&d->thread, NULL, watch, d);
    if (r != 0) {
        pthread_cond_destroy(&d->wake);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return -r;
    }
    *ret = d;
    return 0;
}

void aim__web_deadline_free(aim_web_deadline *d) {
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stop = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void aim__web_deadline_connection(aim_web_deadline *d, struct MHD_Connection *c,
                                  void **socket_context, enum MHD_ConnectionNotificationCode code) {
    pthread_mutex_lock(&d->lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c,
            MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = NULL; /* untracked if the table were full (it is the server's limit) */
        for (int i = 0; fd && i < d->n; i++)
            if (!d->slots[i].used) {
                d->slots[i] = (slot){ .used = 1, .fd = fd->connect_fd, .since_ns = now_ns() };
                *socket_context = &d->slots[i];
                break;
            }
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        ((slot *)*socket_context)->used = 0; /* before libmicrohttpd closes the descriptor */
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&d->lock);
}

int64_t aim__web_deadline_now(void) {
    return now_ns();
}

int64_t aim__web_deadline_of(aim_web_deadline *d, struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c,
        MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!info || !info->socket_context)
        return 0;
    pthread_mutex_lock(&d->lock);
    int64_t at = ((slot *)info->socket_context)->since_ns + d->deadline_ns;
    pthread_mutex_unlock(&d->lock);
    return at;
}

void aim__web_deadline_completed(aim_web_deadline *d, struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c,
        MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!info || !info->socket_context)
        return;
    pthread_mutex_lock(&d->lock);
    ((slot *)info->socket_context)->since_ns = now_ns();
    pthread_mutex_unlock(&d->lock);
}
