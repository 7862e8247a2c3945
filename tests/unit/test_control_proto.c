/* The control protocol parser and the locale-independent number parser it uses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <string.h>

#include "model/control_proto.h"
#include "util/number.h"

static int parse(const char *line, aim_control_msg *m, char *err) {
    return aim__control_parse(line, strlen(line), m, err, 128);
}

static void phases_and_marks(void **unused) {
    aim_control_msg m;
    char err[128];
    assert_int_equal(parse("phase begin prefill", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_PHASE_BEGIN);
    assert_string_equal(m.name, "prefill");
    assert_int_equal(parse("phase begin epoch 3  \r", &m, err), 0);
    assert_string_equal(m.name, "epoch 3");
    assert_int_equal(parse("phase end", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_PHASE_END);
    assert_string_equal(m.name, "");
    assert_int_equal(parse("phase   end   decode", &m, err), 0);
    assert_string_equal(m.name, "decode");
    assert_int_equal(parse("mark checkpoint saved", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_MARK);
    assert_string_equal(m.name, "checkpoint saved");
    assert_int_equal(parse("mark époque ✓", &m, err), 0); /* UTF-8 passes */
    assert_int_equal(parse("ping", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_PING);
}

static void records(void **unused) {
    aim_control_msg m;
    char err[128];
    assert_int_equal(parse("record tokens 512", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_RECORD);
    assert_string_equal(m.name, "tokens");
    assert_true(m.value == 512.0);
    assert_int_equal(m.kind, AIM_RECORD_COUNTER);
    assert_int_equal(parse("record loss 2.5e-1", &m, err), 0);
    assert_true(m.value == 0.25);
    assert_int_equal(m.kind, AIM_RECORD_GAUGE);
    assert_int_equal(parse("record loss -3 counter", &m, err), 0);
    assert_int_equal(m.kind, AIM_RECORD_COUNTER);
    assert_int_equal(parse("record prompt_tokens 7 gauge", &m, err), 0);
    assert_int_equal(m.kind, AIM_RECORD_GAUGE);
    assert_int_equal(aim__record_default_kind("prompt_tokens"), AIM_RECORD_COUNTER);
    assert_int_equal(aim__record_default_kind("bytes_total"), AIM_RECORD_COUNTER);
    assert_int_equal(aim__record_default_kind("latency_ms"), AIM_RECORD_GAUGE);
}

static void rejects_with_a_reason(void **unused) {
    static const struct {
        const char *line, *why;
    } bad[] = {
        { "", "empty line" },
        { "   ", "empty line" },
        { "phase", "phase needs begin or end" },
        { "phase start x", "phase needs begin or end" },
        { "phase begin", "a name is missing" },
        { "mark", "a name is missing" },
        { "record", "record needs a key" },
        { "record Tokens 1", "a record key is a-z first" },
        { "record tokens", "record needs a value" },
        { "record tokens 0x10", "not a finite decimal number" },
        { "record tokens nan", "not a finite decimal number" },
        { "record tokens 1e999", "not a finite decimal number" },
        { "record tokens 1,5", "not a finite decimal number" },
        { "record tokens 1 meter", "the kind is counter or gauge" },
        { "record tokens 1 gauge extra", "too many words" },
        { "ping pong", "ping takes no argument" },
        { "launch missiles", "unknown message" },
        { "mark a\tb", "control characters" },
        { "job", "job needs an id, end or status" },
        { "job 1 2", "job takes one word" },
        { "job a/b", "a job id is A-Z" },
        { "job 12345678901234567890123456789012345678901234567890123456789012345",
          "a job id is at most 64 bytes" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aim_control_msg m;
        memset(&m, 0x5a, sizeof m);
        char err[128] = "";
        assert_int_equal(parse(bad[i].line, &m, err), -EINVAL);
        if (!strstr(err, bad[i].why))
            fail_msg("\"%s\": \"%s\" does not say \"%s\"", bad[i].line, err, bad[i].why);
        assert_int_equal(m.name[0], 0x5a); /* untouched */
    }
    char line[AIM_CONTROL_LINE_MAX + 8];
    memset(line, 'a', sizeof line);
    memcpy(line, "mark ", 5);
    aim_control_msg m;
    char err[128];
    assert_int_equal(aim__control_parse(line, AIM_CONTROL_LINE_MAX, &m, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "line too long"));
    /* 129 bytes of name: over the limit; 128: fine */
    char name[160] = "mark ";
    memset(name + 5, 'n', 129);
    name[5 + 129] = '\0';
    assert_int_equal(parse(name, &m, err), -EINVAL);
    name[5 + 128] = '\0';
    assert_int_equal(parse(name, &m, err), 0);
    assert_int_equal(strlen(m.name), 128);
    /* a NUL inside the line is a control character, not the end of it */
    assert_int_equal(aim__control_parse("mark a\0b", 8, &m, err, sizeof err), -EINVAL);
}

static void decimals_ignore_the_locale(void **unused) {
    double v = 0;
    assert_int_equal(aim__parse_decimal("3.25", 4, 0, &v), 0);
    assert_true(v == 3.25);
    /* a decimal-comma locale, as a Python host may set, changes nothing */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        assert_int_equal(aim__parse_decimal("3.25", 4, 0, &v), 0);
        assert_true(v == 3.25);
        assert_int_equal(aim__parse_decimal("3,25", 4, 0, &v), -EINVAL);
        setlocale(LC_NUMERIC, "C");
    }
    assert_int_equal(aim__parse_decimal("-1e3", 4, 1, &v), 0);
    assert_true(v == -1000.0);
    assert_int_equal(aim__parse_decimal("-1", 2, 0, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal(".5", 2, 0, &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(aim__parse_decimal("5.", 2, 0, &v), 0);
    assert_int_equal(aim__parse_decimal(".", 1, 0, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal("1e", 2, 0, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal("12", 1, 0, &v), 0); /* exactly len bytes */
    assert_true(v == 1.0);
    assert_int_equal(aim__parse_decimal("", 0, 1, &v), -EINVAL);
}

/* Issue 11: names reach the store, JSON and terminals; bytes that are not UTF-8 are refused
 * with a reason, and nothing of the line is kept. */
static void invalid_utf8_is_refused(void **unused) {
    static const char *const bad[] = {
        "phase begin caf\xe9",          /* Latin-1 */
        "mark \xc3",                    /* cut short */
        "phase end \xc0\xaf",           /* overlong '/' */
        "mark \xed\xa0\x80",            /* a surrogate */
        "mark \xf4\x90\x80\x80",        /* above U+10FFFF */
        "phase begin \xff\xfe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aim_control_msg m = { .op = AIM_CTL_PING, .name = "untouched" };
        char err[128];
        assert_int_equal(parse(bad[i], &m, err), -EINVAL);
        assert_string_equal(err, "the line is not valid UTF-8");
        assert_string_equal(m.name, "untouched");
    }
    aim_control_msg m;
    char err[128];
    assert_int_equal(parse("phase begin \xf0\x9f\x94\xa5 warm-up", &m, err), 0); /* 4 bytes */
    assert_string_equal(m.name, "\xf0\x9f\x94\xa5 warm-up");
}

/* Issue 14: `job ID` names the connection's job on an agent's socket; `job end` and
 * `job status` ask about it. */
static void jobs(void **unused) {
    aim_control_msg m;
    char err[128];
    assert_int_equal(parse("job 4242", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_JOB);
    assert_string_equal(m.name, "4242");
    assert_int_equal(m.scope_len, 0);
    assert_int_equal(parse("job  1234_[1-5].head:0@x+y \r", &m, err), 0);
    assert_string_equal(m.name, "1234_[1-5].head:0@x+y");
    assert_int_equal(parse("job end", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_JOB_END);
    assert_int_equal(parse("job status", &m, err), 0);
    assert_int_equal(m.op, AIM_CTL_JOB_STATUS);
    char id[80];
    memset(id, '7', 64);
    id[64] = '\0';
    assert_int_equal(aim__job_id_valid(id), 1);
    id[64] = '7';
    id[65] = '\0';
    assert_int_equal(aim__job_id_valid(id), 0);
    assert_int_equal(aim__job_id_valid(""), 0);
    assert_int_equal(aim__job_id_valid("end"), 0);
    assert_int_equal(aim__job_id_valid("a b"), 0);
    assert_int_equal(aim__job_id_valid("x\xc3\xa9"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phases_and_marks),
        cmocka_unit_test(records),
        cmocka_unit_test(rejects_with_a_reason),
        cmocka_unit_test(decimals_ignore_the_locale),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(jobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
