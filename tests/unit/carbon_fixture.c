#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbon_fixture.h"

void carbon_near(double got, double want) {
    if (!(fabs(got - want) <= 1e-12 * fabs(want) + 1e-18))
        fail_msg("got %.17g, want %.17g", got, want);
}

static char tmp_csv[64];

const char *carbon_write_csv(const char *text) {
    snprintf(tmp_csv, sizeof tmp_csv, "/tmp/aim_test_carbon_XXXXXX");
    int fd = mkstemp(tmp_csv);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return tmp_csv;
}
