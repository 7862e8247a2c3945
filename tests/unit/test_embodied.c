/* The embodied-carbon table (data/embodied.csv) and its amortisation. Figures as published:
 * Cloud Carbon Footprint coefficients (GPU card 150 kg, base server 1000 kg, DRAM 533 kg per
 * 384 GB, 4-year lifespan) and Luccioni et al. 2023 for BLOOM (A100 150 kg, GPU node without
 * GPUs 2500 kg, 6 years). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aimeter.h"

static const aim_embodied_info *row(const char *kind, const char *model) {
    const aim_embodied_info *e = NULL;
    assert_int_equal(aim_embodied_lookup(kind, model, &e), 0);
    assert_non_null(e);
    return e;
}

static void amortisation_by_hand(void **state) {
    /* 150 kg over 4 years, one year of it: a quarter */
    assert_float_equal(aim_embodied_amortise(150, 4, 365.25 * 86400), 37.5, 1e-12);
    /* one hour: 150 / (4 x 8766 h) = 150 / 35064 = 0.0042778918... kg */
    assert_float_equal(aim_embodied_amortise(150, 4, 3600), 150.0 / 35064.0, 1e-15);
    /* 8 BLOOM A100s for 10 h: 1200 kg x 10 h / (6 x 8766 h) = 0.228154... kg */
    assert_float_equal(aim_embodied_amortise(1200, 6, 36000), 12000.0 / 52596.0, 1e-15);
    assert_float_equal(aim_embodied_amortise(150, 4, 0), 0, 0);
    assert_true(isnan(aim_embodied_amortise(150, 0, 3600)));
    assert_true(isnan(aim_embodied_amortise(150, -1, 3600)));
    assert_true(isnan(aim_embodied_amortise(-1, 4, 3600)));
    assert_true(isnan(aim_embodied_amortise(150, 4, -1)));
    assert_true(isnan(aim_embodied_amortise(NAN, 4, 1)));
    assert_true(isnan(aim_embodied_amortise(150, INFINITY, 1)));
}

static void class_defaults(void **state) {
    const aim_embodied_info *e = row("gpu", NULL);
    assert_string_equal(e->model, "any");
    assert_float_equal(e->kg_co2e, 150, 0);
    assert_float_equal(e->lifetime_years, 4, 0);
    assert_string_equal(e->unit, "device");
    assert_string_equal(e->licence, "Apache-2.0");
    e = row("server", "");
    assert_float_equal(e->kg_co2e, 1000, 0);
    e = row("dram", NULL);
    assert_string_equal(e->unit, "GB");
    assert_float_equal(e->kg_co2e, 1.388, 0); /* 533 / 384 = 1.38802 */
    e = row("cpu", NULL);
    assert_float_equal(e->kg_co2e, 100, 0);
}

static void models_and_fallback(void **state) {
    const aim_embodied_info *e = row("gpu", "NVIDIA A100 SXM4 80GB");
    assert_float_equal(e->kg_co2e, 150, 0);
    assert_float_equal(e->lifetime_years, 6, 0);
    assert_int_equal(e->year, 2023);
    assert_non_null(strstr(e->source, "BLOOM"));
    /* through the GPU table: an alias and nvidia-smi's spelling reach the same row */
    assert_ptr_equal(row("gpu", "A100 80GB"), e);
    assert_ptr_equal(row("GPU", "NVIDIA A100-SXM4-80GB"), e);
    /* a GPU without a row of its own: the class default, which says so */
    e = row("gpu", "H100");
    assert_string_equal(e->model, "any");
    e = row("gpu", "not a gpu at all");
    assert_string_equal(e->model, "any");
    e = row("server", "gpu-node");
    assert_float_equal(e->kg_co2e, 2500, 0);
    assert_float_equal(e->lifetime_years, 6, 0);
    e = row("server", "cpu node");
    assert_float_equal(e->kg_co2e, 1100, 0);
    assert_int_equal(e->year, 0); /* the page states no date */
    const aim_embodied_info *untouched = (const aim_embodied_info *)&e, *r = untouched;
    assert_int_equal(aim_embodied_lookup("tpu", NULL, &r), -ENOENT);
    assert_int_equal(aim_embodied_lookup(NULL, "x", &r), -EINVAL);
    assert_ptr_equal(r, untouched);
}

static void every_row_is_sourced(void **state) {
    size_t n = aim_embodied_count();
    assert_true(n >= 7);
    assert_null(aim_embodied_get(n));
    for (size_t i = 0; i < n; i++) {
        const aim_embodied_info *e = aim_embodied_get(i);
        assert_true(e->kg_co2e > 0 && e->lifetime_years > 0);
        assert_int_equal(strncmp(e->url, "https://", 8), 0);
        assert_true(*e->source && *e->lifetime_source && *e->licence && *e->scope);
        const aim_embodied_info *d;
        assert_int_equal(aim_embodied_lookup(e->kind, NULL, &d), 0);
        assert_string_equal(d->model, "any");
        if (strcmp(e->model, "any") != 0) {
            assert_int_equal(aim_embodied_lookup(e->kind, e->model, &d), 0);
            assert_ptr_equal(d, e);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amortisation_by_hand),
        cmocka_unit_test(class_defaults),
        cmocka_unit_test(models_and_fallback),
        cmocka_unit_test(every_row_is_sourced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
