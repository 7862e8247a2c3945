/* `aimeter serve`'s streaming and live routes without a socket: the Server-Sent Events
 * framing and the stream's own end (serve/sse.h, with a clock of the test's), GET /api/live's
 * JSON and GET /api/runs/{id}/events' stream on the golden store
 * (tests/fixtures/store/golden.sql), whose runs are made "running" (or stale, or given an
 * open phase) by SQL; and the router's body and method decisions for POST. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aimeter.h"
#include "api/serve_api.h"
#include "api/serve_api_live.h"
#include "serve/sse.h"
#include "store/store.h"
#include "util/fileio.h"
#include "serve_rig.h"

#define TRAIN "20261207-083158-a90897"
#define INFER "20261207-083159-769624"

static char dir[] = "/tmp/aim-serve-stream-XXXXXX";
static char db_path[160];

/* ------------------------------------------------------------------ SSE framing */

static void test_event_framing(void **state) {
    (void)state;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__sse_event(&b, "samples", "1.5", "{\"a\":1}");
    assert_string_equal(b.data, "event: samples\nid: 1.5\ndata: {\"a\":1}\n\n");
    b.len = 0;
    /* every kind of line break starts a data line of its own; event and id stop at theirs */
    aim__sse_event(&b, "x\ninjected: 1", "7\r\nevent: y", "one\ntwo\r\nthree\rfour");
    assert_string_equal(b.data, "event: x\nid: 7\ndata: one\ndata: two\ndata: three\n"
                                "data: four\n\n");
    b.len = 0;
    aim__sse_event(&b, NULL, NULL, "");
    assert_string_equal(b.data, "data: \n\n");
    b.len = 0;
    aim__sse_event(&b, "end", NULL, "last\n");
    assert_string_equal(b.data, "event: end\ndata: last\ndata: \n\n");
    aim__strbuf_free(&b);
}

/* A source that sends one event per poll and may end after `last` polls. */
typedef struct counting {
    int polls, last, freed;
} counting;

static int count_poll(void *cls, aim_strbuf *out) {
    counting *c = cls;
    c->polls++;
    aim__sse_event(out, "tick", NULL, "x");
    return c->last && c->polls >= c->last ? 0 : 1;
}

static void count_free(void *cls) {
    ((counting *)cls)->freed++;
}

/* A source with nothing to send, ever. */
static int quiet_poll(void *cls, aim_strbuf *out) {
    (void)out;
    ((counting *)cls)->polls++;
    return 1;
}

/* A poll with nothing new still writes (a comment line): a client gone is noticed on that
 * write and the stream ends then, not polling on until its budget. */
static void test_empty_poll_writes_a_comment(void **state) {
    (void)state;
    counting c = { 0 };
    aim_sse_source src = { quiet_poll, count_free, &c };
    aim_http_stream s;
    assert_int_equal(aim__sse_stream(&src, AIM_SSE_BUDGET_NS, NULL, &s), 0);
    aim_strbuf out = AIM_STRBUF_INIT;
    assert_int_equal(s.next(s.cls, &out), 1); /* the retry */
    out.len = 0;
    assert_int_equal(s.next(s.cls, &out), 1);
    assert_int_equal(c.polls, 1);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, ":\n\n", 3);
    s.free(s.cls);
    aim__strbuf_free(&out);
}

static int64_t fake_now;
static int64_t fake_clock(void) {
    fake_now += 1000000000LL; /* one second per look */
    return fake_now;
}

static void test_stream_ends_by_itself(void **state) {
    (void)state;
    counting c = { 0 };
    aim_sse_source src = { count_poll, count_free, &c };
    aim_http_stream s;
    fake_now = 0;
    assert_int_equal(aim__sse_stream(&src, AIM_SSE_BUDGET_NS, fake_clock, &s), 0);
    aim_strbuf out = AIM_STRBUF_INIT;
    assert_int_equal(s.next(s.cls, &out), 1);
    assert_string_equal(out.data, "retry: 1000\n\n"); /* first, before any event */
    int r, calls = 0;
    while ((r = s.next(s.cls, &out)) == 1)
        assert_true(++calls < 100);
    assert_int_equal(r, 0);
    /* the clock moved one second per look: polls began only within the budget */
    assert_true(c.polls >= 1 && c.polls <= AIM_SSE_BUDGET_NS / 1000000000LL);
    assert_non_null(strstr(out.data, "event: tick\ndata: x\n\n"));
    s.free(s.cls);
    assert_int_equal(c.freed, 1);
    aim__strbuf_free(&out);

    counting two = { .last = 2 };
    aim_sse_source src2 = { count_poll, count_free, &two };
    assert_int_equal(aim__sse_stream(&src2, AIM_SSE_BUDGET_NS, fake_clock, &s), 0);
    assert_int_equal(s.next(s.cls, &out), 1);
    assert_int_equal(s.next(s.cls, &out), 1);
    assert_int_equal(s.next(s.cls, &out), 0); /* the source's own end */
    assert_int_equal(two.polls, 2);
    s.free(s.cls);
    assert_int_equal(two.freed, 1);
    aim__strbuf_free(&out);
}

/* A stream leaves its request's deadline room: a kept-alive connection's idle time counts. */
static void test_budget_within_the_deadline(void **state) {
    (void)state;
    aim_http_request req = { .method = "GET", .path = "/" };
    assert_int_equal(aim__sse_budget(&req), AIM_SSE_BUDGET_NS); /* no deadline known */
    int64_t now = aim__http_now_ns();
    req.deadline_ns = now + 100 * 1000000000LL;
    assert_int_equal(aim__sse_budget(&req), AIM_SSE_BUDGET_NS);
    req.deadline_ns = now + 5 * 1000000000LL; /* idle for 5 s of its 10 */
    assert_true(aim__sse_budget(&req) <= 5 * 1000000000LL - AIM_SSE_MARGIN_NS);
    req.deadline_ns = now - 1;
    assert_int_equal(aim__sse_budget(&req), 0);
}

/* ------------------------------------------------------------------ the golden store */

static void sql(const char *text) {
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(h, text, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", text, err);
    sqlite3_close(h);
}

static int setup(void **state) {
    (void)state;
    assert_int_equal(serve_rig_temp_db(dir, db_path, sizeof db_path, SERVE_RIG_GOLDEN_SQL), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    serve_rig_remove_db(dir, db_path);
    return 0;
}

static aim_store *open_store(void) {
    aim_store *st;
    assert_int_equal(aim_store_new(&st), 0);
    assert_int_equal(aim_store_open(st, db_path, 1), 0);
    return st;
}

static json_t *live(void) {
    aim_store *st = open_store();
    json_t *j = NULL;
    assert_int_equal(aim__serve_live_json(aim__store_db(st), &j), 0);
    aim_store_free(st);
    assert_string_equal(json_string_value(json_object_get(j, "schema")), "aimeter.serve-live/1");
    return j;
}

static json_t *live_run(json_t *j, const char *id) {
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "runs"), i, r)
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return r;
    return NULL;
}

static void test_live_lists_running_runs(void **state) {
    (void)state;
    json_t *j = live();
    assert_int_equal(json_array_size(json_object_get(j, "runs")), 0); /* all completed */
    json_decref(j);

    /* TRAIN in progress on another host (never stale from here), its first phase open */
    sql("CREATE TABLE saved AS SELECT end_ns FROM phases WHERE run_id = '" TRAIN "' AND seq = 0;"
        "UPDATE runs SET status = 'running' WHERE id = '" TRAIN "';"
        "UPDATE phases SET end_ns = NULL WHERE run_id = '" TRAIN "' AND seq = 0;");
    j = live();
    assert_int_equal(json_array_size(json_object_get(j, "runs")), 1);
    json_t *r = live_run(j, TRAIN);
    assert_non_null(r);
    assert_null(live_run(j, INFER));
    assert_string_equal(json_string_value(json_object_get(r, "name")), "train");
    assert_string_equal(json_string_value(json_object_get(r, "host")), "golden-host");
    assert_true(json_is_string(json_object_get(r, "start_time")));
    double dur = json_real_value(json_object_get(r, "duration_s"));
    assert_true(dur > 1.0);
    json_t *p = json_object_get(json_object_get(r, "latest"), "gpu0.power");
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "unit")), "W");
    assert_true(json_number_value(json_object_get(p, "t")) <= dur);
    assert_true(json_number_value(json_object_get(p, "t")) > dur - 1.0);
    assert_true(json_is_number(json_object_get(p, "v")));
    json_t *ph = json_object_get(r, "phases");
    assert_int_equal(json_array_size(ph), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ph, 0), "name")),
                        "epoch 1");
    assert_true(json_is_number(json_object_get(json_array_get(ph, 0), "start_s")));
    json_decref(j);

    /* written here by a process that is gone: stale, not live */
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    char q[512];
    snprintf(q, sizeof q, "UPDATE runs SET host = '%s', writer_pid = %d WHERE id = '" TRAIN "';",
             host, (int)child);
    sql(q);
    j = live();
    assert_null(live_run(j, TRAIN));
    json_decref(j);
    sql("UPDATE runs SET status = 'completed', host = 'golden-host', writer_pid = 4242 "
        "WHERE id = '" TRAIN "';"
        "UPDATE phases SET end_ns = (SELECT end_ns FROM saved) WHERE run_id = '" TRAIN "' "
        "AND seq = 0; DROP TABLE saved;");
}

/* ------------------------------------------------------------------ the events route */

/* The whole stream of GET path?kv (Last-Event-ID: last), or NULL with *status when it
 * answered without one. */
static char *stream(aim_store *st, const char *method, const char *path, const char *const *kv,
                    const char *last, unsigned *status, const char **allow) {
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, method, path, kv);
    req.last_event_id = last;
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = st };
    assert_int_equal(aim__serve_api_handle(&ctx, &req, &resp), 0);
    *status = resp.status;
    if (allow)
        *allow = resp.allow;
    assert_string_equal(resp.cache_control, "no-store");
    if (!resp.stream.next) {
        assert_non_null(resp.body);
        free(resp.body);
        return NULL;
    }
    assert_string_equal(resp.type, "text/event-stream; charset=utf-8");
    aim_strbuf out = AIM_STRBUF_INIT;
    int r, n = 0;
    while ((r = resp.stream.next(resp.stream.cls, &out)) == 1)
        assert_true(++n < 50); /* a completed run: a few polls, then its end */
    assert_int_equal(r, 0);
    resp.stream.free(resp.stream.cls);
    char *text;
    assert_int_equal(aim__strbuf_steal(&out, &text), 0);
    return text;
}

/* The data of the first event called name after from, parsed (NULL: none). */
static json_t *event(const char *text, const char *name, const char **from) {
    char head[64];
    snprintf(head, sizeof head, "event: %s\n", name);
    const char *e = strstr(*from, head);
    if (!e)
        return NULL;
    const char *d = strstr(e, "data: ");
    assert_non_null(d);
    const char *end = strchr(d, '\n');
    *from = end;
    (void)text;
    return json_loadb(d + 6, (size_t)(end - d - 6), 0, NULL);
}

static void test_events_of_a_completed_run(void **state) {
    (void)state;
    aim_store *st = open_store();
    unsigned status;
    const char *pts[] = { "points", "10", NULL };
    char *text = stream(st, "GET", "/api/runs/" TRAIN "/events", pts, NULL, &status, NULL);
    assert_int_equal(status, 200);
    assert_non_null(text);
    assert_memory_equal(text, "retry: 1000\n\n", 13);
    const char *p = text;
    json_t *s = event(text, "samples", &p);
    assert_non_null(s);
    assert_true(json_array_size(json_object_get(s, "series")) > 0);
    size_t i;
    json_t *one;
    int power = 0;
    json_array_foreach(json_object_get(s, "series"), i, one) {
        assert_true(json_array_size(json_object_get(one, "t")) <= 10);
        assert_int_equal(json_array_size(json_object_get(one, "t")),
                         json_array_size(json_object_get(one, "v")));
        power += strcmp(json_string_value(json_object_get(one, "name")), "gpu0.power") == 0;
    }
    assert_int_equal(power, 1);
    double to = json_number_value(json_object_get(s, "to_s"));
    json_decref(s);
    /* the id: the time of the last sample read */
    const char *id = strstr(text, "\nid: ");
    assert_non_null(id);
    assert_true(fabs(strtod(id + 5, NULL) - to) < 1e-6);
    int phases = 0;
    while ((s = event(text, "phase", &p)) != NULL) {
        assert_true(json_is_string(json_object_get(s, "name")));
        assert_true(json_is_number(json_object_get(s, "end_s")));
        phases++;
        json_decref(s);
    }
    assert_true(phases >= 2);
    p = text;
    s = event(text, "end", &p);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "status")), "completed");
    json_decref(s);
    assert_null(strstr(p, "event:")); /* end is the last */
    free(text);

    /* after since (or Last-Event-ID, which wins): only later samples */
    const char *since[] = { "since", "1.0", NULL };
    text = stream(st, "GET", "/api/runs/" TRAIN "/events", since, "0.5", &status, NULL);
    p = text;
    s = event(text, "samples", &p);
    assert_true(json_number_value(json_object_get(s, "from_s")) == 0.5);
    json_array_foreach(json_object_get(s, "series"), i, one) {
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(one, "t"), k, t)
            assert_true(json_number_value(t) > 0.5);
    }
    json_decref(s);
    free(text);
    const char *after_end[] = { "since", "99", NULL };
    text = stream(st, "GET", "/api/runs/" TRAIN "/events", after_end, NULL, &status, NULL);
    assert_null(strstr(text, "event: samples"));
    assert_non_null(strstr(text, "event: end"));
    free(text);
    aim_store_free(st);
}

/* The open stream of GET /api/runs/{id}/events (its retry already read). */
static aim_http_stream open_events(aim_serve_ctx *ctx, const char *id) {
    char path[128];
    snprintf(path, sizeof path, "/api/runs/%s/events", id);
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, "GET", path, NULL);
    aim_http_response resp = { 0 };
    assert_int_equal(aim__serve_api_handle(ctx, &req, &resp), 0);
    assert_non_null(resp.stream.next);
    aim_strbuf out = AIM_STRBUF_INIT;
    assert_int_equal(resp.stream.next(resp.stream.cls, &out), 1); /* retry */
    aim__strbuf_free(&out);
    return resp.stream;
}

static int count_of(const char *text, const char *what) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

/* A running run's phases are known by name and start: retention deleting a closed instance
 * (the others move up the list) hides no instance's end; a resumed stream sends only what
 * began or ended after its resume point. */
static void test_events_phase_identity(void **state) {
    (void)state;
    sql("CREATE TABLE saved_ph AS SELECT * FROM phases WHERE run_id = '" TRAIN "';"
        "UPDATE runs SET status = 'running' WHERE id = '" TRAIN "';"
        "UPDATE phases SET end_ns = NULL WHERE run_id = '" TRAIN "' AND seq = 5;");
    aim_store *st = open_store();
    aim_serve_ctx ctx = { .store = st };
    aim_http_stream s = open_events(&ctx, TRAIN);
    aim_strbuf out = AIM_STRBUF_INIT;
    assert_int_equal(s.next(s.cls, &out), 1);
    assert_int_equal(count_of(out.data, "event: phase\n"), 6); /* all, on the first poll */
    assert_int_equal(count_of(out.data, "\"end_s\":null"), 1);
    out.len = 0;
    /* retention deletes the first instance; the open one ends */
    sql("DELETE FROM phases WHERE run_id = '" TRAIN "' AND seq = 0;"
        "UPDATE phases SET end_ns = 1291526590 WHERE run_id = '" TRAIN "' AND seq = 5;");
    assert_int_equal(s.next(s.cls, &out), 1);
    aim__strbuf_putc(&out, '\0');
    assert_int_equal(count_of(out.data, "event: phase\n"), 1);
    assert_non_null(strstr(out.data, "\"name\":\"step\",\"start_s\":0.870454869,"
                                     "\"end_s\":1.29152659"));
    s.free(s.cls);
    aim__strbuf_free(&out);
    aim_store_free(st);
    sql("DELETE FROM phases WHERE run_id = '" TRAIN "';"
        "INSERT INTO phases SELECT * FROM saved_ph; DROP TABLE saved_ph;"
        "UPDATE runs SET status = 'completed' WHERE id = '" TRAIN "';");

    /* resumed after every instance ended: none is sent again */
    st = open_store();
    unsigned status;
    char *text = stream(st, "GET", "/api/runs/" TRAIN "/events", NULL, "99", &status, NULL);
    assert_int_equal(status, 200);
    assert_null(strstr(text, "event: phase"));
    assert_non_null(strstr(text, "event: end"));
    free(text);
    text = stream(st, "GET", "/api/runs/" TRAIN "/events", NULL, "1.0", &status, NULL);
    assert_int_equal(count_of(text, "event: phase\n"), 6); /* within the slack: all again */
    free(text);
    aim_store_free(st);
}

/* A store that fails mid-stream: an `error` event, and the stream ends normally (0), so that
 * the browser's EventSource is told instead of reconnecting forever. */
static void test_events_store_error(void **state) {
    (void)state;
    sql("UPDATE runs SET status = 'running' WHERE id = '" INFER "';");
    aim_store *st = open_store();
    aim_serve_ctx ctx = { .store = st };
    aim_http_stream s = open_events(&ctx, INFER);
    aim_strbuf out = AIM_STRBUF_INIT;
    assert_int_equal(s.next(s.cls, &out), 1);
    out.len = 0;
    sql("ALTER TABLE runs RENAME TO runs_away;");
    assert_int_equal(s.next(s.cls, &out), 0);
    aim__strbuf_putc(&out, '\0');
    const char *e = strstr(out.data, "event: error\ndata: {\"error\":\"");
    assert_non_null(e);
    assert_non_null(strstr(e, "\"}\n\n"));
    s.free(s.cls);
    aim__strbuf_free(&out);
    aim_store_free(st);
    sql("ALTER TABLE runs_away RENAME TO runs;"
        "UPDATE runs SET status = 'completed' WHERE id = '" INFER "';");
}

static void test_events_bad_input(void **state) {
    (void)state;
    aim_store *st = open_store();
    unsigned status;
    const char *one[] = { "points", "1", NULL };
    assert_null(stream(st, "GET", "/api/runs/" TRAIN "/events", one, NULL, &status, NULL));
    assert_int_equal(status, 400);
    const char *neg[] = { "since", "-1", NULL };
    assert_null(stream(st, "GET", "/api/runs/" TRAIN "/events", neg, NULL, &status, NULL));
    assert_int_equal(status, 400);
    const char *word[] = { "since", "soon", NULL };
    assert_null(stream(st, "GET", "/api/runs/" TRAIN "/events", word, NULL, &status, NULL));
    assert_int_equal(status, 400);
    assert_null(stream(st, "GET", "/api/runs/" TRAIN "/events", NULL, "x", &status, NULL));
    assert_int_equal(status, 400);
    assert_null(stream(st, "GET", "/api/runs/nope/events", NULL, NULL, &status, NULL));
    assert_int_equal(status, 404);
    const char *allow = NULL;
    assert_null(stream(st, "POST", "/api/runs/" TRAIN "/events", NULL, NULL, &status, &allow));
    assert_int_equal(status, 405);
    assert_string_equal(allow, "GET, HEAD");
    aim_store_free(st);
}

/* ------------------------------------------------------------------ POST */

static void test_post_routes(void **state) {
    (void)state;
    aim_store *st = open_store();
    aim_serve_ctx ctx = { .store = st };
    aim_http_request req = { .method = "POST", .path = "/api/runs" };
    assert_int_equal(aim__serve_api_wants_body(&ctx, &req), 0); /* GET only: no body read */
    req.path = "/api/profiles";
    assert_int_equal(aim__serve_api_wants_body(&ctx, &req), 0); /* no import: 403 unread */
    ctx.flags = AIM_SERVE_ALLOW_IMPORT;
    assert_int_equal(aim__serve_api_wants_body(&ctx, &req), 1);
    req.method = "GET";
    assert_int_equal(aim__serve_api_wants_body(&ctx, &req), 0);
    req.method = "POST";
    req.path = "/api/nothing";
    assert_int_equal(aim__serve_api_wants_body(&ctx, &req), 0);
    unsigned status;
    const char *allow = NULL;
    assert_null(stream(st, "POST", "/api/runs", NULL, NULL, &status, &allow));
    assert_int_equal(status, 405);
    assert_string_equal(allow, "GET, HEAD");
    assert_null(stream(st, "POST", "/api/live", NULL, NULL, &status, &allow));
    assert_int_equal(status, 405);
    aim_store_free(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_framing),
        cmocka_unit_test(test_stream_ends_by_itself),
        cmocka_unit_test(test_empty_poll_writes_a_comment),
        cmocka_unit_test(test_budget_within_the_deadline),
        cmocka_unit_test(test_live_lists_running_runs),
        cmocka_unit_test(test_events_of_a_completed_run),
        cmocka_unit_test(test_events_phase_identity),
        cmocka_unit_test(test_events_store_error),
        cmocka_unit_test(test_events_bad_input),
        cmocka_unit_test(test_post_routes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
