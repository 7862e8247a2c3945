/* `aimeter intensity` rendering (report/intensity_render.h) from a hand-made listing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/intensity_render.h"

static const aim_intensity_point points[] = { { 1000, 123.456 }, { 2000, 80 } };

static aim_intensity_listing listing(void) {
    return (aim_intensity_listing){
        .provider = "ukgrid", .zone = "GB", .source = "UK grid API", .note = "",
        .signal = AIM_SIGNAL_AVERAGE, .basis = AIM_BASIS_DIRECT, .fetched_unix_ms = 5000,
        .points = points, .n = 2,
    };
}

static void text_layout(void **state) {
    (void)state;
    aim_intensity_listing l = listing();
    char *text = NULL;
    assert_int_equal(aim__intensity_render(&l, 0, &text), 0);
    assert_string_equal(text,
        "UK grid API\n"
        "zone GB, average signal, direct basis, g CO2e/kWh\n"
        "time (UTC)               g CO2e/kWh\n"
        "1970-01-01T00:00:01Z         123.46\n"
        "1970-01-01T00:00:02Z          80.00\n");
    free(text);
    /* the cache state and a note are said; stale wins over from the cache */
    l.from_cache = 1;
    l.stale = 1;
    l.note = "provider unreachable";
    l.n = 0;
    assert_int_equal(aim__intensity_render(&l, 0, &text), 0);
    assert_string_equal(text,
        "UK grid API\n"
        "zone GB, average signal, direct basis, g CO2e/kWh, stale cache entry\n"
        "note: provider unreachable\n"
        "time (UTC)               g CO2e/kWh\n");
    free(text);
    l.stale = 0;
    assert_int_equal(aim__intensity_render(&l, 0, &text), 0);
    assert_non_null(strstr(text, "g CO2e/kWh, from the cache\n"));
    free(text);
}

static void json_fields(void **state) {
    (void)state;
    aim_intensity_listing l = listing();
    l.from_cache = 1;
    char *text = NULL;
    assert_int_equal(aim__intensity_render(&l, 1, &text), 0);
    size_t len = strlen(text);
    assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "provider")), "ukgrid");
    assert_string_equal(json_string_value(json_object_get(root, "basis")), "direct");
    assert_string_equal(json_string_value(json_object_get(root, "unit")), "gCO2e/kWh");
    assert_string_equal(json_string_value(json_object_get(root, "fetched")), "1970-01-01T00:00:05Z");
    assert_true(json_is_true(json_object_get(root, "from_cache")));
    assert_true(json_is_false(json_object_get(root, "stale")));
    json_t *pts = json_object_get(root, "points");
    assert_int_equal(json_array_size(pts), 2);
    json_t *p0 = json_array_get(pts, 0);
    assert_string_equal(json_string_value(json_object_get(p0, "time")), "1970-01-01T00:00:01Z");
    assert_int_equal(json_integer_value(json_object_get(p0, "t_unix_ms")), 1000);
    assert_true(json_real_value(json_object_get(p0, "g_per_kwh")) == 123.456);
    json_decref(root);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_layout),
        cmocka_unit_test(json_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
