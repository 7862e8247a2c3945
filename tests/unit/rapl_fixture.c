#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "rapl_fixture.h"
#include "tmptree.h"

void rapl_assert_device(const rig *g, const char *name, aim_device_kind kind) {
    assert_int_equal(rig_device(g, name)->kind, kind);
}

void rapl_put(const char *root, const char *zone, uint64_t uj) {
    char rel[128], text[32];
    snprintf(rel, sizeof rel, "class/powercap/%s/energy_uj", zone);
    snprintf(text, sizeof text, "%llu\n", (unsigned long long)uj);
    assert_int_equal(tmptree_write(root, rel, text), 0);
}

static unsigned denied_mode(void) { return geteuid() == 0 ? 0400 : 0000; }

void rapl_deny_zones(const char *root, const char *const *zones, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "class/powercap/%s/energy_uj", zones[i]);
        assert_int_equal(tmptree_chmod(root, rel, denied_mode()), 0);
    }
}
