/* The HTML report (report/html_render.h, api/html_report.c): the escaping that keeps the
 * embedded data inside its element, the document's skeleton on a hand-made model, and a
 * synthetic one-hour 100 Hz run of 4 metrics rendered through the public API: every series
 * decimated to at most 2 points per bucket with its peak kept, the energy curve ending at the
 * run's energy, the document under the 5 MB the bench targets (docs/performance.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "report/html_render.h"
#include "store/db.h"
#include "store_rig.h"
#include "util/json.h"

/* ------------------------------------------------------------------ escaping */

static char *take(aim_strbuf *b) {
    char *t = NULL;
    assert_int_equal(aim__strbuf_steal(b, &t), 0);
    return t;
}

static void text_escaped(void **state) {
    (void)state;
    aim_strbuf b = AIM_STRBUF_INIT;
    const char *s = "a<b>&\"c'\xff";
    aim__html_append_text(&b, s, strlen(s));
    char *t = take(&b);
    assert_string_equal(t, "a&lt;b&gt;&amp;&quot;c&#39;\xef\xbf\xbd");
    free(t);
}

static void script_json_escaped(void **state) {
    (void)state;
    aim_strbuf b = AIM_STRBUF_INIT;
    const char *s = "{\"n\":\"</script><!--&\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\"}";
    aim__html_append_script_json(&b, s, strlen(s));
    char *t = take(&b);
    assert_string_equal(t, "{\"n\":\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029"
                           "\xe2\x80\xa7\"}");
    /* still the same JSON value */
    json_t *a = aim__json_parse(s, strlen(s), NULL, 0), *c = aim__json_parse(t, strlen(t), NULL, 0);
    assert_non_null(a);
    assert_non_null(c);
    assert_true(json_equal(a, c));
    json_decref(a);
    json_decref(c);
    free(t);
}

/* A run named to break out of the data element stays inside it, and in the title. */
static void document_of_a_hostile_name(void **state) {
    (void)state;
    aim_html_model m;
    memset(&m, 0, sizeof m);
    m.run_id = "r1";
    m.run_name = "</script><script>x</script>";
    m.report_json = "{\"run\":{\"name\":\"</script><script>x</script>\"}}\n";
    m.x1 = 1;
    m.buckets = 10;
    aim_html_series s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "gpu0.power");
    s.label = "Power";
    s.unit = "W";
    s.method = "measured";
    aim__decimator_init(&s.dec, 0, 1, 10);
    aim__decimator_push(&s.dec, 0.5, 1.234567891, 1);
    aim__decimator_push(&s.dec, 0.6, NAN, 1);
    aim__decimator_push(&s.dec, 0.7, 2, 1);
    aim__decimator_finish(&s.dec);
    m.series = &s;
    m.n_series = 1;
    char *doc = NULL;
    assert_int_equal(aim__html_render(&m, &doc), 0);
    assert_non_null(strstr(doc, "<title>aimeter report: &lt;/script&gt;&lt;script&gt;x&lt;/script&gt; "
                                "(r1)</title>"));
    /* one </script> for the data, one for the code: nothing in between ends an element */
    const char *data = strstr(doc, "<script type=\"application/json\" id=\"aimeter-data\">");
    assert_non_null(data);
    data += strlen("<script type=\"application/json\" id=\"aimeter-data\">");
    const char *end = strstr(data, "</script>");
    assert_non_null(end);
    assert_null(memchr(data, '<', (size_t)(end - data)));
    json_t *d = aim__json_parse(data, (size_t)(end - data), NULL, 0);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d, "report"),
                                                                           "run"), "name")),
                        "</script><script>x</script>");
    json_t *ser = json_array_get(json_object_get(json_object_get(d, "timeline"), "series"), 0);
    json_t *v = json_object_get(ser, "v");
    assert_int_equal(json_array_size(v), 3);
    assert_true(fabs(json_number_value(json_array_get(v, 0)) - 1.234568) < 1e-12); /* 7 digits */
    assert_true(json_is_null(json_array_get(v, 1)));
    assert_true(json_is_null(json_object_get(d, "correlation")));
    assert_true(json_is_null(json_object_get(d, "whatif")));
    json_decref(d);
    assert_non_null(strstr(end, "</script>\n<script>"));
    free(doc);
    aim__decimator_free(&s.dec);
}

/* ------------------------------------------------------------------ a one-hour run */

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_html");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}

#define N_METRICS 4
#define HZ 100
#define TICKS (3600 * HZ + 1)
#define PER_CHUNK 500
#define SPIKE_TICK 123457

/* gpu0: power (200 W, a 900 W spike), SM clock, utilisation, temperature, all in group 0;
 * its energy integrated from its measured power. */
static const char *const keys[N_METRICS] = { "power", "gpu.clock_sm", "gpu.util", "temperature" };
static const aim_chunk_column cols[N_METRICS] = { { 0.001, 0 }, { 1, 0 }, { 1, 0 }, { 1, 0 } };

static double value(int metric, int tick) {
    switch (metric) {
    case 0: return tick == SPIKE_TICK ? 900 : 200 + 50 * sin(tick * 0.001);
    case 1: return 1400 + (tick / 1000) % 3 * 100;
    case 2: return (tick * 7) % 101;
    default: return 40 + (tick / 36000);
    }
}

static void make_long_run(const char *path, const char *id) {
    char err[512];
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(path, 0, &db, err, sizeof err), 0);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "one hour");
    run.start_wall_ns = 1700000000000000000LL;
    run.status = AIM_RUN_COMPLETED;
    run.interval_ns = 1000000000 / HZ;
    run.duration_ns = (int64_t)(TICKS - 1) * run.interval_ns;
    run.samples = TICKS;
    run.intensity_g_per_kwh = 400;
    run.pue = 1;
    run.total_energy_j = run.carbon_g = NAN;
    run.n_devices = 1;
    run.devices = calloc(1, sizeof *run.devices);
    snprintf(run.devices[0].name, sizeof run.devices[0].name, "gpu0");
    run.devices[0].kind = AIM_DEV_GPU;
    run.devices[0].has_energy = 1;
    run.devices[0].in_total = 1;
    run.devices[0].energy_method = AIM_METHOD_DERIVED; /* integrated measured power */
    run.n_series = N_METRICS;
    run.series = calloc(N_METRICS, sizeof *run.series);
    for (int i = 0; i < N_METRICS; i++) {
        aim_series_summary *s = &run.series[i];
        s->slot = i;
        snprintf(s->metric_key, sizeof s->metric_key, "%s", keys[i]);
        s->instance = -1;
        s->method = AIM_METHOD_MEASURED;
        s->resolution = cols[i].resolution;
        s->mean = s->min = s->max = s->mode = s->stddev = NAN;
    }
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    assert_int_equal(aim__db_device_insert(db, run.id, 0, &run.devices[0]), 0);
    for (int i = 0; i < N_METRICS; i++)
        assert_int_equal(aim__db_series_insert(db, run.id, &run.series[i]), 0);
    static int64_t t[PER_CHUNK];
    static double v[PER_CHUNK * N_METRICS];
    for (int first = 0, seq = 0; first < TICKS; first += PER_CHUNK, seq++) {
        int n = TICKS - first < PER_CHUNK ? TICKS - first : PER_CHUNK;
        for (int k = 0; k < n; k++) {
            t[k] = (int64_t)(first + k) * run.interval_ns;
            for (int i = 0; i < N_METRICS; i++)
                v[k * N_METRICS + i] = value(i, first + k);
        }
        store_rig_chunk(db, run.id, 0, seq, N_METRICS, cols, n, t, v, NULL);
    }
    assert_int_equal(aim__db_run_update(db, &run), 0);
    assert_int_equal(aim__db_commit(db), 0);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

/* The length of the document's DATA, the part that the timeline's resolution changes. */
static size_t data_length(const char *doc) {
    const char *tag = "<script type=\"application/json\" id=\"aimeter-data\">";
    const char *data = strstr(doc, tag);
    assert_non_null(data);
    data += strlen(tag);
    const char *end = strstr(data, "</script>");
    assert_non_null(end);
    return (size_t)(end - data);
}

static json_t *data_of(const char *doc) {
    const char *tag = "<script type=\"application/json\" id=\"aimeter-data\">";
    const char *data = strstr(doc, tag);
    assert_non_null(data);
    data += strlen(tag);
    const char *end = strstr(data, "</script>");
    assert_non_null(end);
    json_t *d = aim__json_parse(data, (size_t)(end - data), NULL, 0);
    assert_non_null(d);
    return d;
}

static void one_hour_at_100_hz(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/long.db", tmpdir);
    make_long_run(path, "long");
    aim_store *store;
    assert_int_equal(aim_store_new(&store), 0);
    assert_int_equal(aim_store_open(store, path, 1), 0);
    char *doc = NULL;
    int r = aim_report_render_html(store, "long", NULL, 0, &doc);
    if (r < 0)
        fail_msg("%s", aim_store_errmsg(store));
    size_t size = strlen(doc), data_size = data_length(doc);
    print_message("HTML report of a 1 h, 100 Hz run of %d metrics: %zu bytes\n", N_METRICS, size);
    assert_true(size < 5 * 1000 * 1000);
    json_t *d = data_of(doc);
    json_t *tl = json_object_get(d, "timeline");
    assert_int_equal(json_integer_value(json_object_get(tl, "buckets")), 2000);
    json_t *series = json_object_get(tl, "series");
    assert_int_equal(json_array_size(series), N_METRICS);
    for (size_t i = 0; i < N_METRICS; i++) {
        json_t *s = json_array_get(series, i);
        assert_int_equal(json_integer_value(json_object_get(s, "samples")), TICKS);
        json_int_t per = json_integer_value(json_object_get(s, "per_bucket"));
        assert_true(per >= 180 && per <= 181);
        size_t n = json_array_size(json_object_get(s, "t"));
        assert_true(n > 0 && n <= 2 * 2000);
        double top = -INFINITY;
        json_t *v;
        size_t k;
        json_array_foreach(json_object_get(s, "v"), k, v)
            top = json_number_value(v) > top ? json_number_value(v) : top;
        if (i == 0)
            assert_true(top == 900);   /* the one-sample spike survives */
    }
    json_t *e = json_object_get(tl, "energy");
    size_t ne = json_array_size(json_object_get(e, "kwh"));
    assert_true(ne > 1000 && ne <= 2001);
    double kwh = json_number_value(json_array_get(json_object_get(e, "kwh"), ne - 1));
    double g = json_number_value(json_array_get(json_object_get(e, "g"), ne - 1));
    /* about 200 W for an hour: 0.2 kWh, priced at 400 g/kWh */
    assert_true(fabs(kwh - 0.2) < 0.002);
    assert_true(fabs(g - kwh * 400) < 1e-3);
    json_t *w = json_object_get(d, "whatif");
    assert_true(fabs(json_number_value(json_object_get(w, "energy_kwh")) - kwh) < 1e-6);
    json_t *own = json_array_get(json_object_get(w, "zones"), 0);
    assert_true(json_is_true(json_object_get(own, "own")));
    json_decref(d);
    free(doc);

    /* a coarser timeline: fewer points; a bad bucket count is refused with a reason */
    assert_int_equal(aim_report_render_html(store, "long", "FR,SE", 100, &doc), 0);
    assert_true(data_length(doc) < data_size / 5);
    free(doc);
    assert_int_equal(aim_report_render_html(store, "long", NULL, 5, &doc), -EINVAL);
    assert_non_null(strstr(aim_store_errmsg(store), "bucket"));
    assert_int_equal(aim_report_render_html(store, "long", "FR,NOWHERE", 0, &doc), -EINVAL);
    assert_non_null(strstr(aim_store_errmsg(store), "NOWHERE"));
    assert_int_equal(aim_report_render_html(store, "nosuchrun", NULL, 0, &doc), -ENOENT);
    aim_store_free(store);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_escaped),
        cmocka_unit_test(script_json_escaped),
        cmocka_unit_test(document_of_a_hostile_name),
        cmocka_unit_test(one_hour_at_100_hz),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
