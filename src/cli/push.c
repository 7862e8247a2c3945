/* aimeter push [--db SRC] --to DEST [RUN...]: stored runs copied into another store (a node's
 * SQLite store into the shared PostgreSQL one), idempotently (aim_store_push_run). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "util/json.h"

static const char push_usage[] =
    "Usage: aimeter push [--db SRC] --to DEST [--mirror] [--json] [RUN...]\n"
    "\n"
    "Copies runs from the store SRC into the store DEST (created when it is a file that does\n"
    "not exist yet), e.g. a node's runs into a shared PostgreSQL store. Pushing again writes\n"
    "only what DEST lacks: a run is never there twice, and a push that was cut off is\n"
    "completed by the next. RUN is a run id, a unique prefix or 'last'; none: every run in SRC.\n"
    "DEST keeps the samples SRC's retention has since pruned or downsampled, unless --mirror.\n"
    "\n"
    "      --to DEST  the store to copy into: a path or a URL (postgresql://USER@HOST/DB)\n"
    "      --db SRC   the store to copy from (default: $AIMETER_DB, else the default store)\n"
    "      --mirror   make DEST's samples of each run equal SRC's: remove the chunks SRC no\n"
    "                 longer has, replace those it has downsampled\n"
    "      --json     the counts as JSON on standard output\n"
    "  -h, --help     this help\n";

/* Every run id of the store, oldest first (a push of all that is cut off has the oldest). */
static int all_runs(aim_store *store, char ***ret_ids, size_t *ret_n) {
    char *text = NULL;
    int r = aim_store_list_runs(store, AIM_FORMAT_JSON, 0, &text);
    if (r < 0)
        return cli_store_failed(store, r);
    char err[160];
    json_t *arr = aim__json_parse(text, strlen(text), err, sizeof err);
    free(text);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    char **ids = n ? calloc(n, sizeof *ids) : NULL;
    if (!json_is_array(arr) || (n && !ids)) {
        cli_error("push: cannot list the runs of the store (%s)", arr ? "out of memory" : err);
        json_decref(arr);
        free(ids);
        return AIM_EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(arr, n - 1 - i), "id"));
        ids[i] = strdup(id ? id : "");
        if (!ids[i] || !*ids[i]) {
            cli_error("push: cannot list the runs of the store");
            for (size_t k = 0; k <= i; k++)
                free(ids[k]);
            free(ids);
            json_decref(arr);
            return AIM_EXIT_SOFTWARE;
        }
    }
    json_decref(arr);
    *ret_ids = ids;
    *ret_n = n;
    return 0;
}

/* The runs named on the command line, each resolved before anything is copied: a typo
 * stops the push before it starts. */
static int named_runs(aim_store *store, char **refs, size_t n, char ***ret_ids) {
    char **ids = calloc(n, sizeof *ids);
    if (!ids) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < n; i++) {
        int code = cli_resolve_run(store, refs[i], &ids[i]);
        if (code) {
            for (size_t k = 0; k < i; k++)
                free(ids[k]);
            free(ids);
            return code;
        }
    }
    *ret_ids = ids;
    return 0;
}

/* 1 when src and dest are one store (a store cannot be pushed into itself): one file, as
 * the store reads their locations (sqlite:PATH is PATH), or one server URL. */
static int same_store(const char *src, const char *dest) {
    struct stat a, b;
    const char *fa = NULL, *fb = NULL;
    if (!src || aim_store_location_file(src, &fa) != 1 || aim_store_location_file(dest, &fb) != 1)
        return src && strcmp(src, dest) == 0;
    return stat(fa, &a) == 0 && stat(fb, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static void put_stats(json_t *o, const aim_push_stats *st, int *err) {
    aim__json_put(o, "chunks", aim__json_count(st->chunks_written + st->chunks_present), err);
    aim__json_put(o, "chunks_written", aim__json_count(st->chunks_written), err);
    aim__json_put(o, "chunks_present", aim__json_count(st->chunks_present), err);
    aim__json_put(o, "chunks_removed", aim__json_count(st->chunks_removed), err);
    aim__json_put(o, "chunks_kept", aim__json_count(st->chunks_kept), err);
    aim__json_put(o, "rows", aim__json_count(st->rows), err);
}

/* The text line of one run pushed. */
static void say_pushed(const char *id, const aim_push_stats *st) {
    uint64_t n = st->chunks_written + st->chunks_present;
    printf("pushed %s: %llu chunk%s (%llu already there", id, (unsigned long long)n,
           n == 1 ? "" : "s", (unsigned long long)st->chunks_present);
    if (st->chunks_removed)
        printf(", %llu removed", (unsigned long long)st->chunks_removed);
    if (st->chunks_kept) /* DEST's history beyond what SRC's retention left */
        printf(", %llu kept that the source has pruned or downsampled",
               (unsigned long long)st->chunks_kept);
    printf(")%s\n", st->running ? "; still running: what it had stored so far, push it again "
                                  "once it has ended" : "");
}

static int push_runs(aim_store *dest, aim_store *src, char **ids, size_t n, unsigned flags,
                     int json) {
    json_t *root = json ? json_object() : NULL, *runs = json ? json_array() : NULL;
    aim_push_stats total = { 0 };
    int err = json && (!root || !runs) ? -ENOMEM : 0, code = 0, clash = 0;
    size_t pushed = 0;
    if (n == 0 && !json)
        printf("nothing to push: the store has no runs\n");
    for (size_t i = 0; i < n && !code; i++) {
        aim_push_stats st;
        int r = aim_store_push_run(dest, src, ids[i], flags, &st);
        if (r == -EEXIST) {
            /* another node's run under the same id: this one is not copied, and the runs
             * after it are (else every later push of this node would stop here) */
            cli_error("%s", aim_store_errmsg(dest));
            clash = 1;
            continue;
        }
        if (r < 0) {
            code = cli_store_failed(dest, r);
            break;
        }
        pushed++;
        total.chunks_written += st.chunks_written;
        total.chunks_present += st.chunks_present;
        total.chunks_removed += st.chunks_removed;
        total.chunks_kept += st.chunks_kept;
        total.rows += st.rows;
        if (!json) {
            say_pushed(ids[i], &st);
            fflush(stdout); /* each run as it is done: a long push shows its progress */
            continue;
        }
        json_t *o = json_object();
        aim__json_put(o, "id", aim__json_str(ids[i], strlen(ids[i])), &err);
        put_stats(o, &st, &err);
        aim__json_put(o, "running", json_boolean(st.running), &err);
        aim__json_push(runs, o, &err);
    }
    if (!code && clash)
        code = AIM_EXIT_DATAERR;
    if (json) {
        /* Also after a failure: the runs pushed before it are in DEST. */
        aim__json_put(root, "runs", runs, &err);
        aim__json_put(root, "pushed", aim__json_count(pushed), &err);
        put_stats(root, &total, &err);
        char *text = NULL;
        if (err == 0 && aim__json_dump(root, &text) == 0) {
            int wcode = cli_write_file("-", text);
            code = code ? code : wcode;
        } else {
            cli_error("out of memory");
            code = code ? code : AIM_EXIT_SOFTWARE;
        }
        free(text);
        json_decref(root);
    }
    return code;
}

int cmd_push(int argc, char **argv) {
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' }, { "to", required_argument, NULL, 't' },
        { "json", no_argument, NULL, 'j' }, { "mirror", no_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *to = NULL;
    int json = 0, c;
    unsigned flags = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_db_option(optarg, &db))
                return AIM_EXIT_USAGE;
            break;
        case 't':
            if (!*optarg) {
                cli_error("push: --to needs a store: a path or a URL (postgresql://...)");
                return AIM_EXIT_USAGE;
            }
            to = optarg;
            break;
        case 'j': json = 1; break;
        case 'm': flags |= AIM_PUSH_MIRROR; break;
        case 'h': fputs(push_usage, stdout); return 0;
        default:
            return cli_bad_option("push", argv);
        }
    }
    if (!to) {
        cli_error("push: say where to: --to DEST (a path or a URL, postgresql://...)");
        return AIM_EXIT_USAGE;
    }
    char *def = NULL;
    const char *src_name = db;
    if (!src_name && aim_default_db_path(&def) == 0)
        src_name = def;
    int same = same_store(src_name, to);
    free(def);
    if (same) { /* named before any open: its secrets are hidden here (docs/store.md) */
        char shown[4096];
        aim_store_location_redact(to, shown, sizeof shown);
        cli_error("push: --to %s is the store pushed from (--db, or the default store)", shown);
        return AIM_EXIT_USAGE;
    }
    aim_store *src;
    int code = cli_open_store(db, &src);
    if (code)
        return code;
    char **ids = NULL;
    size_t n = (size_t)(argc - optind);
    code = n ? named_runs(src, argv + optind, n, &ids) : all_runs(src, &ids, &n);
    aim_store *dest = NULL;
    if (!code && aim_store_new(&dest) < 0) {
        cli_error("out of memory");
        code = AIM_EXIT_SOFTWARE;
    }
    if (!code) {
        int r = aim_store_open(dest, to, 0);
        if (r < 0) { /* "no such" here is a file that cannot be made: 73, not 66 */
            cli_error("%s", aim_store_errmsg(dest));
            code = r == -ENOENT ? AIM_EXIT_CANTCREAT : cli_store_open_exit_code(r);
        }
    }
    if (!code)
        code = push_runs(dest, src, ids, n, flags, json);
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
    aim_store_free(dest);
    aim_store_free(src);
    return code;
}
