/* report/estimate_render.c over hand-made results: the JSON's numbers are the shortest text
 * that reads back (1, not 1.0; 0.1 + 0.2 with 17 digits), its strings are jansson's (invalid
 * UTF-8 becomes U+FFFD, as in every aimeter JSON), and a CPU charged as a whole package
 * reads "1 package". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/estimate_render.h"

static void fill(aim_estimate_result *r) {
    static const char *const sym[AIM_EST_N] = { "t", "n_gpu", "P_gpu", "u_gpu", "n_cores",
                                                "P_core", "u_core", "mem", "P_mem", "PUE",
                                                "CI" };
    memset(r, 0, sizeof *r);
    for (int i = 0; i < AIM_EST_N; i++) {
        r->in[i].symbol = sym[i];
        r->in[i].label = sym[i];
        r->in[i].unit = "";
        r->in[i].value = 1;
        strcpy(r->in[i].source, "test");
    }
}

static void json_numbers_and_strings(void **state) {
    aim_estimate_result r;
    fill(&r);
    r.in[AIM_EST_T].value = 0.1 + 0.2;
    r.in[AIM_EST_CI].value = NAN;
    r.gpu_query = "Z\xff\xfeta"; /* not UTF-8: a user's argument */
    r.footprint.carbon_g = 1e-7;
    char *text = NULL;
    assert_int_equal(aim__render_estimate_json(&r, &text), 0);
    assert_non_null(strstr(text, "{\"symbol\": \"t\", \"name\": \"t\", \"value\": "
                                 "0.30000000000000004, \"unit\": \"\", \"source\": \"test\"}"));
    assert_non_null(strstr(text, "\"symbol\": \"n_gpu\", \"name\": \"n_gpu\", \"value\": 1,"));
    assert_non_null(strstr(text, "\"value\": null"));
    assert_non_null(strstr(text, "\"query\": \"Z\xef\xbf\xbd\xef\xbf\xbdta\""));
    assert_non_null(strstr(text, "\"in_table\": false"));
    assert_non_null(strstr(text, "\"carbon_g\": 1e-07,"));
    assert_non_null(strstr(text, "\"cpu\": null,\n  \"zone\": null,\n"));
    static const char end[] = "  \"embodied\": null\n}\n";
    assert_string_equal(text + strlen(text) - strlen(end), end);
    free(text);
}

static void text_shows_a_whole_package(void **state) {
    aim_estimate_result r;
    fill(&r);
    r.cpu_package = 1;
    r.in[AIM_EST_NCORES].value = 1;
    r.in[AIM_EST_PCORE].value = 360;
    char *text = NULL;
    assert_int_equal(aim__render_estimate_text(&r, &text), 0);
    assert_non_null(strstr(text, "  n_cores  n_cores            1 package      test\n"));
    assert_non_null(strstr(text, "E = 1 h x (1 package x 360 W x 1 + 1 x 1 W x 1 + 1 GB x 1 "
                                 "W/GB) x 1\n"));
    assert_null(strstr(text, "Embodied"));
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_numbers_and_strings),
        cmocka_unit_test(text_shows_a_whole_package),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
