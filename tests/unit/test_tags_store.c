/* The run_tags table (store/tags_store.h, store/sql/tags_store.c) written and read back,
 * with the list of tagged runs. */
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

#include "aimeter.h"
#include "store/db.h"
#include "store/tags_store.h"
#include "store_rig.h"

static void insert_run(aim_db *db, const char *id, int64_t start) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "r");
    run.start_wall_ns = start;
    run.exit_code = -1;
    run.interval_ns = 100000000;
    run.total_energy_j = NAN;
    run.carbon_g = NAN;
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
}

static void stored_and_read_back(void **state) {
    (void)state;
    char dir[] = "/tmp/aim_tags_XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    store_rig_location(path, sizeof path, dir, "t.db");
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(path, 0, &db, err, sizeof err), 0);
    insert_run(db, "20260101-000002-bbbb", 2000);
    insert_run(db, "20260101-000001-aaaa", 1000);
    insert_run(db, "20260101-000003-cccc", 3000);
    aim_run_tag t1[] = { { "batch", "32" }, { "lr", "0.1" } };
    aim_run_tag t2[] = { { "batch", "64" } };
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000002-bbbb", t1, 2), 0);
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000001-aaaa", t2, 1), 0);
    assert_int_equal(aim__db_run_tags_store(db, "20260101-000003-cccc", NULL, 0), 0);

    aim_run_tag *got;
    size_t n;
    assert_int_equal(aim__db_run_tags_load(db, "20260101-000002-bbbb", &got, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].key, "batch"); /* by key */
    assert_string_equal(got[0].value, "32");
    assert_string_equal(got[1].key, "lr");
    free(got);
    assert_int_equal(aim__db_run_tags_load(db, "20260101-000003-cccc", &got, &n), 0);
    assert_int_equal(n, 0);
    assert_null(got);

    char (*ids)[40];
    assert_int_equal(aim__db_runs_with_tag(db, "batch", &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "20260101-000001-aaaa"); /* oldest first */
    assert_string_equal(ids[1], "20260101-000002-bbbb");
    free(ids);
    assert_int_equal(aim__db_runs_with_tag(db, "nothing", &ids, &n), 0);
    assert_int_equal(n, 0);
    free(ids);
    aim__db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
