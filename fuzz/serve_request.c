/* The serve API fuzz targets' requests (serve_request.h). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve_request.h"
#include "util/fileio.h"

const char *fuzz_serve_cut_lines(char *text) {
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\n')
            text[i] = '\0';
    return text + n;
}

const char *fuzz_serve_next_line(const char *line, const char *end) {
    const char *nul = line + strlen(line);
    return nul < end ? nul + 1 : NULL;
}

/* The request line "[METHOD ]PATH", cut in place at its space: method (GET without one) and
 * path. */
static void request_line(char *line, const char **method, const char **path) {
    char *sp = strchr(line, ' ');
    *method = "GET";
    *path = line;
    if (sp) {
        *sp = '\0';
        *method = line;
        *path = sp + 1;
    }
}

static const char *lookup(const aim_http_request *req, const char *key) {
    const fuzz_lines *l = req->query_cls;
    const char *p = l->text;
    size_t kl = strlen(key);
    while (p && p < l->end) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=')
            return p + kl + 1;
        p += strlen(p) + 1;
    }
    return NULL;
}

aim_http_request fuzz_serve_request(fuzz_lines *params, const char *method,
                                    const char *path) {
    return (aim_http_request){ .method = method, .path = path, .query = lookup,
                               .query_cls = params };
}

aim_http_request fuzz_serve_parse(char *text, fuzz_lines *params) {
    const char *end = fuzz_serve_cut_lines(text);
    params->text = fuzz_serve_next_line(text, end); /* before the cut at its space */
    params->end = end;
    const char *method, *path;
    request_line(text, &method, &path);
    return fuzz_serve_request(params, method, path);
}

void fuzz_serve_check_json(const aim_http_response *resp) {
    json_t *j = resp->body ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
    if (!j || (resp->status != 200 && resp->status != 400 && resp->status != 404 &&
               resp->status != 405))
        abort();
    if (resp->status != 200 && !json_is_string(json_object_get(j, "error")))
        abort();
    json_decref(j);
}

static char db_path[64];
static aim_store *golden;

static void remove_db(void) {
    aim_store_free(golden);
    unlink(db_path);
}

aim_store *fuzz_serve_golden_store(const char *name) {
    if (golden)
        return golden;
    snprintf(db_path, sizeof db_path, "/tmp/aim-fuzz-%s-%d.db", name, (int)getpid());
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
    if (aim_store_new(&golden) < 0 || aim_store_open(golden, db_path, 1) < 0)
        abort();
    return golden;
}
