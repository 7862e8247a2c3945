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
    "       aimeter zones [QUERY] --year YEAR [--marginal] [--json]\n"
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
    "      --year YEAR each zone's figure of YEAR (the yearly history: what whatif --zones\n"
    "                  CODE@YEAR prices with; with --marginal, the marginal rows of YEAR);\n"
    "                  zones without that year are left out\n"
    "  -j, --json      a JSON array instead of the table\n"
    "  -h, --help      this help\n"
    "\n"
    "Exits 0 when something matched, 1 when nothing did. Sources, years and licences of\n"
    "the tables: data/README.md.\n";

enum { ZONES_NO_MATCH = 1 }; /* like grep: "nothing found" is not an error (docs/cli.md) */

typedef struct opts {
    const char *query;
    int marginal, cloud, all, json, years;
    long year;                 /* --year, 0 when not given */
} opts;

/* Display width of UTF-8 text (code points; the names hold no wide characters). */
static int width(const char *s) {
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

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

#define NAME_MAX_COLS 44 /* names run to 90 columns ("Western Area Power Administration …") */

static void print_text(aim_strbuf *f, const opts *o, const aim_zone_match *m, size_t n) {
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
        { "year", required_argument, NULL, 'Y' },
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
        case 'Y': {
            double v;
            if (aim_parse_number(optarg, strlen(optarg), &v) < 0 || v != (double)(long)v ||
                v < 1900 || v > 2100) {
                cli_error("zones: bad --year '%s': a year from 1900 to 2100", optarg);
                return AIM_EXIT_USAGE;
            }
            o.year = (long)v;
            break;
        }
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
    if (o.year && (o.cloud || o.all)) {
        cli_error("zones: --year takes no --cloud or --all (yearly figures are per zone)");
        return AIM_EXIT_USAGE;
    }
    aim_zone_query q = { .query = o.query, .marginal = o.marginal, .cloud = o.cloud,
                         .all = o.all };
    size_t cap = aim_zone_count() + aim_cloud_region_count() + 1;
    aim_zone_match *m = calloc(cap, sizeof *m);
    if (!m) {
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    aim_zone_info *rows = o.year ? calloc(cap, sizeof *rows) : NULL;
    if (o.year && !rows) {
        free(m);
        cli_error("out of memory");
        return AIM_EXIT_SOFTWARE;
    }
    size_t n = o.year ? aim_zone_select_year(&q, (int)o.year, rows, cap)
                      : aim_zone_select(&q, m, cap);
    for (size_t i = 0; o.year && i < n; i++)  /* the table's rows, as aim_zone_select's */
        m[i] = (aim_zone_match){ .zone = &rows[i], .index = i, .used = 1 };
    char *text = NULL;
    int code = 0;
    if (o.json) {
        int r = o.year ? aim_zone_year_json(&q, (int)o.year, &text, NULL)
                       : aim_zone_select_json(&q, &text, NULL);
        code = r == 0 ? 0 : AIM_EXIT_SOFTWARE;
    } else {
        aim_strbuf b = AIM_STRBUF_INIT;
        if (n)
            print_text(&b, &o, m, n);
        code = aim__strbuf_steal(&b, &text) == 0 ? 0 : AIM_EXIT_SOFTWARE;
    }
    free(m);
    free(rows);
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
