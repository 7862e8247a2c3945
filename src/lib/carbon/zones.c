/* The built-in zone table: lookups over data/zones.csv as compiled in. */
#include <errno.h>
#include <stddef.h>

#include "carbon/carbon.h"
#include "carbon/tables.h"

/* Zone codes are compared case-insensitively with '_' equal to '-', so "ca_sk", "CA-SK" and
 * "Ca-Sk" all name Saskatchewan: shells and environment variables favour '_'. ASCII only, on
 * purpose: toupper() would follow the locale. */
static int zone_char(char c) {
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 'A';
    if (c == '_')
        return '-';
    return (unsigned char)c;
}

static int zone_code_equal(const char *table_code, const char *user_code) {
    for (;; table_code++, user_code++) {
        if (zone_char(*table_code) != zone_char(*user_code))
            return 0;
        if (!*table_code)
            return 1;
    }
}

int aim_zone_lookup(const char *code, const aim_zone_info **ret_zone) {
    if (!code || !*code || !ret_zone)
        return -EINVAL;
    /* ~300 rows, looked up once per configuration: a linear scan is simplest. */
    for (size_t i = 0; i < aim_zone_table_count; i++)
        if (zone_code_equal(aim_zone_table[i].code, code)) {
            *ret_zone = &aim_zone_table[i];
            return 0;
        }
    return -ENOENT;
}

size_t aim_zone_count(void) { return aim_zone_table_count; }

const aim_zone_info *aim_zone_get(size_t index) {
    return index < aim_zone_table_count ? &aim_zone_table[index] : NULL;
}

const aim_zone_info *aim_zone_world(void) {
    const aim_zone_info *z = NULL;
    /* tools/gen_tables.py refuses a table without WORLD, so this cannot fail; the fallback
     * only keeps the "never NULL" promise if someone bypasses the generator. */
    if (aim_zone_lookup("WORLD", &z) < 0)
        return &aim_zone_table[0];
    return z;
}
