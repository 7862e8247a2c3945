/* store/redact.h: a store location's secrets never shown, whatever the URL's shape; and the
 * store's open (store.c) names a malformed, mistyped or refused URL without them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/redact.h"

static void check(const char *url, const char *want) {
    char out[512];
    aim__store_redact(url, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("redact(%s) = %s, want %s", url, out, want);
}

static void redacts_userinfo_and_parameters(void **state) {
    (void)state;
    check("postgresql://u:s3cret@localhost/db?bogus=1", "postgresql://u:***@localhost/db?bogus=1");
    check("postgres1://u:s3cret@h/db", "postgres1://u:***@h/db");   /* any scheme */
    check("postgresql://u:s3:c@ret@h:5432/db", "postgresql://u:***@h:5432/db");  /* last '@' */
    check("postgresql://u:pw@h1,h2/db#frag", "postgresql://u:***@h1,h2/db#frag");
    check("postgresql://u@/db?host=/tmp&password=s3cret&sslmode=require",
          "postgresql://u@/db?host=/tmp&password=***&sslmode=require");
    check("postgresql:///db?sslpassword=s3cret", "postgresql:///db?sslpassword=***");
    check("postgresql:///db?pass%77ord=s3cret", "postgresql:///db?pass%77ord=***");
    check("postgresql://u:a@h/db?password=b&sslpassword=c",
          "postgresql://u:***@h/db?password=***&sslpassword=***");
    /* Nothing secret: as it is. */
    check("postgresql://u@/db?host=/tmp", "postgresql://u@/db?host=/tmp");
    check("postgresql://u:@h/db", "postgresql://u:@h/db");   /* an empty password */
    check("postgresql:///db?passwords=x&mypassword=y", "postgresql:///db?passwords=x&mypassword=y");
    check("postgresql://h/a:b@c", "postgresql://h/a:b@c");   /* '@' in the path, not userinfo */
    /* File paths are not URLs: a file may be called that. */
    check("/tmp/u:pw@x.db", "/tmp/u:pw@x.db");
    check("runs:u:pw@x.db", "runs:u:pw@x.db");
    check("", "");
    /* Truncated, never past the buffer. */
    char small[12];
    aim__store_redact("postgresql://u:s3cret@h/db", small, sizeof small);
    assert_string_equal(small, "postgresql:");
}

static void scrubs_a_message(void **state) {
    (void)state;
    char msg[128];
    snprintf(msg, sizeof msg, "invalid percent-encoded token: \"s3%%zz\" in s3%%zz");
    aim__store_scrub(msg, sizeof msg, "postgresql://u:s3%zz@h/db");
    assert_string_equal(msg, "invalid percent-encoded token: \"***\" in ***");
    snprintf(msg, sizeof msg, "nothing to hide");
    aim__store_scrub(msg, sizeof msg, "postgresql://u:pw@h/db");
    assert_string_equal(msg, "nothing to hide");
    snprintf(msg, sizeof msg, "pw");
    aim__store_scrub(msg, 4, "postgresql://u:pw@h/db");   /* grows, truncated to size */
    assert_string_equal(msg, "***");
}

/* What the store's open says about a URL of each kind: the secret nowhere. */
static void open_never_echoes_the_secret(void **state) {
    (void)state;
    const char *urls[] = {
        "postgresql://u:s3cret@localhost/db?bogus=1",          /* malformed */
        "postgresql://u:s3cret@[::1/db",                       /* libpq quotes the URL */
        "postgresql://u:s3%zzcret@h/db",                       /* libpq quotes the token */
        "postgres1://u:s3cret@h/db",                           /* a mistyped scheme */
        "postgresql://u@/db?host=/nonexistent-f1&sslpassword=s3cret",
        "postgresql://u@/db?host=/nonexistent-f1&password=s3cret",
        "postgresql://u:s3cret@/db?host=/nonexistent-f1",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char err[512] = "";
        aim_db *db = NULL;
        int r = aim__db_open(urls[i], 1, &db, err, sizeof err);
        if (r == 0 || strstr(err, "s3cret") || strstr(err, "s3%zz"))
            fail_msg("%s: %d, %s", urls[i], r, err);
        assert_true(r == -EINVAL || r == -EPROTONOSUPPORT);
        assert_true(err[0] != '\0');
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(redacts_userinfo_and_parameters),
        cmocka_unit_test(scrubs_a_message),
        cmocka_unit_test(open_never_echoes_the_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
