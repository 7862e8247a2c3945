/* sources/registry.c: the list of sources and their names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "aimeter.h"
#include "engine/config.h"
#include "sources/source.h"

static void source_names_follow_the_registry(void **state) {
    const char *const *names = aim_source_names();
    int n = 0;
    for (; names[n]; n++) {
        assert_string_equal(names[n], aim_sources[n]->name);
        aim_config *c;
        assert_int_equal(aim_config_new(&c), 0);
        assert_int_equal(aim_config_set_sources(c, names[n]), 0); /* every name is accepted */
        aim_config_free(c);
    }
    assert_int_equal(n, aim_source_count);
    assert_ptr_equal(aim_source_names(), names);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source_names_follow_the_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
