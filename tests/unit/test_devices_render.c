/* `aimeter devices` rendering (report/devices_render.h) from hand-made probe reports: the
 * text columns, the JSON shape, and the availability rule (model/probe.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/devices_render.h"

static void add_line(aim_probe_report *rep, const char *what, const char *status,
                     const char *detail) {
    aim_probe_line *l = &rep->lines[rep->count++];
    snprintf(l->what, sizeof l->what, "%s", what);
    snprintf(l->status, sizeof l->status, "%s", status);
    snprintf(l->detail, sizeof l->detail, "%s", detail);
}

/* Two sources: rapl with one usable zone, nvml with nothing and no description. */
static aim_source_probe *two_sources(void) {
    aim_source_probe *p = calloc(2, sizeof *p);
    assert_non_null(p);
    p[0].name = "rapl";
    p[0].description = "Intel/AMD RAPL energy counters";
    add_line(&p[0].report, "intel-rapl:0 package-0", "available", "readable");
    add_line(&p[0].report, "intel-rapl:1 dram", "no permission", "run as root");
    p[0].available = aim__probe_available(0, &p[0].report);
    p[1].name = "nvml";
    add_line(&p[1].report, "libnvidia-ml.so.1", "absent", "no NVIDIA driver");
    p[1].available = aim__probe_available(0, &p[1].report);
    return p;
}

static void availability_rule(void **state) {
    (void)state;
    aim_source_probe *p = two_sources();
    assert_true(p[0].available);
    assert_false(p[1].available);
    /* a failed probe is unavailable whatever its lines say */
    assert_false(aim__probe_available(-5, &p[0].report));
    free(p);
}

static void text_columns(void **state) {
    (void)state;
    aim_source_probe *p = two_sources();
    char *text = NULL;
    assert_int_equal(aim__devices_render(p, 2, 0, &text), 0);
    assert_string_equal(text,
        "rapl       available    Intel/AMD RAPL energy counters\n"
        "  intel-rapl:0 package-0                   available      readable\n"
        "  intel-rapl:1 dram                        no permission  run as root\n"
        "nvml       unavailable  \n"
        "  libnvidia-ml.so.1                        absent         no NVIDIA driver\n");
    free(text);
    free(p);
}

static void json_shape(void **state) {
    (void)state;
    aim_source_probe *p = two_sources();
    char *text = NULL;
    assert_int_equal(aim__devices_render(p, 2, 1, &text), 0);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_array_size(root), 2);
    json_t *rapl = json_array_get(root, 0), *nvml = json_array_get(root, 1);
    assert_string_equal(json_string_value(json_object_get(rapl, "source")), "rapl");
    assert_string_equal(json_string_value(json_object_get(rapl, "status")), "available");
    assert_string_equal(json_string_value(json_object_get(nvml, "status")), "unavailable");
    assert_string_equal(json_string_value(json_object_get(nvml, "description")), "");
    json_t *checks = json_object_get(rapl, "checks");
    assert_int_equal(json_array_size(checks), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(checks, 1), "status")),
                        "no permission");
    assert_string_equal(json_string_value(json_object_get(json_array_get(checks, 1), "detail")),
                        "run as root");
    json_decref(root);
    free(text);
    /* no source: an empty list, not an error */
    assert_int_equal(aim__devices_render(p, 0, 1, &text), 0);
    assert_string_equal(text, "[]");
    free(text);
    free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(availability_rule),
        cmocka_unit_test(text_columns),
        cmocka_unit_test(json_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
