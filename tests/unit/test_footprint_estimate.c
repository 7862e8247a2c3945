/* processing/footprint_estimate.c: each input of an estimate given or defaulted from the
 * tables, with the source that says which, and one clear error for a request that cannot
 * be estimated. Values from the built-in tables (L4: 72 W TDP; Xeon Gold 6248: 7.5 W per
 * core, 20 cores; AMD EPYC 9654: package TDP only). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "processing/footprint_estimate.h"

static aim_estimate_request gpu_hours(const char *gpu, double hours) {
    return (aim_estimate_request){ .given = AIM_ESTIMATE_HOURS, .hours = hours, .gpu = gpu };
}

static void defaults_are_filled_and_sourced(void **state) {
    aim_estimate_request q = gpu_hours("L4", 1);
    aim_estimate_result r;
    char err[256] = "";
    assert_int_equal(aim__estimate_build(&q, &r, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_true(r.in[AIM_EST_NGPU].value == 1);
    assert_string_equal(r.in[AIM_EST_NGPU].source, "default");
    assert_true(r.in[AIM_EST_PGPU].value == 72);
    assert_non_null(strstr(r.in[AIM_EST_PGPU].source, "TDP of NVIDIA L4 (from 'L4')"));
    assert_true(r.in[AIM_EST_UGPU].value == 1);
    assert_true(strncmp(r.in[AIM_EST_UGPU].source, "default: full use", 17) == 0);
    assert_true(r.in[AIM_EST_PUE].value == 1);
    assert_true(r.in[AIM_EST_MEM].value == 0);
    assert_true(r.in[AIM_EST_PMEM].value == 0.3725);
    assert_true(r.have_zone);
    assert_string_equal(r.zone.code, "WORLD");
    assert_true(strncmp(r.in[AIM_EST_CI].source, "default: zone WORLD", 19) == 0);
    assert_true(r.in[AIM_EST_CI].value == r.zone.g_per_kwh);
    assert_true(r.in[AIM_EST_NCORES].value == 0);
    assert_false(r.have_cpu);
    assert_float_equal(r.footprint.energy_kwh, 0.072, 1e-12);
    assert_int_equal(r.n_emb, 0);
}

static void given_values_win_and_say_so(void **state) {
    aim_estimate_request q = gpu_hours("H100", 72);
    q.given |= AIM_ESTIMATE_GPU_COUNT | AIM_ESTIMATE_GPU_UTIL | AIM_ESTIMATE_INTENSITY |
               AIM_ESTIMATE_GPU_TDP;
    q.gpu_count = 8;
    q.gpu_util = 0.7;
    q.gpu_tdp_w = 500;
    q.g_per_kwh = 100;
    q.zone = "FR";
    q.pue = "aws";
    aim_estimate_result r;
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_string_equal(r.in[AIM_EST_NGPU].source, "--count");
    assert_true(r.in[AIM_EST_PGPU].value == 500);
    assert_string_equal(r.in[AIM_EST_PGPU].source,
                        "--gpu-tdp (table TDP of NVIDIA H100 SXM5 80GB not used)");
    assert_string_equal(r.in[AIM_EST_CI].source, "--intensity (overrides --zone)");
    assert_false(r.have_zone);
    assert_true(r.in[AIM_EST_PUE].value == 1.2);
    assert_true(strncmp(r.in[AIM_EST_PUE].source, "--pue aws: ", 11) == 0);
    /* 8 x 500 W x 0.7 = 2800 W; x 72 h x 1.2 = 241.92 kWh; x 100 g */
    assert_float_equal(r.footprint.carbon_g, 24192, 1e-6);
}

static void cpu_rows_and_the_whole_package(void **state) {
    aim_estimate_request q = { .given = AIM_ESTIMATE_DURATION, .hours = 2,
                               .cpu = "Xeon Gold 6248" };
    aim_estimate_result r;
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_true(r.have_cpu);
    assert_false(r.cpu_package);
    assert_true(r.in[AIM_EST_NCORES].value == 20);
    assert_string_equal(r.in[AIM_EST_NCORES].source,
                        "default: every core of one package of this model");
    assert_true(r.in[AIM_EST_PCORE].value == 7.5);
    assert_string_equal(r.in[AIM_EST_T].source, "--time");

    q.cpu = "AMD EPYC 9654";
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_true(r.cpu_package);
    assert_true(r.in[AIM_EST_NCORES].value == 1);
    assert_string_equal(r.in[AIM_EST_PCORE].label, "power per package");

    /* --cores alone: Green Algorithms' unknown-CPU row. */
    q = (aim_estimate_request){ .given = AIM_ESTIMATE_HOURS | AIM_ESTIMATE_CPU_CORES,
                                .hours = 1, .cpu_cores = 8 };
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_string_equal(r.cpu.model, "Any");
    assert_non_null(strstr(r.in[AIM_EST_PCORE].source, "figure for an unknown CPU"));
}

static void embodied_items(void **state) {
    aim_estimate_request q = gpu_hours("H100", 10);
    q.given |= AIM_ESTIMATE_MEMORY;
    q.memory_gb = 64;
    q.embodied = 1;
    q.servers = 1;
    aim_estimate_result r;
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_int_equal(r.n_emb, 3);
    assert_string_equal(r.emb[0].what, "GPUs");
    assert_string_equal(r.emb[1].what, "memory");
    assert_string_equal(r.emb[2].what, "servers");
    assert_string_equal(r.emb[2].row->model, "gpu-node");
    double sum = 0;
    for (int i = 0; i < r.n_emb; i++) {
        assert_true(r.emb[i].share_kg > 0);
        sum += r.emb[i].share_kg;
    }
    assert_float_equal(r.emb_total_kg, sum, 1e-12);
    q.embodied = 0;
    assert_int_equal(aim__estimate_build(&q, &r, NULL, 0), 0);
    assert_int_equal(r.n_emb, 0);
}

static void errors_name_what_to_give(void **state) {
    static const struct {
        aim_estimate_request q;
        int rc;
        const char *msg;
    } cases[] = {
        { { .gpu = "H100" }, -EINVAL, "give the run time once" },
        { { .given = AIM_ESTIMATE_HOURS | AIM_ESTIMATE_DURATION, .hours = 1, .gpu = "H100" },
          -EINVAL, "give the run time once" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1 }, -EINVAL, "nothing to estimate" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "H1000" }, -ENOENT,
          "unknown GPU 'H1000'" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "TPU v5" }, -ENOENT,
          "did you mean 'Google TPU v5p'" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "A100 PCIe" }, -EEXIST,
          "is ambiguous: " },
        { { .given = AIM_ESTIMATE_HOURS | AIM_ESTIMATE_GPU_COUNT, .hours = 1, .gpu_count = 2 },
          -EINVAL, "--count and --util describe GPUs" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .cpu = "Xeon Gold" }, -EEXIST,
          "CPU name 'Xeon Gold' is ambiguous" },
        { { .given = AIM_ESTIMATE_HOURS | AIM_ESTIMATE_CPU_TDP, .hours = 1,
            .cpu_core_tdp_w = 5 }, -EINVAL, "give --cores N" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "H100", .pue = "6" }, -ERANGE,
          "bad --pue '6'" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "H100", .pue = "alibaba" },
          -EINVAL, "or aws, gcp" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "H100", .marginal = 1 }, -EINVAL,
          "--marginal needs --zone" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 1, .gpu = "H100", .zone = "XX-NOWHERE" },
          -ENOENT, "unknown zone 'XX-NOWHERE'" },
        { { .given = AIM_ESTIMATE_HOURS, .hours = 2e7, .gpu = "H100" }, -ERANGE,
          "out of range" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_estimate_result r;
        char err[512] = "";
        assert_int_equal(aim__estimate_build(&cases[i].q, &r, err, sizeof err), cases[i].rc);
        if (!strstr(err, cases[i].msg))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].msg);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_filled_and_sourced),
        cmocka_unit_test(given_values_win_and_say_so),
        cmocka_unit_test(cpu_rows_and_the_whole_package),
        cmocka_unit_test(embodied_items),
        cmocka_unit_test(errors_name_what_to_give),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
