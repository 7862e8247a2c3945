/* The analyses of the JSON API (api/serve_api_analyses.c): /api/runs/{id}/view, /whatif
 * (zones, rank, hardware), /forecast, /api/compare and /api/zones?year, whose parameters are
 * checked only once a run is found, so this target, unlike fuzz_serve_api.c's empty store,
 * answers over the golden store (tests/fixtures/store/golden.sql, loaded once into a
 * temporary file). Input as fuzz_serve_api.c's: the first line "[METHOD ]PATH", each further
 * line a query parameter "key=value". Every answer must be JSON with a status of the API's
 * (200, 400, 404, 405; never 500: the store is sound), an error answer an object with
 * "error"; a crash or a leak is a failure. */
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
static aim_store *st;

/* At exit: the store closed (no cache left for a leak checker to report) and removed. */
static void remove_db(void) {
    aim_store_free(st);
    unlink(db_path);
}

static aim_store *store_once(void) {
    if (st)
        return st;
    snprintf(db_path, sizeof db_path, "/tmp/aim-fuzz-analyses-%d.db", (int)getpid());
    unlink(db_path);
    char *sql = NULL;
    size_t len;
    sqlite3 *h = NULL;
    if (aim__read_file_alloc(AIM_FIXTURES_DIR "/store/golden.sql", 64u << 20, &sql, &len) < 0 ||
        sqlite3_open(db_path, &h) != SQLITE_OK || sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_store *store = store_once();
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\n')
            text[i] = '\0';
    size_t first = strlen(text);
    char *sp = strchr(text, ' ');
    const char *method = "GET", *path = text;
    if (sp) {
        *sp = '\0';
        method = text;
        path = sp + 1;
    }
    lines l = { first < n ? text + first + 1 : NULL, text + n };
    aim_http_request req = { .method = method, .path = path, .query = lookup, .query_cls = &l };
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = store };
    int r = aim__serve_api_handle(&ctx, &req, &resp);
    if (r < 0 || !resp.body)
        abort();
    json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
    if (!j || (resp.status != 200 && resp.status != 400 && resp.status != 404 && resp.status != 405))
        abort();
    if (resp.status != 200 && !json_is_string(json_object_get(j, "error")))
        abort();
    json_decref(j);
    free(resp.body);
    free(text);
    return 0;
}
