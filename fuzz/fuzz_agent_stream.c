/* An agent's control socket (issue 14) over an arbitrary byte stream: what any local user can
 * send. The server with a job table (engine/jobs.h, no snapshot attached: figures are 0) takes
 * the stream in reads of 1 + byte 0 % 128 bytes; then every reply is one well-formed line,
 * every line is answered once, and every queued event is valid: a name of at most 128 bytes
 * without control characters, and a job's scope ("JOB: ", scope_len bytes) a prefix of it
 * ending in ": ". The split invariance of the replies is fuzz_control_stream.c's (a job's
 * status holds its duration, which the clock decides). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "engine/control.h"
#include "engine/events.h"
#include "engine/jobs.h"

#define QUEUE 8
#define STREAM_MAX 4096
#define REPLIES_MAX (1 << 19)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "gpu0", "host" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int sv[2] = { -1, -1 };
    static char *replies;
    if (sv[0] < 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0 ||
            !(replies = malloc(REPLIES_MAX)))
            abort();
        int big = 1 << 20;
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    if (size < 1)
        return 0;
    size_t max_read = 1 + data[0] % 128, len = size - 1 > STREAM_MAX ? STREAM_MAX : size - 1;
    static aim_control c;
    static aim_control_client cl;
    static aim_events q;
    if (!q.buf && aim__events_init(&q, QUEUE) < 0)
        abort();
    memset(&c, 0, sizeof c);
    if (aim__jobs_new(2, names, &c.jobs) < 0)
        abort();
    c.events = &q;
    memset(&cl, 0, sizeof cl);
    cl.fd = sv[0];
    size_t n_replies = 0;
    for (size_t off = 0; off <= len; off += max_read) {
        if (off < len) { /* an exact copy of each read: ASan sees a read past its end */
            size_t n = len - off < max_read ? len - off : max_read;
            char *chunk = fuzz_copy_exact(data + 1 + off, n);
            if (!chunk)
                abort();
            aim__control_receive(&c, &cl, chunk, n);
            free(chunk);
        } else {
            aim__control_end_of_stream(&c, &cl);
        }
        ssize_t n;
        while ((n = recv(sv[1], replies + n_replies, REPLIES_MAX - n_replies, MSG_DONTWAIT)) > 0)
            if ((n_replies += (size_t)n) == REPLIES_MAX)
                abort();
    }
    fuzz_check_control_replies(replies, n_replies);
    size_t lines = 0;
    for (size_t i = 0; i < n_replies; i++)
        lines += replies[i] == '\n';
    if (lines != c.accepted + c.rejected)
        abort();
    aim_event ev[QUEUE];
    int64_t snap;
    size_t n_ev = aim__events_drain(&q, ev, QUEUE, &snap);
    for (size_t i = 0; i < n_ev; i++) {
        const aim_control_msg *m = &ev[i].msg;
        size_t n = strnlen(m->name, sizeof m->name);
        if (n > AIM_CONTROL_NAME_MAX || m->scope_len > n)
            abort();
        if (m->scope_len && (m->scope_len < 3 || memcmp(m->name + m->scope_len - 2, ": ", 2) != 0))
            abort();
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)m->name[k] < 0x20)
                abort();
    }
    aim__jobs_free(c.jobs);
    return 0;
}
