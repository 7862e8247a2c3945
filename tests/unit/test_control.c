/* The control socket: real Unix sockets in a temporary directory, several clients at once,
 * garbage and floods, and what reaches the event queue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/control.h"
#include "engine/events.h"
#include "engine/jobs.h"
#include "engine/live.h"
#include "engine/workload.h"
#include "jobs_fixture.h"

static char dir[48], path[96];

static int setup(void **unused) {
    snprintf(dir, sizeof dir, "/tmp/aim-test-control-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/control.sock", dir);
    return 0;
}

static int teardown(void **unused) {
    unlink(path);
    rmdir(dir);
    return 0;
}

static int connect_to(const char *p) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s", p);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const char *text, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        text += n;
        len -= (size_t)n;
    }
}

/* Reads reply lines until `lines` newlines arrived (2 s at most); returns the text. */
static void read_lines(int fd, int lines, char *out, size_t size) {
    size_t len = 0;
    out[0] = '\0';
    while (lines > 0) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 2000), 1);
        ssize_t n = recv(fd, out + len, size - 1 - len, 0);
        assert_true(n > 0);
        for (ssize_t i = 0; i < n; i++)
            lines -= out[len + (size_t)i] == '\n';
        len += (size_t)n;
        out[len] = '\0';
    }
}

static void lines_become_events_with_replies(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    int a = connect_to(path), b = connect_to(path);
    /* b's message arrives split across two sends */
    const char msg_a[] = "phase begin prefill\nrecord tokens 512\nping\n";
    send_all(a, msg_a, sizeof msg_a - 1);
    send_all(b, "mark che", 8);
    char out[512];
    read_lines(a, 3, out, sizeof out);
    assert_string_equal(out, "ok\nok\nok\n");
    send_all(b, "ckpoint\nbogus\n", 14);
    read_lines(b, 2, out, sizeof out);
    assert_string_equal(out, "ok\nerror unknown message (phase, mark, record, ping, run, job)\n");
    close(a);
    close(b);
    aim__control_stop(&c);
    assert_int_not_equal(access(path, F_OK), 0); /* the socket file is gone */
    aim_event ev[8];
    int64_t snap;
    assert_int_equal(aim__events_drain(&q, ev, 8, &snap), 3); /* ping is not queued */
    assert_int_equal(ev[0].msg.op, AIM_CTL_PHASE_BEGIN);
    assert_string_equal(ev[0].msg.name, "prefill");
    assert_int_equal(ev[1].msg.op, AIM_CTL_RECORD);
    assert_string_equal(ev[2].msg.name, "checkpoint");
    assert_true(ev[0].t_ns <= ev[1].t_ns && ev[1].t_ns <= snap);
    aim__events_destroy(&q);
}

/* "run" names the run and its store (control characters in the path made harmless), and
 * is not an event; a socket started without a run answers an error. */
static void run_is_answered_not_queued(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 8), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, "20261121-1 /data/my\nstore.db", NULL), 0);
    int a = connect_to(path);
    send_all(a, "run\nrun now\n", 12);
    char out[256];
    read_lines(a, 2, out, sizeof out);
    assert_string_equal(out, "ok 20261121-1 /data/my?store.db\nerror run takes no argument\n");
    close(a);
    aim__control_stop(&c);
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    a = connect_to(path);
    send_all(a, "run\n", 4);
    read_lines(a, 1, out, sizeof out);
    assert_string_equal(out, "error this socket feeds no stored run\n");
    close(a);
    aim__control_stop(&c);
    aim_event ev[2];
    int64_t snap;
    assert_int_equal(aim__events_drain(&q, ev, 2, &snap), 0);
    aim__events_destroy(&q);
}

static void oversized_lines_and_floods_do_not_disturb(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 16), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    int fd = connect_to(path);
    /* 5000 bytes without a newline, then a good line on the same connection */
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, 'x', 5000);
    send_all(fd, big, 5000);
    free(big);
    send_all(fd, "\nmark after\n", 12);
    char out[512];
    read_lines(fd, 2, out, sizeof out);
    assert_string_equal(out, "error line too long (at most 511 bytes); skipped\nok\n");
    /* A flood past the queue's 16 places: the excess is refused, counted, and said. */
    char flood[64 * 12];
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(flood + len, sizeof flood - len, "mark m%02d\n", i);
    send_all(fd, flood, len);
    char replies[40 * 64];
    read_lines(fd, 40, replies, sizeof replies);
    assert_non_null(strstr(replies, "error too many events queued"));
    close(fd);
    aim__control_stop(&c);
    assert_int_equal(aim__events_dropped(&q), 40 - 15);
    aim__events_destroy(&q);
}

static void an_existing_path_is_refused(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 4), 0);
    aim_control c, d;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    assert_int_equal(aim__control_start(&d, path, &q, NULL, NULL), -EEXIST);
    aim__control_stop(&d); /* harmless after a failed start */
    aim__control_stop(&c);
    memset(&d, 0, sizeof d);
    aim__control_stop(&d); /* and on a zeroed one */
    aim__events_destroy(&q);
}

/* Reads until the peer closes (10 s at most: an upper bound for a loaded machine, not a
 * timing assertion); returns what arrived. */
static void read_to_eof(int fd, char *out, size_t size) {
    size_t len = 0;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 10000), 1);
        ssize_t n = recv(fd, out + len, size - 1 - len, 0);
        assert_true(n >= 0);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
}

/* Issue 11: 64 idle connections used to refuse every other client for the whole run. */
static void idle_clients_never_lock_out_a_new_one(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 16), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    int idle[AIM_CONTROL_CLIENTS];
    char out[256];
    for (int i = 0; i < AIM_CONTROL_CLIENTS; i++) { /* each known to the server, in order */
        idle[i] = connect_to(path);
        send_all(idle[i], "ping\n", 5);
        read_lines(idle[i], 1, out, sizeof out);
        assert_string_equal(out, "ok\n");
    }
    int fresh = connect_to(path);
    send_all(fresh, "ping\n", 5);
    read_lines(fresh, 1, out, sizeof out);
    assert_string_equal(out, "ok\n");
    /* The place came from the longest silent connection: closed without a line (one it
     * did not ask for would be taken as the reply to its next line; it reconnects). */
    read_to_eof(idle[0], out, sizeof out);
    assert_string_equal(out, "");
    send_all(idle[1], "ping\n", 5); /* the others are still served */
    read_lines(idle[1], 1, out, sizeof out);
    assert_string_equal(out, "ok\n");
    for (int i = 0; i < AIM_CONTROL_CLIENTS; i++)
        close(idle[i]);
    close(fresh);
    aim__control_stop(&c);
    assert_int_equal(c.idle_closed, 1);
    aim__events_destroy(&q);
}

static void a_silent_connection_is_closed(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 4), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    atomic_store(&c.idle_ns, 50000000); /* 50 ms instead of 30 s */
    int fd = connect_to(path);
    char out[256];
    read_to_eof(fd, out, sizeof out);
    assert_string_equal(out, "");
    close(fd);
    fd = connect_to(path); /* the socket itself goes on */
    send_all(fd, "ping\n", 5);
    read_lines(fd, 1, out, sizeof out);
    assert_string_equal(out, "ok\n");
    close(fd);
    aim__control_stop(&c);
    aim__events_destroy(&q);
}

/* Sends text, then reads `lines` reply lines. */
static void talk_lines(int fd, const char *text, int lines, char *out, size_t size) {
    send_all(fd, text, strlen(text));
    read_lines(fd, lines, out, size);
}

/* Issue 14: an agent's socket (with a job table) is 0666, says `ok new` for a new job, keeps
 * each connection's phases and marks under its job ("JOB: NAME", scope_len for the scoped
 * end), answers `job status` / `job end` with the node's figures, and refuses a name too long
 * with its prefix. */
static void agent_socket_keeps_jobs_apart(void **unused) {
    aim_live *l;
    assert_int_equal(aim__live_new(0, 2, &l), 0);
    jobs_fixture_publish(l, 10, 0);
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim__jobs_attach_live(j, l);
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, j), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666); /* every local user's jobs */
    int a = connect_to(path), b = connect_to(path), none = connect_to(path);
    char out[512];
    talk_lines(a, "job 111\nphase begin train\n", 2, out, sizeof out);
    assert_string_equal(out, "ok new\nok\n");
    talk_lines(b, "job 222\njob 222\nphase begin eval\nmark hi\n", 4, out, sizeof out);
    assert_string_equal(out, "ok new\nok\nok\nok\n");
    talk_lines(a, "phase end\njob status\n", 2, out, sizeof out);
    assert_non_null(strstr(out, "ok\nok "));
    assert_non_null(strstr(out, " gpu0=0 cpu0=0\n"));
    talk_lines(none, "phase begin plain\njob end\n", 2, out, sizeof out);
    assert_string_equal(out, "ok\nerror no job on this connection (send job ID first)\n");
    /* 111 + ": " + 126 bytes > 128 */
    char long_line[200] = "mark ";
    memset(long_line + 5, 'x', 126);
    strcpy(long_line + 131, "\n");
    talk_lines(a, long_line, 1, out, sizeof out);
    assert_non_null(strstr(out, "error the name with its job"));
    talk_lines(a, "job end\nphase begin after\n", 2, out, sizeof out);
    assert_true(strncmp(out, "ok ", 3) == 0);
    close(a);
    close(b);
    close(none);
    aim__control_stop(&c);
    aim_event ev[8];
    int64_t snap;
    /* "111: " twice: the anonymous phase end, then the job's end closing what it left open */
    assert_int_equal(aim__events_drain(&q, ev, 8, &snap), 7);
    const char *want[] = { "111: train", "222: eval", "222: hi", "111: ", "plain", "111: ",
                           "after" };
    const int scope[] = { 5, 5, 5, 5, 0, 5, 0 };
    for (int k = 0; k < 7; k++) {
        assert_string_equal(ev[k].msg.name, want[k]);
        assert_int_equal(ev[k].msg.scope_len, scope[k]);
    }
    aim__events_destroy(&q);
    aim__jobs_free(j);
    aim__live_free(l);
}

/* A run's socket (no table) takes `job ID` and changes nothing. */
static void run_socket_ignores_jobs(void **unused) {
    aim_events q;
    assert_int_equal(aim__events_init(&q, 8), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, NULL), 0);
    int a = connect_to(path);
    char out[256];
    talk_lines(a, "job 7\nphase begin p\njob status\n", 3, out, sizeof out);
    assert_string_equal(out, "ok\nok\nerror jobs are kept by aimeter agent; this socket is a run's\n");
    close(a);
    aim__control_stop(&c);
    aim_event ev[4];
    int64_t snap;
    assert_int_equal(aim__events_drain(&q, ev, 4, &snap), 1);
    assert_string_equal(ev[0].msg.name, "p");
    aim__events_destroy(&q);
}

/* Review finding 1, through the agent's real path (socket, queue, writer's bookkeeping):
 * 16 jobs each open a phase and end without closing it; their phases end with them, so a
 * 17th job's phase is kept. Then 16 running jobs fill the node's phase stack: the next
 * phase begin is answered `error`, not `ok` and dropped later. */
static void a_jobs_phases_end_with_it(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim_workload w;
    assert_int_equal(aim__workload_init(&w, path, NULL, j), 0);
    int fd = connect_to(path);
    char line[128], out[256];
    for (int k = 0; k < AIM_PHASE_DEPTH; k++) {
        snprintf(line, sizeof line, "job e%d\nphase begin train\njob end\n", k);
        talk_lines(fd, line, 3, out, sizeof out);
        assert_int_equal(strncmp(out, "ok new\nok\nok ", 13), 0);
    }
    talk_lines(fd, "job late\nphase begin eval\n", 2, out, sizeof out);
    assert_string_equal(out, "ok new\nok\n");
    aim__workload_apply(&w);
    assert_string_equal(aim__phases_current(w.phases), "late: eval");
    assert_int_equal(aim__workload_dropped(&w), 0);
    const aim_phase_row *rows;
    size_t n = aim__phases_rows(w.phases, &rows);
    assert_int_equal(n, AIM_PHASE_DEPTH + 1);
    assert_int_equal(rows[0].unterminated, 1); /* "e0: train", ended by its job's end */
    for (int k = 1; k < AIM_PHASE_DEPTH; k++) {
        snprintf(line, sizeof line, "job r%d\nphase begin step\n", k);
        talk_lines(fd, line, 2, out, sizeof out);
        assert_string_equal(out, "ok new\nok\n");
    }
    talk_lines(fd, "job full\nphase begin step\n", 2, out, sizeof out);
    assert_string_equal(out, "ok new\nerror too many phases open on the node (at most 16); "
                             "this one is dropped\n");
    aim__workload_apply(&w);
    assert_int_equal(aim__workload_dropped(&w), 0);
    close(fd);
    aim__workload_free(&w);
}

/* Review finding 2: two joined runs of one batch job each hold it; the first `job end` leaves
 * it running for the other, and `job hold` / `job node` answer the node's figures with the
 * agent's instance. */
static void joined_runs_share_their_job(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, j), 0);
    int a = connect_to(path), b = connect_to(path);
    char out[512], out2[512];
    talk_lines(a, "job 4242\njob hold\n", 2, out, sizeof out);
    assert_int_equal(strncmp(out, "ok new\nok ", 10), 0);
    assert_non_null(strstr(out, " 0 0 gpu0=0 cpu0=0\n"));
    talk_lines(b, "job 4242\njob hold\njob node\n", 3, out2, sizeof out2);
    /* the same instance word after "ok " */
    const char *ia = out + 10, *ib = strchr(out2, '\n') + 4;
    assert_int_equal(strncmp(ia, ib, (size_t)(strchr(ia, ' ') - ia)), 0);
    talk_lines(a, "job end\n", 1, out, sizeof out);
    aim_job_view v[2];
    aim_live_totals t = { 0 };
    assert_int_equal(aim__jobs_view(j, 0, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 0);
    talk_lines(b, "job end\n", 1, out, sizeof out);
    assert_int_equal(aim__jobs_view(j, 0, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 1);
    talk_lines(b, "job hold\n", 1, out, sizeof out); /* the connection's job has ended */
    assert_string_equal(out, "error no job on this connection (send job ID first)\n");
    close(a);
    close(b);
    aim__control_stop(&c);
    aim__events_destroy(&q);
    aim__jobs_free(j);
}

/* Issue 16 review findings 4 and 6, on the socket: a joined run (`job hold` ... `job leave`,
 * here as root too) leaves a job that had `job info` running: the batch system holds it until
 * root's `job end` (the epilog's). Another rank's phase under the job nests
 * both scopes ("42: [rank 3] fwd", scope_len 13), so rank 0's ends leave it open. */
static void the_batch_systems_job_outlives_a_joined_run(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, j), 0);
    int hook = connect_to(path), run = connect_to(path);
    char out[512];
    talk_lines(hook, "job 42\njob info uid=0 user=root\n", 2, out, sizeof out);
    assert_string_equal(out, "ok new\nok\n");
    talk_lines(run, "job 42\njob hold\nphase begin [rank 3] fwd\nphase begin step\n", 4, out,
               sizeof out);
    talk_lines(run, "job leave\n", 1, out, sizeof out);
    assert_true(strncmp(out, "ok ", 3) == 0);
    aim_job_view v[2];
    aim_live_totals t = { 0 };
    assert_int_equal(aim__jobs_view(j, 0, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 0); /* the joined run left; the job goes on */
    talk_lines(hook, "job 42\njob end\n", 2, out, sizeof out); /* the epilog */
    assert_int_equal(aim__jobs_view(j, 0, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 1);
    close(hook);
    close(run);
    aim__control_stop(&c);
    aim_event ev[8];
    int64_t snap;
    assert_true(aim__events_drain(&q, ev, 8, &snap) >= 2);
    assert_string_equal(ev[0].msg.name, "42: [rank 3] fwd");
    assert_int_equal(ev[0].msg.scope_len, 13);
    assert_string_equal(ev[1].msg.name, "42: step");
    assert_int_equal(ev[1].msg.scope_len, 4);
    aim__events_destroy(&q);
    aim__jobs_free(j);
}

/* Review finding 5: the socket knows its peer (SO_PEERCRED); another uid's job id is
 * refused, for messages and for `job end`. As root, a child with another uid connects. */
static void another_users_job_is_refused(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    uid_t peer = geteuid() == 0 ? 65534 : geteuid();
    /* the control thread expires jobs on the monotonic clock: a job touched at 0 would look
     * 12 h silent, and end, on a machine up longer than that */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    assert_int_equal(aim__jobs_touch_as(j, "4242", (uint32_t)peer + 1, now), 1);
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, j), 0);
    assert_int_equal(chmod(dir, 0755), 0); /* the child may reach the socket */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && setuid(peer) < 0)
            _exit(2);
        int fd = connect_to(path);
        char out[256];
        talk_lines(fd, "job 4242\njob end\nphase begin x\n", 3, out, sizeof out);
        const char *want = "error the job belongs to another user\n"
                           "error no job on this connection (send job ID first)\nok\n";
        if (strcmp(out, want) != 0) /* the parent's assertion alone would not say what came */
            fprintf(stderr, "child (uid %u) got:\n%s", (unsigned)geteuid(), out);
        _exit(strcmp(out, want) == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    aim_job_view v[2];
    aim_live_totals t = { 0 };
    assert_int_equal(aim__jobs_view(j, now, &t, v, 2), 1);
    assert_int_equal(v[0].ended, 0); /* still running */
    aim__control_stop(&c);
    aim__events_destroy(&q);
    aim__jobs_free(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lines_become_events_with_replies, setup, teardown),
        cmocka_unit_test_setup_teardown(run_is_answered_not_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_lines_and_floods_do_not_disturb, setup, teardown),
        cmocka_unit_test_setup_teardown(an_existing_path_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_clients_never_lock_out_a_new_one, setup, teardown),
        cmocka_unit_test_setup_teardown(a_silent_connection_is_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(agent_socket_keeps_jobs_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(run_socket_ignores_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(a_jobs_phases_end_with_it, setup, teardown),
        cmocka_unit_test_setup_teardown(joined_runs_share_their_job, setup, teardown),
        cmocka_unit_test_setup_teardown(the_batch_systems_job_outlives_a_joined_run, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(another_users_job_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
