/* The carbon-method options `run` and `whatif` share: --intensity-file, --pue, --price,
 * --currency, --price-file; and run's --zone/--cloud with the live provider's --provider,
 * --provider-region, --lat, --lon, --marginal. Collected while parsing, then checked together
 * (a currency may come after its price, a zone before its provider). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/number.h"
#include "util/numfmt.h"

int cli_carbon_option(int c, const char *arg, cli_carbon_opts *o) {
    switch (c) {
    case CLI_OPT_INTENSITY_FILE: o->intensity_file = arg; return 1;
    case CLI_OPT_PUE: o->pue = arg; return 1;
    case CLI_OPT_PRICE: o->price = arg; return 1;
    case CLI_OPT_CURRENCY: o->currency = arg; return 1;
    case CLI_OPT_PRICE_FILE: o->price_file = arg; return 1;
    case CLI_OPT_ZONE: o->zone = arg; return 1;
    case CLI_OPT_PROVIDER: o->provider = arg; return 1;
    case CLI_OPT_PROVIDER_REGION: o->provider_region = arg; return 1;
    case CLI_OPT_LAT: o->lat = arg; return 1;
    case CLI_OPT_LON: o->lon = arg; return 1;
    case CLI_OPT_MARGINAL: o->marginal = 1; return 1;
    default: return 0;
    }
}

/* "0.21", "0.21EUR", "12eur": an unsigned decimal (aim_parse_number) and an optional
 * currency glued to it. */
static int parse_price(const char *text, double *ret, char currency[4]) {
    size_t len = strspn(text, "0123456789.");
    double v;
    if (aim_parse_number(text, len, &v) < 0)
        return -EINVAL;
    const char *p = text + len;
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    if (n != 0 && n != 3)
        return -EINVAL;
    memcpy(currency, p, n);
    currency[n] = '\0';
    *ret = v;
    return 0;
}

/* Three ASCII letters, as aim_config_set_price wants them (any case). */
static int currency_ok(const char *c) {
    for (int i = 0; i < 3; i++)
        if (!((c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= 'a' && c[i] <= 'z')))
            return 0;
    return c[3] == '\0';
}

/* An input file that cannot be read is "no input" (66, docs/cli.md), a directory too. */
static int readable(const char *opt, const char *path) {
    struct stat st;
    if (access(path, R_OK) == 0 && stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
        return 0;
    cli_error("%s: cannot read %s: %s", opt, path, strerror(access(path, R_OK) ? errno : EISDIR));
    return AIM_EXIT_NOINPUT;
}

int cli_carbon_pue_error(const char *spec, int err) {
    if (err == -ERANGE) {
        cli_error("bad --pue '%s': a number from 1.0 to 5.0", spec);
    } else {
        char known[160] = "";
        for (const char *const *n = aim_pue_names(); *n; n++)
            aim__bappendf(known, sizeof known, "%s%s",
                     n == aim_pue_names() ? "" : ", ", *n);
        cli_error("bad --pue '%s': a number from 1.0 to 5.0, or a provider default (%s)", spec,
                  known);
    }
    return AIM_EXIT_USAGE;
}

static int parse_degrees(const char *opt, const char *text, double *ret) {
    double v;
    if (aim__parse_decimal(text, strlen(text), 1, &v) < 0) {
        cli_error("bad %s '%s': a number of degrees", opt, text);
        return AIM_EXIT_USAGE;
    }
    *ret = v;
    return 0;
}

/* --zone/--cloud, then the provider, which may be asked for the zone as typed (a provider's
 * zone need not be in the table: CAISO_NORTH, a UK region id) or for the cloud region's
 * position. The table's zone stays the fallback when the provider cannot answer. */
static int apply_zone_and_provider(const cli_carbon_opts *o, aim_config *cfg) {
    int r;
    int known = 0, cloud = o->zone && strchr(o->zone, ':') != NULL;
    int marginal = o->marginal; /* --marginal, or @marginal on the zone */
    if (o->zone) {
        /* CODE[@YEAR][@marginal|@average], as whatif --zones takes it. With --marginal
         * and no provider, the built-in marginal table answers: the same as @marginal. */
        if (o->marginal && strcasestr(o->zone, "@average")) {
            cli_error("--marginal and --zone %s disagree", o->zone);
            return AIM_EXIT_USAGE;
        }
        char spec[160];
        aim_error err;
        aim_zone_info row;
        snprintf(spec, sizeof spec, "%s%s", o->zone,
                 o->marginal && !o->provider && !strcasestr(o->zone, "@marginal") ? "@marginal" : "");
        int suffixed = strchr(o->zone, '@') != NULL;
        if (aim_zone_resolve(spec, &row, NULL, 0, &err) == 0) {
            known = aim_config_set_zone(cfg, spec) == 0;
            marginal |= strcmp(row.signal, "marginal") == 0;
        } else if (suffixed || (o->marginal && !o->provider)) {
            /* A suffix is aimeter's syntax, never part of a provider's zone name. */
            cli_error("--zone: %s", err.message);
            return AIM_EXIT_USAGE;
        }
        if (!known && (!o->provider || cloud)) {
            if (cloud)
                cli_error("unknown cloud region '%s' (provider:region, e.g. aws:us-east-1; "
                          "see aimeter zones --cloud)", o->zone);
            else
                cli_error("unknown zone '%s' (the built-in table lists countries such as FR, "
                          "DE, US, and regions such as US-CA, CA-SK; see aimeter zones)",
                          o->zone);
            return AIM_EXIT_USAGE;
        }
    }
    if (!o->provider) {
        const char *alone = o->provider_region ? "--provider-region" : o->lat ? "--lat"
                          : o->lon ? "--lon" : NULL;
        if (alone) {
            cli_error("%s needs --provider (electricitymaps, watttime or ukgrid)", alone);
            return AIM_EXIT_USAGE;
        }
        if (o->marginal && !o->zone) {
            cli_error("--marginal needs --zone (the built-in marginal table, offline) or "
                      "--provider (watttime)");
            return AIM_EXIT_USAGE;
        }
        return 0;
    }
    if (!o->lat != !o->lon) {
        cli_error("--lat and --lon go together");
        return AIM_EXIT_USAGE;
    }
    if (o->lat) {
        double lat, lon;
        if ((r = parse_degrees("--lat", o->lat, &lat)) || (r = parse_degrees("--lon", o->lon, &lon)))
            return r;
        if (aim_config_set_location(cfg, lat, lon) < 0) {
            cli_error("bad --lat/--lon %s, %s: latitude -90 to 90, longitude -180 to 180", o->lat,
                      o->lon);
            return AIM_EXIT_USAGE;
        }
    } else if (cloud && !o->provider_region) {
        const aim_cloud_region *cr;
        if (aim_cloud_region_lookup(o->zone, &cr) == 0 && aim_config_set_location(cfg, cr->lat, cr->lon) < 0) {
            cli_error("cloud region '%s' has no position to ask %s for", o->zone, o->provider);
            return AIM_EXIT_USAGE;
        }
    }
    /* A zone the table knows goes to the provider as the table spells it (the table's codes
     * are Electricity Maps' own); any other as typed (CAISO_NORTH, a UK region id). */
    const char *region = o->provider_region;
    if (!region && o->zone && !cloud && !o->lat && !known)
        region = o->zone;
    if (aim_config_set_provider(cfg, o->provider, region, marginal) < 0) {
        cli_error("--provider %s: %s", o->provider, aim_config_errmsg(cfg));
        return AIM_EXIT_USAGE;
    }
    return 0;
}

int cli_carbon_apply(const cli_carbon_opts *o, aim_config *cfg) {
    int r;
    if ((r = apply_zone_and_provider(o, cfg)) != 0)
        return r;
    if (o->intensity_file) {
        if ((r = readable("--intensity-file", o->intensity_file)) != 0)
            return r;
        if (aim_config_set_intensity_file(cfg, o->intensity_file) < 0) {
            cli_error("bad --intensity-file '%s'", o->intensity_file);
            return AIM_EXIT_USAGE;
        }
    }
    if (o->pue && (r = aim_config_set_pue(cfg, o->pue)) < 0)
        return cli_carbon_pue_error(o->pue, r);
    if (o->price && o->price_file) {
        cli_error("--price and --price-file: give one of them");
        return AIM_EXIT_USAGE;
    }
    if (o->currency && !o->price && !o->price_file) {
        cli_error("--currency without --price or --price-file");
        return AIM_EXIT_USAGE;
    }
    /* Checked first and on its own: a bad currency must not be blamed on --price. */
    if (o->currency && !currency_ok(o->currency)) {
        cli_error("bad --currency '%s': 3 letters, an ISO 4217 code such as EUR or USD",
                  o->currency);
        return AIM_EXIT_USAGE;
    }
    char cur[4] = "";
    double price = 0;
    if (o->price && parse_price(o->price, &price, cur) < 0) {
        cli_error("bad --price '%s': a price per kWh with its currency, e.g. 0.21EUR (or "
                  "--price 0.21 --currency EUR)", o->price);
        return AIM_EXIT_USAGE;
    }
    if (cur[0] && o->currency && strcasecmp(cur, o->currency) != 0) {
        cli_error("--price %s and --currency %s disagree", o->price, o->currency);
        return AIM_EXIT_USAGE;
    }
    const char *currency = cur[0] ? cur : o->currency;
    if ((o->price || o->price_file) && !currency) {
        cli_error("%s: say the currency, e.g. %s --currency EUR", o->price ? "--price" : "--price-file",
                  o->price ? "--price 0.21EUR, or" : "");
        return AIM_EXIT_USAGE;
    }
    if (o->price && aim_config_set_price(cfg, price, currency) < 0) {
        cli_error("bad --price '%s': from 0 to 1000 per kWh, currency as 3 letters (EUR, USD)",
                  o->price); /* a --currency is good by now: only a glued one can be bad */
        return AIM_EXIT_USAGE;
    }
    if (o->price_file) {
        if ((r = readable("--price-file", o->price_file)) != 0)
            return r;
        if (aim_config_set_price_file(cfg, o->price_file, currency) < 0) {
            cli_error("bad --price-file '%s' or --currency '%s' (3 letters: EUR, USD)",
                      o->price_file, currency);
            return AIM_EXIT_USAGE;
        }
    }
    return 0;
}
