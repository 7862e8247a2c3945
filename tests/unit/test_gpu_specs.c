/* The accelerator table (data/gpu_specs.csv compiled in), the per-core CPU table and the name
 * rule of src/lib/data/gpu_specs.h. Expected figures are the reference files' own: Epoch
 * AI's ml_hardware.csv, Green Algorithms' TDP_gpu.csv / TDP_cpu.csv, the datasheet supplement,
 * and CodeCarbon's cpu_power.csv for a CPU only that table knows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aimeter.h"
#include "data/gpu_specs.h"

static const aim_gpu_info *gpu(const char *name) {
    const aim_gpu_info *g = NULL;
    assert_int_equal(aim_gpu_lookup(name, &g), 0);
    assert_non_null(g);
    return g;
}

static void keys_follow_the_rule(void **state) {
    char k[AIM_HW_KEY_MAX];
    /* the socket's generation goes, the memory size goes last */
    assert_int_equal(aim__hw_name_key("NVIDIA H100-SXM5 80GB", k, sizeof k), 11);
    assert_string_equal(k, "h100sxm80gb");
    assert_int_equal(aim__hw_name_key("NVIDIA A800 80GB PCIe", k, sizeof k), 12);
    assert_string_equal(k, "a800pcie80gb");
    /* leading brands go, however many; a brand word later in the name stays */
    assert_int_equal(aim__hw_name_key("NVIDIA GeForce RTX 4090", k, sizeof k), 7);
    assert_string_equal(k, "rtx4090");
    assert_int_equal(aim__hw_name_key("AMD Radeon Instinct MI250X", k, sizeof k), 6);
    assert_string_equal(k, "mi250x");
    assert_int_equal(aim__hw_name_key("Google TPU v4", k, sizeof k), 5);
    assert_string_equal(k, "tpuv4");
    assert_int_equal(aim__hw_name_key("Intel Data Center GPU Max 1550", k, sizeof k), 20);
    assert_string_equal(k, "datacentergpumax1550");
    /* trademark marks vanish instead of leaving an 'r' */
    assert_int_equal(aim__hw_name_key("Intel(R) Xeon(R) Gold 6248", k, sizeof k), 12);
    assert_string_equal(k, "xeongold6248");
    /* nothing but brands or punctuation: no key */
    assert_int_equal(aim__hw_name_key("NVIDIA", k, sizeof k), -EINVAL);
    assert_int_equal(aim__hw_name_key(" -_/ ", k, sizeof k), -EINVAL);
    assert_int_equal(aim__hw_name_key(NULL, k, sizeof k), -EINVAL);
    char small[4];
    assert_int_equal(aim__hw_name_key("H100", small, sizeof small), -ENAMETOOLONG);
    assert_int_equal(aim__hw_name_key("L4", small, sizeof small), 2);
}

static void headline_models_as_published(void **state) {
    const aim_gpu_info *g = gpu("H100"); /* the example: the SXM board */
    assert_string_equal(g->name, "NVIDIA H100 SXM5 80GB");
    assert_float_equal(g->tdp_w, 700, 0);
    assert_float_equal(g->memory_gb, 80, 0);
    assert_float_equal(g->fp32_tflops, 66.91, 1e-9);
    assert_float_equal(g->tensor_tflops, 989.4, 1e-9);
    assert_float_equal(g->mem_bw_gbs, 3350, 1e-9);
    assert_int_equal(g->year, 2022);
    assert_string_equal(g->licence, "CC BY 4.0");
    assert_true(isnan(g->fp8_tflops)); /* Epoch gives none for this row: unknown, not 0 */
    g = gpu("L4");
    assert_float_equal(g->tdp_w, 72, 0);
    assert_float_equal(g->tensor_tflops, 121, 1e-9);
    g = gpu("MI300X");
    assert_string_equal(g->vendor, "AMD");
    assert_float_equal(g->tdp_w, 750, 0);
    assert_float_equal(g->memory_gb, 192, 0);
    g = gpu("TPU v4");
    assert_string_equal(g->kind, "tpu");
    assert_float_equal(g->tdp_w, 340, 0); /* Epoch's derived figure, not Green Algorithms' 170 */
    g = gpu("V100");
    assert_string_equal(g->name, "NVIDIA V100 SXM2 16GB");
    assert_float_equal(g->tdp_w, 300, 0);
    g = gpu("H200");
    assert_true(isnan(g->memory_gb)); /* Epoch leaves it empty */
}

static void other_sources(void **state) {
    /* Green Algorithms (NVIDIA's datasheet) for the A100 PCIe boards' TDP */
    const aim_gpu_info *g = gpu("A100 PCIe 40GB");
    assert_float_equal(g->tdp_w, 250, 0);
    assert_float_equal(g->memory_gb, 40, 0);
    assert_true(isnan(g->mem_bw_gbs)); /* Epoch's figure is the 80 GB board's: left out */
    assert_non_null(strstr(g->source, "Green Algorithms TDP_gpu.csv"));
    g = gpu("A100 80GB PCIe");
    assert_float_equal(g->tdp_w, 300, 0);
    assert_float_equal(g->mem_bw_gbs, 1940, 0);
    /* the datasheet supplement */
    g = gpu("L40S");
    assert_float_equal(g->tdp_w, 350, 0);
    assert_float_equal(g->tensor_tflops, 362, 1e-9);
    assert_float_equal(g->fp8_tflops, 733, 1e-9);
    assert_int_equal(g->year, 0);
    g = gpu("MI250");
    assert_float_equal(g->tdp_w, 560, 0);
    /* a model only Green Algorithms lists */
    g = gpu("RTX 2080");
    assert_float_equal(g->tdp_w, 215, 0);
    assert_true(isnan(g->fp32_tflops));
}

static void spellings_users_and_drivers_use(void **state) {
    const aim_gpu_info *h = gpu("H100");
    assert_ptr_equal(gpu("h100"), h);
    assert_ptr_equal(gpu("NVIDIA H100 80GB HBM3"), h); /* nvidia-smi */
    assert_ptr_equal(gpu("h100-sxm"), h);
    assert_ptr_equal(gpu("  H100  SXM5 "), h);
    assert_ptr_equal(gpu("NVIDIA A100-SXM4-80GB"), gpu("A100 80GB"));
    assert_string_equal(gpu("NVIDIA A100-SXM4-80GB")->name, "NVIDIA A100 SXM4 80GB");
    assert_string_equal(gpu("Tesla V100-SXM2-16GB")->name, "NVIDIA V100 SXM2 16GB");
    assert_string_equal(gpu("Tesla T4")->name, "NVIDIA T4");
    assert_string_equal(gpu("NVIDIA GeForce RTX 4090")->name, "NVIDIA GeForce RTX 4090");
    assert_string_equal(gpu("TPUv4")->name, "Google TPU v4");
    assert_string_equal(gpu("AMD Instinct MI300X")->name, "AMD Instinct MI300X");
    assert_string_equal(gpu("Intel Habana Gaudi2")->name, "Intel Gaudi 2");
    assert_string_equal(gpu("a100")->name, "NVIDIA A100 SXM4 40GB");
}

/* The names NVML reports (nvidia-smi --query-gpu=name), the paper's A800s among them: the
 * memory size before the form factor, the socket with its generation, dashes. */
static void driver_names_by_normalisation(void **state) {
    assert_string_equal(gpu("NVIDIA A800 80GB PCIe")->name, "NVIDIA A800 PCIe 80GB");
    assert_string_equal(gpu("NVIDIA A800 40GB PCIe")->name, "NVIDIA A800 PCIe 40GB");
    /* the SXM row states no memory size: the driver's 80GB is not a contradiction */
    assert_string_equal(gpu("NVIDIA A800-SXM4-80GB")->name, "NVIDIA A800 SXM");
    assert_string_equal(gpu("NVIDIA A100-SXM4-80GB")->name, "NVIDIA A100 SXM4 80GB");
    assert_string_equal(gpu("NVIDIA A100 80GB PCIe")->name, "NVIDIA A100 PCIe 80GB");
    assert_string_equal(gpu("NVIDIA H100 80GB HBM3")->name, "NVIDIA H100 SXM5 80GB");
    assert_string_equal(gpu("NVIDIA H200 SXM 141GB")->name, "NVIDIA H200 SXM");
    assert_string_equal(gpu("Tesla V100-SXM2-32GB")->name, "NVIDIA V100 SXM2 32GB");
    /* a size the row contradicts is not taken: 40GB and 80GB boards differ */
    const aim_gpu_info *g;
    assert_int_equal(aim_gpu_lookup("NVIDIA H100 PCIe 96GB", &g), -ENOENT);
}

static void partial_names_are_never_taken(void **state) {
    const aim_gpu_info *g = (const aim_gpu_info *)&g, *before = g;
    /* two PCIe A100 boards: ambiguous, and the candidates say which */
    assert_int_equal(aim_gpu_lookup("A100 PCIe", &g), -EEXIST);
    assert_ptr_equal(g, before);
    const aim_gpu_info *cand[4];
    assert_int_equal(aim_gpu_candidates("A100 PCIe", cand, 4), 2);
    assert_string_equal(cand[0]->name, "NVIDIA A100 PCIe 80GB");
    assert_string_equal(cand[1]->name, "NVIDIA A100 PCIe 40GB");
    assert_int_equal(aim_gpu_lookup("V100 PCIe", &g), -EEXIST);
    assert_int_equal(aim_gpu_lookup("RTX 309", &g), -EEXIST);
    /* one candidate is a suggestion only: TPU v5e is not v5p */
    assert_int_equal(aim_gpu_lookup("TPU v5", &g), -ENOENT);
    assert_int_equal(aim_gpu_candidates("TPU v5", cand, 4), 1);
    assert_string_equal(cand[0]->name, "Google TPU v5p");
    /* more candidates than room: the count is still right */
    size_t all = aim_gpu_candidates("NVIDIA", NULL, 0); /* no key: none */
    assert_int_equal(all, 0);
    assert_true(aim_gpu_candidates("rtx", cand, 1) > 1);
    assert_int_equal(aim_gpu_lookup("H1000", &g), -ENOENT);
    assert_int_equal(aim_gpu_lookup("", &g), -EINVAL);
    assert_int_equal(aim_gpu_lookup("NVIDIA", &g), -EINVAL);
    assert_int_equal(aim_gpu_lookup(NULL, &g), -EINVAL);
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(aim_gpu_lookup(long_name, &g), -ENOENT);
    assert_ptr_equal(g, before);
}

/* Every name and alias finds its own row: the build's uniqueness check and the C rule agree. */
static void every_row_answers_to_its_names(void **state) {
    size_t n = aim_gpu_count();
    assert_true(n >= 70);
    assert_null(aim_gpu_get(n));
    for (size_t i = 0; i < n; i++) {
        const aim_gpu_info *g = aim_gpu_get(i), *found = NULL;
        assert_int_equal(aim_gpu_lookup(g->name, &found), 0);
        assert_ptr_equal(found, g);
        char alias[128];
        for (const char *a = g->aliases; *a;) {
            const char *end = strchr(a, '|');
            size_t len = end ? (size_t)(end - a) : strlen(a);
            assert_true(len < sizeof alias);
            memcpy(alias, a, len);
            alias[len] = '\0';
            assert_int_equal(aim_gpu_lookup(alias, &found), 0);
            assert_ptr_equal(found, g);
            a = end ? end + 1 : a + len;
        }
        assert_true(g->tdp_w > 0);
        assert_true(*g->source && *g->licence);
        assert_true(!strcmp(g->kind, "gpu") || !strcmp(g->kind, "tpu") ||
                    !strcmp(g->kind, "accelerator"));
    }
}

static void cpu_models(void **state) {
    aim_cpu_info c;
    assert_int_equal(aim_cpu_lookup("Xeon Gold 6248", &c), 0);
    assert_float_equal(c.tdp_w, 150, 0);
    assert_int_equal(c.cores, 20);
    assert_float_equal(c.tdp_per_core_w, 7.5, 0);
    assert_string_equal(c.source, "Green Algorithms TDP_cpu.csv");
    assert_int_equal(aim_cpu_lookup("Intel Xeon Gold 6248", &c), 0);
    assert_int_equal(c.cores, 20);
    assert_int_equal(aim_cpu_lookup("AMD EPYC 7763", &c), 0);
    assert_float_equal(c.tdp_per_core_w, 4.4, 0);
    assert_int_equal(c.cores, 64);
    /* Green Algorithms' unknown-CPU row */
    assert_int_equal(aim_cpu_lookup("any", &c), 0);
    assert_float_equal(c.tdp_per_core_w, 12, 0);
    assert_int_equal(c.cores, 0);
    assert_true(isnan(c.tdp_w));
    /* only CodeCarbon's table knows it: package TDP, no cores */
    assert_int_equal(aim_cpu_lookup("AMD EPYC 9654", &c), 0);
    assert_float_equal(c.tdp_w, 360, 0);
    assert_int_equal(c.cores, 0);
    assert_true(isnan(c.tdp_per_core_w));
    assert_string_equal(c.licence, "MIT");
    /* a prefix of several per-core rows */
    assert_int_equal(aim_cpu_lookup("Xeon Gold", &c), -EEXIST);
    assert_int_equal(aim_cpu_lookup("Quantum 9000", &c), -ENOENT);
    assert_int_equal(aim_cpu_lookup("", &c), -EINVAL);
    assert_int_equal(aim_cpu_lookup(NULL, &c), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_follow_the_rule),
        cmocka_unit_test(headline_models_as_published),
        cmocka_unit_test(other_sources),
        cmocka_unit_test(spellings_users_and_drivers_use),
        cmocka_unit_test(driver_names_by_normalisation),
        cmocka_unit_test(partial_names_are_never_taken),
        cmocka_unit_test(every_row_answers_to_its_names),
        cmocka_unit_test(cpu_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
