/* The Host and Origin checks of the HTTP server (serve/web_origin.h): the names a server
 * without credentials answers to (DNS rebinding), and a POST's own origin. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "serve/web_origin.h"

static void test_host(void **state) {
    (void)state;
    static const char *const ok[] = {
        "127.0.0.1", "127.0.0.1:10426", "localhost", "LocalHost:80", "[::1]", "[::1]:10426",
        "[0:0:0:0:0:0:0:1]:1",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!aim__web_host_ok(ok[i], "127.0.0.1"))
            fail_msg("refused %s", ok[i]);
    static const char *const refused[] = {
        "evil.example", "evil.example:10426", "127.0.0.1.evil.example", "localhost.evil",
        "127.0.0.2", "127.0.0.1:", "127.0.0.1:123456", "127.0.0.1:80x", "[::1", "::1",
        "[::1]x", "", ":80", "[]", "localhost:80:80", "0.0.0.0", "[::]",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (aim__web_host_ok(refused[i], "127.0.0.1"))
            fail_msg("took %s", refused[i]);
    /* the address listened on, as an address: IPv4 bare, IPv6 in brackets */
    assert_true(aim__web_host_ok("127.0.0.2:9", "127.0.0.2"));
    assert_true(aim__web_host_ok("[::2]:9", "::2"));
    assert_true(aim__web_host_ok("[0::2]", "::2"));
    assert_false(aim__web_host_ok("[::2]", "127.0.0.2"));
    assert_false(aim__web_host_ok("[::ffff:127.0.0.2]", "127.0.0.2"));
    assert_true(aim__web_host_ok(NULL, "127.0.0.1")); /* HTTP/1.0 without a Host */
    assert_true(aim__web_host_ok("localhost", NULL));
}

static void test_origin(void **state) {
    (void)state;
    assert_true(aim__web_origin_ok(NULL, "127.0.0.1:8", 0));
    assert_true(aim__web_origin_ok("http://127.0.0.1:8", "127.0.0.1:8", 0));
    assert_true(aim__web_origin_ok("HTTP://LOCALHOST:8", "localhost:8", 0));
    assert_true(aim__web_origin_ok("https://[::1]:8", "[::1]:8", 1));
    assert_false(aim__web_origin_ok("http://127.0.0.1:8", "127.0.0.1:8", 1));
    assert_false(aim__web_origin_ok("https://127.0.0.1:8", "127.0.0.1:8", 0));
    assert_false(aim__web_origin_ok("http://evil.example", "127.0.0.1:8", 0));
    assert_false(aim__web_origin_ok("http://127.0.0.1:9", "127.0.0.1:8", 0));
    assert_false(aim__web_origin_ok("null", "127.0.0.1:8", 0));
    assert_false(aim__web_origin_ok("http://127.0.0.1:8", NULL, 0));
    assert_false(aim__web_origin_ok("", "127.0.0.1:8", 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
