/* The analyses of the JSON API (api/serve_api_analyses.c): /api/runs/{id}/view, /whatif
 * (zones, rank, hardware), /forecast, /api/compare and /api/zones?year, whose parameters are
 * checked only once a run is found, so this target, unlike fuzz_serve_api.c's empty store,
 * answers over the golden store (tests/fixtures/store/golden.sql, loaded once into a
 * temporary file). Input as fuzz_serve_api.c's: the first line "[METHOD ]PATH", each further
 * line a query parameter "key=value". Every answer must be JSON with a status of the API's
 * (200, 400, 404, 405; never 500: the store is sound), an error answer an object with
 * "error"; a crash or a leak is a failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

#include "api/serve_api.h"
#include "serve_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_store *store = fuzz_serve_golden_store("analyses");
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    fuzz_lines l;
    aim_http_request req = fuzz_serve_parse(text, &l);
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = store };
    if (aim__serve_api_handle(&ctx, &req, &resp) < 0)
        abort();
    fuzz_serve_check_json(&resp);
    free(resp.body);
    free(text);
    return 0;
}
