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
#include "sources/options.h"

extern const aim_source_ops aim_source_procfs;
extern const aim_source_ops aim_source_nvml;
extern const aim_source_ops aim_source_dcgm;
extern const aim_source_ops aim_source_nvml_pcie;

static void config_validation(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_true(c->interval_ns == 100000000);
    assert_int_equal(aim_config_set_interval(c, 999999), -EINVAL);
    assert_int_equal(aim_config_set_interval(c, 1000000), 0);
    assert_int_equal(aim_config_set_sources(c, "procfs,rapl"), 0);
    assert_true(aim__config_selects(c, "rapl"));
    assert_false(aim__config_selects(c, "hwmon"));
    assert_false(aim__config_selects(c, "proc"));
    assert_int_equal(aim_config_set_sources(c, "procfs,nosuch"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "procfs,"), 0);
    assert_int_equal(aim_config_set_sources(c, ",procfs"), -EINVAL);
    assert_int_equal(aim_config_set_sources(c, "all"), 0);
    assert_true(aim__config_selects(c, "hwmon"));
    assert_int_equal(aim_config_set_intensity(c, -1), -EINVAL);
    assert_int_equal(aim_config_set_intensity(c, 120.5), 0);
    assert_int_equal(aim_config_set_name(c, ""), -EINVAL);
    char *argv[] = { "python3", "train.py", "--msg", "hello world", "", NULL };
    assert_int_equal(aim_config_set_command(c, argv), 0);
    assert_string_equal(c->command, "python3 train.py --msg 'hello world' ''");
    /* a quote inside a quoted word reads back as one word in a POSIX shell */
    char *quoted[] = { "sh", "-c", "mark 'first token'; echo it's", NULL };
    assert_int_equal(aim_config_set_command(c, quoted), 0);
    assert_string_equal(c->command, "sh -c 'mark '\\''first token'\\''; echo it'\\''s'");
    assert_int_equal(aim_config_set_zone(c, "no-such-zone"), -EINVAL);
    aim_config_free(c);
    aim_config_free(NULL);
}

/* The value of key that source ops is handed at open ("" when none). */
static const char *given(const aim_config *c, const aim_source_ops *ops, const char *key) {
    aim_source_setting set[AIM_CONFIG_MAX_SOURCE_OPTIONS];
    aim_source_env env = { .options = set };
    env.n_options = aim__config_source_settings(c, ops, set, AIM_CONFIG_MAX_SOURCE_OPTIONS);
    const char *v = aim__source_env_option(&env, key);
    return v ? v : "";
}

/* --gpus and --dcgm-host as generic options: declared by the sources, checked by their
 * rules, handed to the sources that take them (issue 12). */
static void source_options(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_int_equal(aim_config_set_source_option(c, "nvidia", "gpus", "0,2"), 0);
    assert_string_equal(given(c, &aim_source_nvml, "gpus"), "0,2");
    assert_string_equal(given(c, &aim_source_dcgm, "gpus"), "0,2");
    assert_string_equal(given(c, &aim_source_nvml_pcie, "gpus"), "0,2");
    assert_string_equal(given(c, &aim_source_procfs, "gpus"), ""); /* declares none */
    assert_int_equal(aim_config_set_source_option(c, "nvidia", "gpus", "GPU-8f1c2d3e-aaaa-bbbb,1"),
                     0);
    assert_int_equal(c->n_source_options, 1); /* set again: replaced */
    const char *bad_gpus[] = { "", ",", "0,", ",1", "0,,1", "0 1", "gpu;0" };
    for (size_t i = 0; i < sizeof bad_gpus / sizeof bad_gpus[0]; i++)
        assert_int_equal(aim_config_set_source_option(c, "nvidia", "gpus", bad_gpus[i]),
                         -EINVAL);
    assert_non_null(strstr(c->errmsg, "comma-separated indices or UUIDs"));
    /* unchanged on error */
    assert_string_equal(given(c, &aim_source_nvml, "gpus"), "GPU-8f1c2d3e-aaaa-bbbb,1");
    /* a source's own name wins over its vendor, whatever the order */
    assert_int_equal(aim_config_set_source_option(c, "nvml", "gpus", "1"), 0);
    assert_string_equal(given(c, &aim_source_nvml, "gpus"), "1");
    assert_string_equal(given(c, &aim_source_dcgm, "gpus"), "GPU-8f1c2d3e-aaaa-bbbb,1");
    assert_int_equal(aim_config_set_source_option(c, "nvidia", "gpus", NULL), 0);
    assert_string_equal(given(c, &aim_source_dcgm, "gpus"), "");
    assert_string_equal(given(c, &aim_source_nvml, "gpus"), "1");
    assert_int_equal(aim_config_set_source_option(c, "nvml", "gpus", NULL), 0);
    assert_int_equal(c->n_source_options, 0);

    assert_int_equal(aim_config_set_source_option(c, "dcgm", "host", "localhost:5555"), 0);
    assert_string_equal(given(c, &aim_source_dcgm, "host"), "localhost:5555");
    assert_string_equal(given(c, &aim_source_nvml, "host"), ""); /* nvml takes no host */
    assert_int_equal(aim_config_set_source_option(c, "dcgm", "host", "a b"), -EINVAL);
    assert_string_equal(given(c, &aim_source_dcgm, "host"), "localhost:5555");
    char long_host[300];
    memset(long_host, 'h', sizeof long_host - 1);
    long_host[sizeof long_host - 1] = '\0';
    assert_int_equal(aim_config_set_source_option(c, "dcgm", "host", long_host), -EINVAL);

    /* a wrong name: -ENOENT, and the message names the right ones */
    assert_int_equal(aim_config_set_source_option(c, "amd", "gpus", "0"), -ENOENT);
    assert_non_null(strstr(c->errmsg, "'amd'"));
    assert_non_null(strstr(c->errmsg, "dcgm (nvidia) takes gpus, host"));
    assert_int_equal(aim_config_set_source_option(c, "procfs", "gpus", "0"), -ENOENT);
    assert_int_equal(aim_config_set_source_option(c, NULL, "gpus", "0"), -ENOENT);
    assert_int_equal(aim_config_set_source_option(c, "nvml", "host", "x"), -ENOENT);
    assert_non_null(strstr(c->errmsg, "nvml takes no option 'host'"));
    assert_non_null(strstr(c->errmsg, "nvml (nvidia) takes gpus"));
    assert_null(strstr(c->errmsg, "dcgm"));
    assert_int_equal(aim_config_set_source_option(c, "nvml", "host", NULL), -ENOENT);
    assert_int_equal(aim_config_set_source_option(c, "dcgm", NULL, "x"), -ENOENT);
    assert_int_equal(aim_config_set_source_option(c, "nvidia", "host", "h"), 0); /* dcgm's */
    assert_string_equal(given(c, &aim_source_dcgm, "host"), "localhost:5555");
    assert_int_equal(aim_config_set_source_option(c, "dcgm", "host", "a"), 0);
    assert_string_equal(c->errmsg, ""); /* cleared by a success */

    aim_config *d; /* a copy keeps them */
    assert_int_equal(aim_config_dup(c, &d), 0);
    assert_string_equal(given(d, &aim_source_dcgm, "host"), "a");
    aim_config_free(d);
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
        cmocka_unit_test(source_options),
        cmocka_unit_test(option_setters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
