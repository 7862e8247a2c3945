/* Bottleneck hints per phase (processing/phase_hints.h) from hand-made phase rows: each rule
 * of docs/methodology.md, its edges, and the evidence carried back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "processing/phase_hints.h"

/* A phase whose only data are the given means of device d (keys "" end the list). */
typedef struct kv {
    const char *key;
    double mean;
} kv;

static aim_phase_summary phase_of(aim_phase_metric *buf, int d, const kv *m) {
    aim_phase_summary p;
    memset(&p, 0, sizeof p);
    size_t n = 0;
    for (; m[n].key; n++) {
        buf[n].device = d;
        strncpy(buf[n].key, m[n].key, sizeof buf[n].key - 1);
        buf[n].key[sizeof buf[n].key - 1] = '\0';
        buf[n].mean = m[n].mean;
    }
    p.metrics = buf;
    p.n_metrics = n;
    return p;
}

static aim_phase_hint gpu_hint(const kv *m) {
    aim_phase_metric buf[16];
    aim_phase_summary p = phase_of(buf, 1, m);
    return aim__phase_hint_of(&p, 1, AIM_DEV_GPU);
}

static void host_cpu_bound_from_80(void **state) {
    (void)state;
    aim_phase_metric buf[4];
    aim_phase_summary p = phase_of(buf, 0, (kv[]){ { "cpu.util", 80 }, { NULL, 0 } });
    aim_phase_hint h = aim__phase_hint_of(&p, 0, AIM_DEV_HOST);
    assert_int_equal(h.kind, AIM_HINT_CPU_BOUND);
    assert_true(h.cpu_util == 80);
    p = phase_of(buf, 0, (kv[]){ { "cpu.util", 79.9 }, { NULL, 0 } });
    assert_int_equal(aim__phase_hint_of(&p, 0, AIM_DEV_HOST).kind, AIM_HINT_NONE);
    /* Another device's mean is not this one's. */
    p = phase_of(buf, 3, (kv[]){ { "cpu.util", 99 }, { NULL, 0 } });
    assert_int_equal(aim__phase_hint_of(&p, 0, AIM_DEV_HOST).kind, AIM_HINT_NONE);
    /* A CPU package gets no hint, whatever its metrics. */
    p = phase_of(buf, 0, (kv[]){ { "cpu.util", 99 }, { NULL, 0 } });
    assert_int_equal(aim__phase_hint_of(&p, 0, AIM_DEV_CPU).kind, AIM_HINT_NONE);
}

static void gpu_memory_bound(void **state) {
    (void)state;
    aim_phase_hint h = gpu_hint((kv[]){ { "gpu.dram_active", 50 }, { "gpu.tensor_active", 19 },
                                        { "gpu.sm_active", 90 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_MEMORY_BOUND);
    assert_true(h.dram_active == 50 && h.tensor_active == 19 && h.sm_active == 90);
    /* Tensor cores at 20 %: not memory-bound; SM 90 % with DRAM busy is not compute-bound. */
    h = gpu_hint((kv[]){ { "gpu.dram_active", 50 }, { "gpu.tensor_active", 20 },
                         { "gpu.sm_active", 90 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
    /* No tensor metric: no memory-bound claim. */
    h = gpu_hint((kv[]){ { "gpu.dram_active", 70 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
}

static void gpu_compute_bound(void **state) {
    (void)state;
    aim_phase_hint h = gpu_hint((kv[]){ { "gpu.tensor_active", 50 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_COMPUTE_BOUND);
    assert_true(isnan(h.sm_active) && isnan(h.dram_active));
    h = gpu_hint((kv[]){ { "gpu.sm_active", 80 }, { "gpu.dram_active", 49 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_COMPUTE_BOUND);
    h = gpu_hint((kv[]){ { "gpu.sm_active", 79 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
}

static void gpu_communication_bound(void **state) {
    (void)state;
    /* PCIe TX alone counts; RX missing is not 0 + NaN. */
    aim_phase_hint h = gpu_hint((kv[]){ { "gpu.sm_active", 29 }, { "gpu.pcie_tx", 1 },
                                        { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_COMMUNICATION_BOUND);
    assert_true(h.pcie_gbs == 1 && isnan(h.nvlink_gbs) && h.busy == 29 && h.busy_is_sm);
    h = gpu_hint((kv[]){ { "gpu.util", 10 }, { "gpu.nvlink_tx", 6 }, { "gpu.nvlink_rx", 4 },
                         { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_COMMUNICATION_BOUND);
    assert_true(h.nvlink_gbs == 10 && h.busy == 10 && !h.busy_is_sm);
    /* Below both traffic thresholds: idle, not communication. */
    h = gpu_hint((kv[]){ { "gpu.util", 10 }, { "gpu.pcie_rx", 0.5 }, { "gpu.nvlink_rx", 9 },
                         { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_GPU_IDLE);
}

static void gpu_idle_judged_by_sm_first(void **state) {
    (void)state;
    /* SM active is the better witness: utilisation 100 % with SM 20 % is idle. */
    aim_phase_hint h = gpu_hint((kv[]){ { "gpu.util", 100 }, { "gpu.sm_active", 20 },
                                        { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_GPU_IDLE);
    assert_true(h.busy == 20 && h.busy_is_sm && h.gpu_util == 100);
    h = gpu_hint((kv[]){ { "gpu.util", 30 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
}

static void gpu_busy_only_without_profiling(void **state) {
    (void)state;
    aim_phase_hint h = gpu_hint((kv[]){ { "gpu.util", 90 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_GPU_BUSY);
    assert_true(h.gpu_util == 90);
    h = gpu_hint((kv[]){ { "gpu.util", 95 }, { "gpu.sm_active", 60 }, { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
    h = gpu_hint((kv[]){ { NULL, 0 } });
    assert_int_equal(h.kind, AIM_HINT_NONE);
    assert_true(isnan(h.busy) && isnan(h.pcie_gbs));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_cpu_bound_from_80),
        cmocka_unit_test(gpu_memory_bound),
        cmocka_unit_test(gpu_compute_bound),
        cmocka_unit_test(gpu_communication_bound),
        cmocka_unit_test(gpu_idle_judged_by_sm_first),
        cmocka_unit_test(gpu_busy_only_without_profiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
