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

/* 1 when paths a and b name one file: the same inode when both exist, else the same
 * resolved path (a file not created yet: a -wal SQLite has not made, an output). */
static int same_path(const char *a, const char *b) {
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return 0; /* one exists and the other does not: not the same */
    char ra[PATH_MAX + 1], rb[PATH_MAX + 1];
    resolve(a, ra, sizeof ra);
    resolve(b, rb, sizeof rb);
    return strcmp(ra, rb) == 0;
}

/* 1 when out names the file `store` + suffix. */
static int same_file(const char *out, const char *store, const char *suffix) {
    char name[PATH_MAX];
    if (snprintf(name, sizeof name, "%s%s", store, suffix) >= (int)sizeof name)
        return 0;
    return same_path(out, name);
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
    /* The store's file as the store reads the location (sqlite:PATH, sqlite://PATH, a
     * plain path); a server's store has no file of ours to overwrite, and an unknown scheme
     * is refused by the open. */
    const char *file = NULL;
    if (aim_store_location_file(db, &file) != 1 || !*file) {
        free(def);
        return 0;
    }
    db = file;
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    int code = 0;
    for (size_t i = 0; !code && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (!same_file(path, db, suffixes[i]))
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

int cli_check_distinct_outputs(const char *command, size_t n, const char *const options[],
                               const char *const paths[]) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; paths[i] && j < n; j++) {
            if (!paths[j])
                continue;
            int out_i = strcmp(paths[i], "-") == 0, out_j = strcmp(paths[j], "-") == 0;
            if (out_i != out_j || !(out_i || same_path(paths[i], paths[j])))
                continue;
            if (out_i)
                cli_error("%s: %s and %s both write to standard output: give one of them a file "
                          "(- once at most)", command, options[i], options[j]);
            else
                cli_error("%s: %s %s and %s %s are the same file: each output needs its own",
                          command, options[i], paths[i], options[j], paths[j]);
            return AIM_EXIT_USAGE;
        }
    return 0;
}
