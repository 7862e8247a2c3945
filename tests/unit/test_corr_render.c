/* The correlation renderers (report/corr_render.c): what `aimeter corr` prints in text, CSV
 * and JSON, the report's correlation sections, and the derived pairs in every one of them,
 * on a stored run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "aimeter.h"
#include "corr_store_fixture.h"
#include "processing/corr.h"
#include "report/corr_report.h"
#include "store/corr_store.h"
#include "store/db.h"


/* What `aimeter corr` prints, by shape. */
static void exec_sql(const char *sql) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

/* Issue 11, through the store and every output: cpu0's power and energy estimated by
 * aimeter's model from the host's CPU use are derived from it (listed apart, with why), not
 * a finding; a matrix stored before its series' spread was counted is replayed. */
static void test_derived_in_every_format(void **state) {
    (void)state;
    two_groups *d = calloc(1, sizeof *d);
    aim_corr_matrix *live;
    make_stored_run(d, &live);
    aim__corr_matrix_free(live);
    exec_sql("UPDATE series SET method = 'estimated' WHERE slot IN (1, 2)");
    aim_store *st = open_store();
    aim_corr_result *res;
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, 0, &res), 0);
    aim_corr_info in;
    aim_corr_get_info(res, &in);
    assert_false(in.recomputed);
    assert_int_equal(in.n_derived, 1);
    assert_int_equal(in.min_spread, AIM_CORR_MIN_SPREAD);
    aim_corr_pair p[8];
    size_t nder = 0;
    assert_int_equal(aim_corr_pairs(res, AIM_CORR_DERIVED, 0, p, 8, &nder), 0);
    assert_int_equal(nder, 1);
    assert_int_equal(p[0].a, 0); /* host CPU use */
    assert_int_equal(p[0].b, 1); /* cpu0 power */
    size_t npos = 0;
    assert_int_equal(aim_corr_pairs(res, AIM_CORR_POSITIVE, 0, p, 8, &npos), 0);
    for (size_t k = 0; k < npos && k < 8; k++)
        assert_false(p[k].a == 0 && (p[k].b == 1 || p[k].b == 2));
    char *text = NULL;
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_TEXT, 0, 0, 5, &text), 0);
    assert_non_null(strstr(text, "Derived (one computed from the other by aimeter's own model"));
    assert_non_null(strstr(text, "aimeter estimates CPU power as a straight line in CPU use"));
    free(text);
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_CSV, 0, 0, 5, &text), 0);
    assert_non_null(strstr(text, "\nderived,host.cpu.util,cpu0.power,"));
    free(text);
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_JSON, 0, 0, 5, &text), 0);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    assert_non_null(root);
    json_t *der = json_object_get(root, "derived");
    assert_int_equal(json_array_size(der), 1);
    assert_non_null(json_string_value(json_object_get(json_array_get(der, 0), "why")));
    assert_int_equal(json_integer_value(json_object_get(root, "n_derived")), 1);
    json_decref(root);
    free(text);
    aim_corr_result_free(res);
    /* the report's sections read the same */
    aim_run_summary run;
    aim_db *db;
    char err[256];
    assert_int_equal(aim__db_open(db_path, 0, &db, err, sizeof err), 0);
    assert_int_equal(aim__db_load_summary(db, "corr-run", &run), 0);
    assert_int_equal(aim__db_corr_load(db, "corr-run", &run.corr), 0); /* as render.c does */
    aim__db_close(db);
    assert_non_null(run.corr);
    assert_int_equal(aim__corr_res_build(&run, run.corr, 0, 0, &res), 0); /* as render.c does */
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__corr_report_text(&b, res);
    aim__corr_report_markdown(&b, res);
    aim__corr_res_free(res);
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    assert_non_null(strstr(text, "Derived (one computed"));
    assert_non_null(strstr(text, "\nDerived (one computed"));
    free(text);
    aim__run_summary_clear(&run);
    /* a matrix stored before schema 9 counted no spread: replayed */
    exec_sql("UPDATE correlations SET spread = NULL");
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, 0, &res), 0);
    aim_corr_get_info(res, &in);
    assert_true(in.recomputed);
    assert_int_equal(in.n_derived, 1);
    aim_corr_result_free(res);
    aim_store_free(st);
    free(d);
}

static void test_render(void **state) {
    (void)state;
    two_groups *d = calloc(1, sizeof *d);
    aim_corr_matrix *live;
    make_stored_run(d, &live);
    aim__corr_matrix_free(live);
    aim_store *st = open_store();
    aim_corr_result *res;
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, 0, &res), 0);
    char *text = NULL;
    /* the CSV matrix: a header and a row per series, each with NSLOT + 1 fields */
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_CSV, 1, 0, 0, &text), 0);
    int lines = 0, commas = 0;
    for (char *p = text; *p; p++) {
        lines += *p == '\n';
        commas += *p == ',';
    }
    assert_int_equal(lines, NSLOT + 1);
    assert_int_equal(commas, (NSLOT + 1) * NSLOT);
    assert_true(strncmp(text, "series,host.cpu.util,cpu0.power,rate(cpu0.energy),", 50) == 0);
    free(text);
    /* the JSON matrix parses and is square */
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_JSON, 1, 0.5, 0, &text), 0);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")),
                        "aimeter.corr-matrix/1");
    json_t *r = json_object_get(root, "r");
    assert_int_equal(json_array_size(r), NSLOT);
    assert_int_equal(json_array_size(json_array_get(r, 0)), NSLOT);
    assert_true(json_real_value(json_array_get(json_array_get(r, 1), 1)) == 1.0);
    json_decref(root);
    free(text);
    /* findings: top 1 per sign */
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_JSON, 0, 0, 1, &text), 0);
    root = json_loads(text, 0, &jerr);
    assert_non_null(root);
    assert_true(json_array_size(json_object_get(root, "positive")) <= 1);
    assert_int_equal(json_array_size(json_object_get(root, "series")), NSLOT);
    json_decref(root);
    free(text);
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_TEXT, 0, 0, 5, &text), 0);
    assert_non_null(strstr(text, "Pearson r over 1500 ticks of the 10 ms grid"));
    free(text);
    assert_int_equal(aim_corr_render(res, (aim_format)42, 0, 0, 5, &text), -EOPNOTSUPP);
    assert_int_equal(aim_corr_render(res, AIM_FORMAT_TEXT, 0, 1.5, 5, &text), -EINVAL);
    aim_corr_result_free(res);
    aim_store_free(st);
    free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_render, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_derived_in_every_format, store_setup,
                                        store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
