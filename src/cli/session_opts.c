/* The options `run` and `agent` share (session_opts.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/session_opts.h"
#include "util/number.h"
#include "util/numfmt.h"

int cli_session_option(const char *cmd, int c, const char *arg, const char *given,
                       aim_config *cfg, cli_carbon_opts *carbon, const char **ret_db) {
    int64_t ns;
    double g;
    switch (c) {
    case 'i':
        if (aim_parse_duration(arg, &ns) < 0 || aim_config_set_interval(cfg, ns) < 0) {
            cli_error("bad interval '%s': use a duration of at least 1ms, like 100ms, 0.5s or 2s",
                      arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case 'n':
        if (aim_config_set_name(cfg, arg) < 0) {
            cli_error("bad name '%s': 1 to 127 bytes", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case 'd':
        if (cli_db_option(arg, NULL))
            return AIM_EXIT_USAGE;
        *ret_db = arg;
        aim_config_set_db_path(cfg, arg);
        break;
    case 's':
        if (aim_config_set_sources(cfg, arg) < 0) {
            char known[256] = "";
            for (const char *const *n = aim_source_names(); *n; n++)
                aim__bappendf(known, sizeof known, "%s%s",
                         n == aim_source_names() ? "" : ", ", *n);
            cli_error("unknown source in '%s' (known: %s)", arg, known);
            return AIM_EXIT_USAGE;
        }
        break;
    case 'I':
        if (aim__parse_decimal(arg, strlen(arg), 1, &g) < 0 ||
            aim_config_set_intensity(cfg, g) < 0) {
            cli_error("bad intensity '%s': a number of g CO2e per kWh between 0 and 5000", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case 'z': /* checked with --provider, which may take a zone the table lacks */
        cli_carbon_option(CLI_OPT_ZONE, arg, carbon);
        break;
    case 'G':
        if (aim_config_set_source_option(cfg, "nvidia", "gpus", arg) < 0) {
            cli_error("bad GPU list '%s': comma-separated indices or UUIDs, e.g. 0,2", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case 't': {
        char key[64];
        const char *eq = strchr(arg, '=');
        size_t kl = eq ? (size_t)(eq - arg) : 0;
        int r = -EINVAL;
        if (eq && kl < sizeof key) {
            memcpy(key, arg, kl);
            key[kl] = '\0';
            r = aim_config_add_tag(cfg, key, eq + 1);
        }
        if (r == -E2BIG) {
            cli_error("too many tags: at most 32");
            return AIM_EXIT_USAGE;
        }
        if (r < 0) {
            char shown[80]; /* one line whatever was typed */
            snprintf(shown, sizeof shown, "%s", arg);
            for (char *p = shown; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    *p = '?';
            cli_error("bad --tag '%s': KEY=VALUE, KEY 1-63 of A-Z a-z 0-9 _ . - starting with "
                      "a letter, VALUE up to 255 bytes of text without control characters",
                      shown);
            return AIM_EXIT_USAGE;
        }
        break;
    }
    case 'M':
        if (aim_config_set_metrics(cfg, arg) < 0) {
            cli_error("bad --metrics '%s': basic, full, or comma-separated metric keys "
                      "(docs/metrics.md)", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case 'H':
        if (aim_config_set_source_option(cfg, "dcgm", "host", arg) < 0) {
            cli_error("bad --dcgm-host '%s': host, host:port or a socket path", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case CLI_OPT_SPOOL:
        if (aim_config_set_spool(cfg, arg) < 0) {
            char shown[4096]; /* a server's URL, refused: it may hold a password */
            aim_store_location_redact(arg, shown, sizeof shown);
            cli_error("bad --spool '%s': a local SQLite file's path, not a URL", shown);
            return AIM_EXIT_USAGE;
        }
        break;
    case CLI_OPT_UPLOAD_INTERVAL:
        if (aim_parse_duration(arg, &ns) < 0 || aim_config_set_upload_interval(cfg, ns) < 0) {
            cli_error("bad --upload-interval '%s': a duration of 10ms to 1h, like 5s", arg);
            return AIM_EXIT_USAGE;
        }
        break;
    case CLI_OPT_INTENSITY_FILE: case CLI_OPT_PUE: case CLI_OPT_PRICE:
    case CLI_OPT_CURRENCY: case CLI_OPT_PRICE_FILE: case CLI_OPT_PROVIDER:
    case CLI_OPT_PROVIDER_REGION: case CLI_OPT_LAT: case CLI_OPT_LON: case CLI_OPT_MARGINAL:
        cli_carbon_option(c, arg, carbon);
        break;
    default: /* getopt's '?', or an option of the command's own it did not take */
        cli_error("%s: unknown or incomplete option '%s' (see aimeter %s --help)", cmd, given,
                  cmd);
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cli_session_exit_code(int err) {
    switch (-err) {
    case ENODEV: /* no source measures anything */
    case EEXIST: /* the control socket is taken */
        return AIM_EXIT_UNAVAILABLE;
    case ESRCH: /* --idle-baseline names no run */
        return AIM_EXIT_NOINPUT;
    case ENOMEM:
    case EAGAIN:
        return AIM_EXIT_SOFTWARE;
    default:
        return cli_store_exit_code(err);
    }
}

int cli_session_open(aim_config *cfg, const char *prefix, aim_session **ret) {
    aim_session *s = NULL;
    int r = aim_session_new(cfg, &s);
    aim_config_free(cfg);
    int starting = r == 0;
    if (r == 0)
        r = aim_session_start(s);
    if (r == 0) {
        *ret = s;
        return 0;
    }
    const char *why = s ? aim_session_errmsg(s) : "out of memory";
    if (prefix)
        cli_error("%s: %s", prefix, why);
    else
        cli_error("%s", why);
    aim_session_free(s);
    *ret = NULL;
    /* the start opens the store: there -EINVAL is its location's refusal (a password in a
     * URL), a usage error; elsewhere -EINVAL stays internal */
    return starting && r == -EINVAL ? cli_store_open_exit_code(r) : cli_session_exit_code(r);
}
