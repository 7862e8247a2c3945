#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"

static void path_join_strips_slashes(void **state) {
    char buf[64];
    assert_int_equal(aim__path_join(buf, sizeof buf, "/tmp/x/", "/sys/class"), 0);
    assert_string_equal(buf, "/tmp/x/sys/class");
    assert_int_equal(aim__path_join(buf, 8, "/tmp/x", "sys/class"), -ENAMETOOLONG);
}

static void scan_u64_parses_and_rejects(void **state) {
    const char *p = "  123 456x";
    uint64_t v;
    assert_int_equal(aim__scan_u64(&p, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(aim__scan_u64(&p, &v), 0);
    assert_int_equal(v, 456);
    assert_int_equal(aim__scan_u64(&p, &v), -EINVAL);
    const char *big = "99999999999999999999999";
    assert_int_equal(aim__scan_u64(&big, &v), -ERANGE);
}

static void read_u64_from_file(void **state) {
    char path[] = "/tmp/aim_fileio_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "4294967296\n", 11), 11);
    uint64_t v = 0;
    assert_int_equal(aim__read_u64(path, &v), 0);
    assert_true(v == 4294967296ull);
    assert_int_equal(aim__pread_u64(fd, &v), 0);
    assert_true(v == 4294967296ull);
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, "abc\n", 4, 0), 4);
    assert_int_equal(aim__read_u64(path, &v), -EINVAL);
    close(fd);
    unlink(path);
    assert_int_equal(aim__read_u64(path, &v), -ENOENT);
}

/* The secret variant reads what the plain one reads, past its growing (4 KiB at first), and
 * refuses a file over max; its wiping of freed copies is not observable from here. */
static void read_secret_alloc_grows_and_limits(void **state) {
    (void)state;
    char path[] = "/tmp/aim_fileio_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static char data[10000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
    close(fd);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(aim__read_secret_alloc(path, 1 << 16, &text, &len), 0);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(text, data, sizeof data);
    assert_int_equal(text[len], '\0');
    aim__free_secret(text, len);
    assert_int_equal(aim__read_secret_alloc(path, 5000, &text, &len), -EFBIG);
    unlink(path);
    assert_int_equal(aim__read_secret_alloc(path, 5000, &text, &len), -ENOENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_join_strips_slashes),
        cmocka_unit_test(scan_u64_parses_and_rejects),
        cmocka_unit_test(read_u64_from_file),
        cmocka_unit_test(read_secret_alloc_grows_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
