/* util/json: the one JSON module (strings, numbers, the dump styles, hand-laid JSON). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "comma_locale.h"

/* The quoted string hand-laid JSON gets for s. */
static char *quoted(const char *s, size_t n) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__json_append_str(&b, s, n);
    char *text = NULL;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    return text;
}

static void invalid_utf8_becomes_replacement_character(void **state) {
    /* a lone continuation byte, a cut sequence, an overlong '/', a surrogate */
    json_t *v = aim__json_str("a\x80" "b\xE2\x82" "c\xC0\xAF" "d\xED\xA0\x80", 64);
    assert_non_null(v);
    assert_string_equal(json_string_value(v), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD"
                                              "c\xEF\xBF\xBD\xEF\xBF\xBD"
                                              "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    json_decref(v);
    /* valid UTF-8 is kept as it is, and n bounds the bytes read */
    v = aim__json_str("Île-de-France", 5);
    assert_string_equal(json_string_value(v), "Île-");
    json_decref(v);
    /* hand-laid JSON follows the same rule (cli_json_string used to copy the bytes raw) */
    char *q = quoted("x\xFFy", 8);
    assert_string_equal(q, "\"x\xEF\xBF\xBDy\"");
    free(q);
}

static void strings_are_escaped_by_jansson(void **state) {
    char *q = quoted("say \"hi\"\\ \n\t\x01/\x7f", (size_t)-1);
    assert_string_equal(q, "\"say \\\"hi\\\"\\\\ \\n\\t\\u0001/\x7f\"");
    free(q);
    q = quoted(NULL, 3);
    assert_string_equal(q, "\"\"");
    free(q);
    json_t *v = aim__json_str_or_null("", 4);
    assert_true(json_is_null(v));
    json_decref(v);
}

static void nan_and_inf_are_null(void **state) {
    const double bad[] = { NAN, INFINITY, -INFINITY };
    for (size_t i = 0; i < 3; i++) {
        json_t *v = aim__json_num(bad[i]);
        assert_true(json_is_null(v));
        json_decref(v);
        aim_strbuf b = AIM_STRBUF_INIT;
        aim__json_append_real(&b, bad[i], 17);
        assert_string_equal(b.data, "null");
        aim__strbuf_free(&b);
    }
    json_t *v = aim__json_count(UINT64_MAX);
    assert_true(json_integer_value(v) == INT64_MAX);
    json_decref(v);
}

static void reals_in_hand_laid_json(void **state) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__json_append_real(&b, 475, 17); /* %.17g, no ".0" added (jansson would) */
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, 0.1, 0);
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, 1.0 / 3, 0);
    assert_string_equal(b.data, "475 0.1 0.33333333333333331");
    aim__strbuf_free(&b);
}

static void dump_styles(void **state) {
    json_t *o = json_object();
    int err = 0;
    aim__json_put(o, "b", aim__json_num(0.1), &err);
    aim__json_put(o, "a", aim__json_time(1763733792345000000LL), &err);
    assert_int_equal(err, 0);
    char *text = NULL;
    assert_int_equal(aim__json_dump(o, &text), 0);
    /* insertion order, 2-space indent, 15 digits (0.1, not 0.10000000000000001), newline */
    assert_string_equal(text, "{\n  \"b\": 0.1,\n  \"a\": \"2025-11-21T14:03:12.345Z\"\n}\n");
    free(text);
    assert_int_equal(aim__json_dump_flags(o, JSON_COMPACT | JSON_PRESERVE_ORDER, 0, &text), 0);
    /* the flags given, and no newline: jansson's default 17 digits here */
    assert_string_equal(text, "{\"b\":0.10000000000000001,\"a\":\"2025-11-21T14:03:12.345Z\"}");
    free(text);
    json_decref(o);
}

static void numbers_ignore_the_locale(void **state) {
    if (!comma_locale_enter())
        skip();
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    assert_string_equal(probe, "1,5"); /* the locale is in force */
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__json_append_real(&b, 6348.88, 17);
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, 0.1, 15);
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, 0.1, 0); /* shortest that reads back */
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, 1.0 / 3, 0); /* 15 digits would not */
    aim__strbuf_putc(&b, ' ');
    aim__json_append_real(&b, -2.5e-300, 0);
    assert_string_equal(b.data, "6348.8800000000001 0.1 0.1 0.33333333333333331 -2.5e-300");
    aim__strbuf_free(&b);
    json_t *v = json_array();
    json_array_append_new(v, aim__json_num(2.5));
    char *text = NULL;
    assert_int_equal(aim__json_dump_flags(v, JSON_COMPACT, 1, &text), 0);
    assert_string_equal(text, "[2.5]\n");
    free(text);
    json_decref(v);
    setlocale(LC_NUMERIC, "C");
}

static void parse_rejects_bad_text_and_duplicate_keys(void **state) {
    char err[128] = "";
    json_t *v = aim__json_parse("{\"a\": 1}", 8, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    assert_null(aim__json_parse("{\"a\": 1, \"a\": 2}", 16, err, sizeof err));
    assert_non_null(strstr(err, "malformed JSON (line 1: duplicate object key"));
    assert_null(aim__json_parse("{\"a\":", 5, err, sizeof err));
    assert_int_equal(strncmp(err, "malformed JSON (line 1: ", 24), 0);
    assert_null(aim__json_parse("[1, 2", 5, NULL, 0)); /* no message wanted */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_utf8_becomes_replacement_character),
        cmocka_unit_test(strings_are_escaped_by_jansson),
        cmocka_unit_test(nan_and_inf_are_null),
        cmocka_unit_test(reals_in_hand_laid_json),
        cmocka_unit_test(dump_styles),
        cmocka_unit_test(numbers_ignore_the_locale),
        cmocka_unit_test(parse_rejects_bad_text_and_duplicate_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
