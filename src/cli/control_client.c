/* aimeter mark / phase / record: the shell side of the control socket that `aimeter run`
 * exports to the command it measures (AIMETER_CONTROL). One line out, one reply line back
 * (docs/control.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char control_usage[] =
    "Usage: aimeter mark TEXT...\n"
    "       aimeter phase begin NAME...\n"
    "       aimeter phase end [NAME...]\n"
    "       aimeter record KEY VALUE [counter|gauge]\n"
    "\n"
    "Tells the `aimeter run` that measures this process: a marker, the start or end of a\n"
    "named phase (nestable), or a number from the workload (tokens, samples, loss, ...).\n"
    "Counters add up (tokens, samples, requests, ..._total); gauges are values (loss).\n"
    "Works from any process of the measured command, through $AIMETER_CONTROL.\n"
    "Exit: 0 accepted, 65 refused (the reason is printed), 69 not inside aimeter run or the\n"
    "run has ended, 64 usage.\n";

/* Sends one line through the library's client and says what came back; returns an exit
 * code. */
static int send_line(const char *line) {
    const char *path = getenv("AIMETER_CONTROL");
    if (!path || !*path) {
        cli_error("not inside `aimeter run` (AIMETER_CONTROL is not set)");
        return AIM_EXIT_UNAVAILABLE;
    }
    char reply[256];
    int r = aim_control_send(path, line, reply, sizeof reply);
    switch (r) {
    case 0:
        return AIM_EXIT_OK;
    case -EBADMSG:
        cli_error("%s", reply);
        return AIM_EXIT_DATAERR;
    case -ENAMETOOLONG:
        cli_error("AIMETER_CONTROL is too long for a socket path: %s", path);
        return AIM_EXIT_UNAVAILABLE;
    case -EPROTO:
        cli_error("no answer from the run at %s", path);
        return AIM_EXIT_UNAVAILABLE;
    default:
        cli_error("cannot reach the run at %s (%s): has it ended?", path, strerror(-r));
        return AIM_EXIT_UNAVAILABLE;
    }
}

/* The words argv[from..] joined by spaces into buf; -1 when they do not fit. */
static int join(char *buf, size_t size, const char *head, int argc, char **argv, int from) {
    size_t o = (size_t)snprintf(buf, size, "%s", head);
    for (int i = from; i < argc; i++) {
        int w = snprintf(buf + o, size - o, " %s", argv[i]);
        if (w < 0 || (size_t)w >= size - o)
            return -1;
        o += (size_t)w;
    }
    return 0;
}

static int wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

static int run_control(const char *what, int argc, char **argv, int min_words) {
    if (wants_help(argc, argv)) {
        fputs(control_usage, stdout);
        return 0;
    }
    if (argc - 1 < min_words) {
        cli_error("%s: missing arguments (see aimeter %s --help)", what, what);
        return AIM_EXIT_USAGE;
    }
    char line[1024];
    if (join(line, sizeof line, what, argc, argv, 1) < 0) {
        cli_error("%s: the message is too long", what);
        return AIM_EXIT_USAGE;
    }
    return send_line(line);
}

int cmd_mark(int argc, char **argv) { return run_control("mark", argc, argv, 1); }
int cmd_phase(int argc, char **argv) { return run_control("phase", argc, argv, 1); }
int cmd_record(int argc, char **argv) { return run_control("record", argc, argv, 2); }
