/* What a /metrics scrape costs aimeter: the exposition of 8 GPUs x 30 metrics (plus a host
 * and its CPU) rendered from a snapshot copy, both formats (report/prometheus.c; the HTTP
 * round trip is libmicrohttpd's). Issue 14's target: < 1 ms per scrape. Prints a table; never
 * fails on a timing. */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "report/prometheus.h"

enum { GPUS = 8, PER_GPU = 30, N = 2000 };

int main(void) {
    static aim_prom_device devices[GPUS + 1];
    static aim_prom_series series[GPUS * PER_GPU];
    static char names[GPUS][8];
    int ns = 0;
    for (int g = 0; g < GPUS; g++) {
        snprintf(names[g], sizeof names[g], "gpu%d", g);
        devices[g] = (aim_prom_device){ names[g], "gpu", "NVIDIA H100 80GB HBM3",
                                        "GPU-0000", "measured", g, 1, 1000.0 * g };
        /* The registry's GPU rows and the per-device ones, 30 of them. */
        int m = 0;
        for (int id = 0; id < AIM_M__COUNT && m < PER_GPU; id++) {
            if (id == AIM_M_ENERGY || id == AIM_M_CPU_UTIL || id == AIM_M_CPU_CORE_UTIL ||
                (id >= AIM_M_MEM_USED && id <= AIM_M_PROC_COUNT))
                continue;
            series[ns++] = (aim_prom_series){ g, (aim_metric_id)id, -1, 1, 12.345 + id };
            m++;
        }
    }
    devices[GPUS] = (aim_prom_device){ "host", "host", NULL, NULL, NULL, -1, 0, 0 };
    aim_prom_input in = { .host = "node1", .run = "20261207-130614-417fc1", .task = "train",
                          .phase = "decode", .zone = "FR", .signal = "average",
                          .duration_s = 3600, .power_w = 5000, .energy_j = 1.8e7,
                          .carbon_g = 250, .devices = devices, .n_devices = GPUS + 1,
                          .series = series, .n_series = ns };
    printf("| exposition of %d GPUs x %d series | µs per scrape | bytes |\n", GPUS, ns / GPUS);
    printf("|---|---|---|\n");
    for (int om = 0; om <= 1; om++) {
        size_t bytes = 0;
        double t0 = now_s();
        for (int i = 0; i < N; i++) {
            aim_strbuf b = AIM_STRBUF_INIT;
            aim__prom_render(&in, om, &b);
            bytes = b.len;
            aim__strbuf_free(&b);
        }
        printf("| %s | %.1f | %zu |\n", om ? "OpenMetrics 1.0" : "text 0.0.4",
               (now_s() - t0) / N * 1e6, bytes);
    }
    return 0;
}
