/* An agent's job families (report/prometheus_jobs.c): one sample per job with the run labels
 * and `job`, info with state and phase, counters in base units, nothing at all without jobs,
 * promtool's approval, and docs/metrics.md's "Jobs" table equal to the family table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report/prometheus.h"
#include "util/fileio.h"

static const aim_prom_job jobs[] = {
    { "4242", "train", 0, 12.5, 3000.25, 0.5 },
    { "run-77", "", 1, 3, 900, 0.125 },
};

static char *render(int om, int n_jobs) {
    aim_prom_input in = { .host = "node1", .run = "20261207-1", .task = "agent", .phase = "",
                          .duration_s = 60, .energy_j = 5000, .carbon_g = 1,
                          .jobs = n_jobs ? jobs : NULL, .n_jobs = n_jobs };
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(&in, om, &b);
    char *t;
    assert_int_equal(aim__strbuf_steal(&b, &t), 0);
    return t;
}

static void one_sample_per_job(void **unused) {
    char *t = render(0, 2);
    assert_non_null(strstr(t, "# TYPE aimeter_job_info gauge\n"));
    assert_non_null(strstr(t, "aimeter_job_info{host=\"node1\",run=\"20261207-1\",task=\"agent\","
                              "hpc_job=\"4242\",state=\"running\",phase=\"train\"} 1\n"));
    assert_non_null(strstr(t, "aimeter_job_info{host=\"node1\",run=\"20261207-1\",task=\"agent\","
                              "hpc_job=\"run-77\",state=\"ended\"} 1\n"));
    assert_non_null(strstr(t, "# TYPE aimeter_job_energy_joules_total counter\n"));
    assert_non_null(strstr(t, "hpc_job=\"4242\"} 3000.25\n"));
    assert_non_null(strstr(t, "aimeter_job_carbon_grams_total{host=\"node1\",run=\"20261207-1\","
                              "task=\"agent\",hpc_job=\"run-77\"} 0.125\n"));
    assert_non_null(strstr(t, "aimeter_job_duration_seconds{host=\"node1\",run=\"20261207-1\","
                              "task=\"agent\",hpc_job=\"4242\"} 12.5\n"));
    free(t);
    t = render(1, 2); /* OpenMetrics: the families before # EOF, counters named without _total */
    assert_non_null(strstr(t, "# TYPE aimeter_job_energy_joules counter\n# UNIT "
                              "aimeter_job_energy_joules joules\n"));
    assert_true(strstr(t, "aimeter_job_info{") < strstr(t, "# EOF\n"));
    free(t);
    t = render(0, 0); /* a run, or an agent before any job: no job family */
    assert_null(strstr(t, "aimeter_job_"));
    free(t);
}

static void promtool_accepts_them(void **unused) {
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        if (getenv("CI")) /* bootstrap.sh installs it: missing there is a failure */
            fail_msg("promtool is missing (apt-get install prometheus)");
        skip();
    }
    char path[] = "/tmp/aim_prom_jobs_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *t = render(0, 2);
    FILE *f = fdopen(fd, "w");
    fputs(t, f);
    fclose(f);
    free(t);
    char cmd[128], line[512];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    while (fgets(line, sizeof line, p))
        fail_msg("promtool: %s", line);
    int rc = pclose(p);
    remove(path);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
}

/* docs/metrics.md lists each job family as "| `NAME` | TYPE | LABELS | ...". */
static void docs_list_every_job_family(void **unused) {
    static char doc[1 << 17];
    assert_true(aim__read_text(AIM_FIXTURES_DIR "/../../docs/metrics.md", doc, sizeof doc) > 0);
    const aim_prom_family *fam;
    size_t k = aim__prom_job_families(&fam);
    assert_int_equal(k, 4);
    for (size_t i = 0; i < k; i++) {
        char row[256];
        snprintf(row, sizeof row, "| `%s` | %s | %s |", fam[i].name, fam[i].type, fam[i].labels);
        if (!strstr(doc, row))
            fail_msg("docs/metrics.md lacks the job row:\n%s", row);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_sample_per_job),
        cmocka_unit_test(promtool_accepts_them),
        cmocka_unit_test(docs_list_every_job_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
