/* GET /api/runs (serve_api.h): the store's runs, newest first, as `aimeter ls --json` lists
 * them (report/runs.c renders both), filtered: q (a substring of the name), tag=KEY=VALUE,
 * host, job (the run's job tag, as the agent reads it), from/to (ISO 8601 dates or times:
 * runs started in [from, to]), then offset and limit. */
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

/* floor(ns / 1 ms), for a start before 1970 too. */
static int64_t floor_ms(int64_t ns) {
    int64_t q = ns / 1000000;
    return ns % 1000000 < 0 ? q - 1 : q;
}

static const char *tag_of(const aim_run_summary *r, const char *key, size_t n) {
    for (size_t i = 0; i < r->n_tags; i++)
        if (strlen(r->tags[i].key) == n && memcmp(r->tags[i].key, key, n) == 0)
            return r->tags[i].value;
    return NULL;
}

/* The job tags a run joining the agent is known by, first present wins (engine/tags.c). */
static const char *job_of(const aim_run_summary *r) {
    static const char *const keys[] = { "job", "slurm_job", "pbs_job", "sge_job" };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = tag_of(r, keys[k], strlen(keys[k]));
        if (v && v[0])
            return v;
    }
    return NULL;
}

static int keep(const runs_filter *f, const aim_run_summary *r) {
    if (f->q && !strstr(r->name, f->q))
        return 0;
    if (f->host && strcmp(r->host, f->host) != 0)
        return 0;
    if (f->job) {
        const char *j = job_of(r);
        if (!j || strcmp(j, f->job) != 0)
            return 0;
    }
    if (f->tag_key) {
        const char *v = tag_of(r, f->tag_key, f->tag_key_len);
        if (!v || strcmp(v, f->tag_value) != 0)
            return 0;
    }
    int64_t ms = floor_ms(r->start_wall_ns);
    return ms >= f->from_ms && ms <= f->to_ms;
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

int aim__serve_api_runs(aim_store *store, const aim_http_request *req, aim_http_response *resp) {
    runs_filter f;
    long limit = 0, offset = 0;
    int r = parse(req, &f, &limit, &offset, resp);
    if (r != 0)
        return r < -1 ? r : 0;
    aim_db *db = aim__store_db(store);
    aim_run_summary *runs = NULL;
    size_t n = 0, kept = 0;
    r = aim__db_list_runs(db, 0, &runs, &n);
    for (size_t i = 0; i < n && r == 0; i++)
        r = aim__db_run_tags_load(db, runs[i].id, &runs[i].tags, &runs[i].n_tags);
    if (r < 0) {
        r = aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
    } else {
        /* Filtered in place, then the page: swapping keeps every summary owned once. */
        size_t skipped = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep(&f, &runs[i]) || (skipped < (size_t)offset && ++skipped))
                continue;
            if (limit > 0 && kept >= (size_t)limit)
                break;
            aim_run_summary t = runs[kept];
            runs[kept++] = runs[i];
            runs[i] = t;
        }
        char *text = NULL;
        r = aim__runs_render_json(runs, kept, &text);
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
