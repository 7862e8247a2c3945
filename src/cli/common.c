#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int status_active;

void cli_status_clear(void) {
    if (status_active) {
        fputs("\r\033[K", stderr);
        status_active = 0;
    }
}

void cli_status_show(const char *line) {
    pthread_mutex_lock(&out_lock);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    status_active = 1;
    pthread_mutex_unlock(&out_lock);
}

/* Every message aimeter prints goes through here, so that it is always one line that says
 * something: control characters (a newline in a file name or a zone typed with one, an
 * escape sequence) are shown as '?', and an empty message, which would be a bug in the code
 * that produced it, still says that something failed. */
static void vmessage(const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void vmessage(const char *kind, const char *fmt, va_list ap) {
    char text[2048];
    int n = vsnprintf(text, sizeof text, fmt, ap);
    if (n < 0)
        snprintf(text, sizeof text, "(the message could not be formatted)");
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (!text[0])
        snprintf(text, sizeof text, "failed, and no reason was given (please report this)");
    pthread_mutex_lock(&out_lock);
    cli_status_clear();
    fprintf(stderr, "aimeter: %s%s\n", kind, text);
    pthread_mutex_unlock(&out_lock);
}

void cli_stop_signals(void (*on_stop)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up is its own problem */
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

static int quiet_level; /* -q count: from 2 on, no warnings (docs/cli.md) */

void cli_warning(const char *fmt, ...) {
    if (quiet_level >= 2)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

static void log_to_stderr(aim_log_level level, const char *message, void *userdata) {
    int quiet = *(int *)userdata;
    if (level == AIM_LOG_ERROR || (level == AIM_LOG_WARNING && quiet < 2))
        cli_warning("%s", message);
}

void cli_install_log(int quiet) {
    quiet_level = quiet;
    aim_set_log_callback(log_to_stderr, &quiet_level);
}

int cli_store_exit_code(int err) {
    switch (-err) {
    case EBADMSG:
    case EPROTO:
        return AIM_EXIT_DATAERR;
    case EBUSY:
        return AIM_EXIT_TEMPFAIL;
    case EPROTONOSUPPORT: /* a store URL of a scheme aimeter does not know (or not built in) */
        return AIM_EXIT_USAGE;
    case ECONNREFUSED: /* the store's server is down or not there */
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ETIMEDOUT:
    case ECONNRESET:
    case ECONNABORTED:
        return AIM_EXIT_UNAVAILABLE;
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ENOSPC:
        return AIM_EXIT_CANTCREAT;
    default:
        return AIM_EXIT_SOFTWARE;
    }
}

int cli_store_open_exit_code(int err) {
    /* a store URL the open refuses (a password in it: docs/store.md); any other -EINVAL
     * (a library's bug, a bad argument) stays internal: 70 */
    return err == -EINVAL ? AIM_EXIT_USAGE : cli_store_exit_code(err);
}

/* The store at db_path (NULL: the default), read-only or for writing; a file store that is not
 * there is "no store" (66), never created. */
static int open_store(const char *db_path, int read_only, aim_store **ret_store) {
    aim_store *store;
    if (aim_store_new(&store) < 0) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    char *def = NULL;
    if (!db_path && aim_default_db_path(&def) == 0)
        db_path = def;
    /* a server's store (a URL) is there or not as its server says, and an unknown scheme or
     * no path (sqlite:) is the open's to refuse: only a file store's file is looked for */
    const char *file = NULL;
    if (db_path && aim_store_location_file(db_path, &file) == 1 && *file &&
        access(file, F_OK) != 0) {
        char shown[4096]; /* a sqlite://user:SECRET@... location is a URL all the same */
        aim_store_location_redact(db_path, shown, sizeof shown);
        cli_error("no store at %s (nothing measured yet; use --db or AIMETER_DB)", shown);
        free(def);
        aim_store_free(store);
        return AIM_EXIT_NOINPUT;
    }
    int r = aim_store_open(store, db_path, read_only);
    free(def);
    if (r < 0) {
        cli_error("%s", aim_store_errmsg(store));
        int code = r == -ENOENT ? AIM_EXIT_NOINPUT : cli_store_open_exit_code(r);
        aim_store_free(store);
        return code;
    }
    *ret_store = store;
    return 0;
}

int cli_open_store(const char *db_path, aim_store **ret_store) {
    return open_store(db_path, 1, ret_store);
}

int cli_open_store_rw(const char *db_path, aim_store **ret_store) {
    return open_store(db_path, 0, ret_store);
}

int cli_bad_option(const char *cmd, char **argv) {
    cli_error("%s: unknown or incomplete option '%s' (see aimeter %s --help)", cmd,
              argv[optind - 1], cmd);
    return AIM_EXIT_USAGE;
}

int cli_run_operand(const char *cmd, int argc, char **argv, const char **ret_ref) {
    if (argc - optind > 1) {
        cli_error("%s: one RUN at most", cmd);
        return AIM_EXIT_USAGE;
    }
    *ret_ref = optind < argc ? argv[optind] : NULL;
    return 0;
}

int cli_store_failed(aim_store *store, int r) {
    cli_error("%s", aim_store_errmsg(store));
    return r == -ENOENT ? AIM_EXIT_NOINPUT : cli_store_exit_code(r);
}

int cli_resolve_run(aim_store *store, const char *ref, char **ret_id) {
    if (ref && !*ref) {
        cli_error("an empty RUN names no run: give a run id, a unique prefix of one, a run's "
                  "name or last");
        return AIM_EXIT_USAGE;
    }
    int r = aim_store_resolve_run(store, ref ? ref : "last", ret_id);
    if (r == 0)
        return 0;
    cli_error("%s", aim_store_errmsg(store));
    return r == -EEXIST ? AIM_EXIT_USAGE : r == -ENOENT ? AIM_EXIT_NOINPUT : cli_store_exit_code(r);
}

int cli_open_run(const char *db_path, const char *ref, aim_store **ret_store, char **ret_id) {
    int code = cli_open_store(db_path, ret_store);
    if (code)
        return code;
    code = cli_resolve_run(*ret_store, ref, ret_id);
    if (code) {
        aim_store_free(*ret_store);
        *ret_store = NULL;
    }
    return code;
}

int cli_parse_format(const char *cmd, const char *name, const aim_format *allowed, size_t n,
                     aim_format *ret) {
    aim_format f;
    if (aim_format_parse(name, &f) == 0)
        for (size_t i = 0; i < n; i++)
            if (allowed[i] == f) {
                *ret = f;
                return 0;
            }
    char list[96] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i == 0 ? "" : i + 1 == n ? " or " : ", ", aim_format_name(allowed[i]));
    cli_error("%s: unknown format '%s' (%s)", cmd, name, list);
    return AIM_EXIT_USAGE;
}

int cli_render_to(aim_store *store, const char *run_id, aim_format format, const char *path) {
    char *text = NULL;
    int r = aim_report_render(store, run_id, format, &text);
    if (r < 0)
        return cli_store_failed(store, r);
    int code = cli_write_file(path, text);
    free(text);
    return code;
}

const char *cli_output_name(const char *path) {
    return strcmp(path, "-") == 0 ? "standard output" : path;
}

int cli_write_file(const char *path, const char *text) {
    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
            cli_error("writing to standard output: %s", strerror(errno ? errno : EIO));
            return AIM_EXIT_IOERR;
        }
        return 0;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return AIM_EXIT_CANTCREAT;
    }
    errno = 0;
    int bad = fputs(text, f) < 0;
    int e = errno;
    bad |= fclose(f) != 0;
    if (bad) {
        cli_error("writing %s: %s", path, strerror(errno ? errno : e ? e : EIO));
        return AIM_EXIT_IOERR;
    }
    return 0;
}
