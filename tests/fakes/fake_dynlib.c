/* A tiny library for test_dynlib: one "new" and one "old" symbol, as a driver upgrade
 * leaves them. */
int fake_add_v2(int a, int b);
int fake_add(int a, int b);
int fake_add_v2(int a, int b) { return a + b + 1000; }
int fake_add(int a, int b) { return a + b; }
