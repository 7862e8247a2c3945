/* aim_zone_select, aim_zone_select_json: the built-in tables searched as `aimeter zones` and
 * the web UI's /api/zones list them (one selection, one JSON form for both). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

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

static void json_str(aim_strbuf *b, const char *s) { aim__json_append_str(b, s, (size_t)-1); }


static int by_code(const void *a, const void *b) {
    const aim_zone_match *x = a, *y = b;
    int c = strcmp(x->zone->code, y->zone->code);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static size_t collect_zones(const aim_zone_query *o, aim_zone_match *m) {
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
        m[n++] = (aim_zone_match){ .zone = z, .index = i, .used = is_used };
    }
    qsort(m, n, sizeof m[0], by_code);
    return n;
}

static size_t collect_regions(const aim_zone_query *o, aim_zone_match *m) {
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
        m[n++] = (aim_zone_match){ .zone = z, .region = r, .index = i, .used = 1 };
    }
    return n;
}

static void print_json(aim_strbuf *f, const aim_zone_query *o, const aim_zone_match *m, size_t n) {
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

AIM_PUBLIC size_t aim_zone_select(const aim_zone_query *q, aim_zone_match *ret, size_t cap) {
    if (!q || !ret || cap < aim_zone_count() + aim_cloud_region_count())
        return 0;
    return q->cloud ? collect_regions(q, ret) : collect_zones(q, ret);
}

AIM_PUBLIC int aim_zone_select_json(const aim_zone_query *q, char **ret_text, size_t *ret_n) {
    if (!q || !ret_text)
        return -EINVAL;
    size_t cap = aim_zone_count() + aim_cloud_region_count() + 1;
    aim_zone_match *m = calloc(cap, sizeof *m);
    if (!m)
        return -ENOMEM;
    size_t n = aim_zone_select(q, m, cap);
    aim_strbuf b = AIM_STRBUF_INIT;
    print_json(&b, q, m, n);
    free(m);
    if (ret_n)
        *ret_n = n;
    return aim__strbuf_steal(&b, ret_text);
}

/* The zones aim_zone_select lists (by code), each at year: every code the history tables
 * have is a code of the zone tables, so none is missed. */
AIM_PUBLIC size_t aim_zone_select_year(const aim_zone_query *q, int year, aim_zone_info *ret,
                                       size_t cap) {
    if (!q || !ret || q->cloud || q->all || cap < aim_zone_count())
        return 0;
    aim_zone_match *m = calloc(aim_zone_count() + 1, sizeof *m);
    if (!m)
        return 0;
    size_t n = collect_zones(q, m), k = 0;
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = m[i].zone;
        if (q->marginal) {
            if (z->year == year)
                ret[k++] = *z;
        } else if (aim_zone_history_lookup(z->code, year, &ret[k]) == 0) {
            k++;
        }
    }
    free(m);
    return k;
}

AIM_PUBLIC int aim_zone_year_json(const aim_zone_query *q, int year, char **ret_text,
                                  size_t *ret_n) {
    if (!q || !ret_text || q->cloud || q->all)
        return -EINVAL;
    size_t cap = aim_zone_count() + 1;
    aim_zone_info *rows = calloc(cap, sizeof *rows);
    aim_zone_match *m = calloc(cap, sizeof *m);
    if (!rows || !m) {
        free(rows);
        free(m);
        return -ENOMEM;
    }
    size_t n = aim_zone_select_year(q, year, rows, cap);
    for (size_t i = 0; i < n; i++)
        m[i] = (aim_zone_match){ .zone = &rows[i], .index = i, .used = 1 };
    aim_strbuf b = AIM_STRBUF_INIT;
    print_json(&b, q, m, n);
    free(m);
    free(rows);
    if (ret_n)
        *ret_n = n;
    return aim__strbuf_steal(&b, ret_text);
}
