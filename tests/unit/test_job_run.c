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
#include "engine/job_tags.h"
#include "engine/jobs.h"
#include "engine/live.h"
#include "jobs_fixture.h"
#include "model/control_proto.h"
#include "model/job_info.h"
#include "model/job_slots.h"

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
        "tag=9x=1", "tag=k", ("tag=a=1 tag=b=1 tag=c=1 tag=d=1 tag=e=1 tag=f=1 tag=g=1 "
                              "tag=h=1 tag=i=1"),
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
    /* the job's figures: its GPU (300 J) and its CPU share (50 J) of the node's 500 J */
    assert_true(fabs(run.total_energy_j - 350) < 1e-6 && fabs(run.carbon_g - 3.5) < 1e-9);
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
        { "job", "42" }, { "node", "n1" }, { "node_rank", "0" }, { "ranks", "0-4" },
        { "user", "alice" }, { "measured_by", "agent" },
        { "agent_run", "20261207-100000-abcdef" }, { "attribution", "cgroup,gpus" },
        { "cgroup", "system.slice/job_42" },
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

/* Review finding 4 (issue 16): root's `job info` makes the batch system a holder of the job.
 * A joined `aimeter run` (hold, then end) or the user's own `job end` no longer ends the
 * job's window; only root's `job end` (the epilog's, no hold) does, whatever holders are
 * left (the job's tasks are gone). */
static void the_batch_system_holds_a_job_until_its_own_end(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim_job_info in;
    assert_int_equal(parse("uid=1000 user=alice node=n1", &in), 0);
    assert_int_equal(aim__jobs_info(j, "42", &in, 10 * S), 1);
    char out[128];
    aim_job_ended e;
    /* `aimeter run -- prep` in the batch script: joins, then leaves */
    assert_int_equal(aim__jobs_hold(j, "42"), 0);
    assert_int_equal(aim__jobs_status_as(j, "42", 1000, 20 * S, AIM_JOB_END_HOLD, out,
                                         sizeof out), 0);
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 0); /* still running */
    /* the user's own `aimeter job end`: only a hold of theirs, and they have none */
    assert_int_equal(aim__jobs_status_as(j, "42", 1000, 30 * S, AIM_JOB_END, out, sizeof out),
                     0);
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 0);
    /* `python train` joins and is still there when the epilog says the job is over */
    assert_int_equal(aim__jobs_hold(j, "42"), 0);
    assert_int_equal(aim__jobs_touch_as(j, "42", 0, 40 * S), 0); /* the epilog's `job 42` */
    assert_int_equal(aim__jobs_status_as(j, "42", 0, 50 * S, AIM_JOB_END, out, sizeof out), 0);
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 1);
    assert_string_equal(e.id, "42");
    assert_string_equal(e.info.user, "alice");
    assert_true(e.start_mono_ns == 10 * S && e.end_mono_ns == 50 * S); /* the whole job */
    /* a job without `job info` (a user's own) still ends with its last holder */
    assert_int_equal(aim__jobs_touch_as(j, "77", 1000, 60 * S), 1);
    assert_int_equal(aim__jobs_hold(j, "77"), 0);
    assert_int_equal(aim__jobs_status_as(j, "77", 1000, 70 * S, AIM_JOB_END_HOLD, out,
                                         sizeof out), 0);
    aim_job_view v[4];
    aim_live_totals t = { 0 };
    size_t n = aim__jobs_view(j, 71 * S, &t, v, 4);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(v[k].ended, 1);
    aim__jobs_free(j);
}

/* Review finding 5: a user's --aimeter=tag: cannot set the job run's own tags (whose job,
 * which node, who measured it): the message is refused, said in one line. */
static void job_info_refuses_the_runs_own_tags(void **unused) {
    static const char *const own[] = { "job", "node", "node_rank", "ranks", "user",
                                       "measured_by", "agent_run", "cgroup" };
    aim_job_info in;
    char text[64], err[160];
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        snprintf(text, sizeof text, "uid=1000 tag=%s=OTHER", own[i]);
        assert_int_equal(aim__job_info_parse(text, strlen(text), &in, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "are the agent's own"));
        assert_true(aim__job_info_tag_reserved(own[i]));
    }
    /* a key that only starts like one is the user's */
    assert_int_equal(parse("tag=jobname=x tag=user_group=y tag=project=llm", &in), 0);
    assert_int_equal(in.n_tags, 3);
    /* on the wire: the protocol's parser answers with the reason */
    aim_control_msg m;
    const char *line = "job info uid=7 tag=measured_by=run";
    assert_int_equal(aim__control_parse(line, strlen(line), &m, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "measured_by"));
}

/* Review finding 8: ended jobs' runs wait for the store in a queue as long as the table, and
 * those dropped beyond it are counted for the agent's warning (writer.c). */
static void ended_jobs_wait_for_their_runs_as_many_as_the_table(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim_job_info in;
    assert_int_equal(parse("uid=1000 user=alice", &in), 0);
    char id[16], out[128];
    for (int k = 0; k < AIM_JOBS_MAX + 44; k++) {
        snprintf(id, sizeof id, "%d", k);
        assert_int_equal(aim__jobs_info(j, id, &in, (k + 1) * S), 1);
        assert_int_equal(aim__jobs_status(j, id, (k + 1) * S, AIM_JOB_END, out, sizeof out), 0);
        if (k == 39) /* 40 ended jobs: nothing dropped yet */
            assert_int_equal(aim__jobs_take_dropped(j), 0);
    }
    assert_int_equal(aim__jobs_take_dropped(j), 44); /* the oldest 44 */
    assert_int_equal(aim__jobs_take_dropped(j), 0);  /* told once */
    aim_job_ended e;
    int n = 0;
    while (aim__jobs_take_ended(j, INT64_MAX, &e, NULL) == 1) {
        snprintf(id, sizeof id, "%d", 44 + n++);
        assert_string_equal(e.id, id);
    }
    assert_int_equal(n, AIM_JOBS_MAX);
    aim__jobs_free(j);
}

/* Review finding 12: a busy node's ranks (one `job info` per task) are folded, so 200 of them
 * fit: "0-199"; lists and ranges in any order join into one sorted, folded list. */
static void a_busy_nodes_ranks_are_folded(void **unused) {
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim_job_info in;
    char text[32], out[128];
    for (int k = 199; k >= 0; k--) { /* the tasks start in any order */
        snprintf(text, sizeof text, "uid=1000 ranks=%d", k);
        assert_int_equal(parse(text, &in), 0);
        assert_true(aim__jobs_info(j, "42", &in, 10 * S) >= 0);
    }
    assert_int_equal(aim__jobs_status(j, "42", 20 * S, AIM_JOB_END, out, sizeof out), 0);
    aim_job_ended e;
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 1);
    assert_string_equal(e.info.ranks, "0-199");
    aim__jobs_free(j);
    char list[128] = "8,0-3";
    assert_int_equal(aim__job_ranks_union(list, "5,4", list, sizeof list), 0);
    assert_string_equal(list, "0-5,8");
    assert_int_equal(aim__job_ranks_union(list, "2-9", list, sizeof list), 0);
    assert_string_equal(list, "0-9");
    assert_int_equal(aim__job_ranks_union(list, "3;x", list, sizeof list), -EINVAL);
    assert_string_equal(list, "0-9"); /* unchanged */
    char small[3]; /* "0,5" and its NUL: 4 bytes */
    assert_int_equal(aim__job_ranks_union("0", "5", small, sizeof small), -ENOSPC);
}

/* Review finding 3 (issue 16): two jobs at once on one node, each given its own GPU, the
 * CPU time and memory of its cgroup: each job's run totals its own share (its GPU, its
 * shares of the CPU and DRAM energy), not the node's, so their figures together never pass
 * the node's; the node's energy stays in the device rows; a job with nothing to attribute
 * by is the whole node's, said as such. */
static void concurrent_jobs_on_one_node_each_get_their_share(void **unused) {
    aim_device_summary devs[4] = {
        { .name = "gpu0", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
        { .name = "gpu1", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
        { .name = "cpu0", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 },
        { .name = "dram0", .kind = AIM_DEV_DRAM, .has_energy = 1, .in_total = 1 },
    };
    aim_run_summary agent = { .id = "20261207-100000-abcdef", .host = "n1", .pue = 1.5,
                              .devices = devs, .n_devices = 4, .currency = "EUR",
                              .price_per_kwh = 0.36 };
    /* one window of the node: 1000 J (GPUs 400 and 300, CPU 200, DRAM 100), 10 g */
    aim_job_ended e[3];
    memset(e, 0, sizeof e);
    static const char *const gpus[3] = { "0", "1", "" };
    static const double cpu_s[3] = { 30, 50, 0 }, mem[3] = { 0.25, 0.5, 0 };
    for (int k = 0; k < 3; k++) {
        snprintf(e[k].id, sizeof e[k].id, "%d", 42 + k);
        snprintf(e[k].info.node, sizeof e[k].info.node, "n1");
        snprintf(e[k].info.gpus, sizeof e[k].info.gpus, "%s", gpus[k]);
        e[k].info.node_rank = -1;
        e[k].start_wall_ns = 100 * S;
        e[k].end_wall_ns = 200 * S;
        e[k].energy_j = 1000;
        e[k].carbon_g = 10;
        e[k].n_dev = 4;
        e[k].dev_j[0] = 400, e[k].dev_j[1] = 300, e[k].dev_j[2] = 200, e[k].dev_j[3] = 100;
        if (k < 2) { /* the node was busy 100 CPU-seconds, the job's cgroup cpu_s of them */
            e[k].first.cpu_ok = e[k].last.cpu_ok = 1;
            e[k].first.node_busy_us = 1e9, e[k].last.node_busy_us = 1e9 + 100e6;
            e[k].first.cg_cpu_us = 5e6, e[k].last.cg_cpu_us = 5e6 + cpu_s[k] * 1e6;
            e[k].last.mem_n = 2, e[k].last.mem_share_sum = 2 * mem[k];
        }
    }
    aim_run_summary run[3];
    aim_run_tag tags[3][AIM_JOB_RUN_TAGS];
    size_t nt[3];
    double attr[3][AIM_JOB_RUN_DEVICES];
    const char *meth[3][AIM_JOB_RUN_DEVICES];
    for (int k = 0; k < 3; k++)
        assert_int_equal(aim__job_run_build(&e[k], &agent, &run[k], tags[k], &nt[k], attr[k],
                                            meth[k]), 0);
    /* job 42: gpu0 400 + 30 % of 200 + 25 % of 100 = 485 J; job 43: 300 + 100 + 50 = 450 J */
    assert_true(fabs(run[0].total_energy_j - 485) < 1e-6);
    assert_true(fabs(run[1].total_energy_j - 450) < 1e-6);
    assert_true(run[0].total_energy_j + run[1].total_energy_j <= 1000);
    assert_true(fabs(run[0].carbon_g - 4.85) < 1e-9 && fabs(run[1].carbon_g - 4.5) < 1e-9);
    assert_true(run[0].carbon_g + run[1].carbon_g <= 10);
    assert_true(fabs(run[0].facility_energy_j - 485 * 1.5) < 1e-6);
    assert_true(fabs(run[0].cost - 485 * 1.5 / 3.6e6 * 0.36) < 1e-12);
    /* the node's figures stay in the device rows, the job's in the attribution */
    for (int k = 0; k < 2; k++) {
        double node = 0, job = 0;
        for (int d = 0; d < run[k].n_devices; d++) {
            node += run[k].devices[d].energy_j;
            job += attr[k][d];
        }
        assert_true(node == 1000 && fabs(job - run[k].total_energy_j) < 1e-6);
    }
    const char *how[3] = { NULL, NULL, NULL };
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < nt[k]; i++)
            if (strcmp(tags[k][i].key, "attribution") == 0)
                how[k] = tags[k][i].value;
    assert_string_equal(how[0], "cgroup,gpus");
    assert_string_equal(how[1], "cgroup,gpus");
    /* job 44: no cgroup, no GPU list: nothing to attribute by, the node's whole energy */
    assert_true(run[2].total_energy_j == 1000 && run[2].carbon_g == 10);
    assert_string_equal(how[2], "node");
    for (int k = 0; k < 3; k++)
        aim__run_summary_clear(&run[k]);
}


/* An empty job slot table (tens of KiB: on the heap). */
static aim_job_slots *new_slots(void) {
    aim_job_slots *slots = malloc(sizeof *slots);
    assert_non_null(slots);
    aim__job_slots_init(slots);
    return slots;
}

/* Issue 16, NVML per-process data: jobs sharing a GPU (MPS, --gres=shard: both allotted it)
 * get their processes' share of it; a GPU allotted to one job that no other job's processes
 * used stays that job's whole; a job without an allotment gets its processes' share, not
 * every GPU whole; without process figures, the allotment as before. Each run's
 * `attribution` tag says which were used. */
static void a_shared_gpu_is_split_by_the_jobs_processes(void **unused) {
    aim_device_summary devs[2] = {
        { .name = "gpu0", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
        { .name = "gpu1", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
    };
    aim_run_summary agent = { .id = "20261207-100000-abcdef", .host = "n1", .pue = 1.0,
                              .devices = devs, .n_devices = 2 };
    /* gpu0 1000 J shared by A (600 J by its processes) and B (200 J); C has no allotment and
     * nothing on gpu0; D was given gpu1 (200 J), its processes alone there. */
    static const struct {
        const char *id, *gpus;
        int known0, known1;
        double proc0, other0, proc1, other1;
        double want0, want1; /* NaN: no figure (counted whole) */
        const char *how;
    } c[] = {
        { "A", "0", 1, 1, 600, 200, 0, 150, 600, 0, "gpu-processes" },
        { "B", "0", 1, 0, 200, 600, 0, 0, 200, 0, "gpus,gpu-processes" },
        { "C", "", 1, 0, 0, 800, 0, 0, 0, NAN, "gpu-processes,node" },
        { "D", "1", 1, 1, 0, 800, 150, 0, 0, 200, "gpus,gpu-processes" },
        { "E", "0", 0, 0, 0, 0, 0, 0, 1000, 0, "gpus" }, /* no process figures: as before */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        aim_job_ended e;
        memset(&e, 0, sizeof e);
        snprintf(e.id, sizeof e.id, "%s", c[i].id);
        snprintf(e.info.gpus, sizeof e.info.gpus, "%s", c[i].gpus);
        e.info.node_rank = -1;
        e.gpu_slot = -1;
        e.start_wall_ns = 100 * S;
        e.end_wall_ns = 200 * S;
        e.energy_j = 1200;
        e.n_dev = 2;
        e.dev_j[0] = 1000, e.dev_j[1] = 200;
        e.gpu.known[0] = c[i].known0, e.gpu.known[1] = c[i].known1;
        e.gpu.device_j[0] = 1000, e.gpu.device_j[1] = 200;
        e.gpu.joules[0] = c[i].proc0, e.gpu.other_j[0] = c[i].other0;
        e.gpu.joules[1] = c[i].proc1, e.gpu.other_j[1] = c[i].other1;
        aim_run_summary run;
        aim_run_tag tags[AIM_JOB_RUN_TAGS];
        size_t nt = 0;
        double attr[AIM_JOB_RUN_DEVICES];
        const char *meth[AIM_JOB_RUN_DEVICES];
        assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
        const double want[2] = { c[i].want0, c[i].want1 };
        double total = 0;
        for (int d = 0; d < 2; d++) {
            if (want[d] != want[d]) {
                assert_true(attr[d] != attr[d]);
                total += e.dev_j[d];
            } else {
                assert_true(fabs(attr[d] - want[d]) < 1e-9);
                total += want[d];
            }
        }
        assert_true(fabs(run.total_energy_j - total) < 1e-9);
        const char *how = NULL;
        for (size_t t = 0; t < nt; t++)
            if (strcmp(tags[t].key, "attribution") == 0)
                how = tags[t].value;
        assert_non_null(how);
        assert_string_equal(how, c[i].how);
        aim__run_summary_clear(&run);
    }
    /* A's and B's shares of the shared GPU never pass its energy. */
    assert_true(c[0].want0 + c[1].want0 <= 1000);
    /* An impossible figure (more than the device) is clamped to the device's energy. */
    aim_job_ended e;
    memset(&e, 0, sizeof e);
    snprintf(e.id, sizeof e.id, "F");
    e.info.node_rank = -1;
    e.n_dev = 2;
    e.energy_j = 1200;
    e.dev_j[0] = 1000, e.dev_j[1] = 200;
    e.gpu.known[0] = 1, e.gpu.joules[0] = 1500, e.gpu.device_j[0] = 1000;
    aim_run_summary run;
    aim_run_tag tags[AIM_JOB_RUN_TAGS];
    size_t nt = 0;
    double attr[AIM_JOB_RUN_DEVICES];
    const char *meth[AIM_JOB_RUN_DEVICES];
    assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
    assert_true(attr[0] == 1000);
    assert_non_null(strstr(meth[0], "processes"));
    aim__run_summary_clear(&run);
    /* The slot counted the writer's intervals in the window (380 J of the GPU, 285 the
     * job's), the device row is the live snapshot's window (400 J): the job's fraction of it,
     * so two jobs together never pass the device's energy whatever the windows' edges. */
    e.gpu.joules[0] = 285, e.gpu.device_j[0] = 380, e.dev_j[0] = 400;
    assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
    assert_true(fabs(attr[0] - 300) < 1e-9);
    aim__run_summary_clear(&run);
}

/* The job table and the job slots: `job info` with a cgroup claims a slot (the NVML source
 * then tells the job's processes apart), the job's end clears its cgroup but keeps the slot
 * until the writer has taken its figures, so the slot's sums never mix two jobs; the run's
 * figures are the job's share over its window and the other jobs' meanwhile. */
static void a_jobs_slot_follows_it_to_its_run(void **unused) {
    aim_job_slots *slots = new_slots();
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim__jobs_attach_slots(j, slots);
    aim_job_info a, b, none;
    assert_int_equal(parse("uid=1000 cgroup=/system.slice/job_1 gpus=0", &a), 0);
    assert_int_equal(parse("uid=1001 cgroup=/system.slice/job_2 gpus=0", &b), 0);
    assert_int_equal(parse("uid=1002 gpus=0", &none), 0);
    assert_int_equal(aim__jobs_info(j, "1", &a, 1 * S), 1);
    assert_int_equal(aim__jobs_info(j, "2", &b, 1 * S), 1);
    assert_int_equal(aim__jobs_info(j, "3", &none, 1 * S), 1); /* no cgroup: no slot */
    char cg[AIM_JOB_SLOT_CGROUP];
    assert_int_equal(aim__job_slots_read_cgroup(slots, 0, cg, sizeof cg), 0);
    assert_string_equal(cg, "/system.slice/job_1");
    assert_int_equal(aim__job_slots_read_cgroup(slots, 1, cg, sizeof cg), 0);
    assert_string_equal(cg, "/system.slice/job_2");
    assert_int_equal(aim__job_slots_read_cgroup(slots, 2, cg, sizeof cg), 0);
    assert_string_equal(cg, "");
    /* the writer: gpu0 (device 0) 100 J at 2 s, job 1's processes half of it, job 2's 30 % */
    double shares[AIM_JOB_SLOTS] = { 0.5, 0.3 };
    aim__job_slots_account(slots, 0, 2 * S, 100, shares, 1, 0);
    char out[256];
    assert_int_equal(aim__jobs_status(j, "1", 5 * S, AIM_JOB_END, out, sizeof out), 0);
    assert_int_equal(aim__job_slots_read_cgroup(slots, 0, cg, sizeof cg), 0);
    assert_string_equal(cg, ""); /* its processes no longer count */
    /* after job 1's end: counted for job 2 only */
    aim__job_slots_account(slots, 0, 6 * S, 100, shares, 1, 0);
    /* ended but not taken: its slot is not given to a new job */
    aim_job_info c;
    assert_int_equal(parse("uid=1003 cgroup=/system.slice/job_4", &c), 0);
    assert_int_equal(aim__jobs_info(j, "4", &c, 6 * S), 1);
    assert_int_equal(aim__job_slots_read_cgroup(slots, 2, cg, sizeof cg), 0);
    assert_string_equal(cg, "/system.slice/job_4");
    /* the writer settles the jobs ended by then: figures taken, the slot free */
    aim__jobs_settle_gpu(j, 4 * S); /* job 1 ended at 5 s: not yet */
    aim_job_ended e;
    assert_int_equal(aim__jobs_take_ended(j, 4 * S, &e, NULL), 0);
    aim__jobs_settle_gpu(j, 7 * S);
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 1);
    assert_string_equal(e.id, "1");
    assert_int_equal(e.gpu_slot, -1); /* taken */
    assert_true(e.gpu.known[0] && !e.gpu.known[1]);
    assert_true(fabs(e.gpu.joules[0] - 50) < 1e-9 && fabs(e.gpu.other_j[0] - 30) < 1e-9);
    unsigned owner;
    assert_int_equal(aim__job_slots_claim(slots, "/x/job_5", 8 * S, &owner), 0); /* free */
    aim__job_slots_end(slots, 0, 8 * S);
    aim__job_slots_release(slots, 0);
    /* job 3 (no cgroup) ends: no slot to take */
    assert_int_equal(aim__jobs_status(j, "3", 8 * S, AIM_JOB_END, out, sizeof out), 0);
    assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 1);
    assert_string_equal(e.id, "3");
    assert_int_equal(e.gpu_slot, -1);
    assert_true(!e.gpu.known[0]);
    /* the agent stops: the running jobs' slots go with their cut runs */
    aim__jobs_cut_running(j, 9 * S);
    int seen = 0;
    while (aim__jobs_take_ended(j, INT64_MAX, &e, NULL) == 1) {
        assert_true(e.cut && e.gpu_slot >= 0);
        aim__job_run_take_gpu(&e, slots);
        if (strcmp(e.id, "2") == 0) /* both intervals were in its window */
            assert_true(fabs(e.gpu.joules[0] - 60) < 1e-9 && e.gpu.known[0]);
        seen++;
    }
    assert_int_equal(seen, 2); /* jobs 2 and 4 */
    for (int k = 0; k < AIM_JOB_SLOTS; k++) { /* every slot free again */
        char path[32];
        snprintf(path, sizeof path, "/y/job_%d", k);
        assert_int_equal(aim__job_slots_claim(slots, path, 10 * S, NULL), k);
    }
    aim__jobs_free(j);
    free(slots);
}

/* Two jobs with the same cgroup (a node where jobs have none of their own: the plugin then
 * sends the task's, the same for every job): their processes cannot be told apart, so
 * neither job's GPUs are split by processes, and both runs say why. */
static void jobs_sharing_a_cgroup_are_not_split(void **unused) {
    aim_job_slots *slots = new_slots();
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(2, jobs_fixture_names, &j), 0);
    aim__jobs_attach_slots(j, slots);
    aim_job_info a;
    assert_int_equal(parse("uid=1000 cgroup=/system.slice/slurmd.service gpus=0", &a), 0);
    assert_int_equal(aim__jobs_info(j, "1", &a, 1 * S), 1);
    assert_int_equal(aim__jobs_info(j, "2", &a, 2 * S), 1);
    double shares[AIM_JOB_SLOTS] = { 1.0 };
    aim__job_slots_account(slots, 0, 3 * S, 100, shares, 1, 0);
    char out[256];
    assert_int_equal(aim__jobs_status(j, "1", 4 * S, AIM_JOB_END, out, sizeof out), 0);
    assert_int_equal(aim__jobs_status(j, "2", 4 * S, AIM_JOB_END, out, sizeof out), 0);
    aim__jobs_settle_gpu(j, INT64_MAX);
    aim_device_summary devs[2] = {
        { .name = "gpu0", .kind = AIM_DEV_GPU, .has_energy = 1, .in_total = 1 },
        { .name = "cpu0", .kind = AIM_DEV_CPU, .has_energy = 1, .in_total = 1 },
    };
    aim_run_summary agent = { .id = "20261207-100000-abcdef", .host = "n1", .pue = 1.0,
                              .devices = devs, .n_devices = 2 };
    for (int k = 0; k < 2; k++) {
        aim_job_ended e;
        assert_int_equal(aim__jobs_take_ended(j, INT64_MAX, &e, NULL), 1);
        assert_int_equal(e.gpu_slot_err, -EEXIST);
        assert_true(!e.gpu.known[0]);
        e.dev_j[0] = 100;
        e.energy_j = 100;
        aim_run_summary run;
        aim_run_tag tags[AIM_JOB_RUN_TAGS];
        size_t nt = 0;
        double attr[AIM_JOB_RUN_DEVICES];
        const char *meth[AIM_JOB_RUN_DEVICES];
        assert_int_equal(aim__job_run_build(&e, &agent, &run, tags, &nt, attr, meth), 0);
        assert_true(attr[0] == 100); /* by the allotment, as before */
        assert_non_null(strstr(run.warnings, "same or a nested cgroup"));
        aim__run_summary_clear(&run);
    }
    aim__jobs_free(j);
    free(slots);
}

/* A full queue drops the oldest ended job's run: its slot is freed with it, or the node
 * would run out of slots for good. */
static void a_dropped_runs_slot_is_freed(void **unused) {
    aim_job_slots *slots = new_slots();
    aim_jobs *j;
    assert_int_equal(aim__jobs_new(0, NULL, &j), 0);
    aim__jobs_attach_slots(j, slots);
    char id[16], text[64], out[128];
    aim_job_info in;
    for (int k = 0; k < AIM_JOBS_PENDING + AIM_JOB_SLOTS; k++) {
        snprintf(id, sizeof id, "%d", k);
        snprintf(text, sizeof text, "uid=1000 cgroup=/s/job_%d", k);
        assert_int_equal(parse(text, &in), 0);
        assert_int_equal(aim__jobs_info(j, id, &in, (k + 1) * S), 1);
        assert_int_equal(aim__jobs_status(j, id, (k + 1) * S, AIM_JOB_END, out, sizeof out), 0);
    }
    /* The first AIM_JOB_SLOTS jobs had slots, and their runs were dropped: all free. */
    assert_true(aim__jobs_take_dropped(j) == AIM_JOB_SLOTS);
    int claimed = aim__job_slots_claim(slots, "/z/job_1", 0, NULL);
    assert_true(claimed >= 0);
    aim__jobs_free(j);
    free(slots);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_jobs_on_one_node_each_get_their_share),
        cmocka_unit_test(a_shared_gpu_is_split_by_the_jobs_processes),
        cmocka_unit_test(a_jobs_slot_follows_it_to_its_run),
        cmocka_unit_test(a_dropped_runs_slot_is_freed),
        cmocka_unit_test(jobs_sharing_a_cgroup_are_not_split),
        cmocka_unit_test(job_info_is_parsed_and_checked),
        cmocka_unit_test(the_batch_system_holds_a_job_until_its_own_end),
        cmocka_unit_test(job_info_refuses_the_runs_own_tags),
        cmocka_unit_test(ended_jobs_wait_for_their_runs_as_many_as_the_table),
        cmocka_unit_test(a_busy_nodes_ranks_are_folded),
        cmocka_unit_test_setup_teardown(an_ended_job_with_info_is_queued_for_its_run,
                                        make_tree, remove_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
