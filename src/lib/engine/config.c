#include "engine/config.h"
#include "model/metric_select.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "sources/source.h"
#include "sources/options.h"
#include "util/number.h"
#include "util/strbuf.h"
#include "engine/run_provider.h"
#include "data/zone_history.h"

/* A setter's refusal: rc with one line in the configuration's message (aim_config_errmsg,
 * issue 12: every failure of a call on an object says why in the object). */
__attribute__((format(printf, 3, 4))) static int fail(aim_config *c, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

int aim_config_new(aim_config **ret_config) {
    aim_config *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->interval_ns = 100 * 1000 * 1000;
    c->intensity = -1;
    c->pue = 1.0;
    c->price = -1;
    *ret_config = c;
    return 0;
}

int aim_config_dup(const aim_config *c, aim_config **ret_config) {
    aim_config *d = malloc(sizeof *d);
    if (!d)
        return -ENOMEM;
    *d = *c;
    d->db_path = NULL;
    if (c->db_path && !(d->db_path = strdup(c->db_path))) {
        free(d);
        return -ENOMEM;
    }
    *ret_config = d;
    return 0;
}

void aim_config_free(aim_config *c) {
    if (!c)
        return;
    free(c->db_path);
    free(c);
}

int aim_config_set_interval(aim_config *c, int64_t ns) {
    if (ns < 1000 * 1000) /* 1 ms: RAPL's own update period; faster only re-reads the same value */
        return fail(c, -EINVAL, "the interval must be at least 1 ms");
    c->interval_ns = ns;
    return 0;
}

int aim_config_set_name(aim_config *c, const char *name) {
    if (!name || !*name || strlen(name) >= sizeof c->name)
        return fail(c, -EINVAL, "a name is 1 to %zu bytes", sizeof c->name - 1);
    strcpy(c->name, name);
    return 0;
}

int aim_config_set_db_path(aim_config *c, const char *path) {
    if (path && !*path)
        return fail(c, -EINVAL, "an empty store path names no store");
    char *copy = NULL;
    if (path && !(copy = strdup(path)))
        return fail(c, -ENOMEM, "out of memory");
    free(c->db_path);
    c->db_path = copy;
    return 0;
}

int aim_config_set_spool(aim_config *c, const char *path) {
    if (!path) {
        c->spool_path[0] = '\0';
        return 0;
    }
    if (!*path || strlen(path) >= sizeof c->spool_path)
        return fail(c, -EINVAL, "a spool is a path of 1 to 4095 bytes");
    if (strstr(path, "://"))
        return fail(c, -EINVAL, "a spool is a local SQLite file, not a URL");
    snprintf(c->spool_path, sizeof c->spool_path, "%s", path);
    return 0;
}

/* At least 10 ms (a test's pace; each upload is a transaction on the server), at most an
 * hour (the spool would hold that much). */
int aim_config_set_upload_interval(aim_config *c, int64_t interval_ns) {
    if (interval_ns && (interval_ns < 10000000LL || interval_ns > 3600000000000LL))
        return fail(c, -EINVAL, "an upload interval is 10 ms to 1 h");
    c->upload_interval_ns = interval_ns;
    return 0;
}

static int source_known(const char *name, size_t len) {
    for (int i = 0; i < aim_source_count; i++)
        if (strlen(aim_sources[i]->name) == len && strncmp(aim_sources[i]->name, name, len) == 0)
            return 1;
    return 0;
}

int aim_config_set_sources(aim_config *c, const char *list) {
    if (!list || strcmp(list, "all") == 0) {
        c->sources[0] = '\0';
        return 0;
    }
    if (!*list || strlen(list) >= sizeof c->sources)
        return fail(c, -EINVAL, "a list of sources is 1 to %zu bytes", sizeof c->sources - 1);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || !source_known(p, n))
            return fail(c, -EINVAL, "unknown source '%.*s' (aim_source_names)", (int)n, p);
        p += n;
        if (*p == ',')
            p++;
    }
    strcpy(c->sources, list);
    return 0;
}

int aim__config_selects(const aim_config *c, const char *name) {
    if (!c->sources[0])
        return 1;
    size_t len = strlen(name);
    for (const char *p = c->sources; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int aim_config_set_intensity(aim_config *c, double g_per_kwh) {
    if (!isfinite(g_per_kwh) || g_per_kwh < 0 || g_per_kwh > 5000)
        return fail(c, -EINVAL, "an intensity is 0 to 5000 g/kWh");
    c->intensity = g_per_kwh;
    return 0;
}

int aim_config_set_zone(aim_config *c, const char *zone) {
    /* The same items as whatif --zones (zone_history.h): one syntax in every command. */
    aim_zone_spec spec;
    if (!zone)
        return fail(c, -EINVAL, "no zone given");
    if (aim__zone_spec_resolve(zone, strlen(zone), &spec, c->errmsg, sizeof c->errmsg) < 0)
        return -EINVAL;
    snprintf(c->zone, sizeof c->zone, "%s", spec.zone);
    c->zone_year = spec.year;
    c->zone_marginal = spec.marginal;
    return 0;
}

/* Joins argv for the record, quoting words a shell would split. */
int aim_config_set_command(aim_config *c, char *const argv[]) {
    /* As a POSIX shell reads it back: a word with a blank or a shell character goes in single
     * quotes, and a quote inside it as '\'' (close, escaped quote, reopen); cut at the
     * field's size. */
    aim_strbuf b = AIM_STRBUF_INIT;
    for (int i = 0; argv && argv[i]; i++) {
        const char *w = argv[i];
        int quote = !*w || strpbrk(w, " \t\n'\"\\$`*?;&|<>()") != NULL;
        if (i)
            aim__strbuf_putc(&b, ' ');
        if (!quote) {
            aim__strbuf_append(&b, w);
            continue;
        }
        aim__strbuf_putc(&b, '\'');
        for (; *w; w++)
            if (*w == '\'')
                aim__strbuf_append(&b, "'\\''");
            else
                aim__strbuf_putc(&b, *w);
        aim__strbuf_putc(&b, '\'');
    }
    if (b.err) {
        aim__strbuf_free(&b);
        return -ENOMEM;
    }
    snprintf(c->command, sizeof c->command, "%s", b.data ? b.data : "");
    aim__strbuf_free(&b);
    return 0;
}

int aim_config_set_source_option(aim_config *c, const char *source, const char *key,
                                 const char *value) {
    char err[sizeof c->errmsg];
    int r = aim__source_option_check(source, key, value, err, sizeof err);
    if (r == 0 && value && strlen(value) >= sizeof c->source_options[0].value) {
        snprintf(err, sizeof err, "%s option %s: longer than %zu bytes", source, key,
                 sizeof c->source_options[0].value - 1);
        r = -EINVAL;
    }
    int at = 0;
    while (r == 0 && at < c->n_source_options &&
           (strcmp(c->source_options[at].source, source) != 0 ||
            strcmp(c->source_options[at].key, key) != 0))
        at++;
    if (r == 0 && value && at == AIM_CONFIG_MAX_SOURCE_OPTIONS) {
        snprintf(err, sizeof err, "more than %d source options", AIM_CONFIG_MAX_SOURCE_OPTIONS);
        r = -E2BIG;
    }
    if (r < 0) {
        snprintf(c->errmsg, sizeof c->errmsg, "%s", err);
        return r;
    }
    c->errmsg[0] = '\0';
    struct aim_config_source_option *o = &c->source_options[at];
    if (!value) { /* back to the source's default */
        if (at < c->n_source_options)
            memmove(o, o + 1, (size_t)(--c->n_source_options - at) * sizeof *o);
        return 0;
    }
    /* A declared key and a source's name are short: the check above found them in a table. */
    snprintf(o->source, sizeof o->source, "%s", source);
    snprintf(o->key, sizeof o->key, "%s", key);
    strcpy(o->value, value);
    if (at == c->n_source_options)
        c->n_source_options++;
    return 0;
}

int aim__config_source_settings(const aim_config *c, const aim_source_ops *ops,
                               aim_source_setting *out, int max) {
    int n = 0, rank[AIM_CONFIG_MAX_SOURCE_OPTIONS];
    for (int i = 0; i < c->n_source_options; i++) {
        const struct aim_config_source_option *o = &c->source_options[i];
        int r = aim__source_option_rank(ops, o->source, o->key);
        if (r == 0)
            continue;
        int k = 0;
        while (k < n && strcmp(out[k].key, o->key) != 0)
            k++;
        if (k == n && n < max && n < AIM_CONFIG_MAX_SOURCE_OPTIONS)
            n++;
        else if (k == n || rank[k] > r)
            continue;
        out[k] = (aim_source_setting){ o->key, o->value };
        rank[k] = r;
    }
    return n;
}

int aim_config_set_metrics(aim_config *c, const char *spec) {
    aim_metric_select sel;
    if (spec && strlen(spec) >= sizeof c->metrics)
        return fail(c, -EINVAL, "a metric list is at most %zu bytes", sizeof c->metrics - 1);
    if (aim__metric_select_parse(spec, &sel, c->errmsg, sizeof c->errmsg) < 0)
        return -EINVAL;
    snprintf(c->metrics, sizeof c->metrics, "%s", spec ? spec : "");
    return 0;
}

int aim_config_set_idle_baseline(aim_config *c, const char *run_id) {
    if (run_id && strlen(run_id) >= sizeof c->idle_run_id)
        return fail(c, -EINVAL, "not a run id: too long");
    snprintf(c->idle_run_id, sizeof c->idle_run_id, "%s", run_id ? run_id : "");
    return 0;
}

int aim_config_set_embodied(aim_config *c, int on) {
    c->embodied = on != 0;
    return 0;
}

int aim_config_set_agent(aim_config *c, int on) {
    c->agent = on != 0;
    return 0;
}

/* Retention bounds (docs/retention.md): below a second a pass would run at every commit for
 * nothing; a bucket is read in one pass, so a step is at most an hour. */
#define RETAIN_MIN_NS 1000000000LL
#define STEP_DEFAULT_NS 60000000000LL
#define STEP_MIN_NS 1000000LL
#define STEP_MAX_NS 3600000000000LL

int aim_config_set_retention(aim_config *c, int64_t retain_ns, int64_t downsample_after_ns,
                             int64_t downsample_step_ns) {
    if ((retain_ns && retain_ns < RETAIN_MIN_NS) ||
        (downsample_after_ns && downsample_after_ns < RETAIN_MIN_NS))
        return fail(c, -EINVAL, "a retention or downsampling age is 0 (none) or at least 1 s");
    if (retain_ns && downsample_after_ns >= retain_ns)
        return fail(c, -EINVAL, "samples are downsampled before they are deleted: the "
                                "downsampling age must be shorter than the retention");
    if (downsample_step_ns &&
        (downsample_step_ns < STEP_MIN_NS || downsample_step_ns > STEP_MAX_NS))
        return fail(c, -EINVAL, "a downsampling step is 1 ms to 1 h");
    c->retain_ns = retain_ns;
    c->downsample_after_ns = downsample_after_ns;
    c->downsample_step_ns = downsample_step_ns ? downsample_step_ns : STEP_DEFAULT_NS;
    return 0;
}

int aim_config_set_control_socket(aim_config *c, const char *path) {
    if (path && strlen(path) >= sizeof c->control_path)
        return fail(c, -ENAMETOOLONG, "a socket path is at most %zu bytes",
                    sizeof c->control_path - 1);
    snprintf(c->control_path, sizeof c->control_path, "%s", path ? path : "");
    return 0;
}

int aim_config_set_target_pid(aim_config *c, pid_t pid) {
    if (pid < 0)
        return fail(c, -EINVAL, "a negative process id");
    c->target_pid = pid;
    return 0;
}

/* ---------------------------------------------------------------- carbon and cost */

static int set_path(char *dst, size_t size, const char *path) {
    if (!path) {
        dst[0] = '\0';
        return 0;
    }
    if (!*path || strlen(path) >= size)
        return -EINVAL;
    strcpy(dst, path);
    return 0;
}

int aim_config_set_intensity_file(aim_config *c, const char *path) {
    if (set_path(c->intensity_file, sizeof c->intensity_file, path) < 0)
        return fail(c, -EINVAL, "an intensity file's path is 1 to %zu bytes",
                    sizeof c->intensity_file - 1);
    return 0;
}

int aim_config_set_pue(aim_config *c, const char *spec) {
    if (!spec || !*spec)
        return fail(c, -EINVAL, "no PUE given");
    double v;
    if (aim__parse_decimal(spec, strlen(spec), 0, &v) == 0) {
        /* 1.0 is a facility that spends nothing beyond IT; 3 is already a very poor one. */
        if (!(v >= 1.0) || v > 5.0)
            return fail(c, -ERANGE, "a PUE is 1.0 to 5.0");
        c->pue = v;
        snprintf(c->pue_source, sizeof c->pue_source, "given with --pue");
        return 0;
    }
    double pue;
    const char *source = NULL;
    if (aim_pue_lookup(spec, &pue, &source) < 0 || !(pue >= 1.0))
        return fail(c, -EINVAL, "unknown PUE '%s': a number, or a provider (aim_pue_names)", spec);
    c->pue = pue;
    snprintf(c->pue_source, sizeof c->pue_source, "%s default: %s", spec, source ? source : "");
    return 0;
}

static int set_currency(aim_config *c, const char *currency) {
    if (!currency || strlen(currency) != 3)
        return -EINVAL;
    char up[4];
    for (int i = 0; i < 3; i++) {
        char ch = currency[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch < 'A' || ch > 'Z')
            return -EINVAL;
        up[i] = ch;
    }
    up[3] = '\0';
    memcpy(c->currency, up, sizeof up);
    return 0;
}

int aim_config_set_price(aim_config *c, double per_kwh, const char *currency) {
    if (!isfinite(per_kwh) || per_kwh < 0 || per_kwh > 1000)
        return fail(c, -EINVAL, "a price is 0 to 1000 per kWh");
    if (set_currency(c, currency) < 0)
        return fail(c, -EINVAL, "a currency is an ISO 4217 code of 3 letters");
    c->price = per_kwh;
    c->price_file[0] = '\0';
    return 0;
}

int aim_config_set_price_file(aim_config *c, const char *path, const char *currency) {
    char saved[4];
    memcpy(saved, c->currency, sizeof saved);
    if (!path || set_currency(c, currency) < 0)
        return fail(c, -EINVAL, path ? "a currency is an ISO 4217 code of 3 letters"
                                     : "no price file given");
    if (set_path(c->price_file, sizeof c->price_file, path) < 0) {
        memcpy(c->currency, saved, sizeof saved);
        return fail(c, -EINVAL, "a price file's path is 1 to %zu bytes", sizeof c->price_file - 1);
    }
    c->price = -1;
    return 0;
}

/* ---------------------------------------------------------------- live provider */

int aim_config_set_location(aim_config *c, double lat, double lon) {
    if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return fail(c, -EINVAL, "a position is a latitude -90 to 90 and a longitude -180 to 180");
    c->lat = lat;
    c->lon = lon;
    c->have_location = 1;
    return 0;
}

const char *aim_config_errmsg(const aim_config *c) { return c ? c->errmsg : "no configuration"; }

int aim_config_set_provider(aim_config *c, const char *provider, const char *region, int marginal) {
    if (!c)
        return -EINVAL;
    char *errbuf = c->errmsg;
    size_t errlen = sizeof c->errmsg;
    errbuf[0] = '\0';
    if (!provider) {
        c->provider[0] = c->provider_region[0] = '\0';
        c->marginal = 0;
        return 0;
    }
    if (strlen(provider) >= sizeof c->provider || (region && strlen(region) >= sizeof c->provider_region)) {
        snprintf(errbuf, errlen, "%s too long", strlen(provider) >= sizeof c->provider ? "provider name" : "region");
        return -EINVAL;
    }
    /* Checked on a copy, so that a refused provider leaves the configuration as it was
     * (on the heap: a configuration holds two 4 KiB paths and the tags). */
    aim_config *t = malloc(sizeof *t);
    if (!t) {
        snprintf(errbuf, errlen, "out of memory");
        return -ENOMEM;
    }
    *t = *c;
    snprintf(t->provider, sizeof t->provider, "%s", provider);
    snprintf(t->provider_region, sizeof t->provider_region, "%s", region ? region : "");
    t->marginal = marginal != 0;
    aim_provider_query q;
    int r = aim__run_provider_query(t, &q, errbuf, errlen);
    if (r == 0) {
        memcpy(c->provider, t->provider, sizeof c->provider);
        memcpy(c->provider_region, t->provider_region, sizeof c->provider_region);
        c->marginal = t->marginal;
    }
    free(t);
    return r;
}
