/* report/whatif_report.h on hand-made result structs (no store, no replay): the --zones
 * table and JSON, the --hardware tables and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/whatif_report.h"

#define T0_NS 1767614400000000000LL
#define T0_MS (T0_NS / 1000000)

static aim_run_summary hand_run(void) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "20260105-120000-hand00");
    snprintf(run.name, sizeof run.name, "train");
    snprintf(run.zone, sizeof run.zone, "FR");
    run.start_wall_ns = T0_NS;
    run.total_energy_j = 4001;
    run.carbon_g = 0.36;
    return run;
}

static aim_intensity_point own[] = { { T0_MS, 100 }, { T0_MS + 4500, 500 } };
static aim_intensity_point zone = { T0_MS, 200 };

static void two_scenarios(aim_whatif_scenario sc[2]) {
    memset(sc, 0, 2 * sizeof *sc);
    snprintf(sc[0].label, sizeof sc[0].label, "run (FR)");
    snprintf(sc[0].name, sizeof sc[0].name, "the run's own series");
    snprintf(sc[0].source, sizeof sc[0].source, "built-in table");
    sc[0].points = own;
    sc[0].n = 2;
    sc[0].carbon_g = 0.5;
    sc[0].intensity_g_per_kwh = 320;
    sc[0].ratio = 1;
    snprintf(sc[1].label, sizeof sc[1].label, "PL");
    snprintf(sc[1].zone, sizeof sc[1].zone, "PL");
    snprintf(sc[1].zone_used, sizeof sc[1].zone_used, "PL");
    snprintf(sc[1].requested, sizeof sc[1].requested, "PL@marginal");
    snprintf(sc[1].name, sizeof sc[1].name, "Poland");
    snprintf(sc[1].source, sizeof sc[1].source, "Ember, 2024 (CC BY 4.0)");
    sc[1].points = &zone;
    sc[1].n = 1;
    sc[1].signal = AIM_SIGNAL_MARGINAL;
    sc[1].year = 2024;
    sc[1].carbon_g = 0.25;
    sc[1].intensity_g_per_kwh = 200;
    sc[1].ratio = 0.5;
}

static void contains(const char *text, const char *want) {
    if (!text || !strstr(text, want))
        fail_msg("'%s' not in:\n%s", want, text ? text : "(nothing)");
}

static void zones_text_and_json(void **state) {
    (void)state;
    aim_run_summary run = hand_run();
    aim_whatif_scenario sc[2];
    two_scenarios(sc);
    aim_whatif_result res = { .run = &run, .sc = sc, .n_sc = 2, .pue = 1.5, .pue_is_runs = 1,
                              .tot = { .energy_j = 4000, .ticks = 20, .devices = 2 } };
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__whatif_text(&b, &res);
    char *text;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    if (getenv("SHOW"))
        printf("%s", text);
    contains(text, "aimeter whatif  run 20260105-120000-hand00  \"train\"\n");
    contains(text, "IT energy 4000.00 J (0.001111 kWh) from 20 stored samples of 2 devices; "
                   "PUE 1.5 (the run's own)\n");
    contains(text, "Stored with the run: 4001.00 J, 0.360 g CO2e");
    contains(text, "Zone      Intensity g/kWh  Signal    Basis      Year  Carbon g CO2e  vs run\n"
                   "run (FR)       320 (mean)  average   lifecycle     -          0.500    1.00\n"
                   "PL                    200  marginal  lifecycle  2024          0.250   0.500\n");
    contains(text, "  PL: Poland; Ember, 2024 (CC BY 4.0)\n");
    free(text);

    char *doc;
    assert_int_equal(aim__whatif_json(&res, &doc), 0);
    if (getenv("SHOW"))
        printf("%s\n", doc);
    json_t *root = json_loads(doc, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.whatif/1");
    assert_true(json_real_value(json_object_get(root, "energy_j")) == 4000);
    assert_true(json_integer_value(json_object_get(root, "samples")) == 20);
    assert_true(json_is_true(json_object_get(root, "pue_is_runs")));
    json_t *arr = json_object_get(root, "scenarios");
    assert_int_equal(json_array_size(arr), 2);
    json_t *base = json_array_get(arr, 0), *pl = json_array_get(arr, 1);
    /* The baseline's zone is the run's; the others' their own. */
    assert_string_equal(json_string_value(json_object_get(base, "zone")), "FR");
    assert_true(json_is_true(json_object_get(base, "baseline")));
    assert_true(json_is_null(json_object_get(base, "year")));
    assert_string_equal(json_string_value(json_object_get(pl, "requested")), "PL@marginal");
    assert_string_equal(json_string_value(json_object_get(pl, "signal")), "marginal");
    assert_true(json_integer_value(json_object_get(pl, "year")) == 2024);
    assert_true(json_real_value(json_object_get(pl, "carbon_g")) == 0.25);
    assert_true(json_real_value(json_object_get(pl, "ratio")) == 0.5);
    json_decref(root);
    free(doc);
}

static void hardware_text_and_json(void **state) {
    (void)state;
    aim_run_summary run = hand_run();
    aim_whatif_scenario sc[2];
    two_scenarios(sc);
    static const aim_gpu_info x1 = { .name = "Acme X1", .tdp_w = 300, .source = "stated" };
    static const aim_gpu_info y2 = { .name = "Acme Y2", .tdp_w = 150, .source = "stated" };
    aim_whatif_hw_result res;
    memset(&res, 0, sizeof res);
    res.run = &run;
    res.sc = sc;
    res.n_sc = 2;
    res.n_models = 1;
    res.model[0].info = &x1;
    res.model[0].stated = 1;
    snprintf(res.model[0].measured_name, sizeof res.model[0].measured_name, "Acme X1 PCIe");
    snprintf(res.model[0].devices, sizeof res.model[0].devices, "gpu0, gpu1");
    res.model[0].n_devices = 2;
    res.model[0].energy_j = 3000;
    res.model[0].carbon_g[0] = 0.4;
    res.model[0].carbon_g[1] = 0.2;
    res.n_alts = 1;
    snprintf(res.alt[0].query, sizeof res.alt[0].query, "y2");
    res.alt[0].info = &y2;
    res.alt[0].ratio[0] = (aim_hw_ratio){ .throughput = "tensor", .tput_from = 100,
                                          .tput_to = 200, .power_from = 300, .power_to = 150,
                                          .power_ratio = 0.5, .speed_ratio = 0.5,
                                          .ratio = 0.25 };
    res.alt[0].gpu_energy_j = 750;
    res.alt[0].energy_j = 1750;
    res.alt[0].carbon_g[0] = 0.2;
    res.alt[0].carbon_g[1] = 0.1;
    res.pue = 1.5;
    res.energy_j = 4000;
    res.gpu_energy_j = 3000;
    res.ticks = 20;
    res.any_stated = 1;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__whatif_hw_text(&b, &res);
    char *text;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    if (getenv("SHOW"))
        printf("%s", text);
    contains(text, "Measured: gpu0, gpu1 (Acme X1 PCIe) = Acme X1 as stated with --gpu-spec; "
                   "3000 J of GPU energy\n");
    contains(text, "IT energy 4000 J from 20 stored samples (GPUs 3000 J, the rest 1000 J); "
                   "PUE 1.5\n");
    contains(text, "Acme Y2      Acme X1   150 / 300  200 / 100    0.500   0.500     0.250"
                   "       tensor\n");
    contains(text, "Hardware  GPU energy J  IT energy J  vs measured  g CO2e run (FR)  g CO2e PL\n"
                   "measured          3000         4000         1.00           0.5000     0.2500\n"
                   "Acme Y2          750.0         1750        0.438           0.2000     0.1000\n");
    contains(text, "or stated with --gpu-spec: a workload");
    free(text);
    char *doc;
    assert_int_equal(aim__whatif_hw_json(&res, &doc), 0);
    if (getenv("SHOW"))
        printf("%s\n", doc);
    json_t *root = json_loads(doc, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")),
                        "aimeter.whatif-hardware/1");
    assert_true(json_real_value(json_object_get(root, "gpu_energy_j")) == 3000);
    json_t *zones = json_object_get(root, "zones");
    assert_int_equal(json_array_size(zones), 2);
    /* A series has no one intensity. */
    assert_true(json_is_null(json_object_get(json_array_get(zones, 0), "intensity_g_per_kwh")));
    assert_true(json_real_value(json_object_get(json_array_get(zones, 1),
                                                "intensity_g_per_kwh")) == 200);
    json_t *alt = json_array_get(json_object_get(root, "alternatives"), 0);
    assert_true(json_real_value(json_object_get(alt, "energy_vs_measured")) == 1750.0 / 4000);
    json_t *ratio = json_array_get(json_object_get(alt, "ratios"), 0);
    assert_true(json_real_value(json_object_get(ratio, "energy_ratio")) == 0.25);
    assert_true(json_real_value(json_array_get(json_object_get(alt, "carbon_g"), 1)) == 0.1);
    json_t *all = json_object_get(root, "carbon_g");
    assert_true(json_real_value(json_array_get(all, 0)) == 0.5);
    json_decref(root);
    free(doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zones_text_and_json),
        cmocka_unit_test(hardware_text_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
