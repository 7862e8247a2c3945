/* The store's path given on the command line, and every output path checked against it:
 * an output that is the store (or its -wal/-shm/-journal) would be emptied by the first
 * write and take every run with it, so it is refused before anything runs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

int cli_db_option(const char *arg, const char **ret_db) {
    if (!arg || !*arg) {
        cli_error("--db needs a path: an empty one would name no store (leave --db out for "
                  "the default, $AIMETER_DB)");
        return AIM_EXIT_USAGE;
    }
    if (ret_db)
        *ret_db = arg;
    return 0;
}

/* path with its directory resolved (symbolic links, "..", relative to the working
 * directory), so that two spellings of one file compare equal even when it does not exist
 * yet. Falls back to path itself when its directory cannot be resolved either. */
static void resolve(const char *path, char *out, size_t size) {
    char buf[PATH_MAX];
    if (realpath(path, buf)) {
        snprintf(out, size, "%s", buf);
        return;
    }
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    const char *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (*base && realpath(dir, buf))
        snprintf(out, size, "%s/%s", strcmp(buf, "/") == 0 ? "" : buf, base);
    else
        snprintf(out, size, "%s", path);
}

/* 1 when out names the file `store` + suffix: the same inode when both exist, else the
 * same resolved path (a -wal or -shm that SQLite has not created yet). */
static int same_file(const char *out, const struct stat *out_st, int out_exists,
                     const char *store, const char *suffix) {
    char name[PATH_MAX];
    if (snprintf(name, sizeof name, "%s%s", store, suffix) >= (int)sizeof name)
        return 0;
    struct stat st;
    if (stat(name, &st) == 0) {
        if (out_exists)
            return st.st_dev == out_st->st_dev && st.st_ino == out_st->st_ino;
        return 0; /* the store's file exists and the output does not: not the same */
    }
    char a[PATH_MAX + 1], b[PATH_MAX + 1];
    resolve(out, a, sizeof a);
    resolve(name, b, sizeof b);
    return strcmp(a, b) == 0;
}

int cli_check_output(const char *db, const char *option, const char *path) {
    if (!path || strcmp(path, "-") == 0)
        return 0; /* standard output: the shell opened it, too late to refuse */
    if (!*path) {
        cli_error("%s needs a file name (or - for standard output)", option);
        return AIM_EXIT_USAGE;
    }
    char *def = NULL;
    if (!db || !*db) {
        if (aim_default_db_path(&def) < 0)
            return 0; /* no store to protect */
        db = def;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    int code = 0;
    for (size_t i = 0; !code && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (!same_file(path, &st, exists, db, suffixes[i]))
            continue;
        if (*suffixes[i])
            cli_error("%s %s is the journal of the store %s: writing there would corrupt the "
                      "stored runs (choose another file)", option, path, db);
        else
            cli_error("%s %s is the store itself: writing there would destroy the stored runs "
                      "(choose another file)", option, path);
        code = AIM_EXIT_USAGE;
    }
    free(def);
    return code;
}

int cli_check_csv_output(const char *db, const char *option, const char *csv) {
    int code = cli_check_output(db, option, csv);
    char columns[4096];
    /* NAME.csv also writes NAME.columns.csv (csv_columns.c): that must not be the store either. */
    if (!code && cli_csv_columns_path(csv, columns, sizeof columns) == 0)
        code = cli_check_output(db, option, columns);
    return code;
}
