/* The log callback: messages logged while none is set are kept (the last 16) and reach the
 * next callback, in order, before aim_set_log_callback returns; later ones go straight to
 * it; removing it starts keeping again. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "util/log.h"

static char got[64][64];
static aim_log_level got_level[64];
static int n_got;

static void collect(aim_log_level level, const char *message, void *userdata) {
    assert_ptr_equal(userdata, got);
    if (n_got < 64) {
        snprintf(got[n_got], sizeof got[n_got], "%s", message);
        got_level[n_got++] = level;
    }
}

static void kept_until_a_callback_is_set(void **state) {
    aim_set_log_callback(NULL, NULL);
    n_got = 0;
    for (int i = 0; i < 20; i++)
        aim__log(i % 2 ? AIM_LOG_WARNING : AIM_LOG_INFO, "message %d", i);
    assert_int_equal(n_got, 0);
    aim_set_log_callback(collect, got);
    assert_int_equal(n_got, 16); /* the oldest four went */
    for (int i = 0; i < 16; i++) {
        char want[32];
        snprintf(want, sizeof want, "message %d", i + 4);
        assert_string_equal(got[i], want);
        assert_int_equal(got_level[i], (i + 4) % 2 ? AIM_LOG_WARNING : AIM_LOG_INFO);
    }
    aim__log(AIM_LOG_ERROR, "direct");
    assert_int_equal(n_got, 17);
    assert_string_equal(got[16], "direct");

    /* delivered once: setting the same callback again repeats nothing */
    aim_set_log_callback(collect, got);
    assert_int_equal(n_got, 17);

    aim_set_log_callback(NULL, NULL);
    aim__log(AIM_LOG_WARNING, "while none was set");
    assert_int_equal(n_got, 17);
    aim_set_log_callback(collect, got);
    assert_int_equal(n_got, 18);
    assert_string_equal(got[17], "while none was set");
    aim_set_log_callback(NULL, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kept_until_a_callback_is_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
