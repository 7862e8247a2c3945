/* --retain, --downsample-after and --downsample-step (docs/retention.md): the one reading of
 * them for every command that keeps a long session (`aimeter run`, `aimeter agent`). */
#include <string.h>

#include "cli/cli.h"

/* A duration, or "off" for none (0). 0, or -1 after saying what is wrong. */
static int duration_or_off(const char *opt, const char *text, int64_t *ret_ns) {
    if (strcmp(text, "off") == 0) {
        *ret_ns = 0;
        return 0;
    }
    if (aim_parse_duration(text, ret_ns) == 0)
        return 0;
    cli_error("bad %s '%s': a duration such as 7d, 12h, 30m or 90s, or off", opt, text);
    return -1;
}

/* Samples keep their full resolution for an hour when the retention is longer. */
#define DEFAULT_DOWNSAMPLE_AFTER_NS 3600000000000LL

int cli_retention_apply(aim_config *cfg, const cli_retention *opts) {
    if (!opts->retain && !opts->downsample_after && !opts->downsample_step)
        return 0;
    int64_t retain = 0, after = 0, step = 0;
    if ((opts->retain && duration_or_off("--retain", opts->retain, &retain)) ||
        (opts->downsample_after &&
         duration_or_off("--downsample-after", opts->downsample_after, &after)) ||
        (opts->downsample_step &&
         duration_or_off("--downsample-step", opts->downsample_step, &step)))
        return AIM_EXIT_USAGE;
    if (!opts->downsample_after && retain > DEFAULT_DOWNSAMPLE_AFTER_NS)
        after = DEFAULT_DOWNSAMPLE_AFTER_NS;
    if (aim_config_set_retention(cfg, retain, after, step) < 0) {
        cli_error("bad retention: %s", aim_config_errmsg(cfg));
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cli_retention_option(int c, const char *arg, cli_retention *opts) {
    switch (c) {
    case CLI_OPT_RETAIN: opts->retain = arg; return 1;
    case CLI_OPT_DOWNSAMPLE_AFTER: opts->downsample_after = arg; return 1;
    case CLI_OPT_DOWNSAMPLE_STEP: opts->downsample_step = arg; return 1;
    default: return 0;
    }
}
