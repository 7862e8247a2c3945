/* Run tags (engine/tags.c): the rules for keys and values (model/run_tags.h) and
 * aim_config_add_tag. Their store is test_tags_store.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "model/run_tags.h"
#include "engine/config.h"

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
    assert_null(aim__config_job_id(c));
    assert_int_equal(aim_config_add_tag(c, "batch", "128"), 0); /* replacing still works */
    assert_int_equal(aim_config_clear_tags(c), 0);
    assert_int_equal(c->n_tags, 0);
    aim_config_free(c);
}

/* The batch job id the exposition labels series with: --tag job wins, then Slurm, PBS,
 * Grid Engine; an empty value is no id. */
static void job_id_from_tags(void **state) {
    (void)state;
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_null(aim__config_job_id(c));
    assert_int_equal(aim_config_add_tag(c, "sge_job", "9"), 0);
    assert_string_equal(aim__config_job_id(c), "9");
    assert_int_equal(aim_config_add_tag(c, "slurm_job", "4242"), 0);
    assert_string_equal(aim__config_job_id(c), "4242");
    assert_int_equal(aim_config_add_tag(c, "job", ""), 0);
    assert_string_equal(aim__config_job_id(c), "4242");
    assert_int_equal(aim_config_add_tag(c, "job", "train-7"), 0);
    assert_string_equal(aim__config_job_id(c), "train-7");
    aim_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_and_values),
        cmocka_unit_test(config_tags),
        cmocka_unit_test(job_id_from_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
