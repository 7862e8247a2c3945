/* The carbon-method options `run` and `whatif` share: --intensity-file, --pue, --price,
 * --currency, --price-file. Collected while parsing, then checked together (a currency may
 * come after its price). */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

int cli_carbon_option(int c, const char *arg, cli_carbon_opts *o) {
    switch (c) {
    case CLI_OPT_INTENSITY_FILE: o->intensity_file = arg; return 1;
    case CLI_OPT_PUE: o->pue = arg; return 1;
    case CLI_OPT_PRICE: o->price = arg; return 1;
    case CLI_OPT_CURRENCY: o->currency = arg; return 1;
    case CLI_OPT_PRICE_FILE: o->price_file = arg; return 1;
    default: return 0;
    }
}

/* "0.21", "0.21EUR", "12eur": a plain decimal (no sign, exponent or locale comma) and an
 * optional currency glued to it. */
static int parse_price(const char *text, double *ret, char currency[4]) {
    double v = 0, scale = 1;
    int digits = 0, dot = 0;
    const char *p = text;
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
        if (*p == '.') {
            dot = 1;
            continue;
        }
        digits++;
        if (dot)
            v += (*p - '0') * (scale /= 10);
        else
            v = v * 10 + (*p - '0');
    }
    if (!digits)
        return -EINVAL;
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

static int readable(const char *opt, const char *path) {
    if (access(path, R_OK) == 0)
        return 0;
    cli_error("%s: cannot read %s: %s", opt, path, strerror(errno));
    return AIM_EXIT_NOINPUT;
}

int cli_carbon_pue_error(const char *spec, int err) {
    if (err == -ERANGE) {
        cli_error("bad --pue '%s': a number from 1.0 to 5.0", spec);
    } else {
        char known[160] = "";
        for (const char *const *n = aim_pue_names(); *n; n++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                     n == aim_pue_names() ? "" : ", ", *n);
        cli_error("bad --pue '%s': a number from 1.0 to 5.0, or a provider default (%s)", spec,
                  known);
    }
    return AIM_EXIT_USAGE;
}

int cli_carbon_apply(const cli_carbon_opts *o, aim_config *cfg) {
    int r;
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
                  o->price);
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
