/* GET /api/zones and /api/hardware (serve_api.h): the built-in tables, as `aimeter zones
 * --json` (aim_zone_select_json) and `aimeter estimate --list-gpus --json`
 * (aim_gpu_table_render) print them. /api/zones takes the command's search: q (its QUERY),
 * and the switches marginal, cloud, all (1 or true; 0 or false), and year (`zones --year`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve_api.h"

/* A switch: 0/1 in *ret, 0 when absent, -1 when bad (400 in resp). */
static int flag(const aim_http_request *req, const char *key, int *ret, aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    if (!v)
        return 0;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "") == 0) {
        *ret = 1;
    } else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) {
        *ret = 0;
    } else {
        int r = aim__serve_api_error(resp, 400, "bad %s '%.32s': 1, true, 0 or false", key, v);
        return r < 0 ? r : -1;
    }
    return 0;
}

static int text_body(aim_http_response *resp, char *text) {
    free(resp->body);
    *resp = (aim_http_response){ .status = 200, .type = AIM_SERVE_JSON_TYPE, .body = text,
                                 .len = strlen(text) };
    return 0;
}

int aim__serve_api_zones(const aim_http_request *req, aim_http_response *resp) {
    aim_zone_query q = { .query = aim__http_query(req, "q") };
    int r;
    if ((r = flag(req, "marginal", &q.marginal, resp)) != 0 ||
        (r = flag(req, "cloud", &q.cloud, resp)) != 0 || (r = flag(req, "all", &q.all, resp)) != 0)
        return r == -1 ? 0 : r;
    /* year: `aimeter zones --year Y`, each zone's row of that year (not with cloud or all,
     * which have no yearly rows). */
    long year = 0;
    if ((r = aim__serve_api_uint(req, "year", 1900, 2100, &year, resp)) < 0)
        return r == -1 ? 0 : r;
    if (year && (q.cloud || q.all))
        return aim__serve_api_error(resp, 400, "bad year: not with cloud or all");
    char *text;
    if ((r = year ? aim_zone_year_json(&q, (int)year, &text, NULL)
                  : aim_zone_select_json(&q, &text, NULL)) < 0)
        return r;
    return text_body(resp, text);
}

int aim__serve_api_hardware(aim_http_response *resp) {
    char *text;
    int r = aim_gpu_table_render(AIM_FORMAT_JSON, &text, NULL);
    if (r < 0)
        return r;
    return text_body(resp, text);
}
