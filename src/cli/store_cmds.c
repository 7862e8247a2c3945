/* store_cmds.h: the pieces `aimeter ls`, `rm` and `gc` share. */
#include "cli/store_cmds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

int cli_parse_when(const char *cmd, const char *opt, const char *text, int64_t *ret_ns) {
    int64_t ago;
    if (aim_parse_duration(text, &ago) == 0) {
        *ret_ns = now_ns() - ago;
        return 0;
    }
    if (aim_parse_wall_time(text, ret_ns) == 0)
        return 0;
    cli_error("%s: bad %s '%s': a duration back from now (7d, 12h) or a date (2026-12-01, "
              "2026-12-01T08:00Z)", cmd, opt, text);
    return AIM_EXIT_USAGE;
}

int cli_parse_age(const char *cmd, const char *opt, const char *text, int64_t *ret_ns) {
    if (strcmp(text, "0") == 0) {
        *ret_ns = 0;
        return 0;
    }
    if (aim_parse_duration(text, ret_ns) == 0)
        return 0;
    cli_error("%s: bad %s '%s': a duration (30m, 12h, 7d) or 0", cmd, opt, text);
    return AIM_EXIT_USAGE;
}

static const struct {
    const char *word;
    unsigned bit;
} statuses[] = {
    { "running", AIM_RUNS_RUNNING },         { "completed", AIM_RUNS_COMPLETED },
    { "failed", AIM_RUNS_FAILED },           { "interrupted", AIM_RUNS_INTERRUPTED },
    { "incomplete", AIM_RUNS_INCOMPLETE },
};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

const char *cli_run_status_word(unsigned bit) {
    for (size_t i = 0; i < N_STATUSES; i++)
        if (statuses[i].bit == bit)
            return statuses[i].word;
    return "unknown";
}

int cli_parse_statuses(const char *cmd, const char *text, unsigned *ret) {
    unsigned bits = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        size_t i = 0;
        while (i < N_STATUSES &&
               !(strlen(statuses[i].word) == len && strncmp(statuses[i].word, p, len) == 0))
            i++;
        if (i == N_STATUSES) {
            cli_error("%s: unknown status '%.*s' in '%s' (running, completed, failed, "
                      "interrupted or incomplete; several: failed,interrupted)", cmd, (int)len,
                      p, text);
            return AIM_EXIT_USAGE;
        }
        bits |= statuses[i].bit;
        if (!p[len])
            break;
        p += len + 1;
    }
    *ret = bits;
    return 0;
}

void cli_format_utc(char *buf, size_t size, int64_t unix_ns) {
    time_t t = (time_t)(unix_ns / 1000000000LL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, size, "?");
}
