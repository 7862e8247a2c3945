/* The precedence of a run's intensity inputs (choose.h). Each step either gives the series
 * (1), does not apply (0) or fails (< 0); the first that gives one wins. The live provider's
 * slot is marked NULL in the table: it needs more than a step's arguments (the provider it
 * opens, and a failure that is a warning, not an error). */
#include "engine/choose.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "data/carbon.h"
#include "providers/intensity_file.h"
#include "engine/run_provider.h"
#include "providers/zone_guess.h"
#include "data/zone_history.h"
#include "util/fileio.h"

typedef int (*intensity_step)(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                              char *err, size_t errlen);

static int one_point(aim_intensity_series *out, int64_t t_ms, double value) {
    aim_intensity_point p = { .t_unix_ms = t_ms, .g_per_kwh = value };
    return aim__intensity_series_append(out, &p, 1);
}

static int from_constant(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                         char *err, size_t errlen) {
    if (cfg->intensity < 0)
        return 0;
    out->origin = AIM_ORIGIN_CONSTANT;
    out->signal = AIM_SIGNAL_AVERAGE;
    out->basis = AIM_BASIS_UNKNOWN;
    snprintf(out->source, sizeof out->source, "constant given with --intensity");
    int r = one_point(out, now_ms, cfg->intensity);
    return r < 0 ? r : 1;
}

/* Loads a step file into out; shared with the price file. */
static int load_file(const char *path, int allow_signal, aim_intensity_series *out, char *err,
                     size_t errlen) {
    aim_step_file f;
    int r = aim__step_file_load(path, allow_signal, &f, err, errlen);
    if (r == 0)
        r = aim__intensity_series_append(out, f.points, f.n);
    if (r == 0) {
        out->origin = AIM_ORIGIN_FILE;
        out->signal = f.has_signal ? f.signal : AIM_SIGNAL_AVERAGE;
        snprintf(out->file, sizeof out->file, "%s", path);
        const char *base = strrchr(path, '/');
        base = base && base[1] ? base + 1 : path;
        snprintf(out->source, sizeof out->source, "file %s, %zu point%s%s", base, f.n,
                 f.n == 1 ? "" : "s",
                 allow_signal && !f.has_signal ? "; no signal column: average assumed" : "");
    } else if (r == -ENOMEM) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    aim__step_file_clear(&f);
    return r;
}

static int from_file(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                     char *err, size_t errlen) {
    if (!cfg->intensity_file[0])
        return 0;
    int r = load_file(cfg->intensity_file, 1, out, err, errlen);
    out->basis = AIM_BASIS_UNKNOWN;
    return r < 0 ? r : 1;
}

static int from_row(const aim_zone_info *z, aim_intensity_origin origin, const char *prefix,
                    int64_t now_ms, aim_intensity_series *out) {
    out->origin = origin;
    snprintf(out->zone, sizeof out->zone, "%s", z->code);
    if (!z->signal || aim__signal_parse(z->signal, &out->signal) < 0)
        out->signal = AIM_SIGNAL_AVERAGE;
    if (!z->basis || aim__basis_parse(z->basis, &out->basis) < 0)
        out->basis = AIM_BASIS_UNKNOWN;
    snprintf(out->source, sizeof out->source, "%s%s: %s, %d, %s, %s", prefix,
             z->name ? z->name : z->code, z->source ? z->source : "", z->year,
             z->basis ? z->basis : "", z->licence ? z->licence : "");
    int r = one_point(out, now_ms, z->g_per_kwh);
    return r < 0 ? r : 1;
}

static int from_zone(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                     char *err, size_t errlen) {
    if (!cfg->zone[0])
        return 0;
    /* The zone as set (aim_config_set_zone checked it): its current row, a year's average,
     * or the marginal row. A marginal signal asked of a provider that failed gets the
     * table's marginal row too, where the zone's country has one, else the average. */
    char item[64];
    aim_zone_spec spec;
    int marginal = cfg->zone_marginal || cfg->marginal;
    for (int attempt = 0; attempt < 2; attempt++, marginal = 0) {
        int n = snprintf(item, sizeof item, "%s", cfg->zone);
        if (cfg->zone_year > 0)
            n += snprintf(item + n, sizeof item - (size_t)n, "@%04d", cfg->zone_year);
        if (marginal)
            snprintf(item + n, sizeof item - (size_t)n, "@marginal");
        if (aim__zone_spec_resolve(item, strlen(item), &spec, NULL, 0) == 0)
            break;
        if (!marginal || cfg->zone_marginal)
            return 0;
    }
    char note[200], prefix[240] = "";
    aim__zone_spec_national_note(&spec, note, sizeof note);
    if (note[0])
        snprintf(prefix, sizeof prefix, "%s; ", note);
    return from_row(&spec.row, AIM_ORIGIN_ZONE, prefix, now_ms, out);
}

/* No zone given: the system's time zone says the country (zone_guess.h), and the report
 * says that it was guessed and from what. */
static int from_guess(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                      char *err, size_t errlen) {
    char code[24], how[160], prefix[200];
    const aim_zone_info *z = NULL;
    if (aim__zone_guess(aim__system_root(), code, sizeof code, how, sizeof how) < 0 ||
        aim_zone_lookup(code, &z) < 0)
        return 0;
    snprintf(prefix, sizeof prefix, "no zone given, guessed from the %s; ", how);
    return from_row(z, AIM_ORIGIN_GUESS, prefix, now_ms, out);
}

static int from_world(const aim_config *cfg, int64_t now_ms, aim_intensity_series *out,
                      char *err, size_t errlen) {
    const aim_zone_info *z = aim__zone_world();
    if (!z) {
        out->origin = AIM_ORIGIN_NONE;
        snprintf(out->source, sizeof out->source, "no intensity data");
        return 1;
    }
    return from_row(z, AIM_ORIGIN_WORLD, "no zone given, world average; ", now_ms, out);
}

static const intensity_step steps[] = {
    from_constant, /* --intensity G */
    from_file,     /* --intensity-file FILE */
    NULL,          /* a live provider (--provider): from_provider() */
    from_zone,     /* --zone CODE */
    from_guess,    /* the zone guessed from the system's time zone */
    from_world,    /* the world average */
};

/* The live provider: 1 with *ret_live, 0 with why filled when it cannot answer (the next
 * step then applies), -ENOMEM. */
static int from_provider(const aim_config *cfg, aim_intensity_series *out,
                         struct aim_run_provider **ret_live, char *note, size_t notelen,
                         char *why, size_t whylen) {
    if (!ret_live || !cfg->provider[0])
        return 0;
    int r = aim__run_provider_open(cfg, AIM_RUN_PROVIDER_START_MS, out, ret_live, note, notelen);
    if (r == 0)
        return 1;
    if (r == -ENOMEM)
        return r;
    snprintf(why, whylen, "%s", note);
    note[0] = '\0';
    return 0;
}

/* "electricitymaps: <why>; using the built-in table value for DE instead (Germany: …, 2024,
 * lifecycle, CC BY 4.0)": the provider, why, and the row (or guess, or world) used. */
static void fallback_warning(const aim_config *cfg, const char *why, const aim_intensity_series *out,
                             char *warning, size_t warnlen) {
    if (out->origin == AIM_ORIGIN_ZONE)
        snprintf(warning, warnlen, "%s: %.240s; using the built-in table value for %s instead (%s)",
                 cfg->provider, why, out->zone, out->source);
    else
        snprintf(warning, warnlen, "%s: %.240s; using the built-in table instead (%s)", cfg->provider,
                 why, out->source);
}

int aim__intensity_choose_live(const aim_config *cfg, int64_t now_unix_ms,
                              aim_intensity_series *out, struct aim_run_provider **ret_live,
                              char *warning, size_t warnlen, char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (warning && warnlen)
        warning[0] = '\0';
    char why[320] = "", note[320] = "";
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int r = steps[i] ? steps[i](cfg, now_unix_ms, out, err, errlen)
                         : from_provider(cfg, out, ret_live, note, sizeof note, why, sizeof why);
        if (r < 0 && !steps[i] && err && errlen)
            snprintf(err, errlen, "%s: out of memory", cfg->provider);
        if (r == 0)
            continue;
        if (r > 0 && warning && warnlen) {
            if (why[0] && steps[i])
                fallback_warning(cfg, why, out, warning, warnlen);
            else if (note[0])
                snprintf(warning, warnlen, "%s: %s", cfg->provider, note);
        }
        return r < 0 ? r : 0;
    }
    return 0;
}

int aim__intensity_choose(const aim_config *cfg, int64_t now_unix_ms, aim_intensity_series *out,
                         char *err, size_t errlen) {
    return aim__intensity_choose_live(cfg, now_unix_ms, out, NULL, NULL, 0, err, errlen);
}

int aim__price_choose(const aim_config *cfg, int64_t now_unix_ms, aim_intensity_series *out,
                     char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    out->signal = AIM_SIGNAL_AVERAGE;
    out->basis = AIM_BASIS_UNKNOWN;
    if (cfg->price >= 0) {
        out->origin = AIM_ORIGIN_CONSTANT;
        snprintf(out->source, sizeof out->source, "given with --price");
        return one_point(out, now_unix_ms, cfg->price);
    }
    if (cfg->price_file[0])
        return load_file(cfg->price_file, 0, out, err, errlen);
    out->origin = AIM_ORIGIN_NONE;
    return 0;
}
