/* The control socket server (control.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine/control.h"
#include "processing/phases.h"

static void reply(int fd, const char *text) {
    /* Best effort: a client that does not read its replies loses them, the run goes on. */
    ssize_t r = send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)r;
}

static int64_t mono_ns(void);

/* The jobs table's refusals, as reply lines. */
static const char *job_refusal(int r) {
    switch (r) {
    case -EPERM: return "error the job belongs to another user\n";
    case -EDQUOT: return "error too many running jobs of this user (at most 32)\n";
    case -ENOSPC: return "error the agent's job table is full of other users' running jobs\n";
    default: return "error the job has been forgotten\n";
    }
}

/* A job ended (jobs.h, table locked): its open phases end now, and its rows are released once
 * stored (aim__phases_end_scope), through the event queue so that this comes in order with
 * the job's other events. Sent with no phase open too: the rows are freed all the same. */
static void on_job_end(void *ctx, const char *id, int open_phases) {
    aim_control *c = ctx;
    (void)open_phases;
    aim_control_msg m = { .op = AIM_CTL_PHASE_END, .scope_all = 1 };
    int n = snprintf(m.name, sizeof m.name, "%s: ", id);
    if (n <= 0 || (size_t)n >= sizeof m.name)
        return;
    m.scope_len = (unsigned char)n;
    aim__events_push(c->events, &m, NULL); /* full: counted there, the run's end closes them */
}

/* `job node`: "ok INSTANCE SECONDS JOULES GRAMS DEVICE=JOULES..." */
static void reply_node(aim_control *c, aim_control_client *cl) {
    char out[AIM_CONTROL_LINE_MAX], figures[AIM_CONTROL_LINE_MAX - 8];
    if (aim__jobs_node(c->jobs, mono_ns(), figures, sizeof figures) < 0) {
        c->rejected++;
        reply(cl->fd, "error the node's figures do not fit in a line\n");
        return;
    }
    snprintf(out, sizeof out, "ok %s\n", figures);
    c->accepted++;
    reply(cl->fd, out);
}

/* `job ...` lines: answered here, nothing queued. */
static void handle_job(aim_control *c, aim_control_client *cl, const aim_control_msg *m) {
    char out[AIM_CONTROL_LINE_MAX];
    if (!c->jobs) { /* a run's socket: a client that always says its job is welcome */
        if (m->op == AIM_CTL_JOB) {
            c->accepted++;
            reply(cl->fd, "ok\n");
        } else {
            c->rejected++;
            reply(cl->fd, "error jobs are kept by aimeter agent; this socket is a run's\n");
        }
        return;
    }
    if (m->op == AIM_CTL_JOB) {
        int created = aim__jobs_touch_as(c->jobs, m->name, cl->uid, mono_ns());
        if (created < 0) { /* another user's id, or the user's cap: the connection has none */
            cl->job[0] = '\0';
            c->rejected++;
            reply(cl->fd, job_refusal(created));
            return;
        }
        size_t n = strnlen(m->name, AIM_CONTROL_JOB_MAX); /* the parser's bound */
        memcpy(cl->job, m->name, n);
        cl->job[n] = '\0';
        c->accepted++;
        reply(cl->fd, created ? "ok new\n" : "ok\n");
        return;
    }
    if (m->op == AIM_CTL_JOB_NODE) {
        reply_node(c, cl);
        return;
    }
    char figures[AIM_CONTROL_LINE_MAX - 8];
    int r = -ENOENT;
    if (cl->job[0] && m->op == AIM_CTL_JOB_HOLD)
        r = aim__jobs_hold(c->jobs, cl->job);
    else if (cl->job[0])
        r = aim__jobs_status_as(c->jobs, cl->job, cl->uid, mono_ns(),
                                m->op == AIM_CTL_JOB_END     ? AIM_JOB_END
                                : m->op == AIM_CTL_JOB_LEAVE ? AIM_JOB_END_HOLD
                                                             : 0,
                                figures, sizeof figures);
    if (r < 0) {
        c->rejected++;
        reply(cl->fd, cl->job[0] ? job_refusal(r)
                                 : "error no job on this connection (send job ID first)\n");
        return;
    }
    if (m->op == AIM_CTL_JOB_HOLD) { /* the node's figures, for the joined run's start */
        reply_node(c, cl);
        return;
    }
    if (m->op == AIM_CTL_JOB_END || m->op == AIM_CTL_JOB_LEAVE)
        cl->job[0] = '\0';
    snprintf(out, sizeof out, "ok %s\n", figures);
    c->accepted++;
    reply(cl->fd, out);
}

/* On an agent's socket, a connection with a job: its phase and mark names become "JOB: NAME"
 * (a phase end is scoped to the job: phases.h), and the job table follows its phases. -1
 * (replied) when the name does not fit with the prefix. */
static int scope_to_job(aim_control *c, aim_control_client *cl, aim_control_msg *m) {
    if (!c->jobs || !cl->job[0] || (m->op != AIM_CTL_PHASE_BEGIN && m->op != AIM_CTL_PHASE_END &&
                                   m->op != AIM_CTL_MARK && m->op != AIM_CTL_RECORD))
        return 0;
    int r = aim__jobs_touch_as(c->jobs, cl->job, cl->uid, mono_ns()); /* a forgotten job
                                                                          * comes back */
    if (r < 0) {
        c->rejected++;
        reply(cl->fd, job_refusal(r));
        return -1;
    }
    if (m->op == AIM_CTL_RECORD) /* records are the node's (docs/agent.md) */
        return 0;
    /* The node's phase stack is the writer's (phases.h); the table follows the jobs' share of
     * it, so a phase that would be dropped is refused here, in its answer. */
    if (m->op == AIM_CTL_PHASE_BEGIN && aim__jobs_open_phases(c->jobs) >= AIM_PHASE_DEPTH) {
        c->rejected++;
        reply(cl->fd, "error too many phases open on the node (at most 16); this one is "
                      "dropped\n");
        return -1;
    }
    if (m->op != AIM_CTL_MARK)
        aim__jobs_phase(c->jobs, cl->job, m->op == AIM_CTL_PHASE_BEGIN, m->name);
    char named[AIM_CONTROL_NAME_MAX + 1];
    int n = snprintf(named, sizeof named, "%s: %s", cl->job, m->name);
    if (n < 0 || (size_t)n >= sizeof named) {
        c->rejected++;
        reply(cl->fd, "error the name with its job (\"JOB: NAME\") is longer than 128 bytes\n");
        return -1;
    }
    memcpy(m->name, named, (size_t)n + 1);
    m->scope_len = (unsigned char)(strlen(cl->job) + 2);
    return 0;
}

/* `job info KEY=VALUE...`: the batch system's word on the connection's job (root only:
 * it names the job's user, whose job it then is). */
static void handle_job_info(aim_control *c, aim_control_client *cl, const char *line,
                            size_t len, const aim_control_msg *m) {
    const char *why = NULL;
    aim_job_info info;
    if (!c->jobs)
        why = "error jobs are kept by aimeter agent; this socket is a run's\n";
    else if (cl->uid != 0)
        why = "error job info is root's (the batch system's node hook)\n";
    else if (!cl->job[0])
        why = "error no job on this connection (send job ID first)\n";
    else if (len > 0 && line[len - 1] == '\r')
        len--;
    if (!why && aim__job_info_parse(line + m->info_off, len - m->info_off, &info, NULL, 0) < 0)
        why = "error bad job info\n"; /* the parser took it: not reached */
    int r = why ? 0 : aim__jobs_info(c->jobs, cl->job, &info, mono_ns());
    if (!why && r < 0)
        why = job_refusal(r);
    if (why) {
        c->rejected++;
        reply(cl->fd, why);
        return;
    }
    c->accepted++;
    reply(cl->fd, "ok\n");
}

/* Another rank's phases, sent by the Python package as "[rank N] NAME" (docs/python.md):
 * scoped to the rank (phases.h), so that a rank's phase end never ends a phase of rank 0 or
 * of another rank that began inside it. */
static void scope_to_rank(aim_control_msg *m) {
    size_t at = m->scope_len; /* under an agent's job the scope nests: "42: [rank 3] " */
    const char *name = m->name + at;
    if (m->op != AIM_CTL_PHASE_BEGIN && m->op != AIM_CTL_PHASE_END)
        return;
    size_t scope = aim__control_rank_scope(name);
    if (scope && at + scope <= 255)
        m->scope_len = (unsigned char)(at + scope);
}

static void handle_line(aim_control *c, aim_control_client *cl, const char *line, size_t len) {
    aim_control_msg m;
    char err[128], out[160];
    if (aim__control_parse(line, len, &m, err, sizeof err) < 0) {
        c->rejected++;
        snprintf(out, sizeof out, "error %s\n", err);
        reply(cl->fd, out);
        return;
    }
    if (m.op == AIM_CTL_JOB_INFO) {
        handle_job_info(c, cl, line, len, &m);
        return;
    }
    if (m.op == AIM_CTL_JOB || m.op == AIM_CTL_JOB_END || m.op == AIM_CTL_JOB_STATUS ||
        m.op == AIM_CTL_JOB_HOLD || m.op == AIM_CTL_JOB_NODE || m.op == AIM_CTL_JOB_LEAVE) {
        handle_job(c, cl, &m);
        return;
    }
    if (scope_to_job(c, cl, &m) < 0)
        return;
    scope_to_rank(&m);
    if (m.op == AIM_CTL_RUN) { /* a question, not an event */
        if (!c->run_info[0]) {
            c->rejected++;
            reply(cl->fd, "error this socket feeds no stored run\n");
            return;
        }
        char answer[sizeof c->run_info + 8];
        snprintf(answer, sizeof answer, "ok %s\n", c->run_info);
        c->accepted++;
        reply(cl->fd, answer);
        return;
    }
    if (m.op != AIM_CTL_PING && aim__events_push(c->events, &m, NULL) < 0) {
        c->rejected++;
        reply(cl->fd, "error too many events queued; this one is dropped\n");
        return;
    }
    c->accepted++;
    reply(cl->fd, "ok\n");
}

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void drop_client(aim_control_client *cl) {
    close(cl->fd);
    cl->fd = -1;
    cl->len = 0;
    cl->skipping = 0;
    cl->job[0] = '\0';
}

void aim__control_receive(aim_control *c, aim_control_client *cl, const char *in, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch == '\n') {
            if (!cl->skipping)
                handle_line(c, cl, cl->buf, cl->len);
            cl->len = 0;
            cl->skipping = 0;
        } else if (cl->skipping) {
            continue;
        } else if (cl->len + 1 >= sizeof cl->buf) {
            c->rejected++;
            reply(cl->fd, "error line too long (at most 511 bytes); skipped\n");
            cl->skipping = 1;
            cl->len = 0;
        } else {
            cl->buf[cl->len++] = ch;
        }
    }
}

void aim__control_end_of_stream(aim_control *c, aim_control_client *cl) {
    if (cl->len > 0 && !cl->skipping) /* a last line without its newline */
        handle_line(c, cl, cl->buf, cl->len);
    cl->len = 0;
    cl->skipping = 0;
}

/* Reads what the client sent and handles every complete line. */
static void serve(aim_control *c, aim_control_client *cl) {
    char in[4096];
    ssize_t n = recv(cl->fd, in, sizeof in, MSG_DONTWAIT);
    cl->last_ns = mono_ns();
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        aim__control_end_of_stream(c, cl);
        drop_client(cl);
        return;
    }
    if (n > 0)
        aim__control_receive(c, cl, in, (size_t)n);
}

static void accept_clients(aim_control *c) {
    for (;;) {
        int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int k = 0, oldest = 0;
        while (k < AIM_CONTROL_CLIENTS && c->clients[k].fd >= 0) {
            if (c->clients[k].last_ns < c->clients[oldest].last_ns)
                oldest = k;
            k++;
        }
        if (k == AIM_CONTROL_CLIENTS) { /* every place taken: the longest silent gives its up */
            k = oldest;
            drop_client(&c->clients[k]); /* silently: a reply line nobody asked for would
                                          * be read as the answer to the client's next line */
            c->idle_closed++;
        }
        c->clients[k].fd = fd;
        c->clients[k].len = 0;
        c->clients[k].skipping = 0;
        c->clients[k].job[0] = '\0';
        c->clients[k].last_ns = mono_ns();
        /* Whose jobs it may use; unknown: nobody's but its own (a uid no user has). */
        struct ucred cred;
        socklen_t len = sizeof cred;
        c->clients[k].uid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0
                                ? (uint32_t)cred.uid
                                : UINT32_MAX;
    }
}

static void *control_thread(void *arg) {
    aim_control *c = arg;
    struct pollfd pfd[AIM_CONTROL_CLIENTS + 2];
    int idx[AIM_CONTROL_CLIENTS + 2];
    for (;;) {
        int n = 0;
        pfd[n++] = (struct pollfd){ .fd = c->wake_fd[0], .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
        for (int k = 0; k < AIM_CONTROL_CLIENTS; k++)
            if (c->clients[k].fd >= 0) {
                idx[n] = k;
                pfd[n++] = (struct pollfd){ .fd = c->clients[k].fd, .events = POLLIN };
            }
        /* Wake for the first connection to fall silent for idle_ns (none: no timeout). */
        int64_t idle = atomic_load(&c->idle_ns), now = mono_ns(), first = -1;
        for (int i = 2; i < n; i++) {
            int64_t due = c->clients[idx[i]].last_ns + idle;
            if (first < 0 || due < first)
                first = due;
        }
        int timeout_ms = -1;
        if (first >= 0) {
            int64_t ms = first <= now ? 0 : (first - now + 999999) / 1000000;
            timeout_ms = ms > 60000 ? 60000 : (int)ms;
        }
        if (poll(pfd, (nfds_t)n, timeout_ms) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[0].revents)
            break; /* stop */
        /* Clients before the new ones: a client with a line waiting is never the one a
         * newcomer replaces. */
        for (int i = 2; i < n; i++)
            if (pfd[i].revents)
                serve(c, &c->clients[idx[i]]);
        now = mono_ns();
        for (int i = 2; i < n; i++) {
            aim_control_client *cl = &c->clients[idx[i]];
            if (cl->fd >= 0 && !pfd[i].revents && now - cl->last_ns >= idle) {
                drop_client(cl); /* silently, as above: the client sees EOF and reconnects */
                c->idle_closed++;
            }
        }
        if (pfd[1].revents & POLLIN)
            accept_clients(c);
    }
    return NULL;
}

int aim__control_start(aim_control *c, const char *path, aim_events *events,
                      const char *run_info, aim_jobs *jobs) {
    memset(c, 0, sizeof *c);
    c->jobs = jobs;
    /* One reply line: a control character in a store path would break the protocol. */
    for (size_t i = 0; run_info && run_info[i] && i + 1 < sizeof c->run_info; i++)
        c->run_info[i] = (unsigned char)run_info[i] < 0x20 ? '?' : run_info[i];
    c->listen_fd = c->wake_fd[0] = c->wake_fd[1] = -1;
    atomic_init(&c->idle_ns, AIM_CONTROL_IDLE_NS);
    for (int k = 0; k < AIM_CONTROL_CLIENTS; k++)
        c->clients[k].fd = -1;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (!path || !*path || strlen(path) >= sizeof addr.sun_path)
        return -EINVAL;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    c->events = events;
    if (jobs)
        aim__jobs_set_on_end(jobs, on_job_end, c);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Only this user may talk to a run's socket; an agent's takes every local user's jobs
     * (docs/agent.md says what they can do). The mode is set before anyone can connect. */
    mode_t old = umask(jobs ? 0111 : 0177);
    int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (r < 0 || listen(fd, 16) < 0 || pipe2(c->wake_fd, O_CLOEXEC) < 0) {
        r = errno == EADDRINUSE ? -EEXIST : -errno;
        close(fd);
        if (c->wake_fd[0] >= 0) {
            close(c->wake_fd[0]);
            close(c->wake_fd[1]);
        }
        c->wake_fd[0] = c->wake_fd[1] = -1;
        return r;
    }
    c->listen_fd = fd;
    snprintf(c->path, sizeof c->path, "%s", path);
    if ((r = pthread_create(&c->thread, NULL, control_thread, c)) != 0) {
        aim__control_stop(c);
        return -r;
    }
    c->running = 1;
    return 0;
}

void aim__control_stop(aim_control *c) {
    if (c->running) {
        ssize_t w = write(c->wake_fd[1], "x", 1);
        (void)w;
        pthread_join(c->thread, NULL);
        c->running = 0;
    }
    for (int k = 0; k < AIM_CONTROL_CLIENTS; k++)
        if (c->clients[k].fd > 0)
            drop_client(&c->clients[k]);
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
        unlink(c->path);
        c->listen_fd = -1;
    }
    if (c->wake_fd[0] >= 0) {
        close(c->wake_fd[0]);
        close(c->wake_fd[1]);
        c->wake_fd[0] = c->wake_fd[1] = -1;
    }
}
