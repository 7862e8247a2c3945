/* The pending store opener (engine/store_opener.h): a store that opens at once is waited for
 * and taken; a server that accepts the connection and never answers (a listener of the
 * test's own, libpq's connect_timeout=0: it would wait for ever) is not waited for past the
 * deadline, notifies its new owner once when it ends, and, let go while it connects, is
 * closed and freed by its own thread (LSan says whether it was). Nothing depends on a
 * duration: the silent server answers nothing until the test closes the connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
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

#include "aim_config.h"
#include "engine/store_opener.h"

#define S 1000000000LL
#define DEADLINE_NS (60 * S) /* for what must happen: generous, never a measure */

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * S + ts.tv_nsec;
}

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/aim-opener-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void store_path(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/%s", dir, name);
}

static void a_store_that_opens_at_once_is_taken(void **state) {
    (void)state;
    char path[300], err[512] = "";
    store_path(path, sizeof path, "a.db");
    aim_store_opener *o = NULL;
    assert_int_equal(aim__store_pending_begin(path, &o), 0);
    assert_int_equal(aim__store_pending_wait(o, mono_ns() + DEADLINE_NS), 1);
    aim_db *db = NULL;
    assert_int_equal(aim__store_pending_take(o, &db, err, sizeof err), 0);
    assert_non_null(db);
    aim__db_close(db);
}

static void a_failure_is_taken_with_its_message(void **state) {
    (void)state;
    char err[512] = "";
    aim_store_opener *o = NULL;
    assert_int_equal(aim__store_pending_begin("/proc/self/no/such/dir/x.db", &o), 0);
    assert_int_equal(aim__store_pending_wait(o, mono_ns() + DEADLINE_NS), 1);
    aim_db *db = (aim_db *)1;
    assert_true(aim__store_pending_take(o, &db, err, sizeof err) < 0);
    assert_null(db);
    assert_true(err[0] != '\0');
}

static void never(void *arg) {
    (void)arg;
    fail_msg("notified after the open had returned");
}

static void finished_ones_say_so_and_are_freed_when_let_go(void **state) {
    (void)state;
    char path[300];
    store_path(path, sizeof path, "b.db");
    aim_store_opener *o = NULL;
    assert_int_equal(aim__store_pending_begin(path, &o), 0);
    assert_int_equal(aim__store_pending_wait(o, mono_ns() + DEADLINE_NS), 1);
    assert_int_equal(aim__store_pending_notify(o, never, NULL), 1);
    aim__store_pending_abandon(o); /* joined, its store closed, freed (LSan) */
    aim__store_pending_abandon(NULL);
}

/* ------------------------------------------------------------------ a silent server */

static int listener = -1, port;

/* A listening socket on 127.0.0.1 that never speaks. */
static void listen_silently(void) {
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(listener >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(listener, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(listener, 8), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(listener, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
}

static int accept_one(void) {
    struct pollfd p = { .fd = listener, .events = POLLIN };
    assert_int_equal(poll(&p, 1, (int)(DEADLINE_NS / 1000000)), 1);
    int c = accept(listener, NULL, NULL);
    assert_true(c >= 0);
    return c;
}

/* No SSL or GSS request (whose refusal libpq may answer with a second connection): the
 * start-up packet, then a wait for the server's first bytes that never ends by itself. */
static void silent_url(char *buf, size_t size) {
    snprintf(buf, size, "postgresql://aimeter@127.0.0.1:%d/aimeter?connect_timeout=0&"
             "sslmode=disable&gssencmode=disable", port);
}

static int threads(void) {
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int calls;
} seen = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

static void told(void *arg) {
    assert_ptr_equal(arg, &seen);
    pthread_mutex_lock(&seen.lock);
    seen.calls++;
    pthread_cond_broadcast(&seen.cv);
    pthread_mutex_unlock(&seen.lock);
}

static void a_silent_server_is_not_waited_for_and_tells_when_it_ends(void **state) {
    (void)state;
    if (!AIM_HAVE_POSTGRES)
        skip();
    listen_silently();
    char url[200], err[512] = "";
    silent_url(url, sizeof url);
    aim_store_opener *o = NULL;
    assert_int_equal(aim__store_pending_begin(url, &o), 0);
    int c = accept_one();
    /* the server said nothing: still connecting, whatever the deadline */
    assert_int_equal(aim__store_pending_wait(o, mono_ns()), 0);
    assert_int_equal(aim__store_pending_wait(o, mono_ns() + S / 20), 0);
    assert_int_equal(aim__store_pending_notify(o, told, &seen), 0);
    close(c); /* the connection ends: libpq's wait too */
    pthread_mutex_lock(&seen.lock);
    struct timespec ts; /* the condition variable's clock: the default, real time */
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += DEADLINE_NS / S;
    while (seen.calls == 0 && pthread_cond_timedwait(&seen.cv, &seen.lock, &ts) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&seen.lock);
    assert_int_equal(aim__store_pending_wait(o, mono_ns() + DEADLINE_NS), 1);
    aim_db *db = (aim_db *)1;
    assert_int_equal(aim__store_pending_take(o, &db, err, sizeof err), -ECONNREFUSED);
    assert_null(db);
    assert_non_null(strstr(err, "cannot connect"));
    assert_int_equal(seen.calls, 1);
    close(listener);
}

static void let_go_while_connecting_it_is_freed_by_its_thread(void **state) {
    (void)state;
    if (!AIM_HAVE_POSTGRES)
        skip();
    listen_silently();
    char url[200];
    silent_url(url, sizeof url);
    int before = threads();
    aim_store_opener *o = NULL;
    assert_int_equal(aim__store_pending_begin(url, &o), 0);
    int c = accept_one();
    assert_int_equal(aim__store_pending_wait(o, mono_ns()), 0);
    assert_int_equal(aim__store_pending_notify(o, never, NULL), 0); /* dropped by the abandon */
    aim__store_pending_abandon(o); /* returns at once: the connect goes on */
    assert_int_equal(threads(), before + 1);
    close(c);
    /* its thread ends (detached): the opener closed and freed there, which LSan checks at
     * the exit */
    int64_t until = mono_ns() + DEADLINE_NS;
    while (threads() > before) {
        assert_true(mono_ns() < until);
        struct timespec nap = { 0, 10000000 };
        nanosleep(&nap, NULL);
    }
    close(listener);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_store_that_opens_at_once_is_taken),
        cmocka_unit_test(a_failure_is_taken_with_its_message),
        cmocka_unit_test(finished_ones_say_so_and_are_freed_when_let_go),
        cmocka_unit_test(a_silent_server_is_not_waited_for_and_tells_when_it_ends),
        cmocka_unit_test(let_go_while_connecting_it_is_freed_by_its_thread),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
