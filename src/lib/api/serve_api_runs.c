/* GET /api/runs (serve_api.h): the store's runs, newest first, as `aimeter ls --json` lists
 * them (report/runs.c renders both), filtered: q (a substring of the name), tag=KEY=VALUE,
 * host, job (the run's job tag, as the agent reads it), from/to (ISO 8601 dates or times:
 * runs started in [from, to]), then offset and limit: filtered and paged in the store. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve_api.h"
#include "model/run_tags.h"
#include "processing/summary.h"
#include "report/report.h"
#include "store/db.h"
#include "store/tags_store.h"
#include "util/iso8601.h"

typedef struct runs_filter {
    const char *q, *host, *job, *tag_key, *tag_value;
    size_t tag_key_len;
    int64_t from_ms, to_ms;          /* in milliseconds: ISO 8601 reaches the year 9999, */
} runs_filter;                       /* past int64 nanoseconds (2262) */

/* ms * 1e6 + add, saturated at int64's ends: a date past 2262 starts no stored run. */
static int64_t ms_to_ns(int64_t ms, int64_t add) {
    if (ms >= INT64_MAX / 1000000)
        return INT64_MAX;
    if (ms <= INT64_MIN / 1000000)
        return INT64_MIN;
    return ms * 1000000 + add;
}

/* from/to: an ISO 8601 date or time (util/iso8601.h); a bare date `to` means its whole day. */
static int time_param(const aim_http_request *req, const char *key, int end, int64_t *ret,
                      aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    int64_t ms;
    if (!v)
        return 0;
    if (aim__iso8601_parse(v, strlen(v), &ms) < 0) {
        int r = aim__serve_api_error(resp, 400, "bad %s '%.64s': an ISO 8601 date or time "
                                     "(2026-12-07 or 2026-12-07T08:00:00Z)", key, v);
        return r < 0 ? r : -1;
    }
    if (end && strlen(v) == 10)
        ms += 86400000LL - 1;
    *ret = ms;
    return 0;
}

static int parse(const aim_http_request *req, runs_filter *f, long *limit, long *offset,
                 aim_http_response *resp) {
    *f = (runs_filter){ .q = aim__http_query(req, "q"), .host = aim__http_query(req, "host"),
                        .job = aim__http_query(req, "job"), .from_ms = INT64_MIN,
                        .to_ms = INT64_MAX };
    const char *tag = aim__http_query(req, "tag");
    if (tag) {
        const char *eq = strchr(tag, '=');
        if (!eq || eq == tag) {
            int r = aim__serve_api_error(resp, 400, "bad tag '%.64s': KEY=VALUE", tag);
            return r < 0 ? r : -1;
        }
        f->tag_key = tag;
        f->tag_key_len = (size_t)(eq - tag);
        f->tag_value = eq + 1;
    }
    int r;
    if ((r = time_param(req, "from", 0, &f->from_ms, resp)) != 0 ||
        (r = time_param(req, "to", 1, &f->to_ms, resp)) != 0)
        return r;
    if ((r = aim__serve_api_uint(req, "limit", 1, 1000000, limit, resp)) < 0 ||
        (r = aim__serve_api_uint(req, "offset", 0, 1000000000, offset, resp)) < 0)
        return r;
    return 0;
}

/* The filters and the page are the store's (aim__db_list_runs_where: SQL over 10,000 runs
 * rather than each loaded and tested here); then the page's tags. */
int aim__serve_api_runs(aim_store *store, const aim_http_request *req, aim_http_response *resp) {
    runs_filter f;
    long limit = 0, offset = 0;
    int r = parse(req, &f, &limit, &offset, resp);
    if (r != 0)
        return r < -1 ? r : 0;
    /* started in [from, to] to the millisecond: floor(ns / 1 ms) within them */
    aim_run_filter where = { .name_part = f.q, .host = f.host, .job = f.job,
                             .tag_key = f.tag_key, .tag_key_len = f.tag_key_len,
                             .tag_value = f.tag_value, .from_ns = ms_to_ns(f.from_ms, 0),
                             .to_ns = f.to_ms == INT64_MAX ? INT64_MAX
                                                           : ms_to_ns(f.to_ms + 1, -1),
                             .offset = (size_t)offset, .limit = (size_t)limit };
    aim_db *db = aim__store_db(store);
    aim_run_summary *runs = NULL;
    size_t n = 0;
    r = aim__db_list_runs_where(db, &where, &runs, &n);
    if (r == 0)
        r = aim__db_runs_tags_load(db, runs, n);
    if (r < 0) {
        r = aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
    } else {
        char *text = NULL;
        r = aim__runs_render_json(runs, n, &text);
        if (r == 0) {
            free(resp->body);
            *resp = (aim_http_response){ .status = 200, .type = AIM_SERVE_JSON_TYPE,
                                         .body = text, .len = strlen(text) };
        }
    }
    for (size_t i = 0; i < n; i++)
        aim__run_summary_clear(&runs[i]);
    free(runs);
    return r;
}
