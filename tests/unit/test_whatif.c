/* The public what-if (api/whatif.c, aim_whatif_render): zones from the table, an intensity
 * file, the text table and the JSON document, and the errors it says, on a stored run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "data/carbon.h"
#include "whatif_fixture.h"

/* The public entry: zones from the table, a file, the text table and the JSON document. */
static void render_zones_and_file(void **state) {
    char path[128], csv[128];
    snprintf(path, sizeof path, "%s/render.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-render");
    aim__db_close(db);
    snprintf(csv, sizeof csv, "%s/sk.csv", tmpdir);
    FILE *f = fopen(csv, "w");
    fputs("timestamp,g_per_kwh\n2026-01-05T12:00:00Z,100\n2026-01-05T12:00:04.5Z,500\n", f);
    fclose(f);

    aim_store *store;
    assert_int_equal(aim_store_new(&store), 0);
    assert_int_equal(aim_store_open(store, path, 1), 0);
    char *text = NULL;
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "ca-sk,CA-MB", csv, 0,
                                       AIM_FORMAT_JSON, &text), 0);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.whatif/1");
    near(json_real_value(json_object_get(root, "energy_j")), 7505, 1e-12);
    json_t *scs = json_object_get(root, "scenarios");
    assert_int_equal(json_array_size(scs), 4);
    const aim_zone_info *sk, *mb;
    assert_int_equal(aim_zone_lookup("CA-SK", &sk), 0);
    assert_int_equal(aim_zone_lookup("CA-MB", &mb), 0);
    json_t *s0 = json_array_get(scs, 0), *s1 = json_array_get(scs, 1);
    json_t *s2 = json_array_get(scs, 2), *s3 = json_array_get(scs, 3);
    assert_true(json_is_true(json_object_get(s0, "baseline")));
    assert_string_equal(json_string_value(json_object_get(s0, "zone")), "FR");
    near(json_real_value(json_object_get(s0, "carbon_g")), 7505 / 3.6e6 * 56, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s1, "zone")), "CA-SK");
    near(json_real_value(json_object_get(s1, "carbon_g")), 7505 / 3.6e6 * sk->g_per_kwh, 1e-12);
    near(json_real_value(json_object_get(s1, "ratio")), sk->g_per_kwh / 56, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s2, "zone")), "CA-MB");
    near(json_real_value(json_object_get(s2, "intensity_g_per_kwh")), mb->g_per_kwh, 1e-12);
    assert_string_equal(json_string_value(json_object_get(s3, "label")), "sk.csv");
    near(json_real_value(json_object_get(s3, "carbon_g")), 2401600 / 3.6e6, 1e-12);
    json_decref(root);
    free(text);

    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "CA-SK", NULL, 1.5,
                                       AIM_FORMAT_TEXT, &text), 0);
    assert_non_null(strstr(text, "PUE 1.5\n"));
    assert_non_null(strstr(text, "IT energy 7505.00 J"));
    assert_non_null(strstr(text, "\nCA-SK "));
    assert_non_null(strstr(text, "run (FR) "));
    free(text);

    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "XX-NOPE", NULL, 0,
                                       AIM_FORMAT_TEXT, &text), -EINVAL);
    assert_string_equal(aim_store_errmsg(store), "unknown zone 'XX-NOPE' (aimeter zones lists them)");
    assert_int_equal(aim_whatif_render(store, "nope", "FR", NULL, 0, AIM_FORMAT_TEXT, &text), -ENOENT);
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", "FR", NULL, 0.5, AIM_FORMAT_TEXT,
                                       &text), -EINVAL);
    f = fopen(csv, "w");
    fputs("timestamp,g_per_kwh\n2026-01-05T12:00:00Z,100\n2026-01-05T11:00:00Z,5\n", f);
    fclose(f);
    assert_int_equal(aim_whatif_render(store, "20260105-120000-render", NULL, csv, 0, AIM_FORMAT_TEXT,
                                       &text), -EBADMSG);
    assert_non_null(strstr(aim_store_errmsg(store), "sk.csv:3: timestamp is before"));
    aim_store_free(store);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_zones_and_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
