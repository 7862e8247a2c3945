/* The built-in zone table (data/zones.csv compiled in) and its lookup. Expected values are
 * the published ones: OWID/Ember 2024 for countries and WORLD, Green Algorithms
 * CI_aggregated.csv (2019 data) for the Canadian provinces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "carbon/carbon.h"

static void world_is_the_owid_average(void **state) {
    const aim_zone_info *w = aim_zone_world();
    assert_non_null(w);
    assert_string_equal(w->code, "WORLD");
    assert_float_equal(w->g_per_kwh, 473.01, 1e-9); /* OWID World 2024: 473.0065 */
    assert_int_equal(w->year, 2024);
    assert_string_equal(w->basis, "lifecycle");
    assert_string_equal(w->licence, "CC BY 4.0");
    const aim_zone_info *z = NULL;
    assert_int_equal(aim_zone_lookup("world", &z), 0);
    assert_ptr_equal(z, w);
}

static void canadian_provinces_as_published(void **state) {
    const aim_zone_info *z = NULL;
    assert_int_equal(aim_zone_lookup("CA-SK", &z), 0);
    assert_float_equal(z->g_per_kwh, 710, 1e-9);
    assert_int_equal(z->year, 2019);
    assert_string_equal(z->basis, "direct");
    assert_string_equal(z->name, "Saskatchewan, Canada");
    /* the source spells Manitoba CA-MT; the table uses the ISO code */
    assert_int_equal(aim_zone_lookup("CA-MB", &z), 0);
    assert_float_equal(z->g_per_kwh, 1.3, 1e-9);
    assert_int_equal(z->year, 2019);
    assert_int_equal(aim_zone_lookup("CA-MT", &z), -ENOENT);
    const char *provinces[] = { "CA-QC", "CA-ON", "CA-AB", "CA-BC" };
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        assert_int_equal(aim_zone_lookup(provinces[i], &z), 0);
    assert_int_equal(aim_zone_lookup("CA-QC", &z), 0);
    assert_float_equal(z->g_per_kwh, 1.5, 1e-9);
}

static void countries_states_and_case(void **state) {
    const aim_zone_info *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    assert_int_equal(aim_zone_lookup("CA-SK", &a), 0);
    assert_int_equal(aim_zone_lookup("ca-sk", &b), 0);
    assert_int_equal(aim_zone_lookup("CA_SK", &c), 0);
    assert_int_equal(aim_zone_lookup("Ca_sK", &d), 0);
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, c);
    assert_ptr_equal(a, d);
    assert_int_equal(aim_zone_lookup("fr", &a), 0);
    assert_string_equal(a->code, "FR");
    assert_string_equal(a->name, "France");
    assert_float_equal(a->g_per_kwh, 44.18, 1e-9);
    assert_int_equal(aim_zone_lookup("US-TX", &a), 0);
    assert_float_equal(a->g_per_kwh, 409.16, 1e-9);
    assert_int_equal(a->year, 2020);
    assert_int_equal(aim_zone_lookup("au-tas", &a), 0);
    assert_float_equal(a->g_per_kwh, 180, 1e-9);
    /* Kosovo has no ISO-3 code in OWID's file (OWID_KOS) */
    assert_int_equal(aim_zone_lookup("XK", &a), 0);
}

static void unknown_zones(void **state) {
    const aim_zone_info *z = (const aim_zone_info *)&z; /* must stay untouched */
    const aim_zone_info *orig = z;
    assert_int_equal(aim_zone_lookup("ZZ", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("CA-S", &z), -ENOENT);   /* no prefix match */
    assert_int_equal(aim_zone_lookup("CA-SKX", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("World (Ember)", &z), -ENOENT); /* aggregates are out */
    assert_int_equal(aim_zone_lookup("", &z), -EINVAL);
    assert_int_equal(aim_zone_lookup(NULL, &z), -EINVAL);
    assert_ptr_equal(z, orig);
    assert_null(aim_zone_get(aim_zone_count()));
}

static void every_row_is_attributed(void **state) {
    size_t n = aim_zone_count();
    assert_true(n > 250); /* ~215 countries + 74 sub-national rows */
    int world = 0;
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = aim_zone_get(i);
        assert_non_null(z);
        assert_true(z->code[0] != '\0');
        assert_true(z->source && strlen(z->source) > 10);
        assert_string_equal(z->licence, "CC BY 4.0"); /* no share-alike data compiled in */
        assert_true(z->year >= 2000 && z->year <= 2025);
        assert_true(strcmp(z->basis, "lifecycle") == 0 || strcmp(z->basis, "direct") == 0);
        assert_true(z->g_per_kwh >= 0 && z->g_per_kwh < 2000);
        const aim_zone_info *back = NULL;
        assert_int_equal(aim_zone_lookup(z->code, &back), 0);
        assert_ptr_equal(back, z); /* codes are unique */
        world += strcmp(z->code, "WORLD") == 0;
    }
    assert_int_equal(world, 1);
}

static void carbon_grams(void **state) {
    /* 3.6 MJ = 1 kWh at 473.01 g/kWh */
    assert_float_equal(aim_carbon_g(3.6e6, 473.01), 473.01, 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(world_is_the_owid_average),
        cmocka_unit_test(canadian_provinces_as_published),
        cmocka_unit_test(countries_states_and_case),
        cmocka_unit_test(unknown_zones),
        cmocka_unit_test(every_row_is_attributed),
        cmocka_unit_test(carbon_grams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
