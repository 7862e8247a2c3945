/* Test helper of the RAPL tests (test_rapl.c, test_rapl_powercap.c): writing and denying
 * powercap zones in a copied fixture tree, and checking a declared device. */
#ifndef AIM_TEST_RAPL_FIXTURE_H
#define AIM_TEST_RAPL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "source_rig.h"

/* Writes uj to class/powercap/ZONE/energy_uj under root. */
void rapl_put(const char *root, const char *zone, uint64_t uj);

/* Makes energy_uj of each zone unreadable to an unprivileged process (0000, or 0400 when
 * the test runs as root and drops privileges in a child). */
void rapl_deny_zones(const char *root, const char *const *zones, size_t n);

/* Fails the test unless the rig declared device name with this kind. */
void rapl_assert_device(const rig *g, const char *name, aim_device_kind kind);

#endif
