/* Other years and signals (data/zone_history.h, aim_zone_history_lookup, and the
 * "CODE[@YEAR][@marginal|@average]" items of aim_whatif_render). The expected values are
 * the rows of data/zones_history*.csv and data/zones_marginal.csv, copied by hand from:
 *   OWID (zones_history.csv):  FR 2010 78.56, FR 2015 59.15, FR 2024 44.18, PL 2010 893.09,
 *                              BE 2015 215.55;
 *   Electricity Maps yearly (zones_history_odbl.csv): CA-SK 2021..2025 561, 505, 494, 488,
 *                              485; US-MIDA-PJM (aws:us-east-1) 2023 401;
 *   Green Algorithms (zones_ga.csv): CA-SK 2019 710, direct;
 *   UNFCCC/IFI operating margin 2021 (zones_marginal.csv): PL 828, CA 372. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "data/zone_history.h"
#include "store/db.h"

#define T0_NS 1767614400000000000LL /* 2026-01-05T12:00:00Z */
#define S_NS 1000000000LL
#define RUN_ID "20260105-120000-years0"

static char tmpdir[64];

static int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_whatif_years_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void near(double got, double want, double rel) {
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ------------------------------------------------------------------ the history lookup */

static void history_lookup(void **state) {
    aim_zone_info z;
    assert_int_equal(aim_zone_history_lookup("FR", 2010, &z), 0);
    assert_true(z.g_per_kwh == 78.56);
    assert_int_equal(z.year, 2010);
    assert_string_equal(z.code, "FR");
    assert_string_equal(z.name, "France");
    assert_string_equal(z.signal, "average");
    assert_string_equal(z.basis, "lifecycle");
    assert_string_equal(z.licence, "CC BY 4.0");
    assert_non_null(strstr(z.source, "Our World in Data"));
    assert_int_equal(aim_zone_history_lookup("fr", 2015, &z), 0); /* any case */
    assert_true(z.g_per_kwh == 59.15);
    assert_int_equal(aim_zone_history_lookup("PL", 2010, &z), 0);
    assert_true(z.g_per_kwh == 893.09);
    /* The current year is the current row itself: FR@2024 and FR cannot disagree. */
    const aim_zone_info *cur;
    assert_int_equal(aim_zone_lookup("FR", &cur), 0);
    assert_true(cur->g_per_kwh == 44.18 && cur->year == 2024);
    assert_int_equal(aim_zone_history_lookup("FR", 2024, &z), 0);
    assert_true(z.g_per_kwh == 44.18 && z.source == cur->source);
    /* Sub-national years from Electricity Maps (ODbL file), and a Green Algorithms row of a
     * year the history lacks. */
    static const double ca_sk[] = { 561, 505, 494, 488, 485 };
    for (int y = 2021; y <= 2025; y++) {
        assert_int_equal(aim_zone_history_lookup("ca_sk", y, &z), 0);
        assert_true(z.g_per_kwh == ca_sk[y - 2021]);
        assert_string_equal(z.licence, "ODbL 1.0 (Electricity Maps)");
    }
    assert_int_equal(aim_zone_history_lookup("CA-SK", 2019, &z), 0);
    assert_true(z.g_per_kwh == 710.0);
    assert_string_equal(z.basis, "direct");
    /* Cloud regions through their zone. */
    assert_int_equal(aim_zone_history_lookup("aws:us-east-1", 2023, &z), 0);
    assert_string_equal(z.code, "US-MIDA-PJM");
    assert_true(z.g_per_kwh == 401.0);
    assert_int_equal(aim_zone_history_lookup("gcp:europe-west1", 2015, &z), 0);
    assert_string_equal(z.code, "BE");
    assert_true(z.g_per_kwh == 215.55);
    /* Unknown: no fallback to a country, and *ret_row untouched. */
    memset(&z, 0, sizeof z);
    assert_int_equal(aim_zone_history_lookup("aws:us-east-1", 2015, &z), -ENOENT);
    assert_int_equal(aim_zone_history_lookup("FR", 2031, &z), -ENOENT);
    assert_int_equal(aim_zone_history_lookup("FR", 1999, &z), -ENOENT);
    assert_int_equal(aim_zone_history_lookup("XX-NOPE", 2015, &z), -ENOENT);
    assert_int_equal(aim_zone_history_lookup("aws:nope", 2015, &z), -ENOENT);
    assert_int_equal(aim_zone_history_lookup("F\xc3\xa9", 2015, &z), -ENOENT);
    assert_null(z.code);
    assert_int_equal(aim_zone_history_lookup("", 2015, &z), -EINVAL);
    assert_int_equal(aim_zone_history_lookup(NULL, 2015, &z), -EINVAL);
    assert_int_equal(aim_zone_history_lookup("FR", 2015, NULL), -EINVAL);
    /* The zone table's lookups are unchanged by the history: PL is OWID 2024. */
    assert_int_equal(aim_zone_lookup("PL", &cur), 0);
    assert_true(cur->g_per_kwh == 614.98 && cur->year == 2024);
}

static void describe(void **state) {
    char buf[256];
    assert_int_equal(aim__zone_history_describe("FR", buf, sizeof buf), 2);
    assert_string_equal(buf, "yearly history: 2000–2024, Our World in Data; 2021–2025, "
                             "Electricity Maps yearly carbon intensity");
    assert_int_equal(aim__zone_history_describe("CA-SK", buf, sizeof buf), 2);
    assert_string_equal(buf, "yearly history: 2021–2025, Electricity Maps yearly carbon "
                             "intensity; zone tables: 2019");
    assert_int_equal(aim__zone_history_describe("US-EGRID-SRVC", buf, sizeof buf), 1);
    assert_string_equal(buf, "no yearly history; zone tables: 2022");
    assert_int_equal(aim__zone_history_describe("XX-NOPE", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    char tiny[8];
    aim__zone_history_describe("FR", tiny, sizeof tiny); /* truncated, terminated */
    assert_true(strlen(tiny) < sizeof tiny);
}

/* ------------------------------------------------------------------ zone-list items */

static aim_zone_spec resolve_ok(const char *item) {
    aim_zone_spec s;
    char err[320];
    int r = aim__zone_spec_resolve(item, strlen(item), &s, err, sizeof err);
    if (r != 0)
        fail_msg("%s: %d %s", item, r, err);
    return s;
}

static void resolve_fails(const char *item, const char *want) {
    aim_zone_spec s;
    memset(&s, 0x5a, sizeof s);
    char err[320];
    assert_int_equal(aim__zone_spec_resolve(item, strlen(item), &s, err, sizeof err), -EINVAL);
    assert_string_equal(err, want);
    assert_true(s.label[0] == 0x5a); /* untouched */
}

static void spec_items(void **state) {
    aim_zone_spec s = resolve_ok("FR");
    assert_string_equal(s.label, "FR");
    assert_int_equal(s.year, 0);
    assert_true(s.row.g_per_kwh == 44.18);
    s = resolve_ok("fr@2010");
    assert_string_equal(s.label, "FR@2010");
    assert_string_equal(s.zone, "FR");
    assert_int_equal(s.year, 2010);
    assert_int_equal(s.marginal, 0);
    assert_true(s.row.g_per_kwh == 78.56 && s.row.year == 2010);
    s = resolve_ok("FR@2015@average"); /* @average is the default signal, said explicitly */
    assert_string_equal(s.label, "FR@2015");
    assert_true(s.row.g_per_kwh == 59.15);
    s = resolve_ok("PL@Marginal");
    assert_string_equal(s.label, "PL@marginal");
    assert_true(s.row.g_per_kwh == 828.0);
    assert_string_equal(s.row.signal, "marginal");
    assert_string_equal(s.row.basis, "direct");
    assert_int_equal(s.row.year, 2021);
    /* Marginal factors are per country: Saskatchewan's is Canada's, and the label says so. */
    s = resolve_ok("ca_sk@marginal");
    assert_string_equal(s.label, "CA-SK@marginal (CA)");
    assert_string_equal(s.zone, "CA-SK");
    assert_string_equal(s.row.code, "CA");
    assert_true(s.row.g_per_kwh == 372.0);
    /* A year with marginal: only the marginal table's own year, in either order. */
    s = resolve_ok("PL@marginal@2021");
    assert_string_equal(s.label, "PL@2021@marginal");
    assert_true(s.row.g_per_kwh == 828.0);
    s = resolve_ok("PL@2021@marginal");
    assert_string_equal(s.label, "PL@2021@marginal");
    /* Cloud regions: the region's zone, then its years. */
    s = resolve_ok("aws:us-east-1@2023");
    assert_string_equal(s.label, "US-MIDA-PJM@2023");
    assert_true(s.row.g_per_kwh == 401.0);
    s = resolve_ok("aws:us-east-1@marginal");
    assert_string_equal(s.label, "US-MIDA-PJM@marginal (US)");
    assert_true(s.row.g_per_kwh == 416.0);
    s = resolve_ok("aws:us-east-1");
    assert_string_equal(s.label, "US-MIDA-PJM");
    /* Only the first len bytes count. */
    aim_zone_spec t;
    char err[320];
    assert_int_equal(aim__zone_spec_resolve("FR@2010,PL", 7, &t, err, sizeof err), 0);
    assert_string_equal(t.label, "FR@2010");

    resolve_fails("FR@", "bad zone 'FR@': '@' is not a year (@2015), @marginal or @average");
    resolve_fails("FR@20x5",
                  "bad zone 'FR@20x5': '@20x5' is not a year (@2015), @marginal or @average");
    resolve_fails("FR@15", "bad zone 'FR@15': '@15' is not a year (@2015), @marginal or @average");
    resolve_fails("FR@direct",
                  "bad zone 'FR@direct': '@direct' is not a year (@2015), @marginal or @average");
    resolve_fails("FR@2010@2015", "bad zone 'FR@2010@2015': one @YEAR at most");
    resolve_fails("FR@marginal@average",
                  "bad zone 'FR@marginal@average': one of @marginal, @average at most");
    resolve_fails("@2015", "bad zone '@2015': the zone code comes first (FR@2015)");
    resolve_fails("FR@2031", "no 2031 figure for FR (yearly history: 2000–2024, Our World in "
                             "Data; 2021–2025, Electricity Maps yearly carbon intensity)");
    resolve_fails("FR@0000", "no 0000 figure for FR (yearly history: 2000–2024, Our World in "
                             "Data; 2021–2025, Electricity Maps yearly carbon intensity)");
    resolve_fails("US-EGRID-SRVC@2015",
                  "no 2015 figure for US-EGRID-SRVC (no yearly history; zone tables: 2022)");
    resolve_fails("aws:us-east-1@2015", "no 2015 figure for US-MIDA-PJM (yearly history: "
                                        "2021–2025, Electricity Maps yearly carbon intensity)");
    resolve_fails("FR@marginal@2015",
                  "no 2015 marginal figure for FR (the marginal table has 2021 only: UNFCCC/IFI "
                  "Harmonized Default Grid Emission Factors 2021 v3.1, operating margin)");
    resolve_fails("XX-NOPE@2015", "unknown zone 'XX-NOPE' (aimeter zones lists them)");
    resolve_fails("XX-NOPE@marginal", "unknown zone 'XX-NOPE' (aimeter zones lists them)");
    /* A made-up sub-zone of a real country: not Canada's factor under a false name. */
    resolve_fails("CA-NOPE@marginal", "unknown zone 'CA-NOPE' (aimeter zones lists them)");
    resolve_fails("XX-NOPE", "unknown zone 'XX-NOPE' (aimeter zones lists them)");
    resolve_fails("aws:nope@2020", "unknown zone 'aws:nope' (aimeter zones lists them)");
    /* An average-only zone with no country row in the marginal table. */
    resolve_fails("WORLD@marginal", "no marginal figure for WORLD (marginal factors are per "
                                    "country: aimeter zones --marginal lists them)");
    assert_int_equal(aim__zone_spec_resolve("", 0, &t, err, sizeof err), -EINVAL);
    assert_int_equal(aim__zone_spec_resolve("FR\0@2010", 8, &t, err, sizeof err), -EINVAL);
    assert_int_equal(aim__zone_spec_resolve(NULL, 2, &t, err, sizeof err), -EINVAL);
    assert_int_equal(aim__zone_spec_resolve("FR", 2, &t, NULL, 0), 0); /* err optional */
}

/* ------------------------------------------------------------------ aim_whatif_render */

/* A run of 10 s sampled every second (11 ticks at 0..10 s): cpu0, a RAPL-style counter of
 * 3600 J per second, so 36000 J = 0.01 kWh in all; its own intensity 100 g/kWh, PUE 1.
 * At 0.01 kWh every zone's carbon is its intensity / 100:
 *   run 100 -> 1 g;  FR@2010 78.56 -> 0.7856 g;  FR@2015 59.15 -> 0.5915 g;
 *   PL@marginal 828 -> 8.28 g;  CA-SK@marginal (CA) 372 -> 3.72 g;  FR 44.18 -> 0.4418 g. */
static void make_run(const char *path) {
    char err[512];
    aim_db *db = NULL;
    if (aim__db_open(path, 0, &db, err, sizeof err) < 0)
        fail_msg("%s", err);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", RUN_ID);
    snprintf(run.name, sizeof run.name, "years");
    run.start_wall_ns = T0_NS;
    run.interval_ns = S_NS;
    run.intensity_g_per_kwh = 100;
    run.pue = 1.0;
    run.carbon_g = run.facility_energy_j = run.cost = run.price_per_kwh = NAN;
    run.total_energy_j = NAN;
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    aim_device_summary dev;
    memset(&dev, 0, sizeof dev);
    snprintf(dev.name, sizeof dev.name, "cpu0");
    dev.kind = AIM_DEV_CPU;
    dev.has_energy = 1;
    dev.energy_method = AIM_METHOD_MEASURED;
    dev.in_total = 1;
    dev.carbon_g = NAN;
    assert_int_equal(aim__db_device_insert(db, RUN_ID, 0, &dev), 0);
    aim_series_summary s;
    memset(&s, 0, sizeof s);
    snprintf(s.metric_key, sizeof s.metric_key, "energy");
    s.instance = -1;
    s.method = AIM_METHOD_MEASURED;
    s.resolution = 1e-6;
    s.counter = 1;
    s.mean = s.min = s.max = s.mode = s.stddev = NAN;
    assert_int_equal(aim__db_series_insert(db, RUN_ID, &s), 0);
    aim_intensity_point own = { T0_NS / 1000000, 100 };
    assert_int_equal(aim__db_steps_insert(db, RUN_ID, 0, &own, 1), 0);
    aim_chunk_column col = { 1e-6, 1 };
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(1, &col, 11, &e), 0);
    for (int i = 0; i <= 10; i++) {
        double v = 3600.0 * i;
        assert_int_equal(aim__chunk_encoder_add(e, i * S_NS, &v, NULL), 0);
    }
    const uint8_t *blob;
    size_t len;
    int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    assert_int_equal(aim__db_chunk_insert(db, RUN_ID, 0, 0, first, last, 11, blob, len), 0);
    aim__chunk_encoder_free(e);
    aim__db_close(db);
}

static json_t *scenario(json_t *scs, size_t i, const char *label, double g_per_kwh,
                        double carbon_g) {
    json_t *o = json_array_get(scs, i);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "label")), label);
    assert_true(json_real_value(json_object_get(o, "intensity_g_per_kwh")) == g_per_kwh);
    near(json_real_value(json_object_get(o, "carbon_g")), carbon_g, 1e-12);
    near(json_real_value(json_object_get(o, "ratio")), carbon_g / 1.0, 1e-12);
    return o;
}

static const char *str(json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

static void render_years_and_signals(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/years.db", tmpdir);
    make_run(path);
    aim_store *store;
    assert_int_equal(aim_store_new(&store), 0);
    assert_int_equal(aim_store_open(store, path, 1), 0);
    char *text = NULL;
    assert_int_equal(aim_whatif_render(store, RUN_ID,
                                       "FR@2010, fr@2015,PL@marginal,CA-SK@marginal,FR", NULL,
                                       0, AIM_FORMAT_JSON, &text), 0);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    assert_non_null(root);
    assert_true(json_real_value(json_object_get(root, "energy_j")) == 36000.0);
    json_t *scs = json_object_get(root, "scenarios");
    assert_int_equal(json_array_size(scs), 6);
    json_t *o = json_array_get(scs, 0);
    near(json_real_value(json_object_get(o, "carbon_g")), 1.0, 1e-12);
    assert_true(json_is_null(json_object_get(o, "requested")));

    o = scenario(scs, 1, "FR@2010", 78.56, 0.7856);
    assert_string_equal(str(o, "zone"), "FR");
    assert_string_equal(str(o, "zone_used"), "FR");
    assert_string_equal(str(o, "requested"), "FR@2010");
    assert_int_equal(json_integer_value(json_object_get(o, "year")), 2010);
    assert_string_equal(str(o, "signal"), "average");
    assert_string_equal(str(o, "basis"), "lifecycle");
    assert_non_null(strstr(str(o, "source"), "Our World in Data"));
    assert_non_null(strstr(str(o, "source"), ", 2010 (CC BY 4.0)"));

    o = scenario(scs, 2, "FR@2015", 59.15, 0.5915);
    assert_string_equal(str(o, "requested"), "fr@2015"); /* as given, spaces trimmed */
    assert_int_equal(json_integer_value(json_object_get(o, "year")), 2015);

    o = scenario(scs, 3, "PL@marginal", 828, 8.28);
    assert_string_equal(str(o, "signal"), "marginal");
    assert_string_equal(str(o, "basis"), "direct");
    assert_int_equal(json_integer_value(json_object_get(o, "year")), 2021);

    o = scenario(scs, 4, "CA-SK@marginal (CA)", 372, 3.72);
    assert_string_equal(str(o, "zone"), "CA-SK");
    assert_string_equal(str(o, "zone_used"), "CA");
    assert_string_equal(str(o, "name"), "Canada");

    o = scenario(scs, 5, "FR", 44.18, 0.4418);
    assert_int_equal(json_integer_value(json_object_get(o, "year")), 2024);
    json_decref(root);
    free(text);

    /* The text table: year and signal in their columns. */
    assert_int_equal(aim_whatif_render(store, RUN_ID, "FR@2010,CA-SK@marginal", NULL, 0, AIM_FORMAT_TEXT,
                                       &text), 0);
    assert_non_null(strstr(text, "\nFR@2010                        78.56  average   lifecycle  "
                                 "2010          0.786   0.786\n"));
    assert_non_null(strstr(text, "\nCA-SK@marginal (CA)              372  marginal  direct     "
                                 "2021           3.72    3.72\n"));
    assert_non_null(strstr(text, "\n  CA-SK@marginal (CA): Canada; national figure of CA: CA-SK "
                                 "has no marginal factor of its own; UNFCCC/IFI"));
    free(text);

    /* Errors: -EINVAL, one line naming what exists. */
    assert_int_equal(aim_whatif_render(store, RUN_ID, "FR,FR@2031", NULL, 0, AIM_FORMAT_TEXT, &text),
                     -EINVAL);
    assert_string_equal(aim_store_errmsg(store),
                        "no 2031 figure for FR (yearly history: 2000–2024, Our World in Data; "
                        "2021–2025, Electricity Maps yearly carbon intensity)");
    assert_int_equal(aim_whatif_render(store, RUN_ID, "FR@", NULL, 0, AIM_FORMAT_TEXT, &text), -EINVAL);
    assert_string_equal(aim_store_errmsg(store),
                        "bad zone 'FR@': '@' is not a year (@2015), @marginal or @average");
    assert_int_equal(aim_whatif_render(store, RUN_ID, "FR@marginal@2015", NULL, 0, AIM_FORMAT_JSON,
                                       &text), -EINVAL);
    assert_non_null(strstr(aim_store_errmsg(store), "no 2015 marginal figure for FR"));
    aim_store_free(store);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_lookup),
        cmocka_unit_test(describe),
        cmocka_unit_test(spec_items),
        cmocka_unit_test(render_years_and_signals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
