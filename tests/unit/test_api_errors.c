/* One error channel (issue 12, docs/api.md "Conventions"): every public function given bad
 * input returns a negative errno and leaves one line saying why, in the object it works on
 * (aim_store_errmsg, aim_estimate_errmsg, aim_config_errmsg) or, without an object, in the
 * aim_error it was handed. Formats: each output refuses a format it does not have with
 * -EOPNOTSUPP and names those it has. (The correlation result's calls: test_corr_result.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"

static char dir[] = "/tmp/aim-api-errors-XXXXXX";
static char db_path[128];

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(db_path, sizeof db_path, "%s/errors.db", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char p[160];
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", db_path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}

/* An empty store, open for writing (it is created). */
static aim_store *open_store(void) {
    aim_store *st;
    assert_int_equal(aim_store_new(&st), 0);
    if (aim_store_open(st, db_path, 0) < 0)
        fail_msg("open: %s", aim_store_errmsg(st));
    return st;
}

/* The call failed with want and said why: a message of its own, one line. The message is
 * wiped first by the caller (CLEAR), so a stale one from an earlier call does not pass. */
#define SAYS(call, want, msgfn)                                                                \
    do {                                                                                       \
        int r_ = (call);                                                                       \
        if (r_ != (want))                                                                      \
            fail_msg("%s returned %d, not %d", #call, r_, (want));                             \
        const char *m_ = (msgfn);                                                              \
        if (!m_ || !*m_ || strchr(m_, '\n'))                                                   \
            fail_msg("%s: no one-line message (\"%s\")", #call, m_ ? m_ : "(null)");           \
    } while (0)

/* A store's message is cleared by a successful call that sets one; opening again resets
 * nothing, so each check uses a fresh handle. */
static void store_functions_say_why(void **state) {
    (void)state;
    char *text = (char *)"untouched";
    const char *run = "20990101-000000-nope";
    aim_store *st;
#define FRESH() (aim_store_free(st), st = open_store())
    st = open_store();
    SAYS(aim_report_render(st, run, AIM_FORMAT_CSV, &text), -EOPNOTSUPP, aim_store_errmsg(st));
    assert_string_equal(aim_store_errmsg(st),
                        "the report has no csv output (text, json or markdown)");
    FRESH();
    SAYS(aim_report_render(st, run, AIM_FORMAT_TEXT, &text), -ENOENT, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_report_render(st, NULL, AIM_FORMAT_TEXT, &text), -EINVAL, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_store_list_runs(st, AIM_FORMAT_MARKDOWN, 0, &text), -EOPNOTSUPP,
         aim_store_errmsg(st));
    assert_string_equal(aim_store_errmsg(st),
                        "the list of runs has no markdown output (text, json or csv)");
    FRESH();
    SAYS(aim_store_list_runs(st, AIM_FORMAT_TEXT, 0, NULL), -EINVAL, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_whatif_render(st, run, "FR", NULL, 0, AIM_FORMAT_CSV, &text), -EOPNOTSUPP,
         aim_store_errmsg(st));
    FRESH();
    SAYS(aim_whatif_render(st, run, "FR", NULL, 0, AIM_FORMAT_TEXT, &text), -ENOENT,
         aim_store_errmsg(st));
    FRESH();
    SAYS(aim_whatif_hardware_render(st, run, "H100", NULL, 0, AIM_FORMAT_MARKDOWN, &text),
         -EOPNOTSUPP, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_whatif_hardware_render_specs(st, run, "H100", NULL, NULL, 0, AIM_FORMAT_TEXT,
                                          &text),
         -ENOENT, aim_store_errmsg(st));
    FRESH();
    const char *ids[] = { run };
    SAYS(aim_compare_render(st, ids, 1, NULL, NULL, (aim_format)42, &text), -EOPNOTSUPP,
         aim_store_errmsg(st));
    FRESH();
    SAYS(aim_compare_render(st, ids, 1, NULL, NULL, AIM_FORMAT_CSV, &text), -ENOENT,
         aim_store_errmsg(st));
    FRESH();
    aim_forecast_request fq = { .target = 10 };
    SAYS(aim_forecast_render(st, run, &fq, AIM_FORMAT_CSV, &text, NULL), -EOPNOTSUPP,
         aim_store_errmsg(st));
    FRESH();
    SAYS(aim_forecast_render(st, run, &fq, AIM_FORMAT_JSON, &text, NULL), -ENOENT,
         aim_store_errmsg(st));
    FRESH();
    aim_corr_result *res = NULL;
    SAYS(aim_corr_compute(st, run, NULL, 0, 0, &res), -ENOENT, aim_store_errmsg(st));
    FRESH();
    aim_time_range *ranges = NULL;
    size_t n = 0;
    SAYS(aim_store_phase_ranges(st, run, "epoch", &ranges, &n), -ENOENT, aim_store_errmsg(st));
    FRESH();
    char *id = NULL;
    SAYS(aim_store_resolve_run(st, "last", &id), -ENOENT, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_store_resolve_run(st, "last", NULL), -EINVAL, aim_store_errmsg(st));
    FRESH();
    SAYS(aim_store_phase_ranges(st, run, NULL, &ranges, &n), -EINVAL, aim_store_errmsg(st));
    FRESH();
    aim_run_info *info = NULL;
    SAYS(aim_run_info_load(st, run, &info), -ENOENT, aim_store_errmsg(st));
    FRESH();
    aim_samples *smp = NULL;
    SAYS(aim_samples_open(st, run, &smp), -ENOENT, aim_store_errmsg(st));
    assert_string_equal(text, "untouched");
#undef FRESH
    aim_store_free(st);

    /* Not open: every call says so (a fresh handle each, so no message is left over). */
#define UNOPENED() (aim_store_free(st), aim_store_new(&st))
    st = NULL;
    UNOPENED();
    SAYS(aim_report_render(st, run, AIM_FORMAT_TEXT, &text), -EINVAL, aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_store_list_runs(st, AIM_FORMAT_TEXT, 0, &text), -EINVAL, aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_store_phase_ranges(st, run, "epoch", &ranges, &n), -EINVAL, aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_whatif_render(st, run, "FR", NULL, 0, AIM_FORMAT_TEXT, &text), -EINVAL,
         aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_corr_compute(st, run, NULL, 0, 0, &res), -EINVAL, aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_run_info_load(st, run, &info), -EINVAL, aim_store_errmsg(st));
    UNOPENED();
    SAYS(aim_samples_open(st, run, &smp), -EINVAL, aim_store_errmsg(st));
#undef UNOPENED
    aim_store_free(st);
}

static void estimate_says_why(void **state) {
    (void)state;
    aim_estimate *e;
    assert_int_equal(aim_estimate_new(&e), 0);
    char *text = NULL;
    aim_footprint fp;
    SAYS(aim_estimate_render(e, AIM_FORMAT_CSV, &text), -EOPNOTSUPP, aim_estimate_errmsg(e));
    assert_string_equal(aim_estimate_errmsg(e), "the estimate has no csv output (text or json)");
    SAYS(aim_estimate_render(e, AIM_FORMAT_TEXT, &text), -ENODATA, aim_estimate_errmsg(e));
    SAYS(aim_estimate_footprint(e, &fp), -ENODATA, aim_estimate_errmsg(e));
    aim_estimate_request q = { 0 };
    SAYS(aim_estimate_compute(e, &q), -EINVAL, aim_estimate_errmsg(e));
    aim_estimate_free(e);
}

static void config_says_why(void **state) {
    (void)state;
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_string_equal(aim_config_errmsg(c), "");
    /* A fresh configuration for each, so no message is left over from the one before. */
#define FRESH() (aim_config_free(c), aim_config_new(&c))
    SAYS(aim_config_set_provider(c, "nosuchprovider", "DE", 0), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_provider(c, "electricitymaps", NULL, 0), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_interval(c, 10), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_name(c, ""), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_db_path(c, ""), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_sources(c, "procfs,nosuch"), -EINVAL, aim_config_errmsg(c));
    assert_non_null(strstr(aim_config_errmsg(c), "nosuch"));
    FRESH();
    SAYS(aim_config_set_intensity(c, -1), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_zone(c, "XX-NOPE"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_zone(c, NULL), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_metrics(c, "nosuch.metric"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    char longer[200];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    SAYS(aim_config_set_control_socket(c, longer), -ENAMETOOLONG, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_idle_baseline(c, longer), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_target_pid(c, -2), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_intensity_file(c, ""), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_pue(c, "9"), -ERANGE, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_pue(c, "nosuchcloud"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_price(c, 0.2, "EURO"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_price(c, -1, "EUR"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_price_file(c, NULL, "EUR"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_set_location(c, 91, 0), -EINVAL, aim_config_errmsg(c));
    FRESH();
    SAYS(aim_config_add_tag(c, "1bad", "x"), -EINVAL, aim_config_errmsg(c));
    FRESH();
    char key[8];
    for (int i = 0; i < 32; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(aim_config_add_tag(c, key, "v"), 0);
    }
    SAYS(aim_config_add_tag(c, "one_more", "v"), -E2BIG, aim_config_errmsg(c));
#undef FRESH
    aim_config_free(c);
}

/* Without an object: the aim_error handed in; success leaves it clear. */
static void objectless_functions_fill_the_error(void **state) {
    (void)state;
    aim_error err = { .code = 1, .message = "stale" };
    char *text = NULL;
    SAYS(aim_devices_describe(AIM_FORMAT_CSV, &text, &err), -EOPNOTSUPP, err.message);
    assert_int_equal(err.code, -EOPNOTSUPP);
    assert_string_equal(err.message, "the list of devices has no csv output (text or json)");
    SAYS(aim_gpu_table_render(AIM_FORMAT_MARKDOWN, &text, &err), -EOPNOTSUPP, err.message);
    SAYS(aim_gpu_table_render(AIM_FORMAT_TEXT, NULL, &err), -EINVAL, err.message);
    assert_int_equal(aim_gpu_table_render(AIM_FORMAT_JSON, &text, &err), 0);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.message, "");
    free(text);
    aim_zone_info row;
    SAYS(aim_zone_resolve("XX-NOPE", &row, NULL, 0, &err), -EINVAL, err.message);
    SAYS(aim_zone_resolve("FR@1850", &row, NULL, 0, &err), -EINVAL, err.message);
    SAYS(aim_zone_resolve(NULL, &row, NULL, 0, &err), -EINVAL, err.message);
    /* NULL: the errno alone, nothing written. */
    assert_int_equal(aim_zone_resolve("XX-NOPE", &row, NULL, 0, NULL), -EINVAL);
    aim_intensity_request req = { .provider = "ukgrid" };
    SAYS(aim_intensity_fetch_render(&req, AIM_FORMAT_CSV, &text, &err), -EOPNOTSUPP,
         err.message);
    req.direct = 1;
    SAYS(aim_intensity_fetch_render(&req, AIM_FORMAT_TEXT, &text, &err), -EINVAL, err.message);
    SAYS(aim_intensity_fetch_render(NULL, AIM_FORMAT_TEXT, &text, &err), -EINVAL, err.message);
    /* aim_live_fetch refuses without a request: no URL, not http(s), plain http off this
     * machine (192.0.2.1 is TEST-NET-1: nothing is sent). */
    SAYS(aim_live_fetch(NULL, 0, &text, &err), -EINVAL, err.message);
    SAYS(aim_live_fetch("ftp://127.0.0.1/api/live", 0, &text, &err), -EINVAL, err.message);
    SAYS(aim_live_fetch("http://192.0.2.1:10425/api/live", 0, &text, &err), -EPERM, err.message);
    /* aim_live_fetch_with: no options; a token that would add a header line; credentials
     * do not open plain http to another host. */
    SAYS(aim_live_fetch_with(NULL, &text, &err), -EINVAL, err.message);
    aim_live_fetch_options lo = { .url = "http://127.0.0.1:1/api/live",
                                  .bearer_token = "t\r\nX-Evil: 1" };
    SAYS(aim_live_fetch_with(&lo, &text, &err), -EINVAL, err.message);
    lo.url = "http://192.0.2.1:10425/api/live";
    lo.bearer_token = "token";
    SAYS(aim_live_fetch_with(&lo, &text, &err), -EPERM, err.message);
}

static void formats_parse_and_name(void **state) {
    (void)state;
    static const char *const names[] = { "text", "json", "markdown", "csv", "html" };
    for (int f = 0; f < 5; f++) {
        aim_format got = (aim_format)99;
        assert_int_equal(aim_format_parse(names[f], &got), 0);
        assert_int_equal(got, f);
        assert_string_equal(aim_format_name((aim_format)f), names[f]);
    }
    aim_format keep = AIM_FORMAT_CSV;
    assert_int_equal(aim_format_parse("JSON", &keep), -EINVAL); /* exact, as --format takes it */
    assert_int_equal(aim_format_parse("HTML", &keep), -EINVAL);
    assert_int_equal(aim_format_parse(NULL, &keep), -EINVAL);
    assert_int_equal(keep, AIM_FORMAT_CSV);
    assert_null(aim_format_name((aim_format)5));
    assert_null(aim_format_name((aim_format)-1));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_functions_say_why),
        cmocka_unit_test(estimate_says_why),
        cmocka_unit_test(config_says_why),
        cmocka_unit_test(objectless_functions_fill_the_error),
        cmocka_unit_test(formats_parse_and_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
