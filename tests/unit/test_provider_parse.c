/* The providers' pure parts: the time parser, each provider's answer parser on bodies shaped
 * like the documented ones (and broken ones), the credentials file parser, the cache file
 * parser and the series helpers. Expected numbers are computed by hand in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "providers/provider_impl.h"

/* 2026-11-21T09:00:00Z: 20778 days after 1970-01-01 (× 86400 = 1795219200) + 9 h. */
#define T0900 1795251600000LL
#define T0905 (T0900 + 5 * 60000LL)
#define T0930 (T0900 + 30 * 60000LL)
#define T1000 (T0900 + 3600000LL)
#define T0800 (T0900 - 3600000LL)

static int parse_time(const char *s, int64_t *ms) { return aim__iso8601_parse(s, strlen(s), ms); }

static void time_parser_accepts_provider_forms(void **state) {
    int64_t ms;
    assert_int_equal(parse_time("2026-11-21T09:00:00.000Z", &ms), 0);
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21T09:00:00+00:00", &ms), 0);
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21T09:00Z", &ms), 0);
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21T10:30:00+01:30", &ms), 0);
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21T04:00-0500", &ms), 0);
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21 09:00", &ms), 0); /* no zone: UTC */
    assert_true(ms == T0900);
    assert_int_equal(parse_time("2026-11-21", &ms), 0);
    assert_true(ms == T0900 - 9 * 3600000LL);
    /* 2024 is a leap year; fractions beyond ms are dropped, not rounded. */
    assert_int_equal(parse_time("2024-02-29T23:59:59.1239Z", &ms), 0);
    assert_true(ms == 1709251199123LL);
    assert_int_equal(parse_time("1900-01-01T00:00:00Z", &ms), 0);
    assert_true(ms == -2208988800000LL);
}

static void time_parser_rejects(void **state) {
    static const char *const bad[] = {
        "", "2026", "2026-11", "2026-13-01", "2026-02-29", "2026-02-30T00:00Z", "2026-11-21T24:00Z",
        "2026-11-21T09:60Z", "2026-11-21T09:00:61Z", "2026-11-21T09Z", "2026-11-21T09:00:00.Z",
        "2026-11-21T09:00:00+15:00", "2026-11-21T09:00:00Zx", "2026-11-21T09:00 ", "1899-12-31",
        "26-11-21", "2026-11-21T09:00:00+0", "2026/11/21", " 2026-11-21", "2026-11-21T09:00:00.1234567890Z",
        "1900-01-01T00:56+01", "9999-12-31T23:59:59-01:00", /* in range only before the offset */
    };
    int64_t ms = 42;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_time(bad[i], &ms) != -EINVAL)
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_true(ms == 42);
    /* Exactly len bytes: a valid prefix of a longer buffer is not read past. */
    assert_int_equal(aim__iso8601_parse("2026-11-21T09:00Zjunk", 17, &ms), 0);
    assert_true(ms == T0900);
}

static void time_format_round_trips(void **state) {
    char buf[40];
    aim__iso8601_format(T0900, 1, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-21T09:00:00Z");
    aim__iso8601_format(T0930 + 59999, 0, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-21T09:30Z");
    aim__iso8601_format(-1, 1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    aim__iso8601_format(1709251199123LL, 1, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T23:59:59Z");
}

/* The public parser gives ns since 1970 in 64 bits: up to 2262-04-11T23:47:16.854775807Z.
 * Later times the provider parser accepts (years to 9999) are refused, not overflowed
 * (fuzz_wall_time found 9999 overflowing; UBSan flags it). */
static void wall_time_in_ns_range(void **state) {
    int64_t ns = 42;
    assert_int_equal(aim_parse_wall_time("2262-04-11T23:47:16.854Z", &ns), 0);
    assert_true(ns == 9223372036854000000LL);
    assert_int_equal(aim_parse_wall_time("1900-01-01", &ns), 0);
    assert_true(ns == -2208988800000000000LL);
    ns = 42;
    assert_int_equal(aim_parse_wall_time("2262-04-11T23:47:17Z", &ns), -EINVAL);
    assert_int_equal(aim_parse_wall_time("9999-12-31T23:59:59Z", &ns), -EINVAL);
    assert_true(ns == 42);
}

/* ---------------------------------------------------------------- Electricity Maps */

static const char em_latest[] =
    "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00.000Z\","
    "\"updatedAt\":\"2026-11-21T09:47:11.374Z\",\"createdAt\":\"2026-11-18T09:50:02.214Z\","
    "\"emissionFactorType\":\"lifecycle\",\"isEstimated\":true,\"estimationMethod\":\"TIME_SLICER_AVERAGE\"}";

static const char em_history[] =
    "{\"zone\":\"DE\",\"history\":["
    "{\"zone\":\"DE\",\"carbonIntensity\":310.5,\"datetime\":\"2026-11-21T08:00:00.000Z\",\"updatedAt\":\"2026-11-21T08:50:00.000Z\","
    "\"emissionFactorType\":\"direct\",\"isEstimated\":false,\"estimationMethod\":null},"
    "{\"zone\":\"DE\",\"carbonIntensity\":null,\"datetime\":\"2026-11-21T09:00:00.000Z\",\"emissionFactorType\":\"direct\"},"
    "{\"zone\":\"DE\",\"carbonIntensity\":290,\"datetime\":\"2026-11-21T10:00:00.000Z\",\"emissionFactorType\":\"direct\","
    "\"unit\":\"gCO2eq/kWh\"}]}";

static int em(const char *body, aim_em_kind kind, aim_prov_parsed *p, char *err) {
    memset(p, 0, sizeof *p);
    p->basis = AIM_BASIS_UNKNOWN;
    return aim__em_parse(body, strlen(body), kind, p, err, 200);
}

static void em_latest_and_history(void **state) {
    aim_prov_parsed p;
    char err[200];
    assert_int_equal(em(em_latest, AIM_EM_LATEST, &p, err), 0);
    assert_int_equal(p.series.n, 1);
    assert_true(p.series.p[0].t_unix_ms == T0900);
    assert_true(p.series.p[0].g_per_kwh == 302.0);
    assert_string_equal(p.zone, "DE");
    assert_int_equal(p.basis, AIM_BASIS_LIFECYCLE);
    aim__prov_parsed_free(&p);

    assert_int_equal(em(em_history, AIM_EM_HISTORY, &p, err), 0);
    assert_int_equal(p.series.n, 2); /* the null hour is skipped, not zero */
    assert_int_equal(p.skipped, 1);
    assert_true(p.series.p[0].t_unix_ms == T0800 && p.series.p[0].g_per_kwh == 310.5);
    assert_true(p.series.p[1].t_unix_ms == T1000 && p.series.p[1].g_per_kwh == 290.0);
    assert_int_equal(p.basis, AIM_BASIS_DIRECT);
    aim__prov_parsed_free(&p);

    /* past-range has its points under "data"; an empty array is no data, not an error. */
    assert_int_equal(em("{\"zone\":\"FR\",\"data\":[]}", AIM_EM_RANGE, &p, err), 0);
    assert_int_equal(p.series.n, 0);
    assert_string_equal(p.zone, "FR");
    aim__prov_parsed_free(&p);
}

static void em_rejects_broken_answers(void **state) {
    static const struct {
        const char *body;
        aim_em_kind kind;
        const char *says;
    } cases[] = {
        { "{\"zone\":\"DE\",\"carbonIn", AIM_EM_LATEST, "malformed JSON" },
        { "", AIM_EM_LATEST, "malformed JSON" },
        { "[1,2]", AIM_EM_LATEST, "not a JSON object" },
        { "{\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST, "zone" },
        { "{\"zone\":\"DE\",\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST, "no \"carbonIntensity\"" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":\"302\",\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST, "not a number" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":-3,\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST, "plausible" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":9000,\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST, "plausible" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":302}", AIM_EM_LATEST, "datetime" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"yesterday\"}", AIM_EM_LATEST, "ISO 8601" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00Z\",\"unit\":\"lbsCO2/MWh\"}",
          AIM_EM_LATEST, "unit \"lbsCO2/MWh\"" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00Z\",\"emissionFactorType\":\"marginal\"}",
          AIM_EM_LATEST, "emissionFactorType" },
        { "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00Z\",\"isEstimated\":\"yes\"}",
          AIM_EM_LATEST, "isEstimated" },
        { "{\"zone\":\"DE\",\"history\":{}}", AIM_EM_HISTORY, "no \"history\" array" },
        { "{\"zone\":\"DE\",\"history\":[]}", AIM_EM_RANGE, "no \"data\" array" },
        { "{\"zone\":\"DE\",\"history\":[7]}", AIM_EM_HISTORY, "not an object" },
        { "{\"zone\":\"DE\",\"zone\":\"FR\",\"carbonIntensity\":1,\"datetime\":\"2026-11-21T09:00:00Z\"}", AIM_EM_LATEST,
          "malformed JSON" },
        { "{\"zone\":\"DE\",\"history\":[{\"carbonIntensity\":1,\"datetime\":\"2026-11-21T09:00:00Z\",\"emissionFactorType\":\"direct\"},"
          "{\"carbonIntensity\":1,\"datetime\":\"2026-11-21T10:00:00Z\",\"emissionFactorType\":\"lifecycle\"}]}",
          AIM_EM_HISTORY, "mix" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_prov_parsed p;
        char err[200] = "";
        int r = em(cases[i].body, cases[i].kind, &p, err);
        aim__prov_parsed_free(&p);
        if (r != -EPROTO || !strstr(err, cases[i].says))
            fail_msg("case %zu: r=%d err='%s' (wanted '%s')", i, r, err, cases[i].says);
    }
}

/* ---------------------------------------------------------------- WattTime */

static const char wt_historical[] =
    "{\"data\":[{\"point_time\":\"2026-11-21T09:05:00+00:00\",\"value\":1000.0},"
    "{\"point_time\":\"2026-11-21T09:00:00+00:00\",\"value\":900}],"
    "\"meta\":{\"data_point_period_seconds\":300,\"region\":\"CAISO_NORTH\",\"warnings\":[],"
    "\"signal_type\":\"co2_moer\",\"model\":{\"date\":\"2023-03-01\",\"type\":\"binned_regression\"},"
    "\"units\":\"lbs_co2_per_mwh\",\"generated_at_period_seconds\":300,\"generated_at\":\"2026-11-21T09:06:11+00:00\"}}";

static void wt_converts_pounds_per_mwh(void **state) {
    aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
    char err[200];
    assert_int_equal(aim__wt_parse_data(wt_historical, strlen(wt_historical), "co2_moer", &p, err, sizeof err), 0);
    assert_int_equal(p.series.n, 2);
    assert_string_equal(p.zone, "CAISO_NORTH");
    /* In answer order; 1000 lb/MWh × 0.45359237 = 453.59237 g/kWh, 900 → 408.233133. */
    assert_true(p.series.p[0].t_unix_ms == T0905);
    assert_float_equal(p.series.p[0].g_per_kwh, 453.59237, 1e-9);
    assert_true(p.series.p[1].t_unix_ms == T0900);
    assert_float_equal(p.series.p[1].g_per_kwh, 408.233133, 1e-9);
    aim__prov_parsed_free(&p);
}

static void wt_rejects(void **state) {
    static const struct {
        const char *body;
        const char *says;
    } cases[] = {
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":45}],\"meta\":{\"units\":\"percentile\","
          "\"signal_type\":\"co2_moer\"}}", "not an intensity" },
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":4}],\"meta\":{\"units\":\"$_per_mwh\","
          "\"signal_type\":\"co2_moer\"}}", "not an intensity" },
        { "{\"data\":[],\"meta\":{\"signal_type\":\"co2_moer\"}}", "units" },
        { "{\"data\":[],\"meta\":{\"units\":\"lbs_co2_per_mwh\",\"signal_type\":\"health_damage\"}}", "signal" },
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\"}],\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}", "lacks" },
        { "{\"data\":[{\"point_time\":\"soon\",\"value\":1}],\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}", "ISO 8601" },
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":\"1\"}],\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}",
          "not a number" },
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":-1}],\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}",
          "plausible" },
        /* 12000 lb/MWh = 5443 g/kWh: above any grid. */
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":12000}],\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}",
          "plausible" },
        { "{\"data\":[],\"meta\":{\"units\":\"lbs_co2_per_mwh\",\"region\":\"../../etc\"}}", "region" },
        { "{\"meta\":{\"units\":\"lbs_co2_per_mwh\"}}", "\"data\"" },
        { "{\"data\":[]}", "\"meta\"" },
        { "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":1}", "malformed JSON" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
        char err[200] = "";
        int r = aim__wt_parse_data(cases[i].body, strlen(cases[i].body), "co2_moer", &p, err, sizeof err);
        aim__prov_parsed_free(&p);
        if (r != -EPROTO || !strstr(err, cases[i].says))
            fail_msg("case %zu: r=%d err='%s' (wanted '%s')", i, r, err, cases[i].says);
    }
}

static void wt_login_region_index(void **state) {
    char tok[64], err[200], region[64];
    const char *login = "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\"}";
    assert_int_equal(aim__wt_parse_login(login, strlen(login), tok, sizeof tok, err, sizeof err), 0);
    assert_string_equal(tok, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
    /* A token that would inject a header line is refused. */
    const char *evil = "{\"token\":\"abc\\r\\nX-Evil: 1\"}";
    assert_int_equal(aim__wt_parse_login(evil, strlen(evil), tok, sizeof tok, err, sizeof err), -EPROTO);
    assert_int_equal(aim__wt_parse_login("{}", 2, tok, sizeof tok, err, sizeof err), -EPROTO);
    assert_string_equal(err, "login answer has no valid \"token\"");
    assert_int_equal(aim__wt_parse_login("[1]", 3, tok, sizeof tok, err, sizeof err), -EPROTO);
    assert_string_equal(err, "answer is not a JSON object");
    const char *reg = "{\"region\":\"CAISO_NORTH\",\"region_full_name\":\"California ISO Northern\",\"signal_type\":\"co2_moer\"}";
    assert_int_equal(aim__wt_parse_region(reg, strlen(reg), region, sizeof region, err, sizeof err), 0);
    assert_string_equal(region, "CAISO_NORTH");
    assert_int_equal(aim__wt_parse_region("{\"region\":7}", 12, region, sizeof region, err, sizeof err), -EPROTO);
    assert_string_equal(err, "region-from-loc answer has no valid \"region\"");
    const char *idx = "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00+00:00\",\"value\":12.0},"
                      "{\"point_time\":\"2026-11-21T09:05:00+00:00\",\"value\":43.0}],"
                      "\"meta\":{\"units\":\"percentile\",\"signal_type\":\"co2_moer\"}}";
    double pct = -1;
    assert_int_equal(aim__wt_parse_index(idx, strlen(idx), &pct, err, sizeof err), 0);
    assert_float_equal(pct, 43.0, 0);
    const char *bad = "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00Z\",\"value\":143}]}";
    assert_int_equal(aim__wt_parse_index(bad, strlen(bad), &pct, err, sizeof err), -EPROTO);
}

/* ---------------------------------------------------------------- UK */

static const char uk_national[] =
    "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":180,"
    "\"actual\":175,\"index\":\"moderate\"}},{\"from\":\"2026-11-21T09:30Z\",\"to\":\"2026-11-21T10:00Z\","
    "\"intensity\":{\"forecast\":190,\"actual\":null,\"index\":\"moderate\"}}]}";

static const char uk_regional_now[] =
    "{\"data\":[{\"regionid\":13,\"dnoregion\":\"UKPN London\",\"shortname\":\"London\",\"data\":[{\"from\":"
    "\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":150,\"index\":\"moderate\"},"
    "\"generationmix\":[{\"fuel\":\"gas\",\"perc\":30.1},{\"fuel\":\"wind\",\"perc\":40.2}]}]}]}";

static const char uk_regional_range[] =
    "{\"data\":{\"regionid\":16,\"dnoregion\":\"Scotland\",\"shortname\":\"Scotland\",\"data\":[{\"from\":"
    "\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":20,\"index\":\"very low\"}},"
    "{\"from\":\"2026-11-21T09:30Z\",\"to\":\"2026-11-21T10:00Z\",\"intensity\":{\"forecast\":22,\"index\":\"very low\"}}]}}";

static void uk_national_and_regional(void **state) {
    aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
    char err[200];
    assert_int_equal(aim__uk_parse(uk_national, strlen(uk_national), 0, &p, err, sizeof err), 0);
    assert_string_equal(p.zone, "GB");
    assert_int_equal(p.basis, AIM_BASIS_DIRECT);
    assert_int_equal(p.series.n, 2);
    /* The actual where published, else the forecast. */
    assert_true(p.series.p[0].t_unix_ms == T0900 && p.series.p[0].g_per_kwh == 175.0);
    assert_true(p.series.p[1].t_unix_ms == T0930 && p.series.p[1].g_per_kwh == 190.0);
    aim__prov_parsed_free(&p);

    memset(&p, 0, sizeof p);
    assert_int_equal(aim__uk_parse(uk_regional_now, strlen(uk_regional_now), 1, &p, err, sizeof err), 0);
    assert_string_equal(p.zone, "GB-region-13");
    assert_string_equal(p.label, "London");
    assert_int_equal(p.series.n, 1);
    assert_true(p.series.p[0].g_per_kwh == 150.0);
    aim__prov_parsed_free(&p);

    memset(&p, 0, sizeof p);
    assert_int_equal(aim__uk_parse(uk_regional_range, strlen(uk_regional_range), 1, &p, err, sizeof err), 0);
    assert_string_equal(p.zone, "GB-region-16");
    assert_int_equal(p.series.n, 2);
    assert_true(p.series.p[1].t_unix_ms == T0930 && p.series.p[1].g_per_kwh == 22.0);
    aim__prov_parsed_free(&p);
}

static void uk_rejects(void **state) {
    static const struct {
        const char *body;
        int regional;
        const char *says;
    } cases[] = {
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\"}]}", 0, "intensity" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:30Z\",\"to\":\"2026-11-21T09:00Z\",\"intensity\":{\"forecast\":1}}]}", 0,
          "in order" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":\"high\"}}]}",
          0, "not numbers" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"actual\":3}}]}", 0,
          "not numbers" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":1,\"index\":3}}]}",
          0, "index" },
        { "{\"data\":{}}", 0, "array of periods" },
        { "{\"nodata\":[]}", 0, "no \"data\"" },
        { "{\"data\":[{\"regionid\":18,\"data\":[]}]}", 1, "1-17" },
        { "{\"data\":[{\"regionid\":1,\"data\":[]},{\"regionid\":2,\"data\":[]}]}", 1, "expected one" },
        { "{\"data\":[{\"regionid\":1}]}", 1, "array of periods" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":-1}}]}", 0,
          "plausible" },
        { "{\"data\":[{\"from\":\"2026-11-21T09:00Z\"", 0, "malformed JSON" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
        char err[200] = "";
        int r = aim__uk_parse(cases[i].body, strlen(cases[i].body), cases[i].regional, &p, err, sizeof err);
        aim__prov_parsed_free(&p);
        if (r != -EPROTO || !strstr(err, cases[i].says))
            fail_msg("case %zu: r=%d err='%s' (wanted '%s')", i, r, err, cases[i].says);
    }
}

/* ---------------------------------------------------------------- credentials file */

static void credentials_parser(void **state) {
    const char text[] = "# aimeter credentials\n"
                        "[electricitymaps]\n"
                        "  electricitymaps_api_key = abc123 \r\n"
                        "; comment\n"
                        "\n"
                        "WATTTIME_USERNAME=alice\n"
                        "watttime_password = \"p=ss word\"\n"
                        "electricitymaps_api_key = second\n";
    char out[64];
    int line = 0;
    assert_int_equal(aim__credentials_parse(text, sizeof text - 1, "electricitymaps_api_key", out, sizeof out, &line), 0);
    assert_string_equal(out, "second"); /* the last one wins */
    assert_int_equal(aim__credentials_parse(text, sizeof text - 1, "watttime_username", out, sizeof out, &line), 0);
    assert_string_equal(out, "alice");
    assert_int_equal(aim__credentials_parse(text, sizeof text - 1, "watttime_password", out, sizeof out, &line), 0);
    assert_string_equal(out, "p=ss word");
    assert_int_equal(aim__credentials_parse(text, sizeof text - 1, "nothing", out, sizeof out, &line), -ENOENT);
    assert_int_equal(aim__credentials_parse(text, sizeof text - 1, "electricitymaps_api_key", out, 4, &line), -ENOBUFS);

    const char bad[] = "a = 1\njust words\n";
    assert_int_equal(aim__credentials_parse(bad, sizeof bad - 1, "a", out, sizeof out, &line), -EINVAL);
    assert_int_equal(line, 2);
    const char ctl[] = "a = x\ry\n";
    assert_int_equal(aim__credentials_parse(ctl, sizeof ctl - 1, "a", out, sizeof out, &line), -EINVAL);
    const char nul[] = "a = x\0y\n";
    assert_int_equal(aim__credentials_parse(nul, sizeof nul - 1, "a", out, sizeof out, &line), -EINVAL);
    const char del[] = "a = x\x7fy\n"; /* as in the environment variable: refused */
    assert_int_equal(aim__credentials_parse(del, sizeof del - 1, "a", out, sizeof out, &line), -EINVAL);
    assert_int_equal(line, 1);
    const char noval[] = "= 3\n";
    assert_int_equal(aim__credentials_parse(noval, sizeof noval - 1, "a", out, sizeof out, &line), -EINVAL);
    const char empty[] = "a =\n";
    assert_int_equal(aim__credentials_parse(empty, sizeof empty - 1, "a", out, sizeof out, &line), 0);
    assert_string_equal(out, "");
}

/* ---------------------------------------------------------------- cache file, series */

static void cache_file_parser(void **state) {
    const char good[] = "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1795251600000,"
                        "\"zone\":\"DE\",\"signal\":\"average\",\"basis\":\"lifecycle\",\"source\":\"x\",\"note\":\"\","
                        "\"points\":[[1795248000000,310.5],[1795251600000,302]]}";
    aim_cache_entry e;
    assert_int_equal(aim__cache_parse(good, sizeof good - 1, &e), 0);
    assert_int_equal(e.series.n, 2);
    assert_true(e.series.p[1].t_unix_ms == T0900 && e.series.p[1].g_per_kwh == 302.0);
    assert_true(e.fetched_ms == T0900);
    assert_string_equal(e.zone, "DE");
    aim__cache_entry_free(&e);
    static const char *const bad[] = {
        "{}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":2,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[]}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[[2,1],[1,1]]}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"avg\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[]}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[[1,-1]]}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[[1]]}",
        /* A time no provider can give: its formatting would overflow. */
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[[-9223372036854775807,1]]}",
        "{\"format\":\"aimeter-intensity-cache\",\"version\":1,\"fetched_unix_ms\":1,\"zone\":\"a\\u0000b\",\"signal\":\"average\","
        "\"basis\":\"lifecycle\",\"source\":\"\",\"points\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (aim__cache_parse(bad[i], strlen(bad[i]), &e) != -EPROTO)
            fail_msg("accepted cache %zu", i);
}

static void series_sort_dedupe_clip(void **state) {
    aim_prov_series s = { 0 };
    int64_t t[] = { 30, 10, 20, 10, 40, 0 };
    double v[] = { 3, 1, 2, 11, 4, 0.5 };
    for (int i = 0; i < 6; i++)
        assert_int_equal(aim__prov_series_push(&s, t[i], v[i]), 0);
    aim__prov_series_sort_dedupe(&s);
    assert_int_equal(s.n, 5);
    assert_true(s.p[1].t_unix_ms == 10 && s.p[1].g_per_kwh == 11); /* the later of the two 10s */
    /* [15, 40): 10 is in force at 15, then 20 and 30; 40 is outside. */
    aim__prov_series_clip(&s, 15, 40);
    assert_int_equal(s.n, 3);
    assert_true(s.p[0].t_unix_ms == 10 && s.p[2].t_unix_ms == 30);
    aim__prov_series_free(&s);
}

static void scrub_and_quote(void **state) {
    char msg[128] = "key sekrit123 refused; sekrit123 again";
    aim__prov_scrub(msg, "sekrit123");
    assert_string_equal(msg, "key *** refused; *** again");
    char q[16];
    aim__prov_quote(q, sizeof q, "a\nb\x01" "cdefghijklmnopqrstuvwxyz", 100);
    assert_string_equal(q, "a?b?cdefghijklm");
    char url[64] = "http://x/v3/p";
    assert_int_equal(aim__prov_url_add(url, sizeof url, "zone", "US-CAL CISO&x"), 0);
    assert_string_equal(url, "http://x/v3/p?zone=US-CAL%20CISO%26x");
    assert_int_equal(aim__prov_url_add(url, sizeof url, "t", "2026-11-21T09:00:00Z"), 0);
    assert_string_equal(url, "http://x/v3/p?zone=US-CAL%20CISO%26x&t=2026-11-21T09%3A00%3A00Z");
    assert_int_equal(aim__prov_url_add(url, sizeof url, "more", "xxxxxxxxxxxxxxxxxx"), -ENOBUFS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parser_accepts_provider_forms),
        cmocka_unit_test(time_parser_rejects),
        cmocka_unit_test(time_format_round_trips),
        cmocka_unit_test(wall_time_in_ns_range),
        cmocka_unit_test(em_latest_and_history),
        cmocka_unit_test(em_rejects_broken_answers),
        cmocka_unit_test(wt_converts_pounds_per_mwh),
        cmocka_unit_test(wt_rejects),
        cmocka_unit_test(wt_login_region_index),
        cmocka_unit_test(uk_national_and_regional),
        cmocka_unit_test(uk_rejects),
        cmocka_unit_test(credentials_parser),
        cmocka_unit_test(cache_file_parser),
        cmocka_unit_test(series_sort_dedupe_clip),
        cmocka_unit_test(scrub_and_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
