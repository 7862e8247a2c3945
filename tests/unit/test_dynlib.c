/* The table-driven loader against a library built from tests/fakes/fake_dynlib.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynlib.h"

typedef struct fake_api {
    int (*add)(int, int);
    int (*optional_missing)(void);
} fake_api;

static const char *const sonames[] = { "libdoes-not-exist.so.1", NULL };

static void loads_override_and_prefers_newest_name(void **state) {
    setenv("AIM_TEST_FAKE_LIB", AIM_FAKE_DYNLIB, 1);
    const aim_dynsym syms[] = {
        { { "fake_add_v3", "fake_add_v2", "fake_add", NULL }, offsetof(fake_api, add), 1 },
        { { "fake_missing", NULL }, offsetof(fake_api, optional_missing), 0 },
    };
    fake_api api;
    memset(&api, 0xff, sizeof api);
    aim_dynlib lib;
    char err[256];
    assert_int_equal(aim__dynlib_open(&lib, sonames, "AIM_TEST_FAKE_LIB", syms, 2, &api, err, sizeof err), 0);
    assert_int_equal(api.add(1, 2), 1003); /* fake_add_v2, the newest that exists */
    assert_null(api.optional_missing);
    assert_string_equal(aim__dynlib_resolved_name(&lib, &syms[0]), "fake_add_v2");
    assert_null(aim__dynlib_resolved_name(&lib, &syms[1]));
    aim__dynlib_close(&lib);
    aim__dynlib_close(&lib); /* twice is harmless */
}

static void old_library_falls_back_to_old_name(void **state) {
    setenv("AIM_TEST_FAKE_LIB", AIM_FAKE_DYNLIB, 1);
    const aim_dynsym syms[] = {
        { { "fake_add_v9", "fake_add", NULL }, offsetof(fake_api, add), 1 },
    };
    fake_api api;
    aim_dynlib lib;
    char err[256];
    assert_int_equal(aim__dynlib_open(&lib, sonames, "AIM_TEST_FAKE_LIB", syms, 1, &api, err, sizeof err), 0);
    assert_int_equal(api.add(1, 2), 3);
    aim__dynlib_close(&lib);
}

static void missing_required_symbol_and_missing_library(void **state) {
    setenv("AIM_TEST_FAKE_LIB", AIM_FAKE_DYNLIB, 1);
    const aim_dynsym syms[] = {
        { { "fake_sub_v2", "fake_sub", NULL }, offsetof(fake_api, add), 1 },
    };
    fake_api api;
    aim_dynlib lib;
    char err[256];
    assert_int_equal(aim__dynlib_open(&lib, sonames, "AIM_TEST_FAKE_LIB", syms, 1, &api, err, sizeof err), -ENOSYS);
    assert_non_null(strstr(err, "fake_sub_v2"));
    assert_null(lib.handle);
    unsetenv("AIM_TEST_FAKE_LIB");
    assert_int_equal(aim__dynlib_open(&lib, sonames, "AIM_TEST_FAKE_LIB", syms, 1, &api, err, sizeof err), -EOPNOTSUPP);
    assert_non_null(strstr(err, "libdoes-not-exist.so.1"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_override_and_prefers_newest_name),
        cmocka_unit_test(old_library_falls_back_to_old_name),
        cmocka_unit_test(missing_required_symbol_and_missing_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
