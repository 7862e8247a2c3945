/* The live routes of `aimeter serve` (api/serve_api_events.c, serve_api_live.c) over arbitrary
 * requests on the golden store (tests/fixtures/store/golden.sql). Input: the first line is the
 * path (e.g. "/api/runs/20261207-083158-a90897/events" or "/api/live"), the second the
 * Last-Event-ID header (empty: none), each further line a query parameter "key=value". An
 * answer is JSON (200, 400, 404) or an event stream: its first poll (the one that reads the
 * store without waiting) must be well-formed Server-Sent Events, each data line JSON. A crash
 * or a leak is a failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

#include "api/serve_api.h"
#include "serve_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    aim_store *st = fuzz_serve_golden_store("events");
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    const char *end = fuzz_serve_cut_lines(text);
    const char *last = fuzz_serve_next_line(text, end);
    fuzz_lines l = { last ? fuzz_serve_next_line(last, end) : NULL, end };
    aim_http_request req = fuzz_serve_request(&l, "GET", text);
    req.last_event_id = last && *last ? last : NULL; /* an empty line: no header */
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
        fuzz_serve_check_json(&resp);
        free(resp.body);
    }
    free(text);
    return 0;
}
