/* Test helper of the carbon tests (test_account.c, test_run_carbon.c, test_choose.c): the
 * fixed start time of their runs, a relative comparison, and a CSV written to a temporary
 * file (an intensity or price file). */
#ifndef AIM_TEST_CARBON_FIXTURE_H
#define AIM_TEST_CARBON_FIXTURE_H

#define T0_MS 1704067200000LL            /* 2024-01-01T00:00:00Z */
#define S_NS 1000000000LL

/* Fails the test unless got is want within a relative 1e-12. */
void carbon_near(double got, double want);

/* Writes text to a new file under /tmp and returns its path (static: valid until the next
 * call). */
const char *carbon_write_csv(const char *text);

#endif
