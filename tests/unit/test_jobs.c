/* The agent's jobs (issue 14): the job table (engine/jobs.h) against a live snapshot written
 * by hand, and the control socket of an agent (engine/control.c with a table): job lines,
 * per-job names, the socket's mode, and two jobs' phases kept apart. */
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
#include <unistd.h>

#include "engine/control.h"
#include "engine/events.h"
#include "engine/jobs.h"
#include "engine/live.h"

#define S 1000000000LL

static const char *const names[] = { "gpu0", "cpu0" };

/* The node has used energy_j (gpu0, cpu0 split 60/40) and carbon_g so far. */
static void publish(aim_live *l, double energy_j, double carbon_g) {
    aim__live_write_begin(l);
    aim__live_set_totals(l, 0, 0, 0, energy_j, carbon_g, NULL);
    aim__live_set_device(l, 0, energy_j * 0.6);
    aim__live_set_device(l, 1, energy_j * 0.4);
    aim__live_write_end(l);
}

static void figures_are_the_node_since_the_job_began(void **unused) {
    aim_live *l;
    assert_int_equal(aim__live_new(0, 2, &l), 0);
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(&l, 2, names, &j), 0);
    publish(l, 100, 1);
    assert_int_equal(aim__jobs_touch(j, "42", 10 * S), 1);  /* new */
    assert_int_equal(aim__jobs_touch(j, "42", 11 * S), 0);  /* known */
    aim__jobs_phase(j, "42", 1, "train");
    aim__jobs_phase(j, "42", 1, "step");
    aim__jobs_phase(j, "42", 0, "");                        /* step ends */
    publish(l, 350, 3.5);
    char out[256];
    assert_int_equal(aim__jobs_status(j, "42", 15 * S, 0, out, sizeof out), 0);
    assert_string_equal(out, "5 250 2.5 gpu0=150 cpu0=100");
    assert_int_equal(aim__jobs_status(j, "nope", 15 * S, 0, out, sizeof out), -ENOENT);
    aim_job_view v[4];
    aim_live_totals t = { .energy_j = 450, .carbon_g = 4.5 };
    assert_int_equal(aim__jobs_view(j, 16 * S, &t, v, 4), 1);
    assert_string_equal(v[0].id, "42");
    assert_string_equal(v[0].phase, "train");
    assert_int_equal(v[0].ended, 0);
    assert_true(v[0].energy_j == 350 && v[0].carbon_g == 3.5 && v[0].duration_s == 6);
    /* The end freezes the figures. */
    assert_int_equal(aim__jobs_status(j, "42", 20 * S, 1, out, sizeof out), 0);
    assert_string_equal(out, "10 250 2.5 gpu0=150 cpu0=100");
    t.energy_j = 1000;
    assert_int_equal(aim__jobs_view(j, 21 * S, &t, v, 4), 1);
    assert_true(v[0].ended && v[0].energy_j == 250 && v[0].duration_s == 10);
    /* Shown for the linger time after its end, then forgotten. */
    aim__jobs_set_times(j, 5 * S, 100 * S);
    assert_int_equal(aim__jobs_view(j, 24 * S, &t, v, 4), 1);
    assert_int_equal(aim__jobs_view(j, 25 * S, &t, v, 4), 0);
    /* The same id again is a new job. */
    assert_int_equal(aim__jobs_touch(j, "42", 30 * S), 1);
    aim__jobs_free(j);
    aim__live_free(l);
}

/* A long-running agent never grows: the table is full at AIM_JOBS_MAX, and a new job takes
 * an ended job's place, else the place of the running one silent the longest. */
static void the_table_is_bounded(void **unused) {
    aim_live *l = NULL;
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(&l, 0, NULL, &j), 0); /* no snapshot yet: zeros */
    char id[16];
    for (int k = 0; k < AIM_JOBS_MAX; k++) {
        snprintf(id, sizeof id, "j%d", k);
        assert_int_equal(aim__jobs_touch(j, id, (k + 1) * S), 1);
    }
    aim__jobs_touch(j, "j0", 1000 * S); /* j1 is now the one silent the longest */
    assert_int_equal(aim__jobs_touch(j, "late", 1001 * S), 1);
    static aim_job_view v[AIM_JOBS_MAX + 1];
    aim_live_totals t = { 0 };
    size_t n = aim__jobs_view(j, 1002 * S, &t, v, AIM_JOBS_MAX + 1);
    assert_int_equal(n, AIM_JOBS_MAX);
    int has_j0 = 0, has_j1 = 0, has_late = 0;
    for (size_t k = 0; k < n; k++) {
        has_j0 |= strcmp(v[k].id, "j0") == 0;
        has_j1 |= strcmp(v[k].id, "j1") == 0;
        has_late |= strcmp(v[k].id, "late") == 0;
    }
    assert_true(has_j0 && !has_j1 && has_late);
    /* An ended job is given up before any running one. */
    char out[64];
    assert_int_equal(aim__jobs_status(j, "j5", 1003 * S, 1, out, sizeof out), 0);
    assert_int_equal(aim__jobs_touch(j, "later", 1004 * S), 1);
    n = aim__jobs_view(j, 1005 * S, &t, v, AIM_JOBS_MAX + 1);
    int has_j2 = 0, has_j5 = 0;
    for (size_t k = 0; k < n; k++) {
        has_j2 |= strcmp(v[k].id, "j2") == 0;
        has_j5 |= strcmp(v[k].id, "j5") == 0;
    }
    assert_true(has_j2 && !has_j5);
    /* Silent for the idle time: ended at the next message. */
    aim__jobs_set_times(j, 1000 * S, 10 * S);
    aim__jobs_touch(j, "late", 2000 * S);
    n = aim__jobs_view(j, 2000 * S, &t, v, AIM_JOBS_MAX + 1);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(v[k].ended, strcmp(v[k].id, "late") != 0);
    aim__jobs_free(j);
}

/* ------------------------------------------------------------ an agent's control socket */

static char dir[48], path[96];

static int setup(void **unused) {
    snprintf(dir, sizeof dir, "/tmp/aim-test-jobs-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/agent.sock", dir);
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

/* Sends text and reads `lines` reply lines (2 s at most). */
static void talk(int fd, const char *text, int lines, char *out, size_t size) {
    size_t len = strlen(text);
    assert_int_equal(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
    len = 0;
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

static void agent_socket_keeps_jobs_apart(void **unused) {
    aim_live *l;
    assert_int_equal(aim__live_new(0, 2, &l), 0);
    publish(l, 10, 0);
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(&l, 2, names, &j), 0);
    aim_events q;
    assert_int_equal(aim__events_init(&q, 64), 0);
    aim_control c;
    assert_int_equal(aim__control_start(&c, path, &q, NULL, j), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666); /* every local user's jobs */
    int a = connect_to(path), b = connect_to(path), none = connect_to(path);
    char out[512];
    talk(a, "job 111\nphase begin train\n", 2, out, sizeof out);
    assert_string_equal(out, "ok new\nok\n");
    talk(b, "job 222\njob 222\nphase begin eval\nmark hi\n", 4, out, sizeof out);
    assert_string_equal(out, "ok new\nok\nok\nok\n");
    talk(a, "phase end\njob status\n", 2, out, sizeof out);
    assert_non_null(strstr(out, "ok\nok "));
    assert_non_null(strstr(out, " gpu0=0 cpu0=0\n"));
    talk(none, "phase begin plain\njob end\n", 2, out, sizeof out);
    assert_string_equal(out, "ok\nerror no job on this connection (send job ID first)\n");
    /* 111 + ": " + 126 bytes > 128 */
    char long_line[200] = "mark ";
    memset(long_line + 5, 'x', 126);
    strcpy(long_line + 131, "\n");
    talk(a, long_line, 1, out, sizeof out);
    assert_non_null(strstr(out, "error the name with its job"));
    talk(a, "job end\nphase begin after\n", 2, out, sizeof out);
    assert_true(strncmp(out, "ok ", 3) == 0);
    close(a);
    close(b);
    close(none);
    aim__control_stop(&c);
    aim_event ev[8];
    int64_t snap;
    assert_int_equal(aim__events_drain(&q, ev, 8, &snap), 6);
    const char *want[] = { "111: train", "222: eval", "222: hi", "111: ", "plain", "after" };
    const int scope[] = { 5, 5, 5, 5, 0, 0 };
    for (int k = 0; k < 6; k++) {
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
    talk(a, "job 7\nphase begin p\njob status\n", 3, out, sizeof out);
    assert_string_equal(out, "ok\nok\nerror jobs are kept by aimeter agent; this socket is a run's\n");
    close(a);
    aim__control_stop(&c);
    aim_event ev[4];
    int64_t snap;
    assert_int_equal(aim__events_drain(&q, ev, 4, &snap), 1);
    assert_string_equal(ev[0].msg.name, "p");
    aim__events_destroy(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_are_the_node_since_the_job_began),
        cmocka_unit_test(the_table_is_bounded),
        cmocka_unit_test_setup_teardown(agent_socket_keeps_jobs_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(run_socket_ignores_jobs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
