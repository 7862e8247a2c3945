/* The control socket's server side over an arbitrary byte stream: what any process of the
 * monitored tree can send on one connection, split into reads the way recv() might split it.
 * Input: byte 0 the largest read (1 + byte 0 % 128), byte 1 a seed for the read sizes, then
 * the stream. The stream is fed twice, once in those reads and once in reads of READ_MAX bytes,
 * with end of stream after both; the split must change nothing: the same replies,
 * the same events, the same counts. Every reply is one line, "ok..." or "error ...", without
 * a control character; every event is valid (as in fuzz_control_proto.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "engine/control.h"
#include "engine/events.h"

#define QUEUE 8           /* small, so that the "queue full" answer is reached */
#define STREAM_MAX 4096   /* the server's receive buffer */
/* The replies to one read must fit the socket's send buffer, or the server drops some (as it
 * does for a client that never reads them): a small reply takes ~1 kB of it, whatever its
 * length, and the buffer is at least ~200 kB. So reads of at most 128 bytes, drained after
 * each. */
#define READ_MAX 128
#define REPLIES_MAX (1 << 19)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct side {
    aim_control c;
    aim_control_client cl;
    aim_events q;
    char *replies;
    size_t n_replies;
    aim_event events[QUEUE];
    size_t n_events;
} side;

static int sv[2] = { -1, -1 };

/* Moves what the server answered so far into s->replies. */
static void drain(side *s) {
    for (;;) {
        ssize_t n = recv(sv[1], s->replies + s->n_replies, REPLIES_MAX - s->n_replies, MSG_DONTWAIT);
        if (n <= 0)
            return;
        s->n_replies += (size_t)n;
        if (s->n_replies == REPLIES_MAX)
            abort(); /* STREAM_MAX bounds this */
    }
}

static void setup(side *s) {
    memset(&s->c, 0, sizeof s->c);
    snprintf(s->c.run_info, sizeof s->c.run_info, "%s", "20261207-053000-ab12 /tmp/store.db");
    if (!s->q.buf && aim__events_init(&s->q, QUEUE) < 0)
        abort();
    s->c.events = &s->q;
    memset(&s->cl, 0, sizeof s->cl);
    s->cl.fd = sv[0];
    s->n_replies = 0;
}

static void finish(side *s) {
    aim__control_end_of_stream(&s->c, &s->cl);
    drain(s);
    int64_t snap;
    s->n_events = aim__events_drain(&s->q, s->events, QUEUE, &snap);
    for (size_t i = 0; i < s->n_events; i++) {
        const aim_control_msg *m = &s->events[i].msg;
        size_t n = strnlen(m->name, sizeof m->name);
        if (n > AIM_CONTROL_NAME_MAX || (m->op == AIM_CTL_RECORD && !aim__record_key_valid(m->name)))
            abort();
        if (m->op == AIM_CTL_PING || m->op == AIM_CTL_RUN) /* answered, never queued */
            abort();
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)m->name[k] < 0x20)
                abort();
    }
    fuzz_check_control_replies(s->replies, s->n_replies);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static side a, b;
    if (sv[0] < 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            abort();
        int big = 1 << 20; /* capped by the system; any more room is welcome */
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        a.replies = malloc(REPLIES_MAX);
        b.replies = malloc(REPLIES_MAX);
        if (!a.replies || !b.replies)
            abort();
    }
    if (size < 2)
        return 0;
    size_t max_read = 1 + data[0] % READ_MAX;
    uint32_t seed = data[1];
    const char *stream = (const char *)data + 2;
    size_t len = size - 2 > STREAM_MAX ? STREAM_MAX : size - 2;

    setup(&a);
    for (size_t off = 0; off < len;) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % max_read;
        if (n > len - off)
            n = len - off;
        /* An exact copy: reading past the read's end is an ASan error, as on the server. */
        char *chunk = malloc(n);
        if (!chunk)
            abort();
        memcpy(chunk, stream + off, n);
        aim__control_receive(&a.c, &a.cl, chunk, n);
        free(chunk);
        drain(&a);
        off += n;
    }
    finish(&a);

    setup(&b);
    for (size_t off = 0; off < len; off += READ_MAX) {
        aim__control_receive(&b.c, &b.cl, stream + off, len - off < READ_MAX ? len - off : READ_MAX);
        drain(&b);
    }
    finish(&b);

    if (a.c.accepted != b.c.accepted || a.c.rejected != b.c.rejected || a.n_replies != b.n_replies ||
        memcmp(a.replies, b.replies, a.n_replies) != 0 || a.n_events != b.n_events)
        abort();
    for (size_t i = 0; i < a.n_events; i++) {
        const aim_control_msg *x = &a.events[i].msg, *y = &b.events[i].msg;
        if (x->op != y->op || strcmp(x->name, y->name) != 0 || x->kind != y->kind ||
            memcmp(&x->value, &y->value, sizeof x->value) != 0)
            abort();
    }
    /* Every line is answered exactly once. */
    size_t lines = 0;
    for (size_t i = 0; i < a.n_replies; i++)
        lines += a.replies[i] == '\n';
    if (lines != a.c.accepted + a.c.rejected)
        abort();
    return 0;
}
