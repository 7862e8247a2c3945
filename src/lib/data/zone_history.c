/* A zone at another year or signal (zone_history.h): lookups in the compiled yearly history
 * and the "CODE[@YEAR][@marginal|@average]" items of a zone list. */
#include "data/zone_history.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "data/carbon.h"
#include "data/tables.h"
#include "util/numfmt.h"
#include "util/text.h"

/* The tables spell every code in upper case with '-' (tools/gen_tables.py checks), and a
 * user may write "ca_sk" (zones.c): one canonical copy makes every comparison a strcmp.
 * 0, or -ENOENT for a code no table can hold (too long, or a character none uses). */
static int canonical(const char *code, size_t n, char out[24]) {
    if (n == 0 || n > 23)
        return -ENOENT;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c == '_')
            c = '-';
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return -ENOENT;
        out[i] = c;
    }
    out[n] = '\0';
    return 0;
}

/* CODE, or a cloud region's zone, in canonical form. */
static int zone_of(const char *code, char out[24]) {
    if (strchr(code, ':')) {
        const aim_cloud_region *r;
        if (aim_cloud_region_lookup(code, &r) < 0)
            return -ENOENT;
        code = r->zone;
    }
    const char *alpha2 = aim__zone_alpha2_of(code);
    if (alpha2)
        code = alpha2;
    return canonical(code, strlen(code), out);
}

static double series_value(const aim_zone_history_series *s, int year) {
    if (year < s->first_year || year - s->first_year >= s->n_years)
        return -1;
    return aim_zone_history_values[s->offset + (size_t)(year - s->first_year)];
}

static void fill(const aim_zone_history_series *s, int year, double g, aim_zone_info *z) {
    const aim_zone_history_source *src = &aim_zone_history_sources[s->source];
    memset(z, 0, sizeof *z);
    z->code = s->code;
    z->name = s->name;
    z->g_per_kwh = g;
    z->basis = src->basis;
    z->year = year;
    z->source = src->source;
    z->licence = src->licence;
    z->signal = "average"; /* the generator takes average rows only */
}

int aim_zone_history_lookup(const char *code, int year, aim_zone_info *ret_row) {
    if (!code || !*code || !ret_row)
        return -EINVAL;
    char zone[24];
    if (zone_of(code, zone) < 0)
        return -ENOENT;
    /* The zone's current row first when it is of that year, so that "FR@2024" and "FR"
     * can never disagree; then the history, file after file; then any other average row of
     * that year in the zone tables (precedence order, lifecycle before direct), such as a
     * Green Algorithms 2019 row. */
    const aim_zone_info *z;
    if (aim_zone_lookup(zone, &z) == 0 && z->year == year) {
        *ret_row = *z;
        return 0;
    }
    for (size_t i = 0; i < aim_zone_history_table_count; i++) {
        const aim_zone_history_series *s = &aim_zone_history_table[i];
        double g = strcmp(s->code, zone) == 0 ? series_value(s, year) : -1;
        if (g >= 0) {
            fill(s, year, g, ret_row);
            return 0;
        }
    }
    for (size_t i = 0; i < aim_zone_table_count; i++) {
        z = &aim_zone_table[i];
        if (z->year == year && strcmp(z->signal, "average") == 0 && strcmp(z->code, zone) == 0) {
            *ret_row = *z;
            return 0;
        }
    }
    return -ENOENT;
}

int aim__zone_history_describe(const char *code, char *buf, size_t len) {
    if (!buf || !len)
        return 0;
    buf[0] = '\0';
    char zone[24];
    if (!code || zone_of(code, zone) < 0)
        return 0;
    int named = 0;
    for (size_t i = 0; i < aim_zone_history_table_count; i++) {
        const aim_zone_history_series *s = &aim_zone_history_table[i];
        if (strcmp(s->code, zone) != 0)
            continue;
        int gaps = 0;
        for (int k = 0; k < s->n_years; k++)
            gaps += aim_zone_history_values[s->offset + (size_t)k] < 0;
        aim__bappendf(buf, len, "%s%d–%d%s, %s", named ? "; " : "yearly history: ",
                     s->first_year, s->first_year + s->n_years - 1, gaps ? " (with gaps)" : "",
                     aim_zone_history_sources[s->source].short_name);
        named++;
    }
    /* Years only a zone-table row has (the history's years would only repeat). */
    int history = named;
    for (size_t i = 0; i < aim_zone_table_count; i++) {
        const aim_zone_info *z = &aim_zone_table[i];
        if (strcmp(z->signal, "average") != 0 || strcmp(z->code, zone) != 0)
            continue;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) /* the same year from an earlier table */
            dup = aim_zone_table[j].year == z->year &&
                  strcmp(aim_zone_table[j].signal, "average") == 0 &&
                  strcmp(aim_zone_table[j].code, zone) == 0;
        for (size_t j = 0; j < aim_zone_history_table_count && !dup; j++)
            dup = strcmp(aim_zone_history_table[j].code, zone) == 0 &&
                  series_value(&aim_zone_history_table[j], z->year) >= 0;
        if (dup)
            continue;
        const char *sep = named != history ? ", "
                          : history        ? "; zone tables: "
                                           : "no yearly history; zone tables: ";
        aim__bappendf(buf, len, "%s%d", sep, z->year);
        named++;
    }
    return named;
}

/* ------------------------------------------------------------------ zone-list items */

static int equal_nocase(const char *s, size_t n, const char *word) {
    size_t i = 0;
    for (; i < n && word[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return i == n && word[i] == '\0';
}

/* "@2015" -> year; "@marginal", "@average" -> signal. 0, or -EINVAL (message in err). */
static int parse_suffix(const char *item, const char *p, size_t n, int *year, int *signal,
                        char *err, size_t errlen) {
    int is_year = n == 4;
    for (size_t i = 0; i < n && is_year; i++)
        is_year = p[i] >= '0' && p[i] <= '9';
    if (is_year) {
        if (*year >= 0)
            return aim__text_invalid(err, errlen, "bad zone '%s': one @YEAR at most", item);
        *year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        return 0;
    }
    int sig = equal_nocase(p, n, "marginal") ? 2 : equal_nocase(p, n, "average") ? 1 : 0;
    if (!sig)
        return aim__text_invalid(err, errlen, "bad zone '%s': '@%.*s' is not a year (@2015), @marginal "
                       "or @average", item, (int)n, p);
    if (*signal)
        return aim__text_invalid(err, errlen, "bad zone '%s': one of @marginal, @average at most", item);
    *signal = sig;
    return 0;
}

static int unknown(const char *code, char *err, size_t errlen) {
    return aim__text_invalid(err, errlen, "unknown zone '%s' (aimeter zones lists them)", code);
}

int aim__zone_spec_resolve(const char *item, size_t len, aim_zone_spec *ret, char *err,
                          size_t errlen) {
    char text[128], code[128];
    if (err && errlen)
        err[0] = '\0';
    if (!item || !ret || len == 0 || memchr(item, '\0', len))
        return aim__text_invalid(err, errlen, "bad zone: empty");
    if (len >= sizeof text)
        return aim__text_invalid(err, errlen, "bad zone '%.40s...': too long", item);
    /* Control bytes can match no code; as '?' they cannot break the one-line message. */
    for (size_t i = 0; i < len; i++)
        text[i] = (unsigned char)item[i] < 0x20 || item[i] == 0x7f ? '?' : item[i];
    text[len] = '\0';
    size_t clen = strcspn(text, "@");
    memcpy(code, text, clen);
    code[clen] = '\0';
    if (clen == 0)
        return aim__text_invalid(err, errlen, "bad zone '%s': the zone code comes first (FR@2015)", text);
    int year = -1, signal = 0; /* year -1: none asked for */
    for (const char *p = text + clen; *p == '@';) {
        p++;
        size_t n = strcspn(p, "@");
        int r = parse_suffix(text, p, n, &year, &signal, err, errlen);
        if (r < 0)
            return r;
        p += n;
    }

    aim_zone_spec s;
    memset(&s, 0, sizeof s);
    if (zone_of(code, s.zone) < 0)
        return unknown(code, err, errlen);
    s.marginal = signal == 2;
    const aim_zone_info *z;
    if (s.marginal) {
        if (aim_zone_lookup_signal(s.zone, 1, &z) < 0) {
            if (aim_zone_lookup(s.zone, &z) < 0)
                return unknown(code, err, errlen);
            return aim__text_invalid(err, errlen, "no marginal figure for %s (marginal factors are per "
                           "country: aimeter zones --marginal lists them)", s.zone);
        }
        /* The fallback to the country must not make "FR-NOPE@marginal" a zone. */
        const aim_zone_info *avg;
        if (strcmp(z->code, s.zone) != 0 && aim_zone_lookup(s.zone, &avg) < 0)
            return unknown(code, err, errlen);
        if (year >= 0 && z->year != year)
            return aim__text_invalid(err, errlen, "no %04d marginal figure for %s (the marginal table has "
                           "%d only: %s)", year, s.zone, z->year, z->source);
        s.row = *z;
    } else if (year >= 0) {
        if (aim_zone_history_lookup(s.zone, year, &s.row) < 0) {
            char have[256];
            if (!aim__zone_history_describe(s.zone, have, sizeof have))
                return unknown(code, err, errlen);
            return aim__text_invalid(err, errlen, "no %04d figure for %s (%s)", year, s.zone, have);
        }
    } else {
        if (aim_zone_lookup(s.zone, &z) < 0)
            return unknown(code, err, errlen);
        s.row = *z;
    }
    s.year = year > 0 ? year : 0;
    aim__bappendf(s.label, sizeof s.label, "%s", s.zone);
    if (year >= 0)
        aim__bappendf(s.label, sizeof s.label, "@%04d", year);
    if (s.marginal)
        aim__bappendf(s.label, sizeof s.label, "@marginal");
    if (strcmp(s.row.code, s.zone) != 0)
        aim__bappendf(s.label, sizeof s.label, " (%s)", s.row.code);
    s.national = s.marginal && strcmp(s.row.code, s.zone) != 0;
    *ret = s;
    return 0;
}

void aim__zone_spec_national_note(const aim_zone_spec *spec, char *buf, size_t len) {
    if (!len)
        return;
    buf[0] = '\0';
    if (spec && spec->national)
        aim__bappendf(buf, len, "national figure of %s: %s has no marginal factor of its own",
                     spec->row.code, spec->zone);
}
