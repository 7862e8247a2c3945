/* engine/config.c: validation of a measurement's configuration, and the carbon and cost
 * options' setters (PUE, price, price and intensity files). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine/config.h"

static void config_validation(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_true(c->interval_ns == 100000000);
    assert_int_equal(aim_config_set_interval(c, 999999), -EINVAL);
    assert_int_equal(aim_config_set_interval(c, 1000000), 0);
    assert_int_equal(aim_config_set_sources(c, "procfs,rapl"), 0);
    assert_true(aim_config_selects(c, "rapl"));
    assert_false(aim_config_selects(c, "hwmon"));
    assert_false(aim_config_selects(c, "proc"));
    assert_int_equal(aim_config_set_sources(c, "procfs,nosuch"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "procfs,"), 0);
    assert_int_equal(aim_config_set_sources(c, ",procfs"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "all"), 0);
    assert_true(aim_config_selects(c, "hwmon"));
    assert_int_equal(aim_config_set_intensity(c, -1), -EINVAL);
    assert_int_equal(aim_config_set_intensity(c, 120.5), 0);
    assert_int_equal(aim_config_set_name(c, ""), -EINVAL);
    char *argv[] = { "python3", "train.py", "--msg", "hello world", "", NULL };
    assert_int_equal(aim_config_set_command(c, argv), 0);
    assert_string_equal(c->command, "python3 train.py --msg 'hello world' ''");
    assert_int_equal(aim_config_set_zone(c, "no-such-zone"), -EINVAL);
    assert_int_equal(aim_config_set_gpus(c, "0,2"), 0);
    assert_string_equal(c->gpus, "0,2");
    assert_int_equal(aim_config_set_gpus(c, "GPU-8f1c2d3e-aaaa-bbbb,1"), 0);
    const char *bad_gpus[] = { "", ",", "0,", ",1", "0,,1", "0 1", "gpu;0" };
    for (size_t i = 0; i < sizeof bad_gpus / sizeof bad_gpus[0]; i++)
        assert_int_equal(aim_config_set_gpus(c, bad_gpus[i]), -EINVAL);
    assert_string_equal(c->gpus, "GPU-8f1c2d3e-aaaa-bbbb,1"); /* unchanged on error */
    assert_int_equal(aim_config_set_gpus(c, NULL), 0);
    assert_string_equal(c->gpus, "");
    assert_int_equal(aim_config_set_dcgm_host(c, "localhost:5555"), 0);
    assert_int_equal(aim_config_set_dcgm_host(c, "a b"), -EINVAL);
    aim_config_free(c);
    aim_config_free(NULL);
}

static void option_setters(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_true(c->pue == 1.0 && c->price < 0);
    assert_int_equal(aim_config_set_pue(c, "1.25"), 0);
    assert_true(c->pue == 1.25);
    assert_int_equal(aim_config_set_pue(c, "0.9"), -ERANGE);
    assert_int_equal(aim_config_set_pue(c, "7"), -ERANGE);
    assert_int_equal(aim_config_set_pue(c, "1,2"), -EINVAL);
    assert_int_equal(aim_config_set_pue(c, "nope"), -EINVAL);
    assert_int_equal(aim_config_set_pue(c, ""), -EINVAL);
    assert_true(c->pue == 1.25); /* unchanged by the failures */
    double aws;
    const char *src;
    assert_int_equal(aim_pue_lookup("aws", &aws, &src), 0);
    assert_int_equal(aim_config_set_pue(c, "AWS"), 0);
    assert_true(c->pue == aws);
    assert_non_null(strstr(c->pue_source, src));

    assert_int_equal(aim_config_set_price(c, 0.21, "eur"), 0);
    assert_string_equal(c->currency, "EUR");
    assert_int_equal(aim_config_set_price(c, 0.21, "EURO"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, 0.21, "E1R"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, -1, "EUR"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, NAN, "EUR"), -EINVAL);
    assert_int_equal(aim_config_set_price(c, 0.21, NULL), -EINVAL);
    assert_int_equal(aim_config_set_price_file(c, "/tmp/p.csv", "usd"), 0);
    assert_true(c->price < 0); /* the file replaced the constant */
    assert_string_equal(c->currency, "USD");
    assert_int_equal(aim_config_set_price_file(c, "", "USD"), -EINVAL);
    assert_string_equal(c->currency, "USD");
    assert_int_equal(aim_config_set_intensity_file(c, ""), -EINVAL);
    assert_int_equal(aim_config_set_intensity_file(c, NULL), 0);
    aim_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_validation),
        cmocka_unit_test(option_setters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
