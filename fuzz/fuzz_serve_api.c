/* The store's JSON API (api/serve_api.c): routing and query parsing over arbitrary requests.
 * Input: the first line is "METHOD PATH" (the path as libmicrohttpd hands it, decoded), each
 * further line a query parameter "key=value". The store is an empty one (created once): a run
 * id is looked up and not found. Every answer must be JSON with a status of the API's (200,
 * 400, 403, 404, 405) or an event stream, an error answer an object with "error", a 405 an
 * Allow header; a crash or a leak is a failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

#include "api/serve_api.h"
#include "serve_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static aim_store *store_once(void) {
    static aim_store *st;
    static char path[64];
    if (st)
        return st;
    snprintf(path, sizeof path, "/tmp/aim-fuzz-serve-%d.db", (int)getpid());
    unlink(path);
    if (aim_store_new(&st) < 0 || aim_store_open(st, path, 0) < 0)
        abort();
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_store *st = store_once();
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    fuzz_lines l;
    aim_http_request req = fuzz_serve_parse(text, &l);
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = st };
    int r = aim__serve_api_handle(&ctx, &req, &resp);
    if (r < 0)
        abort(); /* an empty store answers every request */
    if (resp.stream.next) { /* an event stream (none of an empty store's runs exists) */
        if (resp.status != 200 || resp.body)
            abort();
        resp.stream.free(resp.stream.cls);
        free(text);
        return 0;
    }
    if (!resp.body)
        abort();
    json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
    if (!j || (resp.status != 200 && resp.status != 400 && resp.status != 403 &&
               resp.status != 404 && resp.status != 405))
        abort();
    if (resp.status != 200 && !json_is_string(json_object_get(j, "error")))
        abort();
    if (resp.status == 405 && !resp.allow)
        abort();
    json_decref(j);
    free(resp.body);
    free(text);
    return 0;
}
