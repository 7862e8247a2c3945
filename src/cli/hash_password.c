/* aimeter hash-password: a bcrypt hash for a web-config file (docs/cli.md "Web config").
 * The password comes from stdin, never from argv (which every user of the machine can read
 * in /proc); on a terminal it is asked for twice, without echo. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage: aimeter hash-password < FILE\n"
    "\n"
    "Reads a password (or a bearer token) from the first line of stdin, and prints its bcrypt\n"
    "hash (cost 10) for the basic_auth_users or bearer_tokens of a --web-config file. On a\n"
    "terminal it asks twice and does not echo. 1-72 bytes: bcrypt reads no further.\n"
    "\n"
    "  -h, --help  this help\n";

/* One line of at most size - 1 bytes, without its newline; -1 at EOF or when too long. */
static int read_line(char *buf, size_t size) {
    if (!fgets(buf, (int)size, stdin))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return -1; /* longer than the buffer */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (int)n;
}

static int ask(const char *prompt, char *buf, size_t size) {
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs(prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int n = read_line(buf, size);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return n;
}

int cmd_hash_password(int argc, char **argv) {
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        cli_error("hash-password: unknown option '%s' (see aimeter hash-password --help)",
                  argv[optind - 1]);
        return AIM_EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("hash-password: the password is read from stdin, never from arguments");
        return AIM_EXIT_USAGE;
    }
    char pw[128], again[128];
    int n = ask("Password: ", pw, sizeof pw), code = 0;
    if (n >= 0 && isatty(STDIN_FILENO)) {
        int m = ask("Again: ", again, sizeof again);
        if (m != n || memcmp(pw, again, (size_t)n) != 0) {
            cli_error("hash-password: the two passwords differ");
            code = AIM_EXIT_USAGE;
        }
        explicit_bzero(again, sizeof again);
    }
    char *hash = NULL;
    if (!code && (n < 1 || n > 72)) {
        cli_error("hash-password: the password must be one line of 1-72 bytes on stdin");
        code = AIM_EXIT_USAGE;
    }
    int r = code ? 0 : aim_password_hash(pw, &hash);
    explicit_bzero(pw, sizeof pw);
    if (r < 0) {
        cli_error("hash-password: %s", strerror(-r));
        return AIM_EXIT_SOFTWARE;
    }
    if (code)
        return code;
    printf("%s\n", hash);
    free(hash);
    return fflush(stdout) == 0 ? 0 : AIM_EXIT_IOERR;
}
