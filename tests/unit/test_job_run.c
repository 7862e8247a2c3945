/* The agent's job runs (issue 16, SLURM): the `job info` message (model/job_info.h, the
 * control protocol), the job table keeping it and queueing the ended job (engine/jobs.h),
 * the job's cgroup read from a fixture tree and the run built from it (engine/job_run.h). */
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
#include <sys/stat.h>
#include <unistd.h>

#include "engine/job_run.h"
#include "engine/jobs.h"
#include "engine/live.h"
#include "jobs_fixture.h"
#include "model/control_proto.h"
#include "model/job_info.h"

#define S 1000000000LL

static int parse(const char *text, aim_job_info *info) {
    return aim__job_info_parse(text, strlen(text), info, NULL, 0);
}

static void job_info_is_parsed_and_checked(void **unused) {
    aim_job_info in;
    assert_int_equal(parse("uid=1000 user=alice cgroup=/system.slice/slurmstepd.scope/job_42 "
                           "node=n1 node_rank=3 ranks=8-11,16 gpus=0,2 tag=project=llm",
                           &in), 0);
    assert_true(in.uid == 1000 && in.node_rank == 3 && in.n_tags == 1);
    assert_string_equal(in.user, "alice");
    assert_string_equal(in.cgroup, "/system.slice/slurmstepd.scope/job_42");
    assert_string_equal(in.ranks, "8-11,16");
    assert_string_equal(in.gpus, "0,2");
    assert_string_equal(in.tag_key[0], "project");
    assert_string_equal(in.tag_value[0], "llm");
    assert_int_equal(parse("", &in), 0); /* nothing said: nothing changes */
    assert_true(in.uid == -1 && in.node_rank == -1 && !in.cgroup[0]);
    static const char *const bad[] = {
        "cgroup=relative/path", "cgroup=/a/../../etc", "cgroup=/a b", "uid=-1", "uid=x",
        "node_rank=1e3", "user=al;ice", "ranks=0-3;rm", "color=red", "uid=1 uid=2", "user",
        "tag=9x=1", "tag=k", "tag=a=1 tag=b=1 tag=c=1 tag=d=1 tag=e=1 tag=f=1 tag=g=1 "
        "tag=h=1 tag=i=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &in), -EINVAL);
    /* On the wire: the protocol's parser checks it and says where the words begin. */
    aim_control_msg m;
    char err[128];
    const char *line = "job info uid=7 node=n1";
    assert_int_equal(aim__control_parse(line, strlen(line), &m, err, sizeof err), 0);
    assert_int_equal(m.op, AIM_CTL_JOB_INFO);
    assert_string_equal(line + m.info_off, "uid=7 node=n1");
    line = "job info cgroup=../x";
    assert_int_equal(aim__control_parse(line, strlen(line), &m, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "cgroup"));
}

/* A node tree under dir: /proc/stat with busy µs*100/1e6 jiffies... written by hand. */
static void write_file(const char *dir, const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The node has been busy busy_s CPU-seconds (100 ticks a second, what Linux reports), the
 * job's cgroup job_s seconds and holds mem_mb of the node's 4000 MB in use. */
static void node_state(const char *dir, int busy_s, int job_s, int mem_mb) {
    char text[512];
    long hz = sysconf(_SC_CLK_TCK);
    snprintf(text, sizeof text, "cpu  %ld 0 0 99999 7 0 0 0 0 0\ncpu0 1 2 3 4\nintr 1 2 3\n",
             (long)busy_s * hz);
    write_file(dir, "proc/stat", text);
    write_file(dir, "proc/meminfo",
               "MemTotal:       8192000 kB\nMemFree:  1 kB\nMemAvailable:   4096000 kB\n");
    snprintf(text, sizeof text, "usage_usec %lld\nuser_usec 1\n", (long long)job_s * 1000000);
    write_file(dir, "sys/fs/cgroup/system.slice/job_42/cpu.stat", text);
    snprintf(text, sizeof text, "%lld\n", (long long)mem_mb * 1024 * 1024);
    write_file(dir, "sys/fs/cgroup/system.slice/job_42/memory.current", text);
}

static char tree[256];

static int make_tree(void **unused) {
    snprintf(tree, sizeof tree, "/tmp/aim-jobrun-XXXXXX");
    assert_non_null(mkdtemp(tree));
    char p[400];
    static const char *const dirs[] = { "proc", "sys", "sys/fs", "sys/fs/cgroup",
                                        "sys/fs/cgroup/system.slice",
                                        "sys/fs/cgroup/system.slice/job_42" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tree, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    snprintf(p, sizeof p, "%s/sys", tree);
    setenv("AIMETER_SYSFS_ROOT", p, 1);
    snprintf(p, sizeof p, "%s/proc", tree);
    setenv("AIMETER_PROCFS_ROOT", p, 1);
    return 0;
}

static int remove_tree(void **unused) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
    return system(cmd) == 0 ? 0 : -1;
}

static void an_ended_job_with_info_is_queued_for_its_run(void **unused) {
    aim_live *l;
    assert_int_equal(aim__live_new(0, 2, &l), 0);
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim__jobs_attach_live(j, l);
    jobs_fixture_publish(l, 100, 1);
    node_state(tree, 1000, 50, 0);
    aim_job_info in;
    assert_int_equal(parse("uid=1000 user=alice cgroup=/system.slice/job_42 node=n1 "
                           "node_rank=0 ranks=0-3 gpus=0", &in), 0);
    assert_int_equal(aim__jobs_info(j, "42", &in, 10 * S), 1);
    /* another task of the job on the node: its rank joins, the rest stays */
    aim_job_info more;
    assert_int_equal(parse("ranks=4 node_rank=0", &more), 0);
    assert_int_equal(aim__jobs_info(j, "42", &more, 10 * S), 0);
    assert_int_equal(parse("ranks=0-3", &more), 0);
    assert_int_equal(aim__jobs_info(j, "42", &more, 10 * S), 0);
    /* the job is alice's now: her own messages go, another user's are refused */
    assert_int_equal(aim__jobs_touch_as(j, "42", 1000, 11 * S), 0);
    assert_int_equal(aim__jobs_touch_as(j, "42", 1001, 11 * S), -EPERM);
    /* a job without info (a user's own `aimeter phase`) gets no run */
    assert_int_equal(aim__jobs_touch_as(j, "77", 1001, 11 * S), 1);
    char out[256];
    assert_int_equal(aim__jobs_status_as(j, "77", 1001, 12 * S, 1, out, sizeof out), 0);
    jobs_fixture_publish(l, 600, 6);
    node_state(tree, 1400, 150, 1000); /* the job: 100 of the node's 400 busy CPU-seconds */
    aim_job_ended e;
    assert_int_equal(aim__jobs_take_ended(j, 100 * S, &e, NULL), 0);
    assert_int_equal(aim__jobs_status(j, "42", 20 * S, 1, out, sizeof out), 0);
    assert_string_equal(out, "10 500 5 gpu0=300 cpu0=200");
    assert_int_equal(aim__jobs_take_ended(j, 19 * S, &e, NULL), 0); /* not yet due */
    assert_int_equal(aim__jobs_take_ended(j, 20 * S, &e, NULL), 1);
    assert_int_equal(aim__jobs_take_ended(j, 100 * S, &e, NULL), 0); /* taken once */
    assert_string_equal(e.id, "42");
    assert_true(e.energy_j == 500 && e.carbon_g == 5);
    assert_true(e.dev_j[0] == 300 && e.dev_j[1] == 200);
    assert_true(e.end_mono_ns - e.start_mono_ns == 10 * S);
    assert_true(e.end_wall_ns - e.start_wall_ns == 10 * S);
    assert_true(e.first.cpu_ok && e.last.cpu_ok);
    assert_true(fabs((e.last.cg_cpu_us - e.first.cg_cpu_us) -
                     100e6) < 1 && fabs((e.last.node_busy_us - e.first.node_busy_us) - 400e6) < 1);

    /* The run: the node's energy over the window, the job's shares, its tags. */
    aim_device_summary devs[3] = {
        { .name = "gpu0", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
        { .name = "cpu0", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 },
    };
    aim_run_summary agent = { .id = "20261207-100000-abcdef", .host = "vm", .pue = 1.0,
                              .devices = devs, .n_devices = 2 };
    aim_run_summary run;
    aim_run_tag tags[AIM_JOB_RUN_TAGS];
    size_t nt = 0;
    double attr[AIM_JOB_RUN_DEVICES];
    const char *meth[AIM_JOB_RUN_DEVICES];
    assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
    assert_string_equal(run.name, "job 42");
    assert_string_equal(run.host, "n1");
    assert_int_equal(run.status, AIM_RUN_COMPLETED);
    assert_true(run.total_energy_j == 500 && run.carbon_g == 5);
    assert_true(run.devices[0].energy_j == 300 && run.devices[1].energy_j == 200);
    assert_true(attr[0] == 300);                 /* gpu0: given to the job */
    assert_true(fabs(attr[1] - 50) < 1e-6);      /* cpu0: 100/400 of 200 J */
    aim_run_summary again;
    aim_run_tag t2[AIM_JOB_RUN_TAGS];
    size_t n2;
    assert_int_equal(aim__job_run_build(&e, &agent, &again, t2, &n2, attr, meth), 0);
    assert_string_equal(again.id, run.id);       /* the same window: the same run */
    aim__run_summary_clear(&again);
    static const char *const want[][2] = {
        { "job", "42" }, { "node", "n1" }, { "node_rank", "0" }, { "ranks", "0-3,4" },
        { "user", "alice" }, { "measured_by", "agent" },
        { "agent_run", "20261207-100000-abcdef" }, { "cgroup", "system.slice/job_42" },
    };
    assert_int_equal(nt, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < nt; i++) {
        assert_string_equal(tags[i].key, want[i][0]);
        assert_string_equal(tags[i].value, want[i][1]);
    }
    aim__run_summary_clear(&run);
    /* The agent stops while a job runs: the job's run ends there, interrupted, and says so. */
    assert_int_equal(aim__jobs_info(j, "43", &in, 30 * S), 1);
    aim__jobs_cut_running(j, 40 * S);
    assert_int_equal(aim__jobs_take_ended(j, 40 * S, &e, NULL), 1);
    assert_string_equal(e.id, "43");
    assert_true(e.cut && e.end_mono_ns == 40 * S);
    assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
    assert_int_equal(run.status, AIM_RUN_INTERRUPTED);
    assert_non_null(strstr(run.warnings, "the agent stopped"));
    aim__run_summary_clear(&run);
    aim__jobs_cut_running(j, 50 * S); /* nothing left running: nothing queued */
    assert_int_equal(aim__jobs_take_ended(j, 50 * S, &e, NULL), 0);
    aim__jobs_free(j);
    aim__live_free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(job_info_is_parsed_and_checked),
        cmocka_unit_test_setup_teardown(an_ended_job_with_info_is_queued_for_its_run,
                                        make_tree, remove_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
