/* The live routes of `aimeter serve` (api/serve_api_events.c, serve_api_live.c) over arbitrary
 * requests on the golden store (tests/fixtures/store/golden.sql). Input: the first line is the
 * path (e.g. "/api/runs/20261207-083158-a90897/events" or "/api/live"), the second the
 * Last-Event-ID header (empty: none), each further line a query parameter "key=value". An
 * answer is JSON (200, 400, 404) or an event stream: its first poll (the one that reads the
 * store without waiting) must be well-formed Server-Sent Events, each data line JSON. A crash
 * or a leak is a failure. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

#include "api/serve_api.h"
#include "util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char db_path[64];

static void remove_db(void) {
    unlink(db_path);
}

static aim_store *store_once(void) {
    static aim_store *st;
    if (st)
        return st;
    snprintf(db_path, sizeof db_path, "/tmp/aim-fuzz-events-%d.db", (int)getpid());
    unlink(db_path);
    char *sql = NULL;
    size_t len;
    sqlite3 *h = NULL;
    if (aim__read_file_alloc(AIM_FIXTURES_DIR "/store/golden.sql", 64u << 20, &sql, &len) < 0 ||
        sqlite3_open(db_path, &h) != SQLITE_OK ||
        sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    sqlite3_close(h);
    free(sql);
    atexit(remove_db);
    if (aim_store_new(&st) < 0 || aim_store_open(st, db_path, 1) < 0)
        abort();
    return st;
}

typedef struct lines { const char *text, *end; } lines; /* NUL-separated, up to end */

static const char *lookup(const aim_http_request *req, const char *key) {
    const lines *l = req->query_cls;
    const char *p = l->text;
    size_t kl = strlen(key);
    while (p && p < l->end) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=')
            return p + kl + 1;
        p += strlen(p) + 1;
    }
    return NULL;
}

/* Every line a field of the standard's ("retry", "event", "id", "data") or empty, every data
 * line JSON. */
static void check_sse(const char *s) {
    while (*s) {
        const char *nl = strchr(s, '\n');
        if (!nl)
            abort(); /* every line ends */
        size_t n = (size_t)(nl - s);
        if (n >= 6 && memcmp(s, "data: ", 6) == 0) {
            json_t *j = json_loadb(s + 6, n - 6, 0, NULL);
            if (!j)
                abort();
            json_decref(j);
        } else if (n != 0 && strncmp(s, "retry: ", 7) != 0 && strncmp(s, "event: ", 7) != 0 &&
                   strncmp(s, "id: ", 4) != 0) {
            abort();
        }
        s = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_store *st = store_once();
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) /* lines as consecutive strings */
        if (text[i] == '\n')
            text[i] = '\0';
    const char *path = text, *last = NULL, *params = NULL;
    size_t first = strlen(text);
    if (first < n) {
        last = text + first + 1;
        size_t second = strlen(last);
        params = last + second < text + n ? last + second + 1 : NULL;
        if (!*last)
            last = NULL;
    }
    lines l = { params, text + n };
    aim_http_request req = { .method = "GET", .path = path, .query = lookup, .query_cls = &l,
                             .last_event_id = last };
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = st };
    if (aim__serve_api_handle(&ctx, &req, &resp) < 0)
        abort();
    if (resp.stream.next) {
        aim_strbuf out = AIM_STRBUF_INIT;
        if (resp.status != 200 || resp.stream.next(resp.stream.cls, &out) != 1) /* retry */
            abort();
        int r = resp.stream.next(resp.stream.cls, &out); /* the first poll: no wait */
        if (r < 0 || out.err)
            abort();
        check_sse(out.data ? out.data : "");
        resp.stream.free(resp.stream.cls);
        aim__strbuf_free(&out);
    } else {
        json_t *j = resp.body ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
        if (!j || (resp.status != 200 && resp.status != 400 && resp.status != 404 &&
                   resp.status != 405))
            abort();
        if (resp.status != 200 && !json_is_string(json_object_get(j, "error")))
            abort();
        json_decref(j);
        free(resp.body);
    }
    free(text);
    return 0;
}
