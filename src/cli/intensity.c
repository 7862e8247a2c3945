/* aimeter intensity: the grid's carbon intensity now (or over a period) from a live
 * provider, with its source. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/number.h"

static const char intensity_usage[] =
    "Usage: aimeter intensity --provider P [--zone Z | --lat X --lon Y] [--marginal] [--direct]\n"
    "                         [--from TIME [--to TIME]] [--json] [--timeout DUR] [--no-cache]\n"
    "\n"
    "The grid's carbon intensity from a live provider: the latest value, or the series over a\n"
    "period, with its source. Keys come from the environment or the credentials file\n"
    "(docs/providers.md), never from the command line.\n"
    "  -p, --provider P   electricitymaps, watttime or ukgrid\n"
    "  -z, --zone Z       the provider's zone or region: DE, US-CAL-CISO (Electricity Maps);\n"
    "                     CAISO_NORTH (WattTime); GB, 1-17, scotland, RG10 (ukgrid; default GB)\n"
    "      --lat X --lon Y a position instead of a zone (Electricity Maps, WattTime)\n"
    "      --marginal     the marginal signal (WattTime); default: average\n"
    "      --direct       direct emissions instead of lifecycle (Electricity Maps)\n"
    "      --from TIME    history from TIME (ISO 8601, UTC unless a zone is given:\n"
    "                     2026-11-20, 2026-11-20T08:00Z); --to TIME ends it (default: now)\n"
    "  -f, --format F     text (default) or json; --json = -f json\n"
    "      --timeout DUR  the whole fetch, e.g. 5s (default 20s)\n"
    "      --no-cache     neither read nor write the disk cache\n"
    "      --cache-dir D  cache directory (default $XDG_CACHE_HOME/aimeter/intensity)\n"
    "  -h, --help         this help\n";

static int parse_double(const char *text, const char *what, double *ret) {
    double v;
    if (aim__parse_decimal(text, strlen(text), 1, &v) < 0) {
        cli_error("intensity: bad %s '%s': a number", what, text);
        return AIM_EXIT_USAGE;
    }
    *ret = v;
    return 0;
}

static int parse_time(const char *text, const char *what, int64_t *ret) {
    if (aim_parse_wall_time(text, ret) < 0) {
        cli_error("intensity: bad %s '%s': an ISO 8601 time from 1900 to 2262 such as 2026-11-20T08:00Z",
                  what, text);
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cmd_intensity(int argc, char **argv) {
    enum { OPT_LAT = 256, OPT_LON, OPT_MARGINAL, OPT_DIRECT, OPT_FROM, OPT_TO, OPT_TIMEOUT,
           OPT_NO_CACHE, OPT_CACHE_DIR, OPT_JSON };
    static const struct option longopts[] = {
        { "provider", required_argument, NULL, 'p' }, { "zone", required_argument, NULL, 'z' },
        { "lat", required_argument, NULL, OPT_LAT }, { "lon", required_argument, NULL, OPT_LON },
        { "marginal", no_argument, NULL, OPT_MARGINAL }, { "direct", no_argument, NULL, OPT_DIRECT },
        { "from", required_argument, NULL, OPT_FROM }, { "to", required_argument, NULL, OPT_TO },
        { "format", required_argument, NULL, 'f' }, { "json", no_argument, NULL, OPT_JSON },
        { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "no-cache", no_argument, NULL, OPT_NO_CACHE },
        { "cache-dir", required_argument, NULL, OPT_CACHE_DIR }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    aim_intensity_request req = { .provider = NULL };
    static const aim_format formats[] = { AIM_FORMAT_TEXT, AIM_FORMAT_JSON };
    aim_format format = AIM_FORMAT_TEXT;
    const char *from = NULL, *to = NULL;
    int have_lat = 0, have_lon = 0, no_cache = 0, code, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "p:z:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': req.provider = optarg; break;
        case 'z': req.zone = optarg; break;
        case OPT_LAT:
            if ((code = parse_double(optarg, "latitude", &req.lat)))
                return code;
            have_lat = 1;
            break;
        case OPT_LON:
            if ((code = parse_double(optarg, "longitude", &req.lon)))
                return code;
            have_lon = 1;
            break;
        case OPT_MARGINAL: req.marginal = 1; break;
        case OPT_DIRECT: req.direct = 1; break;
        case OPT_FROM: from = optarg; break;
        case OPT_TO: to = optarg; break;
        case OPT_JSON: format = AIM_FORMAT_JSON; break;
        case 'f':
            if (cli_parse_format("intensity", optarg, formats, 2, &format))
                return AIM_EXIT_USAGE;
            break;
        case OPT_TIMEOUT:
            if (aim_parse_duration(optarg, &req.timeout_ns) < 0) {
                cli_error("intensity: bad timeout '%s': a duration such as 5s or 500ms", optarg);
                return AIM_EXIT_USAGE;
            }
            break;
        case OPT_NO_CACHE: no_cache = 1; break;
        case OPT_CACHE_DIR: req.cache_dir = optarg; break;
        case 'h': fputs(intensity_usage, stdout); return 0;
        default:
            return cli_bad_option("intensity", argv);
        }
    }
    if (optind < argc) {
        cli_error("intensity: unexpected argument '%s'", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if (!req.provider) {
        cli_error("intensity: --provider is required (electricitymaps, watttime or ukgrid)");
        return AIM_EXIT_USAGE;
    }
    if (have_lat != have_lon) {
        cli_error("intensity: --lat and --lon go together");
        return AIM_EXIT_USAGE;
    }
    req.have_latlon = have_lat;
    if (to && !from) {
        cli_error("intensity: --to needs --from");
        return AIM_EXIT_USAGE;
    }
    if (from) {
        if ((code = parse_time(from, "--from", &req.from_ns)))
            return code;
        if (to) {
            if ((code = parse_time(to, "--to", &req.to_ns)))
                return code;
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            req.to_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
    }
    if (no_cache)
        req.cache_dir = "";
    char *text = NULL;
    aim_error err;
    int r = aim_intensity_fetch_render(&req, format, &text, &err);
    if (r < 0) {
        cli_error("intensity: %s", err.message[0] ? err.message : aim_strerror(r));
        if (r == -EINVAL || r == -EPERM || r == -EOPNOTSUPP)
            return AIM_EXIT_USAGE;
        return r == -ENOMEM ? AIM_EXIT_SOFTWARE : AIM_EXIT_UNAVAILABLE;
    }
    code = cli_write_file("-", text);
    free(text);
    return code;
}
