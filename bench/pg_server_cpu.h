/* The PostgreSQL benchmarks' server side: the CPU time of one server (its postmaster, named
 * by the data directory's postmaster.pid, and every process it started: backends, WAL
 * writer, checkpointer, autovacuum), and one number from SQL over libpq (the database's
 * size). Reading /proc by the postmaster's pid keeps other servers on the machine (other
 * tests) out of the figure. */
#ifndef AIM_BENCH_PG_SERVER_CPU_H
#define AIM_BENCH_PG_SERVER_CPU_H

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* utime, stime (and, for the postmaster, the children it has reaped) of /proc/PID/stat, in
 * seconds; *ppid its parent. -1 when it is gone. */
static inline double pg_proc_cpu(long pid, long *ppid, int with_children) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* after the command name, which may hold spaces */
    if (!p)
        return -1;
    char state;
    long pp;
    unsigned long ut, st;
    long cut, cst;
    if (sscanf(p + 2, "%c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld", &state, &pp,
               &ut, &st, &cut, &cst) != 6)
        return -1;
    *ppid = pp;
    double ticks = (double)ut + (double)st + (with_children ? (double)(cut + cst) : 0);
    return ticks / (double)sysconf(_SC_CLK_TCK);
}

/* The postmaster's pid from DATADIR/postmaster.pid (its first line); 0 when unreadable. */
static inline long pg_postmaster_pid(const char *datadir) {
    char path[600];
    snprintf(path, sizeof path, "%s/postmaster.pid", datadir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

/* The server's CPU seconds so far: the postmaster (with what its exited children used) and
 * each live child. -1 without a postmaster. */
static inline double pg_server_cpu(long postmaster) {
    long pp;
    double sum = postmaster > 0 ? pg_proc_cpu(postmaster, &pp, 1) : -1;
    if (sum < 0)
        return -1;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == postmaster)
            continue;
        double c = pg_proc_cpu(pid, &pp, 0);
        if (c >= 0 && pp == postmaster)
            sum += c;
    }
    if (d)
        closedir(d);
    return sum;
}

/* One bigint from SQL (pg_database_size, pg_total_relation_size); -1 on failure. */
static inline long long pg_query_int(PGconn *c, const char *sql) {
    PGresult *res = PQexec(c, sql);
    long long v = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        v = atoll(PQgetvalue(res, 0, 0));
    else
        fprintf(stderr, "bench: %s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    return v;
}

#endif
