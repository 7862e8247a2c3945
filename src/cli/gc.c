/* aimeter gc: what a store collects and no one removes. The runs an aimeter that died left
 * "running" (its process gone on this machine; on another one, where it cannot be checked,
 * nothing committed for long), then the free pages removals leave in an SQLite file given
 * back by VACUUM. Runs that ended (completed, failed, interrupted) are kept: removing those
 * is the user's choice (aimeter rm; aimeter ls -q FILTERS | aimeter rm -). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/store_cmds.h"

#define NS_PER_S 1000000000LL
/* A run recorded on another machine cannot be checked from here: however small
 * --older-than, it must have been silent this long (a live one commits every second). */
#define ELSEWHERE_MIN_NS (3600 * NS_PER_S)

static const char gc_usage[] =
    "Usage: aimeter gc [--db PATH] [--dry-run] [--older-than AGE] [--no-vacuum]\n"
    "\n"
    "Removes the runs an aimeter that died left \"running\" (ls: incomplete; or, recorded on\n"
    "another machine, silent for AGE and at least 1h), unless runs kept use them as their\n"
    "idle baseline; then gives the free space of an SQLite store back (VACUUM). Runs that\n"
    "ended are never touched: aimeter rm removes those.\n"
    "\n"
    "      --dry-run         say what would be removed and reclaimed; change nothing\n"
    "      --older-than AGE  only runs whose last commit is older than AGE (default 1d;\n"
    "                        0: every incomplete run of this machine)\n"
    "      --no-vacuum       leave the free pages in the file (later runs reuse them)\n"
    "      --db PATH         the store\n"
    "  -h, --help            this help\n";

enum { OPT_DRY_RUN = 1300, OPT_OLDER_THAN, OPT_NO_VACUUM };

static int64_t now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec;
}

/* An abandoned run: incomplete here (its process gone) long enough, or said running
 * elsewhere and silent long enough. */
static int abandoned(const aim_run_entry *e, int64_t now, int64_t older_than) {
    int64_t silent = now - e->last_wall_ns;
    if (e->status == AIM_RUNS_INCOMPLETE)
        return silent >= older_than;
    return e->status == AIM_RUNS_RUNNING && !e->here &&
           silent >= (older_than > ELSEWHERE_MIN_NS ? older_than : ELSEWHERE_MIN_NS);
}

static int in_set(const aim_run_entry *set, size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i].id, id) == 0)
            return 1;
    return 0;
}

/* Drops from cands[0..*n) every run that a run staying uses as its idle baseline (their
 * reports would lose it), saying so; again until none is dropped (a kept run may keep
 * another). 0 or an exit code after printing. */
static int keep_baselines(aim_store *store, aim_run_entry *cands, size_t *n) {
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < *n; i++) {
            aim_run_entry *deps = NULL;
            size_t nd = 0;
            int r = aim_store_run_dependents(store, cands[i].id, &deps, &nd);
            if (r < 0)
                return cli_store_failed(store, r);
            const char *staying = NULL;
            for (size_t k = 0; k < nd && !staying; k++)
                if (!in_set(cands, *n, deps[k].id))
                    staying = deps[k].id;
            if (staying) {
                printf("kept %s (%s): the idle baseline of run %s, which stays\n", cands[i].id,
                       cli_run_status_word(cands[i].status), staying);
                memmove(&cands[i], &cands[i + 1], (*n - i - 1) * sizeof *cands);
                (*n)--;
                i--;
                changed = 1;
            }
            free(deps);
        }
    }
    return 0;
}

static void say_removed(void *userdata, const aim_run_entry *run) {
    const char *verb = userdata;
    char last[40];
    cli_format_utc(last, sizeof last, run->last_wall_ns);
    printf("%s %s", verb, run->id);
    if (run->name[0])
        printf(" \"%s\"", run->name);
    if (run->status == AIM_RUNS_INCOMPLETE)
        printf(" (incomplete: its aimeter on this machine is gone; last commit %s)\n", last);
    else
        printf(" (says running, recorded on %s: nothing committed since %s)\n",
               run->host[0] ? run->host : "an unknown host", last);
}

static void say_size(char *buf, size_t size, int64_t bytes) {
    if (bytes >= 1024 * 1024)
        snprintf(buf, size, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
    else if (bytes >= 1024)
        snprintf(buf, size, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(buf, size, "%lld bytes", (long long)bytes);
}

/* The space: measured, and given back unless a dry run or --no-vacuum. 0 or an exit code. */
static int reclaim(aim_store *store, int dry_run, int vacuum, size_t removed) {
    aim_reclaim_stats st;
    int r = aim_store_reclaim(store, 0, &st);
    if (r == -EOPNOTSUPP) {
        if (removed)
            printf("space: the server reclaims what the removed runs held (PostgreSQL's "
                   "autovacuum)\n");
        return 0;
    }
    if (r < 0)
        return cli_store_failed(store, r);
    char free_s[32], size_s[32], after_s[32];
    say_size(free_s, sizeof free_s, st.free_before);
    say_size(size_s, sizeof size_s, st.size_before);
    if (dry_run) {
        if (!vacuum)
            printf("would leave the free space in the store (--no-vacuum): %s of %s now\n",
                   free_s, size_s);
        else if (st.free_before || removed)
            printf("would reclaim the free space of the store (VACUUM): %s of %s now%s\n",
                   free_s, size_s, removed ? ", and what the runs above hold" : "");
        return 0;
    }
    if (!st.free_before)
        return 0; /* nothing to give back: the file is not rewritten for nothing */
    if (!vacuum) {
        printf("left %s of free space in the store (%s; --no-vacuum)\n", free_s, size_s);
        return 0;
    }
    r = aim_store_reclaim(store, AIM_RECLAIM_VACUUM, &st);
    if (r < 0)
        return cli_store_failed(store, r);
    say_size(after_s, sizeof after_s, st.size_after);
    say_size(size_s, sizeof size_s, st.size_before);
    say_size(free_s, sizeof free_s, st.size_before - st.size_after);
    printf("reclaimed %s: the store is %s (it was %s)\n", free_s, after_s, size_s);
    return 0;
}

int cmd_gc(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "older-than", required_argument, NULL, OPT_OLDER_THAN },
        { "no-vacuum", no_argument, NULL, OPT_NO_VACUUM }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL;
    int dry_run = 0, vacuum = 1, c;
    int64_t older_than = 86400 * NS_PER_S;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case OPT_DRY_RUN: dry_run = 1; break;
        case OPT_OLDER_THAN:
            if (cli_parse_age("gc", "--older-than", optarg, &older_than))
                return AIM_EXIT_USAGE;
            break;
        case OPT_NO_VACUUM: vacuum = 0; break;
        case 'h': fputs(gc_usage, stdout); return 0;
        default: return cli_bad_option("gc", argv);
        }
    }
    if (optind < argc) {
        cli_error("gc: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    aim_store *store;
    int code = dry_run ? cli_open_store(db, &store) : cli_open_store_rw(db, &store);
    if (code)
        return code;
    aim_run_query q = { .statuses = AIM_RUNS_RUNNING | AIM_RUNS_INCOMPLETE };
    aim_run_entry *runs = NULL;
    size_t n = 0, k = 0;
    int r = aim_store_find_runs(store, &q, &runs, &n);
    if (r < 0)
        code = cli_store_failed(store, r);
    int64_t now = now_ns();
    for (size_t i = 0; code == 0 && i < n; i++)
        if (abandoned(&runs[i], now, older_than))
            runs[k++] = runs[i];
    if (code == 0)
        code = keep_baselines(store, runs, &k);
    if (code == 0 && !k)
        printf("no abandoned runs\n");
    if (code == 0 && k) {
        const char **ids = calloc(k, sizeof *ids);
        if (!ids) {
            cli_error("out of memory");
            code = AIM_EXIT_SOFTWARE;
        }
        for (size_t i = 0; ids && i < k; i++)
            ids[i] = runs[i].id;
        r = ids ? aim_store_remove_runs(store, ids, k, AIM_REMOVE_RUNNING |
                                        (dry_run ? AIM_REMOVE_DRY_RUN : 0), say_removed,
                                        dry_run ? "would remove" : "removed")
                : 0;
        if (r < 0)
            code = cli_store_failed(store, r);
        free(ids);
    }
    if (code == 0)
        code = reclaim(store, dry_run, vacuum, k);
    if (code == 0 && fflush(stdout) != 0) {
        cli_error("writing to standard output: %s", strerror(errno ? errno : EIO));
        code = AIM_EXIT_IOERR;
    }
    free(runs);
    aim_store_free(store);
    return code;
}
