/* Serve API requests without a socket (serve_rig.h). No cmocka here: bench_serve_api links
 * it too. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve_rig.h"
#include "util/fileio.h"

static const char *lookup(const aim_http_request *req, const char *key) {
    const char *const *kv = ((const serve_rig_query *)req->query_cls)->kv;
    for (size_t i = 0; kv && kv[i]; i += 2)
        if (strcmp(kv[i], key) == 0)
            return kv[i + 1];
    return NULL;
}

aim_http_request serve_rig_request(serve_rig_query *q, const char *method, const char *path,
                                   const char *const *kv) {
    q->kv = kv;
    return (aim_http_request){ .method = method, .path = path, .query = lookup, .query_cls = q };
}

int serve_rig_exec_file(const char *db_path, const char *sql_path) {
    char *text = NULL;
    size_t len;
    if (aim__read_file_alloc(sql_path, 64u << 20, &text, &len) < 0) {
        fprintf(stderr, "%s: cannot read\n", sql_path);
        return -1;
    }
    sqlite3 *h;
    char *err = NULL;
    int rc = sqlite3_open(db_path, &h) == SQLITE_OK ? sqlite3_exec(h, text, NULL, NULL, &err)
                                                    : SQLITE_CANTOPEN;
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s on %s: %s\n", sql_path, db_path, err ? err : sqlite3_errmsg(h));
    sqlite3_free(err);
    sqlite3_close(h);
    free(text);
    return rc == SQLITE_OK ? 0 : -1;
}

int serve_rig_temp_db(char *dir, char *db_path, size_t size, const char *sql_path) {
    if (!mkdtemp(dir))
        return -1;
    snprintf(db_path, size, "%s/g.db", dir);
    return serve_rig_exec_file(db_path, sql_path);
}

void serve_rig_remove_db(const char *dir, const char *db_path) {
    char p[512];
    const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
}
