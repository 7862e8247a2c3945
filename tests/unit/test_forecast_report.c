/* report/forecast_report.h on a hand-made result (no store, no fit): the text and the JSON of
 * aimeter forecast, a forecast line refused by its verdict included. */
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

#include "report/forecast_report.h"

#define S 1000000000LL

static void contains(const char *text, const char *want) {
    if (!text || !strstr(text, want))
        fail_msg("'%s' not in:\n%s", want, text ? text : "(nothing)");
}

/* Epochs 1..3 of 10, 12, 14 s at 100 W, to 5 epochs; the time line forecasts (4 and 5: 16 +
 * 18 = 34 s ± 2), the energy line was refused as falling. */
static void hand_result(aim_forecast_result *f, aim_run_summary *run, aim_fc_point pts[3],
                        long future[2]) {
    memset(run, 0, sizeof *run);
    snprintf(run->id, sizeof run->id, "20260105-120000-fcst00");
    snprintf(run->name, sizeof run->name, "train");
    run->status = AIM_RUN_COMPLETED;
    memcpy(run->currency, "EUR", 3);
    memset(f, 0, sizeof *f);
    f->run = run;
    f->phase = "epoch";
    f->numbered = 1;
    f->base = 1;
    f->target = 5;
    for (int i = 0; i < 3; i++) {
        memset(&pts[i], 0, sizeof pts[i]);
        pts[i].index = i + 1;
        snprintf(pts[i].name, sizeof pts[i].name, "epoch %d", i + 1);
        pts[i].start_ns = (5 + 10 * i + i * (i - 1)) * S;
        pts[i].seconds = 10 + 2 * i;
        pts[i].end_ns = pts[i].start_ns + (int64_t)pts[i].seconds * S;
        pts[i].energy_j = 100 * pts[i].seconds;
        pts[i].fitted = 1;
    }
    f->pts = pts;
    f->n_pts = f->n_fit = 3;
    future[0] = 4;
    future[1] = 5;
    f->future = future;
    f->n_future = 2;
    f->ft = (aim_linfit){ .n = 3, .a = 8, .b = 2, .s = 0.5, .se_a = 0.25, .se_b = 0.125,
                          .r2 = 0.99 };
    f->fe = (aim_linfit){ .n = 3, .a = 3000, .b = -1000, .s = 10, .se_a = 5, .se_b = 2,
                          .r2 = 0.9 };
    f->rem_t = (aim_fc_sum){ 34, 2 };
    f->rem_e = (aim_fc_sum){ 3400, 200 };
    f->vt = AIM_FORECAST_OK;
    f->ve = AIM_FORECAST_FALLING;
    f->x_last = 5;
    f->obs_t = 36;
    f->obs_e = 3600;
    f->upto_t = 41;
    f->upto_e = 4100;
    f->g_per_j = 0.0002;
    f->cost_per_j = 0.00005;
}

static void text_and_json(void **state) {
    (void)state;
    aim_forecast_result f;
    aim_run_summary run;
    aim_fc_point pts[3];
    long future[2];
    hand_result(&f, &run, pts, future);
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__forecast_text(&b, &f);
    char *text;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    if (getenv("SHOW"))
        printf("%s", text);
    contains(text, "aimeter forecast  run 20260105-120000-fcst00  \"train\"  (completed)\n"
                   "Phase 'epoch' (numbered instances): 3 completed; fitted on 3\n");
    contains(text, "  3  epoch 3     27.00   14.00      1400\n");
    contains(text, "  time    a = 8.000 s (se 0.2500), b = 2.000 s per instance (se 0.1250), "
                   "s = 0.5000 s, R² = 0.990\n");
    contains(text, "Forecast to 'epoch 1'..'epoch 5' (2 to come), 95 % prediction intervals:\n"
                   "          Unit    Completed (3)  To come (2)        All 5  Run to the end\n"
                   "  Energy  J                3600  no forecast  no forecast     no forecast\n"
                   "  Time    s               36.00  34.00 ± 2.0  70.00 ± 2.0     75.00 ± 2.0\n"
                   "  Carbon  g CO2e         0.7200  no forecast  no forecast     no forecast\n"
                   "  Cost    EUR            0.1800  no forecast  no forecast     no forecast\n");
    contains(text, "No energy, carbon or cost forecast: the energy per instance falls (slope "
                   "-1000 J per instance) and the line reaches zero by instance 5");
    contains(text, "Carbon at the run's own 720.0 g CO2e per kWh");
    free(text);
    char *doc;
    assert_int_equal(aim__forecast_json(&f, &doc), 0);
    if (getenv("SHOW"))
        printf("%s\n", doc);
    json_t *root = json_loads(doc, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.forecast/1");
    assert_true(json_integer_value(json_object_get(root, "completed")) == 3);
    assert_true(json_is_false(json_object_get(root, "running")));
    json_t *fc = json_object_get(root, "forecast");
    assert_string_equal(json_string_value(json_object_get(json_object_get(fc, "energy_j"),
                                                          "verdict")), "falling");
    assert_true(json_is_null(json_object_get(json_object_get(fc, "time_s"), "reason")));
    json_t *rem = json_object_get(root, "remaining");
    assert_true(json_is_null(json_object_get(rem, "energy_j")));
    json_t *t = json_object_get(json_object_get(root, "run_total"), "time_s");
    assert_true(json_real_value(json_object_get(t, "value")) == 75);
    assert_true(json_real_value(json_object_get(t, "low")) == 73);
    assert_true(json_real_value(json_object_get(t, "high")) == 77);
    assert_true(json_integer_value(json_array_get(json_object_get(root, "to_come"), 1)) == 5);
    assert_true(json_real_value(json_object_get(root, "carbon_g_per_kwh")) == 720);
    assert_string_equal(json_string_value(json_object_get(root, "currency")), "EUR");
    json_decref(root);
    free(doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
