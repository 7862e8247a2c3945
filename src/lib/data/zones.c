/* The built-in zone tables and cloud regions: lookups over data/zones*.csv and
 * data/cloud_regions.csv as compiled in. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "data/carbon.h"
#include "model/intensity.h"
#include "data/tables.h"

/* Codes are compared case-insensitively with '_' equal to '-', so "ca_sk", "CA-SK" and
 * "Ca-Sk" all name Saskatchewan: shells and environment variables favour '_'. ASCII only, on
 * purpose: toupper() would follow the locale. */
static int zone_char(char c) {
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 'A';
    if (c == '_')
        return '-';
    return (unsigned char)c;
}

/* Whether the table's string is exactly the first n bytes of the user's. */
static int equal_n(const char *table, const char *user, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!table[i] || zone_char(table[i]) != zone_char(user[i]))
            return 0;
    return table[n] == '\0';
}

static const aim_zone_info *find_row(const char *code, size_t len, const char *signal,
                                     const char *basis) {
    /* ~1,300 rows, looked up once per configuration: a linear scan is simplest, and the
     * table's order is the precedence, so the first match is the answer. */
    for (size_t i = 0; i < aim_zone_table_count; i++) {
        const aim_zone_info *z = &aim_zone_table[i];
        if (strcmp(z->signal, signal) == 0 && (!basis || strcmp(z->basis, basis) == 0) &&
            equal_n(z->code, code, len))
            return z;
    }
    return NULL;
}

static const aim_cloud_region *find_region(const char *name) {
    const char *colon = strchr(name, ':');
    if (!colon)
        return NULL;
    size_t plen = (size_t)(colon - name);
    const char *region = colon + 1;
    for (size_t i = 0; i < aim_cloud_region_table_count; i++) {
        const aim_cloud_region *r = &aim_cloud_region_table[i];
        if (equal_n(r->provider, name, plen) && equal_n(r->region, region, strlen(region)))
            return r;
    }
    return NULL;
}

const char *aim__zone_alpha2_of(const char *code) {
    if (strlen(code) != 3)
        return NULL;
    for (size_t i = 0; i < aim_iso3166_table_count; i++)
        if (equal_n(aim_iso3166_table[i].alpha3, code, 3))
            return aim_iso3166_table[i].alpha2;
    return NULL;
}

int aim_zone_lookup_basis(const char *code, int marginal, const char *basis,
                          const aim_zone_info **ret_zone) {
    if (!code || !*code || !ret_zone)
        return -EINVAL;
    const char *want_basis = NULL;
    if (basis) {
        aim_basis b;
        if (aim__basis_parse(basis, &b) < 0 || b == AIM_BASIS_UNKNOWN)
            return -EINVAL;
        want_basis = aim__basis_name(b); /* the table's spelling, for strcmp */
    }
    if (strchr(code, ':')) {
        const aim_cloud_region *r = find_region(code);
        if (!r)
            return -ENOENT;
        code = r->zone;
    }
    const char *alpha2 = aim__zone_alpha2_of(code);
    if (alpha2)
        code = alpha2;
    const char *signal = aim__signal_name(marginal ? AIM_SIGNAL_MARGINAL : AIM_SIGNAL_AVERAGE);
    size_t len = strlen(code);
    for (;;) {
        const aim_zone_info *z = find_row(code, len, signal, want_basis);
        if (z) {
            *ret_zone = z;
            return 0;
        }
        /* Marginal factors are per country (a few islands apart): "ES-CN-GC" tries
         * "ES-CN", then "ES". Average rows never fall back: a wrong region's average would
         * pass silently for the right one. */
        if (!marginal)
            break;
        while (len > 0 && code[len - 1] != '-')
            len--;
        if (len == 0)
            break;
        len--; /* drop the '-' itself */
    }
    return -ENOENT;
}

int aim_zone_lookup_signal(const char *code, int marginal, const aim_zone_info **ret_zone) {
    return aim_zone_lookup_basis(code, marginal, NULL, ret_zone);
}

int aim_zone_lookup(const char *code, const aim_zone_info **ret_zone) {
    return aim_zone_lookup_basis(code, 0, NULL, ret_zone);
}

size_t aim_zone_count(void) { return aim_zone_table_count; }

const aim_zone_info *aim_zone_get(size_t index) {
    return index < aim_zone_table_count ? &aim_zone_table[index] : NULL;
}

const aim_zone_info *aim__zone_world(void) {
    const aim_zone_info *z = NULL;
    /* tools/gen_tables.py refuses a table without WORLD, so this cannot fail; the fallback
     * only keeps the "never NULL" promise if someone bypasses the generator. */
    if (aim_zone_lookup("WORLD", &z) < 0)
        return &aim_zone_table[0];
    return z;
}

int aim_cloud_region_lookup(const char *name, const aim_cloud_region **ret_region) {
    if (!name || !strchr(name, ':') || !ret_region)
        return -EINVAL;
    const aim_cloud_region *r = find_region(name);
    if (!r)
        return -ENOENT;
    *ret_region = r;
    return 0;
}

size_t aim_cloud_region_count(void) { return aim_cloud_region_table_count; }

const aim_cloud_region *aim_cloud_region_get(size_t index) {
    return index < aim_cloud_region_table_count ? &aim_cloud_region_table[index] : NULL;
}
