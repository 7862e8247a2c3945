/* `aimeter ls --format csv` (report/runs_csv.c): a fixed header, then one tag:KEY column per
 * key any run has, sorted; cells empty where there is no value, quoted only when they must
 * be; the same bytes whatever order the runs' tags are in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/run_tags.h"
#include "report/runs_csv.h"

static void run_of(aim_run_summary *r, const char *id, const char *name, aim_run_status status,
                   int exit_code, double energy_j) {
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->host, sizeof r->host, "node-1");
    snprintf(r->command, sizeof r->command, "python3 train.py");
    r->start_wall_ns = 1795269792000000000LL; /* 2026-11-21T14:03:12Z */
    r->duration_ns = 1500000001LL;
    r->status = status;
    r->exit_code = exit_code;
    r->total_energy_j = energy_j;
    r->carbon_g = isnan(energy_j) ? NAN : 0.25;
}

static void tag(aim_run_summary *r, const char *key, const char *value) {
    aim_run_tag *t = realloc(r->tags, (r->n_tags + 1) * sizeof *t);
    assert_non_null(t);
    r->tags = t;
    snprintf(t[r->n_tags].key, sizeof t[r->n_tags].key, "%s", key);
    snprintf(t[r->n_tags].value, sizeof t[r->n_tags].value, "%s", value);
    r->n_tags++;
}

static void runs_as_csv(void **state) {
    (void)state;
    aim_run_summary runs[3];
    run_of(&runs[0], "20261121-140312-aaaaaa", "train, v2", AIM_RUN_COMPLETED, 0, 1234.5);
    tag(&runs[0], "model", "mlp");
    tag(&runs[0], "batch", "64");
    run_of(&runs[1], "20261121-140311-bbbbbb", "", AIM_RUN_RUNNING, -1, NAN);
    runs[1].stale = 1;
    snprintf(runs[1].command, sizeof runs[1].command, "sh -c \"echo hi\"");
    tag(&runs[1], "note", "a\nb");
    run_of(&runs[2], "20261121-140310-cccccc", "infer", AIM_RUN_FAILED, 3, 2.0);
    char *t = NULL;
    assert_int_equal(aim__runs_render_csv(runs, 3, &t), 0);
    assert_string_equal(t,
        "id,name,start_time,duration_s,status,exit_code,energy_j,carbon_g,host,command,"
        "tag:batch,tag:model,tag:note\n"
        "20261121-140312-aaaaaa,\"train, v2\",2026-11-21T14:03:12.000Z,1.500000001,completed,0,"
        "1234.5,0.25,node-1,python3 train.py,64,mlp,\n"
        "20261121-140311-bbbbbb,,2026-11-21T14:03:12.000Z,1.500000001,incomplete,,,,node-1,"
        "\"sh -c \"\"echo hi\"\"\",,,\"a\nb\"\n"
        "20261121-140310-cccccc,infer,2026-11-21T14:03:12.000Z,1.500000001,failed,3,2,0.25,"
        "node-1,python3 train.py,,,\n");
    /* the tags given in another order: the same bytes */
    char *again = NULL;
    aim_run_tag swap = runs[0].tags[0];
    runs[0].tags[0] = runs[0].tags[1];
    runs[0].tags[1] = swap;
    assert_int_equal(aim__runs_render_csv(runs, 3, &again), 0);
    assert_string_equal(again, t);
    free(again);
    free(t);
    /* no runs: the fixed header alone */
    assert_int_equal(aim__runs_render_csv(NULL, 0, &t), 0);
    assert_string_equal(t, "id,name,start_time,duration_s,status,exit_code,energy_j,carbon_g,"
                           "host,command\n");
    free(t);
    assert_int_equal(aim__runs_render_csv(NULL, 1, &t), -EINVAL);
    for (int i = 0; i < 3; i++)
        free(runs[i].tags);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_as_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
