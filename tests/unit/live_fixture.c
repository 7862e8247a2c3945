/* live_fixture.h */
#include "live_fixture.h"

#include <stdlib.h>

static aim_prom_device devices[] = {
    {"gpu0", "gpu", "NVIDIA A100", "GPU-aaaa", "measured", 0, 1, 800.25},
    {"gpu1", "gpu", "NVIDIA A100", NULL, "derived", 1, 1, 700},
    {"host", "host", NULL, NULL, NULL, -1, 0, 0},
};

static aim_prom_series series[] = {
    {0, AIM_M_POWER, -1, 1, 250},
    {0, AIM_M_GPU_UTIL, -1, 1, 45},
    {1, AIM_M_POWER, -1, 1, 120},
    {1, AIM_M_GPU_UTIL, -1, 1, 90},
    {1, AIM_M_GPU_SM_ACTIVE, -1, 0, 0}, /* not valid: null, never 0 */
    {2, AIM_M_CPU_CORE_UTIL, 3, 1, 12.5},
    {2, AIM_M_MEM_USED, -1, 1, 7.5},
};

aim_prom_input live_fixture_input(void) {
    aim_prom_input in = {
        .host = "node1", .run = "20261207-120000-abcdef", .task = "train", .phase = "decode",
        .zone = "FR", .signal = "average", .duration_s = 12.5, .power_w = 370,
        .energy_j = 1500.25, .carbon_g = 0.5, .devices = devices,
        .n_devices = (int)(sizeof devices / sizeof devices[0]), .series = series,
        .n_series = (int)(sizeof series / sizeof series[0]),
    };
    return in;
}

char *live_fixture_json(double gpu0_power_w, double elapsed_s, double carbon_g) {
    aim_prom_input in = live_fixture_input();
    series[0].value = gpu0_power_w;
    in.duration_s = elapsed_s;
    in.carbon_g = carbon_g;
    aim_live_json_extra x = { .samples = 250, .have_missed = 1, .missed_deadlines = 2 };
    char *text = NULL;
    if (aim__live_json_render(&in, &x, &text) < 0)
        abort();
    series[0].value = 250;
    return text;
}

char *live_fixture_agent_json(void) {
    static const aim_prom_job jobs[] = {
        {"111", "train", 0, 10, 900, 0.25},
        {"222", "", 1, 2, 100.5, 0.125},
    };
    static const aim_live_json_record records[] = { {"tokens", 1000}, {"samples", 8} };
    aim_prom_input in = live_fixture_input();
    in.jobs = jobs;
    in.n_jobs = 2;
    aim_live_json_extra x = { .samples = 250, .records = records, .n_records = 2 };
    char *text = NULL;
    if (aim__live_json_render(&in, &x, &text) < 0)
        abort();
    return text;
}
