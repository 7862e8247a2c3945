/* aimeter zones: the built-in grid intensity tables and cloud regions, listed or searched. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

static const char zones_usage[] =
    "Usage: aimeter zones [QUERY] [--marginal] [--cloud] [--all] [--json]\n"
    "       aimeter zones CODE --years [--json]\n"
    "\n"
    "Lists the built-in grid carbon intensity table: for each zone code, the row that\n"
    "--zone CODE uses (code, name, g CO2e/kWh, basis, year, licence, source). With QUERY,\n"
    "only the rows whose code or name contains it (case-insensitive).\n"
    "  -m, --marginal  the marginal table (per-country operating margin) instead\n"
    "  -c, --cloud     cloud regions: the name --cloud takes (aws:us-east-1), location and\n"
    "                  the zone row it uses; QUERY matches name, location or zone\n"
    "  -a, --all       also the rows no lookup returns (other sources for the same code,\n"
    "                  a direct row after a lifecycle one); '*' marks the row --zone uses\n"
    "  -y, --years     CODE's figure for every year the tables have (a zone code or a cloud\n"
    "                  region, exactly): what whatif --zones CODE@YEAR prices with\n"
    "  -j, --json      a JSON array instead of the table\n"
    "  -h, --help      this help\n"
    "\n"
    "Exits 0 when something matched, 1 when nothing did. Sources, years and licences of\n"
    "the tables: data/README.md.\n";

enum { ZONES_NO_MATCH = 1 }; /* like grep: "nothing found" is not an error (docs/cli.md) */

typedef struct opts {
    const char *query;
    int marginal, cloud, all, json, years;
} opts;

/* ASCII case-insensitive substring test: locale-independent like the lookups. */
static int contains(const char *hay, const char *needle) {
    if (!needle || !*needle)
        return 1;
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        for (; i < n; i++) {
            char a = hay[i], b = needle[i];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (!a || a != b)
                break;
        }
        if (i == n)
            return 1;
    }
    return 0;
}

/* Display width of UTF-8 text (code points; the names hold no wide characters). */
static int width(const char *s) {
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void json_str(aim_strbuf *b, const char *s) { aim__json_append_str(b, s, (size_t)-1); }

/* s padded with spaces to w columns, or cut to w - 1 columns and "…" when wider. */
static void put_cell(aim_strbuf *f, const char *s, int w) {
    int sw = width(s);
    if (sw <= w) {
        aim__strbuf_printf(f, "%s%*s", s, w - sw, "");
        return;
    }
    int cols = 0;
    const char *p = s;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++cols == w)
            break; /* p starts the code point that would be column w */
    }
    aim__strbuf_printf(f, "%.*s\u2026", (int)(p - s), s);
}

typedef struct match {
    const aim_zone_info *zone;
    const aim_cloud_region *region; /* --cloud */
    size_t index;                   /* table order: the precedence, for a stable sort */
    int used;                       /* the row a lookup of its code returns */
} match;

static int by_code(const void *a, const void *b) {
    const match *x = a, *y = b;
    int c = strcmp(x->zone->code, y->zone->code);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static size_t collect_zones(const opts *o, match *m) {
    size_t n = 0;
    const char *signal = o->marginal ? "marginal" : "average";
    for (size_t i = 0; i < aim_zone_count(); i++) {
        const aim_zone_info *z = aim_zone_get(i), *used = NULL;
        if (strcmp(z->signal, signal) != 0 ||
            (!contains(z->code, o->query) && !contains(z->name, o->query)))
            continue;
        int is_used = aim_zone_lookup_signal(z->code, o->marginal, &used) == 0 && used == z;
        if (!is_used && !o->all)
            continue;
        m[n++] = (match){ .zone = z, .index = i, .used = is_used };
    }
    qsort(m, n, sizeof m[0], by_code);
    return n;
}

static size_t collect_regions(const opts *o, match *m) {
    size_t n = 0;
    for (size_t i = 0; i < aim_cloud_region_count(); i++) {
        const aim_cloud_region *r = aim_cloud_region_get(i);
        char name[128];
        snprintf(name, sizeof name, "%s:%s", r->provider, r->region);
        if (!contains(name, o->query) && !contains(r->location, o->query) &&
            !contains(r->zone, o->query))
            continue;
        const aim_zone_info *z = NULL;
        if (aim_zone_lookup_signal(name, o->marginal, &z) < 0)
            continue; /* no marginal row for its country: nothing to show */
        m[n++] = (match){ .zone = z, .region = r, .index = i, .used = 1 };
    }
    return n;
}

static void print_json(aim_strbuf *f, const opts *o, const match *m, size_t n) {
    aim__strbuf_append(f, "[");
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = m[i].zone;
        aim__strbuf_append(f, i ? ",\n  {" : "\n  {");
        if (m[i].region) {
            const aim_cloud_region *r = m[i].region;
            char name[128];
            snprintf(name, sizeof name, "%s:%s", r->provider, r->region);
            aim__strbuf_append(f, "\"cloud\": ");
            json_str(f, name);
            aim__strbuf_append(f, ", \"provider\": ");
            json_str(f, r->provider);
            aim__strbuf_append(f, ", \"region\": ");
            json_str(f, r->region);
            aim__strbuf_append(f, ", \"location\": ");
            json_str(f, r->location);
            char lat[AIM_NUM_MAX], lon[AIM_NUM_MAX];
            aim__strbuf_printf(f, ", \"lat\": %s, \"lon\": %s, \"region_zone\": ",
                              aim__fmt_fixed(lat, r->lat, 4), aim__fmt_fixed(lon, r->lon, 4));
            json_str(f, r->zone);
            aim__strbuf_append(f, ", \"region_source\": ");
            json_str(f, r->source);
            aim__strbuf_append(f, ", \"region_licence\": ");
            json_str(f, r->licence);
            aim__strbuf_append(f, ", ");
        }
        aim__strbuf_append(f, "\"code\": ");
        json_str(f, z->code);
        aim__strbuf_append(f, ", \"name\": ");
        json_str(f, z->name);
        aim__strbuf_append(f, ", \"g_per_kwh\": ");
        aim__json_append_real(f, z->g_per_kwh, 17);
        aim__strbuf_append(f, ", \"signal\": ");
        json_str(f, z->signal);
        aim__strbuf_append(f, ", \"basis\": ");
        json_str(f, z->basis);
        aim__strbuf_printf(f, ", \"year\": %d, \"source\": ", z->year);
        json_str(f, z->source);
        aim__strbuf_append(f, ", \"licence\": ");
        json_str(f, z->licence);
        if (o->all && !m[i].region)
            aim__strbuf_printf(f, ", \"used\": %s", m[i].used ? "true" : "false");
        aim__strbuf_append(f, "}");
    }
    aim__strbuf_append(f, n ? "\n]\n" : "]\n");
}

#define NAME_MAX_COLS 44 /* names run to 90 columns ("Western Area Power Administration …") */

static void print_text(aim_strbuf *f, const opts *o, const match *m, size_t n) {
    int wc = 4, wn = 4, wl = 7, wr = 6, wloc = 8;
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = m[i].zone;
        wc = width(z->code) > wc ? width(z->code) : wc;
        wn = width(z->name) > wn ? width(z->name) : wn;
        wl = width(z->licence) > wl ? width(z->licence) : wl;
        if (m[i].region) {
            int w = width(m[i].region->provider) + 1 + width(m[i].region->region);
            wr = w > wr ? w : wr;
            wloc = width(m[i].region->location) > wloc ? width(m[i].region->location) : wloc;
        }
    }
    wn = wn > NAME_MAX_COLS ? NAME_MAX_COLS : wn;
    wloc = wloc > 24 ? 24 : wloc;
    const char *mark = o->all && !o->cloud ? "  " : "";
    if (o->cloud) {
        put_cell(f, "REGION", wr);
        aim__strbuf_append(f, "  ");
        put_cell(f, "LOCATION", wloc);
        aim__strbuf_append(f, "  ");
    }
    aim__strbuf_append(f, mark);
    put_cell(f, o->cloud ? "ZONE" : "CODE", wc);
    aim__strbuf_append(f, "  ");
    put_cell(f, "NAME", wn);
    aim__strbuf_append(f, "     G/KWH  BASIS      YEAR  ");
    put_cell(f, "LICENCE", wl);
    aim__strbuf_append(f, "  SOURCE\n");
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = m[i].zone;
        if (m[i].region) {
            char name[128];
            snprintf(name, sizeof name, "%s:%s", m[i].region->provider, m[i].region->region);
            put_cell(f, name, wr);
            aim__strbuf_append(f, "  ");
            put_cell(f, m[i].region->location, wloc);
            aim__strbuf_append(f, "  ");
        }
        if (*mark)
            aim__strbuf_append(f, m[i].used ? "* " : "  ");
        put_cell(f, z->code, wc);
        aim__strbuf_append(f, "  ");
        put_cell(f, z->name, wn);
        char g[AIM_NUM_MAX];
        aim__strbuf_printf(f, "  %8s  %-9s  %4d  ", aim__fmt_fixed(g, z->g_per_kwh, 2), z->basis,
                          z->year);
        put_cell(f, z->licence, wl);
        aim__strbuf_printf(f, "  %s\n", z->source);
    }
    if (*mark && n)
        aim__strbuf_append(f, "\n* the row --zone CODE uses; the others are alternatives, by "
                             "precedence (data/README.md)\n");
    if (o->cloud && n)
        aim__strbuf_printf(f, "\nRegion to zone: %s (%s)\n", m[0].region->source,
                          m[0].region->licence);
}

static int zones_years(const opts *o) {
    if (!o->query || o->marginal || o->cloud || o->all) {
        cli_error("zones: --years takes one zone code or cloud region and no --marginal, "
                  "--cloud or --all");
        return AIM_EXIT_USAGE;
    }
    aim_strbuf b = AIM_STRBUF_INIT;
    int years = cli_zones_years(&b, o->query, o->json);
    char *text = NULL;
    int code = aim__strbuf_steal(&b, &text) == 0 ? 0 : AIM_EXIT_SOFTWARE;
    if (code == 0 && (years || o->json))
        code = cli_write_file("-", text);
    free(text);
    if (code == 0 && years == 0) {
        if (!o->json)
            cli_error("zones: no yearly figures for '%s' (a zone code exactly, as aimeter zones "
                      "lists them, or a cloud region)", o->query);
        return ZONES_NO_MATCH;
    }
    return code;
}

int cmd_zones(int argc, char **argv) {
    static const struct option longopts[] = {
        { "marginal", no_argument, NULL, 'm' }, { "cloud", no_argument, NULL, 'c' },
        { "all", no_argument, NULL, 'a' },      { "json", no_argument, NULL, 'j' },
        { "years", no_argument, NULL, 'y' },    { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opts o = { 0 };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "mcajyh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': o.marginal = 1; break;
        case 'c': o.cloud = 1; break;
        case 'a': o.all = 1; break;
        case 'j': o.json = 1; break;
        case 'y': o.years = 1; break;
        case 'h': fputs(zones_usage, stdout); return 0;
        default:
            cli_error("zones: unknown option '%s' (see aimeter zones --help)", argv[optind - 1]);
            return AIM_EXIT_USAGE;
        }
    }
    if (optind < argc)
        o.query = argv[optind++];
    if (optind < argc) {
        cli_error("zones: one QUERY at most, got '%s' too", argv[optind]);
        return AIM_EXIT_USAGE;
    }
    if (o.years)
        return zones_years(&o);
    size_t cap = aim_zone_count() + aim_cloud_region_count() + 1;
    match *m = calloc(cap, sizeof *m);
    if (!m) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    size_t n = o.cloud ? collect_regions(&o, m) : collect_zones(&o, m);
    aim_strbuf b = AIM_STRBUF_INIT;
    if (o.json)
        print_json(&b, &o, m, n);
    else if (n)
        print_text(&b, &o, m, n);
    char *text = NULL;
    int code = aim__strbuf_steal(&b, &text) == 0 ? 0 : AIM_EXIT_SOFTWARE;
    free(m);
    if (code == 0)
        code = cli_write_file("-", text);
    free(text);
    if (code == 0 && n == 0) {
        if (!o.json)
            cli_error("zones: nothing matches '%s'%s", o.query ? o.query : "",
                      o.cloud ? " (cloud regions)" : o.marginal ? " (marginal table)" : "");
        return ZONES_NO_MATCH;
    }
    return code;
}
