/* Workload events: what a phase/mark/record costs the program that sends it, through the C
 * API (a mutex and a clock read) and through the control socket (a round trip to another
 * thread), and the writer's cost to apply them. Prints a table; never fails on a timing.
 * Usage: bench_workload [DIR] (default /tmp). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "aimeter.h"
#include "clock.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char db[512], sock[108];
    snprintf(db, sizeof db, "%s/aimeter-bench-wl-%d.db", dir, (int)getpid());
    snprintf(sock, sizeof sock, "%s/aimeter-bench-wl-%d.sock", dir, (int)getpid());
    aim_config *cfg;
    aim_session *s;
    if (aim_config_new(&cfg) < 0 || aim_config_set_db_path(cfg, db) < 0 ||
        aim_config_set_sources(cfg, "procfs") < 0 || aim_config_set_control_socket(cfg, sock) < 0 ||
        aim_session_new(cfg, &s) < 0 || aim_session_start(s) < 0) {
        fprintf(stderr, "bench_workload: cannot start a session\n");
        return 1;
    }
    aim_config_free(cfg);
    enum { N = 20000 };
    printf("| workload events, %d each | wall µs per event | CPU µs per event |\n", N);
    printf("|---|---|---|\n");
    double w0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < N; i++)
        aim_record(s, "tokens", 1);
    printf("| `aim_record` (C API) | %.2f | %.2f |\n", (now_s() - w0) / N * 1e6,
           (cpu_s() - c0) / N * 1e6);
    w0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < N / 2; i++) {
        aim_phase_begin(s, "step");
        aim_phase_end(s, "step");
    }
    printf("| `aim_phase_begin` + `aim_phase_end` (per call) | %.2f | %.2f |\n",
           (now_s() - w0) / N * 1e6, (cpu_s() - c0) / N * 1e6);
    /* The socket: one connection, one line and its reply at a time (the CLI's case is a new
     * process and connection per event, dominated by exec). */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "bench_workload: cannot connect\n");
        return 1;
    }
    w0 = now_s(), c0 = cpu_s();
    char reply[16];
    for (int i = 0; i < N; i++) {
        if (send(fd, "record tokens 1\n", 16, 0) != 16 || recv(fd, reply, 3, MSG_WAITALL) != 3)
            break;
    }
    double sock_wall = (now_s() - w0) / N * 1e6;
    printf("| `record tokens 1` on the control socket, round trip | %.2f | %.2f (client; the "
           "server thread's in the total below) |\n", sock_wall, (cpu_s() - c0) / N * 1e6);
    close(fd);
    w0 = now_s();
    double c1 = cpu_s();
    aim_session_stop(s, AIM_RUN_COMPLETED, 0);
    printf("\nstop (applies and stores the last events, 60000 record rows in all): %.1f ms wall, "
           "%.1f ms CPU\n", (now_s() - w0) * 1e3, (cpu_s() - c1) * 1e3);
    aim_session_free(s);
    unlink(db);
    char side[600];
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    return 0;
}
