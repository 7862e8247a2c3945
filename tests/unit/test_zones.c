/* The built-in zone tables (data/zones*.csv, data/cloud_regions.csv compiled in) and their
 * lookups. Every expected value is copied from a row of a reference file in
 * shared/reference-data/, named next to it; the precedence is that of data/README.md:
 * OWID countries, Electricity Maps, eGRID, China MEE, Green Algorithms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "data/carbon.h"

static const aim_zone_info *must(const char *code) {
    const aim_zone_info *z = NULL;
    assert_int_equal(aim_zone_lookup(code, &z), 0);
    assert_non_null(z);
    return z;
}

static void world_is_the_owid_average(void **state) {
    const aim_zone_info *w = aim__zone_world();
    assert_non_null(w);
    assert_string_equal(w->code, "WORLD");
    assert_float_equal(w->g_per_kwh, 473.01, 1e-9); /* OWID World 2024: 473.0065 */
    assert_int_equal(w->year, 2024);
    assert_string_equal(w->basis, "lifecycle");
    assert_string_equal(w->signal, "average");
    assert_string_equal(w->licence, "CC BY 4.0");
    assert_ptr_equal(must("world"), w);
}

static void countries_come_from_owid(void **state) {
    /* owid_carbon_intensity_electricity_2000_2024.csv, "France,FRA,2024,44.18..." although
     * Electricity Maps has FR too (31, 2025): countries keep one method, as WORLD. */
    const aim_zone_info *a = must("fr");
    assert_string_equal(a->code, "FR");
    assert_string_equal(a->name, "France");
    assert_float_equal(a->g_per_kwh, 44.18, 1e-9);
    assert_int_equal(a->year, 2024);
    assert_string_equal(a->licence, "CC BY 4.0");
    /* Kosovo has no ISO-3 code in OWID's file (OWID_KOS) */
    assert_string_equal(must("XK")->code, "XK");
}

static void electricity_maps_sub_zones(void **state) {
    /* electricitymaps_yearly_2025.json: "CA-SK" carbonIntensity 485, "CA-MB" 74,
     * "US-MIDA-PJM" 418, "US-CAL-CISO" 208, "IN-NO" 508, "SE-SE3" 20, "DK-DK1" 112. */
    static const struct {
        const char *code;
        double g;
    } rows[] = {
        { "CA-SK", 485 }, { "CA-MB", 74 },  { "US-MIDA-PJM", 418 }, { "US-CAL-CISO", 208 },
        { "IN-NO", 508 }, { "SE-SE3", 20 }, { "DK-DK1", 112 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const aim_zone_info *z = must(rows[i].code);
        assert_string_equal(z->code, rows[i].code);
        assert_float_equal(z->g_per_kwh, rows[i].g, 1e-9);
        assert_int_equal(z->year, 2025);
        assert_string_equal(z->basis, "lifecycle");
        assert_string_equal(z->licence, "ODbL 1.0 (Electricity Maps)");
    }
    const aim_zone_info *z = must("CA-SK");
    assert_string_equal(z->name, "Saskatchewan, Canada");
    assert_string_equal(must("us_mida_pjm")->code, "US-MIDA-PJM");
    /* Green Algorithms spells Manitoba CA-MT; nobody else does */
    assert_int_equal(aim_zone_lookup("CA-MT", &z), -ENOENT);
}

static void direct_basis(void **state) {
    const aim_zone_info *z = NULL;
    /* electricitymaps_2024_zones_direct_lifecycle.csv, line 262 "...,CA-SK,404.58,487.75,..."
     * and line 224 "...,CA-MB,25.53,52.89,...": the paper's ~16x contrast */
    assert_int_equal(aim_zone_lookup_basis("CA-SK", 0, "direct", &z), 0);
    assert_float_equal(z->g_per_kwh, 404.58, 1e-9);
    assert_int_equal(z->year, 2024);
    assert_string_equal(z->basis, "direct");
    assert_int_equal(aim_zone_lookup_basis("ca-mb", 0, "DIRECT", &z), 0);
    assert_float_equal(z->g_per_kwh, 25.53, 1e-9);
    /* line 245 "...,FR,18.4,33.44,...": OWID has no direct row, so the next table answers */
    assert_int_equal(aim_zone_lookup_basis("FR", 0, "direct", &z), 0);
    assert_float_equal(z->g_per_kwh, 18.4, 1e-9);
    assert_int_equal(aim_zone_lookup_basis("FR", 0, "lifecycle", &z), 0);
    assert_float_equal(z->g_per_kwh, 44.18, 1e-9);
    /* egrid2022_subregion_output_emission_rates.csv "CAMX,WECC California,2022,...,226.5" */
    assert_int_equal(aim_zone_lookup_basis("US-EGRID-CAMX", 0, "lifecycle", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup_basis("US-EGRID-CAMX", 0, NULL, &z), 0);
    assert_float_equal(z->g_per_kwh, 226.5, 1e-9);
    const aim_zone_info *keep = z;
    assert_int_equal(aim_zone_lookup_basis("FR", 0, "unknown", &z), -EINVAL);
    assert_int_equal(aim_zone_lookup_basis("FR", 0, "both", &z), -EINVAL);
    assert_ptr_equal(z, keep);
}

static void official_inventories(void **state) {
    /* egrid2022_subregion_output_emission_rates.csv: "SRVC,...,284.0", "US,U.S. average,...,
     * 375.3" (kept as US-EGRID: the code US is OWID's) */
    const aim_zone_info *z = must("us-egrid-srvc");
    assert_float_equal(z->g_per_kwh, 284.0, 1e-9);
    assert_int_equal(z->year, 2022);
    assert_string_equal(z->basis, "direct");
    assert_string_equal(z->licence, "Public domain (US Government)");
    assert_float_equal(must("US-EGRID")->g_per_kwh, 375.3, 1e-9);
    /* china_grid_emission_factors_2021_2022.csv: "province,北京,Beijing,...,558.0",
     * "province,四川,Sichuan,...,140.4", "regional_grid,华北,North China grid,...,677.6" */
    assert_float_equal(must("CN-BJ")->g_per_kwh, 558.0, 1e-9);
    assert_float_equal(must("CN-SC")->g_per_kwh, 140.4, 1e-9);
    z = must("CN-GRID-NORTH");
    assert_float_equal(z->g_per_kwh, 677.6, 1e-9);
    assert_int_equal(z->year, 2022);
    assert_string_equal(z->basis, "direct");
}

static void green_algorithms_where_nobody_newer(void **state) {
    /* green_algorithms_CI_aggregated.csv: "US-TX,...,409.16" (data from 2020); "AU-ACT,...,
     * 870" (2019): Electricity Maps has neither code. */
    const aim_zone_info *z = must("US-TX");
    assert_float_equal(z->g_per_kwh, 409.16, 1e-9);
    assert_int_equal(z->year, 2020);
    assert_string_equal(z->basis, "direct");
    z = must("au-act");
    assert_float_equal(z->g_per_kwh, 870, 1e-9);
    /* GA's CA-SK (710, 2019) is still in the table, after Electricity Maps' rows */
    int seen = 0;
    for (size_t i = 0; i < aim_zone_count(); i++) {
        z = aim_zone_get(i);
        if (strcmp(z->code, "CA-SK") == 0 && strstr(z->source, "Green Algorithms")) {
            assert_float_equal(z->g_per_kwh, 710, 1e-9);
            assert_int_equal(z->year, 2019);
            seen++;
        }
    }
    assert_int_equal(seen, 1);
}

static void marginal_table(void **state) {
    const aim_zone_info *z = NULL;
    /* IFI_Default_Grid_Factors_2021_v3.1_unfccc.csv, last column (operating margin):
     * "France",...,158; "United States",...,416; "Canada",...,372; "Albania",...,0;
     * "Canary Islands (Spain)",...,753; "Madeira (Portugal)",...,663; "Spain",...,402 */
    assert_int_equal(aim_zone_lookup_signal("FR", 1, &z), 0);
    assert_float_equal(z->g_per_kwh, 158, 1e-9);
    assert_string_equal(z->signal, "marginal");
    assert_string_equal(z->basis, "direct");
    assert_int_equal(z->year, 2021);
    assert_int_equal(aim_zone_lookup_signal("FR", 0, &z), 0);
    assert_float_equal(z->g_per_kwh, 44.18, 1e-9);
    assert_string_equal(z->signal, "average");
    assert_int_equal(aim_zone_lookup_signal("AL", 1, &z), 0);
    assert_float_equal(z->g_per_kwh, 0, 1e-9);
    /* a sub-national zone falls back to its country, and the row says so */
    assert_int_equal(aim_zone_lookup_signal("CA-SK", 1, &z), 0);
    assert_string_equal(z->code, "CA");
    assert_float_equal(z->g_per_kwh, 372, 1e-9);
    assert_int_equal(aim_zone_lookup_signal("US-EGRID-CAMX", 1, &z), 0);
    assert_string_equal(z->code, "US");
    assert_float_equal(z->g_per_kwh, 416, 1e-9);
    /* islands with their own factor: ES-CN-GC stops at ES-CN, not ES */
    assert_int_equal(aim_zone_lookup_signal("es-cn-gc", 1, &z), 0);
    assert_string_equal(z->code, "ES-CN");
    assert_float_equal(z->g_per_kwh, 753, 1e-9);
    assert_int_equal(aim_zone_lookup_signal("ES-IB-MA", 1, &z), 0);
    assert_float_equal(z->g_per_kwh, 402, 1e-9);
    assert_int_equal(aim_zone_lookup_signal("PT-MA", 1, &z), 0);
    assert_float_equal(z->g_per_kwh, 663, 1e-9);
    /* the Channel Islands row gives both Jersey and Guernsey */
    assert_int_equal(aim_zone_lookup_signal("JE", 1, &z), 0);
    assert_int_equal(aim_zone_lookup_signal("GG", 1, &z), 0);
    /* no marginal world figure, and no fallback for an average lookup */
    const aim_zone_info *keep = z;
    assert_int_equal(aim_zone_lookup_signal("WORLD", 1, &z), -ENOENT);
    assert_int_equal(aim_zone_lookup_signal("CA-XX", 0, &z), -ENOENT);
    assert_int_equal(aim_zone_lookup_signal("-", 1, &z), -ENOENT);
    assert_int_equal(aim_zone_lookup_signal("ZZ-", 1, &z), -ENOENT);
    assert_ptr_equal(z, keep);
}

static void cloud_regions(void **state) {
    /* cloud_regions_electricitymaps_intensity_2021_2025.csv: "aws,us-east-1,N. Virginia,
     * US-MIDA-PJM,...", "aws,eu-north-1,Stockholm,SE-SE3,...", "azure,westeurope,West Europe,
     * NL,...", "gcp,us-central1,Southlands Campus,US-CENT-SWPP,..." */
    const aim_cloud_region *r = NULL;
    assert_int_equal(aim_cloud_region_lookup("aws:us-east-1", &r), 0);
    assert_string_equal(r->zone, "US-MIDA-PJM");
    assert_string_equal(r->location, "N. Virginia");
    assert_float_equal(r->lat, 39.0067, 1e-9);
    assert_float_equal(r->lon, -77.4291, 1e-9);
    assert_string_equal(r->licence, "ODbL 1.0 (Electricity Maps)");
    assert_int_equal(aim_cloud_region_lookup("AWS:US_EAST_1", &r), 0);
    assert_string_equal(r->region, "us-east-1");

    const aim_zone_info *z = NULL;
    assert_int_equal(aim_zone_lookup("aws:us-east-1", &z), 0);
    assert_ptr_equal(z, must("US-MIDA-PJM"));
    assert_float_equal(z->g_per_kwh, 418, 1e-9);
    assert_string_equal(must("Aws:Eu-North-1")->code, "SE-SE3");
    assert_string_equal(must("gcp:us-central1")->code, "US-CENT-SWPP");
    /* a country zone: the table's precedence applies, OWID NL 2024 = 253.31 */
    z = must("azure:westeurope");
    assert_string_equal(z->code, "NL");
    assert_float_equal(z->g_per_kwh, 253.31, 1e-9);
    assert_int_equal(aim_zone_lookup_basis("aws:us-east-1", 0, "direct", &z), 0);
    assert_float_equal(z->g_per_kwh, 328.17, 1e-9); /* PJM line 144: 328.17 direct */
    assert_int_equal(aim_zone_lookup_signal("aws:us-east-1", 1, &z), 0);
    assert_string_equal(z->code, "US");
    assert_float_equal(z->g_per_kwh, 416, 1e-9);

    const aim_zone_info *keep = z;
    assert_int_equal(aim_zone_lookup("aws:us-east-9", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("aws:", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup(":us-east-1", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("aws:us-east-1x", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("awsx:us-east-1", &z), -ENOENT);
    assert_int_equal(aim_zone_lookup("aws:us-east-1:x", &z), -ENOENT);
    assert_ptr_equal(z, keep);
    assert_int_equal(aim_cloud_region_lookup("us-east-1", &r), -EINVAL);
    assert_int_equal(aim_cloud_region_lookup(NULL, &r), -EINVAL);
}

static void every_cloud_region_resolves(void **state) {
    size_t n = aim_cloud_region_count(), per[3] = { 0 };
    assert_true(n >= 131); /* AWS 33, GCP 43, Azure 55, and OVH and others */
    for (size_t i = 0; i < n; i++) {
        const aim_cloud_region *r = aim_cloud_region_get(i);
        char name[128];
        snprintf(name, sizeof name, "%s:%s", r->provider, r->region);
        const aim_zone_info *z = NULL;
        assert_int_equal(aim_zone_lookup(name, &z), 0);
        assert_ptr_equal(z, must(r->zone));
        const aim_cloud_region *back = NULL;
        assert_int_equal(aim_cloud_region_lookup(name, &back), 0);
        assert_ptr_equal(back, r); /* names are unique */
        per[0] += strcmp(r->provider, "aws") == 0;
        per[1] += strcmp(r->provider, "gcp") == 0;
        per[2] += strcmp(r->provider, "azure") == 0;
    }
    assert_int_equal(per[0], 33);
    assert_int_equal(per[1], 43);
    assert_int_equal(per[2], 55);
    assert_null(aim_cloud_region_get(n));
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
    assert_int_equal(aim_zone_lookup_signal(NULL, 1, &z), -EINVAL);
    assert_int_equal(aim_zone_lookup_signal("FR", 1, NULL), -EINVAL);
    assert_ptr_equal(z, orig);
    assert_null(aim_zone_get(aim_zone_count()));
}

static void case_and_underscores(void **state) {
    const aim_zone_info *a = must("CA-SK");
    assert_ptr_equal(must("ca-sk"), a);
    assert_ptr_equal(must("CA_SK"), a);
    assert_ptr_equal(must("Ca_sK"), a);
}

/* Every row attributed, and each table's rows unique per (code, signal, basis); an average
 * lookup of any code returns its first average row in table order. */
static void every_row_is_attributed(void **state) {
    size_t n = aim_zone_count();
    assert_true(n > 1200); /* 215 + 703 + 28 + 37 + 74 average rows, 234 marginal */
    int world = 0, odbl = 0, marginal = 0;
    for (size_t i = 0; i < n; i++) {
        const aim_zone_info *z = aim_zone_get(i);
        assert_non_null(z);
        assert_true(z->code[0] != '\0');
        assert_true(z->source && strlen(z->source) > 10);
        assert_true(z->licence && strlen(z->licence) > 5);
        assert_true(z->year >= 2000 && z->year <= 2025);
        assert_true(strcmp(z->basis, "lifecycle") == 0 || strcmp(z->basis, "direct") == 0);
        assert_true(strcmp(z->signal, "average") == 0 || strcmp(z->signal, "marginal") == 0);
        assert_true(z->g_per_kwh >= 0 && z->g_per_kwh < 2000);
        /* share-alike rows carry their licence, and only Electricity Maps data is ODbL */
        int is_em = strncmp(z->source, "Electricity Maps", 16) == 0;
        assert_int_equal(is_em, strncmp(z->licence, "ODbL", 4) == 0);
        odbl += is_em;
        int is_marginal = strcmp(z->signal, "marginal") == 0;
        marginal += is_marginal;
        const aim_zone_info *first = NULL;
        assert_int_equal(aim_zone_lookup_signal(z->code, is_marginal, &first), 0);
        for (size_t j = 0; j < n; j++) { /* the first row of that code and signal */
            const aim_zone_info *y = aim_zone_get(j);
            if (strcmp(y->code, z->code) == 0 && strcmp(y->signal, z->signal) == 0) {
                assert_ptr_equal(first, y);
                break;
            }
        }
        world += strcmp(z->code, "WORLD") == 0;
    }
    assert_int_equal(world, 1);
    assert_int_equal(odbl, 352 + 351); /* every zone in 2025, lifecycle; 2024 direct */
    assert_int_equal(marginal, 234);
}

static void carbon_grams(void **state) {
    /* 3.6 MJ = 1 kWh at 473.01 g/kWh */
    assert_float_equal(aim__carbon_g(3.6e6, 473.01), 473.01, 1e-9);
    /* the paper's 7485 J at Saskatchewan's 2024 direct intensity: 0.8412 g */
    const aim_zone_info *z = NULL;
    assert_int_equal(aim_zone_lookup_basis("CA-SK", 0, "direct", &z), 0);
    assert_float_equal(aim__carbon_g(7485, z->g_per_kwh), 0.8412, 5e-5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(world_is_the_owid_average),
        cmocka_unit_test(countries_come_from_owid),
        cmocka_unit_test(electricity_maps_sub_zones),
        cmocka_unit_test(direct_basis),
        cmocka_unit_test(official_inventories),
        cmocka_unit_test(green_algorithms_where_nobody_newer),
        cmocka_unit_test(marginal_table),
        cmocka_unit_test(cloud_regions),
        cmocka_unit_test(every_cloud_region_resolves),
        cmocka_unit_test(unknown_zones),
        cmocka_unit_test(case_and_underscores),
        cmocka_unit_test(every_row_is_attributed),
        cmocka_unit_test(carbon_grams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
