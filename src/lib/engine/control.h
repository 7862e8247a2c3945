/* The control socket of a session: a Unix stream socket on which any process of the
 * monitored tree sends control-protocol lines (control_proto.h) and reads one reply line
 * each ("ok", or "error REASON"). One thread serves every client with poll(); a malformed
 * or oversized line is answered with an error and skipped, never disturbing the run; at most
 * AIM_CONTROL_CLIENTS connections at once. A connection silent for idle_ns is closed, and
 * when every place is taken a new one takes the place of the longest silent (clients
 * reconnect: the C and Python ones do), so idle clients can never lock the others out.
 * Accepted messages go to the session's event queue (events.h); "ping" and "run" are
 * answered here. */
#ifndef AIM_CONTROL_H
#define AIM_CONTROL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "model/control_proto.h"
#include "engine/events.h"
#include "engine/jobs.h"

#define AIM_CONTROL_CLIENTS 64
/* 30 s: far above the gap between a client's line and its reply, short enough that
 * forgotten connections give their place back within a run. */
#define AIM_CONTROL_IDLE_NS 30000000000LL

typedef struct aim_control_client {
    int fd;                               /* -1: free */
    char buf[AIM_CONTROL_LINE_MAX];
    size_t len;
    int skipping;                         /* inside an oversized line: drop to its newline */
    int64_t last_ns;                      /* CLOCK_MONOTONIC of its last byte (or accept) */
    char job[AIM_CONTROL_JOB_MAX + 1];    /* `job ID` on an agent's socket; "" none */
    uint32_t uid;                         /* the peer's (SO_PEERCRED): whose jobs it may use */
} aim_control_client;

typedef struct aim_control {
    int listen_fd, wake_fd[2];
    char path[108];                       /* sun_path */
    aim_events *events;
    pthread_t thread;
    int running;
    aim_control_client clients[AIM_CONTROL_CLIENTS];
    uint64_t accepted, rejected;          /* lines */
    uint64_t idle_closed;                 /* connections closed for silence or replaced */
    _Atomic int_fast64_t idle_ns;         /* AIM_CONTROL_IDLE_NS; tests may shorten it */
    char run_info[AIM_CONTROL_LINE_MAX];  /* the answer to "run": "RUN_ID STORE_PATH" */
    aim_jobs *jobs;                       /* an agent's job table (borrowed), NULL in a run */
} aim_control;

/* Binds path (which must not exist: -EEXIST) with mode 0600 and starts the thread.
 * run_info (may be NULL) is what "run" is answered after "ok ": the run id and the store.
 * jobs (may be NULL, borrowed): an agent's table; the socket is then mode 0666, for the jobs
 * of every user on the node, and a connection's phases and marks are its job's ("JOB: NAME",
 * docs/agent.md); without it, `job` lines are answered ok and change nothing. */
int aim__control_start(aim_control *c, const char *path, aim_events *events,
                      const char *run_info, aim_jobs *jobs);
/* The bytes one client sent, as recv() gave them: any split of the stream (part of a line,
 * several lines) has the same effect as any other. Each complete line is handled: answered on
 * cl->fd, and its event queued. The server thread's job; public for the fuzz target
 * (fuzz/fuzz_control_stream.c), which feeds it without a socket. */
void aim__control_receive(aim_control *c, aim_control_client *cl, const char *in, size_t n);
/* The client hung up: a last line without its newline is handled. The caller closes cl->fd. */
void aim__control_end_of_stream(aim_control *c, aim_control_client *cl);
/* Stops the thread, closes every connection and removes the socket file. Safe when
 * start failed or was never called (c zeroed). */
void aim__control_stop(aim_control *c);

#endif
