/* The live endpoint's cost to the sampler (issue 14): a whole session in-process with 8 fake
 * GPUs (the fake libnvidia-ml, its scenario written here) and its /metrics server
 * (libmicrohttpd, loopback), at 100 Hz and 1 kHz, once without scrapes and once while a
 * client thread scrapes 100 times a second (a new connection each, as a worst case:
 * Prometheus keeps its connection open). Prints the sampler's wake-up jitter p50/p99/max and
 * missed deadlines for both (bench_session's figures), and the scrapes' HTTP round trip
 * p50/p99/max, also back to back. Never fails on a timing.
 * Runs with and without scrapes alternate, ROUNDS times, so drift in the machine's load hits
 * both alike. Usage: bench_live FAKE_LIBNVIDIA_ML [SECONDS per run (10)] [ROUNDS (1)]. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "store_files.h"
#include "engine/session_internal.h"

enum { GPUS = 8, MAX_SCRAPES = 200000 };

typedef struct scraper {
    unsigned port;
    double rate_hz;    /* 0: back to back */
    double seconds;
    int n, failed;
    size_t bytes;
    int64_t *rtt_ns;
} scraper;

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One GET /metrics on a new connection: the bytes of the reply, -1 when it was not a 200. */
static long scrape_once(unsigned port) {
    static char buf[1 << 20];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    long got = 0;
    if (send(fd, req, sizeof req - 1, 0) == (ssize_t)(sizeof req - 1)) {
        ssize_t k;
        while ((k = recv(fd, buf + got, sizeof buf - (size_t)got, 0)) > 0)
            got += k;
    }
    close(fd);
    return got > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0 ? got : -1;
}

static void *scrape_main(void *arg) {
    scraper *sc = arg;
    int64_t start = mono_ns(), end = start + (int64_t)(sc->seconds * 1e9), next = start;
    int64_t period = sc->rate_hz > 0 ? (int64_t)(1e9 / sc->rate_hz) : 0;
    while (sc->n < MAX_SCRAPES && mono_ns() < end) {
        if (period) { /* an absolute schedule, so a slow scrape does not lower the rate */
            struct timespec ts = { (time_t)(next / 1000000000), (long)(next % 1000000000) };
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            next += period;
        }
        int64_t t0 = mono_ns();
        long bytes = scrape_once(sc->port);
        sc->rtt_ns[sc->n++] = mono_ns() - t0;
        if (bytes < 0)
            sc->failed++;
        else
            sc->bytes = (size_t)bytes;
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct_us(int64_t *v, int n, double p) {
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    int i = (int)(p / 100 * (n - 1) + 0.5);
    return (double)v[i] / 1e3;
}

/* A port nobody listens on now (the kernel's choice). */
static unsigned free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* One session at interval_ns for seconds, scraped by sc (NULL: not scraped). */
static int one_run(int64_t interval_ns, double seconds, scraper *sc, const char *db) {
    aim_config *c;
    aim_session *s;
    aim_metrics_server *srv = NULL;
    aim_config_new(&c);
    aim_config_set_interval(c, interval_ns);
    aim_config_set_db_path(c, db);
    aim_config_set_sources(c, "procfs,nvml");
    aim_session_new(c, &s);
    aim_config_free(c);
    if (aim_session_start(s) < 0) {
        fprintf(stderr, "bench_live: %s\n", aim_session_errmsg(s));
        return -1;
    }
    unsigned port = free_port();
    int r = aim_metrics_server_start(s, "127.0.0.1", port, &srv);
    if (r < 0) {
        fprintf(stderr, "bench_live: cannot serve on port %u: %s\n", port, strerror(-r));
        return -1;
    }
    if (sc) {
        pthread_t t;
        sc->port = port;
        sc->seconds = seconds;
        pthread_create(&t, NULL, scrape_main, sc);
        pthread_join(t, NULL);
    } else {
        struct timespec nap = { (time_t)seconds,
                                (long)((seconds - (double)(time_t)seconds) * 1e9) };
        nanosleep(&nap, NULL);
    }
    aim_metrics_server_stop(srv);
    aim_session_stop(s, AIM_RUN_COMPLETED, 0);
    const aim_group *g = &s->groups[s->main_group];
    printf("| %g Hz | %s | %.0f µs | %.0f µs | %.0f µs | %llu | %llu |\n",
           1e9 / (double)interval_ns, !sc ? "none" : sc->rate_hz > 0 ? "100 scrapes/s" : "back to back",
           (double)aim__jitter_percentile(&g->jitter, 50) / 1e3,
           (double)aim__jitter_percentile(&g->jitter, 99) / 1e3, (double)g->jitter.max_ns / 1e3,
           (unsigned long long)s->run.samples, (unsigned long long)s->run.missed_deadlines);
    aim_session_free(s);
    bench_unlink_store(db);
    return 0;
}

/* 8 H100s of the fake libnvidia-ml, each at its own steady power. */
static int write_scenario(const char *path) {
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "gpus %d\nenergy_refresh_ms 100\n", GPUS);
    for (int g = 0; g < GPUS; g++)
        fprintf(f, "gpu%d name NVIDIA H100 80GB HBM3\ngpu%d uuid GPU-%08d-1111-2222-3333-444444444444\n"
                   "gpu%d power 0:%d\n", g, g, g, g, 100000 + 30000 * g);
    return fclose(f);
}

static void print_rtt(const char *what, scraper *sc) {
    int n = sc->n;
    printf("| %s | %d | %d | %.0f µs | %.0f µs | %.0f µs | %zu |\n", what, n, sc->failed,
           pct_us(sc->rtt_ns, n, 50), pct_us(sc->rtt_ns, n, 99), pct_us(sc->rtt_ns, n, 100),
           sc->bytes);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_live FAKE_LIBNVIDIA_ML [SECONDS] [ROUNDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 10;
    int rounds = argc > 3 ? atoi(argv[3]) : 1;
    char db[256], scenario[256];
    snprintf(db, sizeof db, "/tmp/aimeter-bench-live-%d.db", (int)getpid());
    snprintf(scenario, sizeof scenario, "/tmp/aimeter-bench-live-%d.scenario", (int)getpid());
    if (write_scenario(scenario) < 0) {
        perror("bench_live: scenario");
        return 1;
    }
    setenv("AIMETER_NVML_LIBRARY", argv[1], 1);
    setenv("AIMETER_FAKE_NVML_SCENARIO", scenario, 1);
    static int64_t rtt[4][MAX_SCRAPES];
    scraper scr[4];
    printf("%d fake GPUs, %g s per run, %d round(s); scrapes on a new connection each\n\n", GPUS,
           seconds, rounds);
    printf("| rate | scrapes | wake-up p50 | p99 | max | ticks | missed |\n");
    printf("|---|---|---|---|---|---|---|\n");
    const int64_t intervals[] = { 10000000, 1000000 };
    for (int k = 0; k < 2; k++)
        for (int r = 0; r < rounds; r++) {
            /* The round trips kept are the last round's. */
            scr[k] = (scraper){ .rate_hz = 100, .rtt_ns = rtt[k] };
            if (one_run(intervals[k], seconds, NULL, db) < 0 ||
                one_run(intervals[k], seconds, &scr[k], db) < 0)
                return 1;
        }
    /* Back to back: the server's throughput with the sampler at 100 Hz. */
    scr[2] = (scraper){ .rate_hz = 0, .rtt_ns = rtt[2] };
    printf("\nback to back for %g s at 100 Hz sampling:\n\n", seconds);
    printf("| rate | scrapes | wake-up p50 | p99 | max | ticks | missed |\n");
    printf("|---|---|---|---|---|---|---|\n");
    if (one_run(intervals[0], seconds, &scr[2], db) < 0)
        return 1;
    printf("\n| HTTP round trip of a scrape | scrapes | failed | p50 | p99 | max | bytes |\n");
    printf("|---|---|---|---|---|---|---|\n");
    print_rtt("100/s, sampling at 100 Hz", &scr[0]);
    print_rtt("100/s, sampling at 1 kHz", &scr[1]);
    print_rtt("back to back, sampling at 100 Hz", &scr[2]);
    unlink(scenario);
    return 0;
}
