/* aimeter top's pure parts (src/cli/top.h): /api/live's JSON (rendered by the server's own
 * renderer, live_fixture.c) into the model with its history and carbon rate, bad answers
 * refused, and the layout: sort orders, the views, sparklines in UTF-8 and ASCII, the
 * screen's size limits, the pause marker and the status line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top.h"
#include "live_fixture.h"
#include "util/utf8.h"

static void update(top_model *m, double gpu0_w, double elapsed, double carbon) {
    char *text = live_fixture_json(gpu0_w, elapsed, carbon), err[256] = "";
    assert_int_equal(top_model_update(m, text, strlen(text), err, sizeof err), 0);
    free(text);
}

static char *screen(const top_model *m, const top_screen *s) {
    aim_strbuf b = AIM_STRBUF_INIT;
    top_layout_screen(m, s, &b);
    char *text = NULL;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    return text;
}

/* Where needle starts in t, -1 when absent: orders compared as offsets. */
static long at(const char *t, const char *needle) {
    const char *p = strstr(t, needle);
    return p ? (long)(p - t) : -1;
}

static int line_count(const char *t) {
    int n = 0;
    for (; *t; t++)
        n += *t == '\n';
    return n;
}

static void test_model_reads_the_snapshot(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    assert_true(m.have);
    assert_string_equal(m.run_id, "20261207-120000-abcdef");
    assert_string_equal(m.run_name, "train");
    assert_string_equal(m.host, "node1");
    assert_string_equal(m.phase, "decode");
    assert_true(m.energy_j == 1500.25 && m.power_w == 370);
    assert_int_equal(m.samples, 250);
    assert_int_equal(m.missed_deadlines, 2);
    assert_int_equal(m.n_devices, 3);
    assert_string_equal(m.devices[0].name, "gpu0");
    assert_int_equal(m.devices[0].index, 0);
    assert_true(m.devices[0].power_w == 250);
    assert_true(isnan(m.devices[2].power_w) && isnan(m.devices[2].energy_j));
    assert_int_equal(m.devices[2].index, -1);
    assert_int_equal(m.n_series, 7);
    assert_true(isnan(m.series[4].value)); /* not valid */
    assert_int_equal(m.series[5].instance, 3);
    assert_int_equal(m.n_runs, 1);
    assert_string_equal(m.runs[0].phase, "decode");
    assert_int_equal(m.runs[0].n_records, 0);
    /* The first rate is the run's mean: 0.5 g in 10 s. */
    assert_true(fabs(m.carbon_rate_g_h - 180.0) < 1e-9);
    top_model_clear(&m);
}

static void test_history_and_rate(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 100, 10, 0.5);
    update(&m, 200, 11, 0.6);
    assert_int_equal(m.devices[0].n_history, 2);
    assert_true(m.devices[0].history[0] == 100 && m.devices[0].history[1] == 200);
    assert_true(fabs(m.carbon_rate_g_h - 360.0) < 1e-6); /* 0.1 g in 1 s */
    /* The same snapshot again (a refresh faster than the writer): the rate stays. */
    update(&m, 200, 11, 0.6);
    assert_true(fabs(m.carbon_rate_g_h - 360.0) < 1e-6);
    for (int i = 0; i < TOP_HISTORY + 10; i++)
        update(&m, i, 12 + i, 0.7);
    assert_int_equal(m.devices[0].n_history, TOP_HISTORY);
    assert_true(m.devices[0].history[TOP_HISTORY - 1] == TOP_HISTORY + 9);
    top_model_clear(&m);
}

static void test_bad_answers_leave_the_model(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    char err[256];
    static const char *const bad[] = {
        "", "{", "[]", "{\"schema\":1}", "{\"devices\":[],\"series\":[]}",
        "{\"schema\":1,\"devices\":[],\"series\":[],\"schema\":2}", "<html>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(top_model_update(&m, bad[i], strlen(bad[i]), err, sizeof err), -EINVAL);
        assert_true(err[0] != '\0');
    }
    assert_string_equal(m.run_name, "train");
    assert_int_equal(m.n_devices, 3);
    /* Mistyped fields read as unknown; control characters never reach the terminal. */
    const char *odd = "{\"schema\":1,\"run\":{\"name\":\"a\\u001b[2Jb\"},\"devices\":[{\"name\":5,"
                      "\"power_w\":\"x\"}],\"series\":[{\"valid\":true}],\"runs\":{}}";
    assert_int_equal(top_model_update(&m, odd, strlen(odd), err, sizeof err), 0);
    assert_string_equal(m.run_name, "a?[2Jb");
    assert_string_equal(m.devices[0].name, "");
    assert_true(isnan(m.devices[0].power_w));
    assert_true(isnan(m.series[0].value));
    assert_int_equal(m.n_runs, 0);
    top_model_clear(&m);
}

static void test_devices_view_and_sort(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 50, 10, 0.5); /* gpu0 50 W, 800 J; gpu1 120 W, 700 J */
    top_screen s = { .view = TOP_VIEW_DEVICES, .sort = TOP_SORT_POWER, .width = 120,
                     .height = 40, .source = "http://127.0.0.1:1/api/live", .status = "" };
    char *t = screen(&m, &s);
    assert_non_null(strstr(t, "aimeter top  http://127.0.0.1:1/api/live\n"));
    assert_non_null(strstr(t, "[devices]"));
    long g0 = at(t, "\ngpu0 "), g1 = at(t, "\ngpu1 "), host = at(t, "\nhost ");
    assert_true(g1 >= 0 && g1 < g0 && g0 < host); /* by power, unknown last */
    assert_non_null(strstr(t + g0, "50.0 W"));
    assert_non_null(strstr(t, "rate 180 g/h"));
    assert_int_equal(line_count(t), 40);
    free(t);
    s.sort = TOP_SORT_ENERGY;
    t = screen(&m, &s);
    assert_true(at(t, "\ngpu0 ") >= 0 && at(t, "\ngpu0 ") < at(t, "\ngpu1 "));
    free(t);
    s.sort = TOP_SORT_NAME;
    t = screen(&m, &s);
    assert_true(at(t, "\ngpu0 ") >= 0 && at(t, "\ngpu0 ") < at(t, "\ngpu1 ") &&
                at(t, "\ngpu1 ") < at(t, "\nhost "));
    free(t);
    top_model_clear(&m);
}

static void test_metrics_view_busiest_first(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    top_screen s = { .view = TOP_VIEW_METRICS, .width = 100, .height = 30 };
    char *t = screen(&m, &s);
    assert_non_null(strstr(t, "[metrics]"));
    long g1 = at(t, "gpu.util                 gpu1"), g0 = at(t, "gpu.util                 gpu0"),
         core = at(t, "cpu.core_util[3]"), mem = at(t, "mem.used");
    assert_true(g1 >= 0 && g1 < g0 && g0 < core && core < mem);
    free(t);
    top_model_clear(&m);
}

static void test_runs_view_and_help(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    top_screen s = { .view = TOP_VIEW_RUNS, .width = 120, .height = 20 };
    char *t = screen(&m, &s);
    assert_non_null(strstr(t, "[runs]"));
    assert_non_null(strstr(t, "20261207-120000-abcdef   train"));
    assert_non_null(strstr(t, "decode"));
    free(t);
    /* J per unit from the first record, when the server sends records. */
    m.runs[0].records = realloc(m.runs[0].records, sizeof *m.runs[0].records);
    strcpy(m.runs[0].records[0].key, "sample");
    m.runs[0].records[0].value = 100;
    m.runs[0].n_records = 1;
    t = screen(&m, &s);
    assert_non_null(strstr(t, "15.0 J/sample"));
    free(t);
    s.help = 1;
    t = screen(&m, &s);
    assert_non_null(strstr(t, "q          quit"));
    free(t);
    top_model_clear(&m);
}

/* An agent's answer: its run with the node's records (J/unit from the first), then its jobs
 * under it with their state and phase and no J/unit (a job has no records of its own). */
static void test_runs_view_of_an_agent(void **state) {
    (void)state;
    top_model m = { 0 };
    char *text = live_fixture_agent_json(), err[256] = "";
    assert_int_equal(top_model_update(&m, text, strlen(text), err, sizeof err), 0);
    free(text);
    assert_int_equal(m.n_runs, 3);
    assert_string_equal(m.runs[0].kind, "run");
    assert_int_equal(m.runs[0].n_records, 2);
    assert_string_equal(m.runs[0].records[0].key, "tokens");
    assert_string_equal(m.runs[1].kind, "job");
    assert_string_equal(m.runs[1].id, "111");
    assert_string_equal(m.runs[1].state, "running");
    assert_string_equal(m.runs[2].state, "ended");
    assert_int_equal(m.runs[1].n_records, 0);
    top_screen s = { .view = TOP_VIEW_RUNS, .width = 120, .height = 20 };
    char *t = screen(&m, &s);
    const char *run = strstr(t, "20261207-120000-abcdef"), *j1 = strstr(t, "  job 111 "),
               *j2 = strstr(t, "  job 222 ");
    assert_true(run && j1 && j2 && run < j1 && j1 < j2);
    assert_non_null(strstr(run, "1.50 J/tokens")); /* 1500.25 J / 1000 tokens */
    assert_true(strstr(run, "1.50 J/tokens") < j1);
    /* job 111: running, in train, no J/unit; job 222: ended, no phase */
    char line[200];
    snprintf(line, sizeof line, "%.*s", (int)(strchr(j1, '\n') - j1), j1);
    assert_non_null(strstr(line, "running"));
    assert_non_null(strstr(line, "train"));
    assert_null(strstr(line, "J/"));
    snprintf(line, sizeof line, "%.*s", (int)(strchr(j2, '\n') - j2), j2);
    assert_non_null(strstr(line, "ended"));
    assert_null(strstr(line, "J/"));
    free(t);
    aim_strbuf b = AIM_STRBUF_INIT;
    s.height = 0;
    top_layout_plain(&m, &s, &b);
    assert_non_null(strstr(b.data, "  job 111 "));
    assert_non_null(strstr(b.data, "J/tokens"));
    aim__strbuf_free(&b);
    top_model_clear(&m);
}

static void test_screen_limits_pause_and_status(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    top_screen s = { .view = TOP_VIEW_METRICS, .width = 40, .height = 6, .paused = 1,
                     .source = "http://x", .status = "cannot reach http://x: refused; retrying" };
    char *t = screen(&m, &s);
    assert_int_equal(line_count(t), 6);
    for (char *line = t, *nl; (nl = strchr(line, '\n')); line = nl + 1)
        assert_true(nl - line <= 40);
    assert_non_null(strstr(t, "[paused]"));
    assert_non_null(strstr(t, "cannot reach http://x: refused"));
    free(t);
    top_model none = { 0 };
    s.height = 10;
    s.width = 80;
    t = screen(&none, &s);
    assert_non_null(strstr(t, "waiting for the first snapshot"));
    free(t);
    top_model_clear(&m);
}

static void test_sparkline(void **state) {
    (void)state;
    double v[] = { 0, 50, NAN, 100 };
    aim_strbuf b = AIM_STRBUF_INIT;
    top_sparkline(v, 4, 10, 1, &b);
    aim__strbuf_putc(&b, '\0');
    assert_string_equal(b.data, "▁▅ █");
    b.len = 0;
    top_sparkline(v, 4, 10, 0, &b);
    aim__strbuf_putc(&b, '\0');
    assert_string_equal(b.data, "_= #");
    b.len = 0;
    top_sparkline(v, 4, 2, 0, &b); /* the newest that fit */
    aim__strbuf_putc(&b, '\0');
    assert_string_equal(b.data, " #");
    aim__strbuf_free(&b);
}

static void test_plain_block(void **state) {
    (void)state;
    top_model m = { 0 };
    update(&m, 250, 10, 0.5);
    top_screen s = { .source = "http://127.0.0.1:1/api/live" };
    aim_strbuf b = AIM_STRBUF_INIT;
    top_layout_plain(&m, &s, &b);
    aim__strbuf_putc(&b, '\0');
    const char *t = b.data;
    assert_non_null(strstr(t, "run 20261207-120000-abcdef \"train\"  host node1  zone FR"));
    assert_non_null(strstr(t, "power 370.0 W  energy 1.50 kJ"));
    assert_non_null(strstr(t, "\ngpu0       gpu     NVIDIA A100"));
    assert_null(strstr(t, "POWER HISTORY"));
    assert_null(strstr(t, "mem.used")); /* only ratios among the busiest */
    assert_true(strlen(t) > 2 && strcmp(t + strlen(t) - 2, "\n\n") == 0);
    aim__strbuf_free(&b);
    top_model_clear(&m);
}

/* Server text reaches the terminal only cleaned: C0, DEL and C1 controls (U+009B is a CSI
 * that some terminals obey) and bytes that are not UTF-8 become '?', and a field too long
 * for its place is cut between characters, never inside one (review finding 15). */
static void test_server_text_is_cleaned_and_cut_on_characters(void **state) {
    (void)state;
    char out[16];
    top_clean_copy(out, sizeof out, "a\xc2\x9b" "31mb\x1b[2J\x7f");
    assert_string_equal(out, "a?31mb?[2J?");
    top_clean_copy(out, sizeof out, "\xc2\x80\xc2\x9f\xc2\xa0|\x9b\xff");
    assert_string_equal(out, "??\xc2\xa0|??"); /* U+00A0 is text, not a control */
    /* 8 x U+00E9 is 16 bytes: 7 fit with the NUL, the 8th is left out whole. */
    top_clean_copy(out, sizeof out, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_int_equal(strlen(out), 14);
    assert_true(aim__utf8_valid(out, strlen(out)));
    top_clean_copy(out, 4, "ab\xe2\x82\xac"); /* the euro sign does not fit in 1 byte */
    assert_string_equal(out, "ab");

    static const char json[] =
        "{\"schema\":1,\"run\":{\"id\":\"x\",\"name\":\"a\\u009b31mb\\u001b\",\"host\":\"h\\u0085\"},"
        "\"phase\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\","
        "\"devices\":[{\"name\":\"\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac"
        "\\u20ac\\u20ac\\u20ac\",\"kind\":\"gpu\\u009b\"}],\"series\":[],"
        "\"runs\":[{\"kind\":\"run\",\"id\":\"x\",\"records\":{\"t\\u009bk\":1}}]}";
    top_model m = { 0 };
    char err[256];
    assert_int_equal(top_model_update(&m, json, strlen(json), err, sizeof err), 0);
    assert_string_equal(m.run_name, "a?31mb?");
    assert_string_equal(m.host, "h?");
    assert_string_equal(m.devices[0].kind, "gpu?");
    /* 11 euro signs (33 bytes) in 32: ten whole ones. 34 x U+00E9 (68 bytes) in 64: 31. */
    assert_int_equal(strlen(m.devices[0].name), 30);
    assert_int_equal(strlen(m.phase), 62);
    assert_true(aim__utf8_valid(m.phase, strlen(m.phase)));
    assert_string_equal(m.runs[0].records[0].key, "t?k");
    top_model_clear(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_reads_the_snapshot),
        cmocka_unit_test(test_history_and_rate),
        cmocka_unit_test(test_bad_answers_leave_the_model),
        cmocka_unit_test(test_devices_view_and_sort),
        cmocka_unit_test(test_metrics_view_busiest_first),
        cmocka_unit_test(test_runs_view_and_help),
        cmocka_unit_test(test_runs_view_of_an_agent),
        cmocka_unit_test(test_screen_limits_pause_and_status),
        cmocka_unit_test(test_sparkline),
        cmocka_unit_test(test_plain_block),
        cmocka_unit_test(test_server_text_is_cleaned_and_cut_on_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
