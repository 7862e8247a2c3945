/* Green Algorithms' formula, checked against a worked example computed by hand
 * (Lannelongue, Grealey, Inouye, "Green Algorithms: Quantifying the Carbon Footprint of
 * Computation", Adv. Sci. 2021; memory power 0.3725 W/GB from its referenceValues.csv):
 *
 *   8 x NVIDIA H100 SXM (TDP 700 W) at 70 % use, 16 cores of a Xeon Gold 6248
 *   (TDP 150 W / 20 cores = 7.5 W per core) at full use, 64 GB of memory, 72 hours,
 *   PUE 1.1, grid at 475 g CO2e/kWh.
 *
 *   cores   16 x 7.5 W x 1      =  120 W
 *   GPUs     8 x 700 W x 0.7    = 3920 W
 *   memory  64 GB x 0.3725 W/GB =   23.84 W
 *   sum                         = 4063.84 W
 *   hardware energy  72 h x 4063.84 W       = 292596.48 Wh = 292.59648 kWh
 *   facility energy  292.59648 kWh x 1.1    = 321.856128 kWh
 *   carbon           321.856128 x 475 g     = 152881.6608 g CO2e
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aimeter.h"

static aim_footprint_input example(void) {
    return (aim_footprint_input){ .hours = 72, .gpu_count = 8, .gpu_power_w = 700,
                                  .gpu_util = 0.7, .cpu_cores = 16, .cpu_core_power_w = 7.5,
                                  .cpu_util = 1, .memory_gb = 64, .pue = 1.1,
                                  .g_per_kwh = 475 };
}

static void worked_example(void **state) {
    aim_footprint_input in = example();
    aim_footprint f;
    assert_int_equal(aim_footprint_compute(&in, &f), 0);
    assert_float_equal(f.cpu_w, 120, 1e-9);
    assert_float_equal(f.gpu_w, 3920, 1e-9);
    assert_float_equal(f.memory_w, 23.84, 1e-9);
    assert_float_equal(f.it_w, 4063.84, 1e-9);
    assert_float_equal(f.memory_w_per_gb, 0.3725, 0);
    assert_float_equal(f.it_kwh, 292.59648, 1e-9);
    assert_float_equal(f.energy_kwh, 321.856128, 1e-9);
    assert_float_equal(f.carbon_g, 152881.6608, 1e-6);
}

/* The example: 8 x H100 for 72 h at 70 %, PUE 1.1 -> 310.464 kWh; at 100 g/kWh
 * that is 31046.4 g. */
static void gpus_only(void **state) {
    aim_footprint_input in = { .hours = 72, .gpu_count = 8, .gpu_power_w = 700,
                               .gpu_util = 0.7, .pue = 1.1, .g_per_kwh = 100 };
    aim_footprint f;
    assert_int_equal(aim_footprint_compute(&in, &f), 0);
    assert_float_equal(f.cpu_w, 0, 0);
    assert_float_equal(f.memory_w, 0, 0);
    assert_float_equal(f.energy_kwh, 310.464, 1e-9);
    assert_float_equal(f.carbon_g, 31046.4, 1e-7);
}

static void memory_constant_is_green_algorithms(void **state) {
    const char *src = NULL;
    assert_float_equal(aim_footprint_memory_w_per_gb(&src), 0.3725, 0);
    assert_non_null(strstr(src, "Green Algorithms"));
    assert_float_equal(aim_footprint_memory_w_per_gb(NULL), 0.3725, 0);
}

static void bad_inputs_are_refused(void **state) {
    aim_footprint f, untouched;
    memset(&f, 0x5a, sizeof f);
    untouched = f;
    aim_footprint_input in = example();
    assert_int_equal(aim_footprint_compute(NULL, &f), -EINVAL);
    assert_int_equal(aim_footprint_compute(&in, NULL), -EINVAL);
    struct { double *field; double bad; } cases[] = {
        { &in.hours, 0 }, { &in.hours, -1 }, { &in.hours, NAN }, { &in.hours, INFINITY },
        { &in.gpu_util, 1.01 }, { &in.gpu_util, -0.1 }, { &in.cpu_util, 2 },
        { &in.pue, 0.99 }, { &in.pue, 5.5 }, { &in.g_per_kwh, -1 }, { &in.g_per_kwh, 5001 },
        { &in.memory_gb, -1 }, { &in.gpu_power_w, -700 }, { &in.cpu_core_power_w, NAN },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        in = example();
        *cases[i].field = cases[i].bad;
        assert_int_equal(aim_footprint_compute(&in, &f), -EINVAL);
        assert_memory_equal(&f, &untouched, sizeof f);
    }
    in = example();
    in.gpu_count = -1;
    assert_int_equal(aim_footprint_compute(&in, &f), -EINVAL);
    in = example();
    in.cpu_cores = -8;
    assert_int_equal(aim_footprint_compute(&in, &f), -EINVAL);
    /* the edges are allowed: PUE 1 and 5, use 0 and 1, intensity 0 */
    in = example();
    in.pue = 1;
    in.gpu_util = 0;
    in.g_per_kwh = 0;
    assert_int_equal(aim_footprint_compute(&in, &f), 0);
    assert_float_equal(f.gpu_w, 0, 0);
    assert_float_equal(f.carbon_g, 0, 0);
    in.pue = 5;
    assert_int_equal(aim_footprint_compute(&in, &f), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(gpus_only),
        cmocka_unit_test(memory_constant_is_green_algorithms),
        cmocka_unit_test(bad_inputs_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
