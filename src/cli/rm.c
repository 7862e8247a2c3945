/* aimeter rm RUN...: stored runs removed with everything recorded about them
 * (aim_store_remove_runs). Every RUN is looked up and checked before any goes. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/store_cmds.h"

static const char rm_usage[] =
    "Usage: aimeter rm [--db PATH] [--dry-run] [--force] RUN... | -\n"
    "\n"
    "Removes runs from the store with everything recorded about them (samples, phases,\n"
    "records, tags). RUN is a run id, a unique prefix of one, a run's name (its newest run)\n"
    "or 'last'; '-' reads RUNs from standard input, one a line:\n"
    "  aimeter ls -q --status failed | aimeter rm -\n"
    "Every RUN is looked up and checked first: if one cannot go, none does.\n"
    "\n"
    "      --dry-run  say which runs would be removed; remove nothing\n"
    "      --force    also remove a run still being recorded (or said to be, on another\n"
    "                 machine), or one that runs kept use as their idle baseline\n"
    "      --db PATH  the store\n"
    "  -h, --help     this help\n";

enum { OPT_DRY_RUN = 1200, OPT_FORCE };

typedef struct ref_list {
    char **refs;    /* owned copies */
    size_t n, cap;
} ref_list;

static int add_ref(ref_list *l, const char *ref, size_t len) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **grown = realloc(l->refs, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        l->refs = grown;
        l->cap = cap;
    }
    char *copy = strndup(ref, len);
    if (!copy)
        return -ENOMEM;
    l->refs[l->n++] = copy;
    return 0;
}

/* The RUNs of standard input: one a line, blanks around them and empty lines ignored (what
 * `ls -q` writes, or a hand-made list). */
static int read_refs(ref_list *l) {
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    int r = 0;
    while (r == 0 && (len = getline(&line, &size, stdin)) >= 0) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strcspn(s, "\r\n");
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n)
            r = add_ref(l, s, n);
    }
    int failed = r == 0 && ferror(stdin);
    free(line);
    if (r < 0) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    if (failed) {
        cli_error("rm: reading standard input: %s", strerror(errno ? errno : EIO));
        return AIM_EXIT_IOERR;
    }
    return 0;
}

static void free_refs(ref_list *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->refs[i]);
    free(l->refs);
}

/* One line per run as it goes: its id, name, status and start, so that a name or a prefix
 * given shows which run it was. */
static void say_removed(void *userdata, const aim_run_entry *run) {
    const char *verb = userdata;
    char start[40];
    cli_format_utc(start, sizeof start, run->start_wall_ns);
    if (run->name[0])
        printf("%s %s \"%s\" (%s, started %s)\n", verb, run->id, run->name,
               cli_run_status_word(run->status), start);
    else
        printf("%s %s (%s, started %s)\n", verb, run->id, cli_run_status_word(run->status),
               start);
}

int cmd_rm(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "force", no_argument, NULL, OPT_FORCE }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL;
    int dry_run = 0, force = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case OPT_DRY_RUN: dry_run = 1; break;
        case OPT_FORCE: force = 1; break;
        case 'h': fputs(rm_usage, stdout); return 0;
        default: return cli_bad_option("rm", argv);
        }
    }
    if (optind == argc) {
        cli_error("rm: no RUN given (a list from standard input: aimeter ls -q ... | aimeter "
                  "rm -)");
        return AIM_EXIT_USAGE;
    }
    ref_list refs = { 0 };
    int code = 0, from_stdin = 0;
    for (int i = optind; code == 0 && i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            if (!from_stdin++)
                code = read_refs(&refs);
        } else if (add_ref(&refs, argv[i], strlen(argv[i])) < 0) {
            cli_error("out of memory");
            code = AIM_EXIT_SOFTWARE;
        }
    }
    aim_store *store = NULL;
    /* A dry run changes nothing, not even an old store's schema. */
    if (code == 0)
        code = dry_run ? cli_open_store(db, &store) : cli_open_store_rw(db, &store);
    char **ids = code == 0 && refs.n ? calloc(refs.n, sizeof *ids) : NULL;
    if (code == 0 && refs.n && !ids) {
        cli_error("out of memory");
        code = AIM_EXIT_SOFTWARE;
    }
    for (size_t i = 0; code == 0 && i < refs.n; i++)
        code = cli_resolve_run(store, refs.refs[i], &ids[i]);
    if (code == 0) {
        unsigned flags = (force ? AIM_REMOVE_RUNNING | AIM_REMOVE_BASELINE : 0) |
                         (dry_run ? AIM_REMOVE_DRY_RUN : 0);
        int r = aim_store_remove_runs(store, (const char *const *)ids, refs.n, flags,
                                      say_removed, dry_run ? "would remove" : "removed");
        if (fflush(stdout) != 0 && r == 0) {
            cli_error("writing to standard output: %s", strerror(errno ? errno : EIO));
            code = AIM_EXIT_IOERR;
        }
        if (r == -EPERM) {
            cli_error("rm: %s (--force removes it all the same)", aim_store_errmsg(store));
            code = AIM_EXIT_USAGE;
        } else if (r < 0) {
            code = cli_store_failed(store, r);
        }
    }
    for (size_t i = 0; ids && i < refs.n; i++)
        free(ids[i]);
    free(ids);
    free_refs(&refs);
    aim_store_free(store);
    return code;
}
