/* Run tags: the rules for keys and values (model/run_tags.h), aim_config_add_tag, and the
 * run_tags table (store/tags_store.h) written and read back, with the list of tagged runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "model/run_tags.h"
#include "engine/config.h"
#include "store/db.h"
#include "store/tags_store.h"

static void keys_and_values(void **state) {
    (void)state;
    assert_true(aim__tag_key_valid("batch"));
    assert_true(aim__tag_key_valid("lr.schedule-v2_x"));
    assert_true(aim__tag_key_valid("B"));
    assert_false(aim__tag_key_valid(""));
    assert_false(aim__tag_key_valid(NULL));
    assert_false(aim__tag_key_valid("2batch"));
    assert_false(aim__tag_key_valid("_x"));
    assert_false(aim__tag_key_valid("batch size"));
    assert_false(aim__tag_key_valid("a=b"));
    char k[80];
    memset(k, 'k', sizeof k);
    k[63] = '\0';
    assert_true(aim__tag_key_valid(k)); /* 63 bytes */
    k[63] = 'k';
    k[64] = '\0';
    assert_false(aim__tag_key_valid(k));

    assert_true(aim__tag_value_valid(""));
    assert_true(aim__tag_value_valid("32"));
    assert_true(aim__tag_value_valid("résumé, α=0.1 / ok"));
    assert_false(aim__tag_value_valid("a\nb"));
    assert_false(aim__tag_value_valid("tab\there"));
    assert_false(aim__tag_value_valid("\xff"));          /* not UTF-8 */
    assert_false(aim__tag_value_valid("\xc3"));          /* truncated sequence */
    assert_false(aim__tag_value_valid("\xc0\xaf"));      /* overlong '/' */
    assert_false(aim__tag_value_valid("\xed\xa0\x80"));  /* a surrogate */
    assert_false(aim__tag_value_valid("\xf5\x80\x80\x80")); /* past U+10FFFF */
    char v[300];
    memset(v, 'v', sizeof v);
    v[255] = '\0';
    assert_true(aim__tag_value_valid(v));
    v[255] = 'v';
    v[256] = '\0';
    assert_false(aim__tag_value_valid(v));
}

static void config_tags(void **state) {
    (void)state;
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_int_equal(aim_config_add_tag(c, "batch", "32"), 0);
    assert_int_equal(aim_config_add_tag(c, "lr", "0.1"), 0);
    assert_int_equal(aim_config_add_tag(c, "batch", "64"), 0); /* replaces */
    assert_int_equal(c->n_tags, 2);
    assert_string_equal(c->tags[0].key, "batch");
    assert_string_equal(c->tags[0].value, "64");
    assert_int_equal(aim_config_add_tag(c, "bad key", "x"), -EINVAL);
    assert_int_equal(aim_config_add_tag(c, "k", "x\n"), -EINVAL);
    assert_int_equal(aim_config_add_tag(c, "k", NULL), -EINVAL);
    assert_int_equal(c->n_tags, 2);
    aim_config *d;
    assert_int_equal(aim_config_dup(c, &d), 0); /* copied with the rest */
    assert_int_equal(d->n_tags, 2);
    assert_string_equal(d->tags[1].value, "0.1");
    aim_config_free(d);
    for (int i = 2; i < AIM_MAX_TAGS; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(aim_config_add_tag(c, key, "v"), 0);
    }
    assert_int_equal(aim_config_add_tag(c, "one_more", "v"), -E2BIG);
    assert_int_equal(aim_config_add_tag(c, "batch", "128"), 0); /* replacing still works */
    assert_int_equal(aim_config_clear_tags(c), 0);
    assert_int_equal(c->n_tags, 0);
    aim_config_free(c);
}

static void insert_run(aim_db *db, const char *id, int64_t start) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "r");
    run.start_wall_ns = start;
    run.exit_code = -1;
    run.interval_ns = 100000000;
    run.total_energy_j = NAN;
    run.carbon_g = NAN;
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
}

static void stored_and_read_back(void **state) {
    (void)state;
    char dir[] = "/tmp/aim_tags_XXXXXX", path[64], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(path, 0, &db, err, sizeof err), 0);
    insert_run(db, "20260101-000002-bbbb", 2000);
    insert_run(db, "20260101-000001-aaaa", 1000);
    insert_run(db, "20260101-000003-cccc", 3000);
    aim_run_tag t1[] = { { "batch", "32" }, { "lr", "0.1" } };
    aim_run_tag t2[] = { { "batch", "64" } };
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000002-bbbb", t1, 2), 0);
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000001-aaaa", t2, 1), 0);
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000003-cccc", NULL, 0), 0);

    aim_run_tag *got;
    size_t n;
    assert_int_equal(aim__db_run_tags_load(db, "20260101-000002-bbbb", &got, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].key, "batch"); /* by key */
    assert_string_equal(got[0].value, "32");
    assert_string_equal(got[1].key, "lr");
    free(got);
    assert_int_equal(aim__db_run_tags_load(db, "20260101-000003-cccc", &got, &n), 0);
    assert_int_equal(n, 0);
    assert_null(got);

    char (*ids)[40];
    assert_int_equal(aim__db_runs_with_tag(db, "batch", &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "20260101-000001-aaaa"); /* oldest first */
    assert_string_equal(ids[1], "20260101-000002-bbbb");
    free(ids);
    assert_int_equal(aim__db_runs_with_tag(db, "nothing", &ids, &n), 0);
    assert_int_equal(n, 0);
    free(ids);
    aim__db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_and_values),
        cmocka_unit_test(config_tags),
        cmocka_unit_test(stored_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
