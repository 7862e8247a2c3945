/* The analyses of the JSON API (serve_api_analyses.h): each route checks its query
 * parameters (a 400 names the one that is wrong), then calls the library function the CLI
 * calls for the same query, so the body is the CLI's --json byte for byte. No parameter is
 * a path: the what-if's intensity file is not offered, run ids are checked for their
 * characters and looked up in the store. */
#include "api/serve_api_analyses.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/html_report.h"

#define MAX_LIST 1024       /* the longest zones, hardware, specs or runs list taken */
#define MAX_RUNS 64         /* runs in one comparison */
/* Bounds on the work one request does under the store's lock (every other request waits) */
#define MAX_ZONES 32        /* zones of a what-if or a view, hardware of a what-if */
#define MAX_BUCKETS 20000   /* a view's buckets */
#define YEAR_MIN 1900
#define YEAR_MAX 2100

/* resp: text (taken) as the 200 JSON body. */
static int text_body(aim_http_response *resp, char *text) {
    free(resp->body);
    *resp = (aim_http_response){ .status = 200, .type = AIM_SERVE_JSON_TYPE, .body = text,
                                 .len = strlen(text) };
    return 0;
}

/* After an answered 400: -1, or the answer's own -ENOMEM. */
static int bad(int r) {
    return r < 0 ? r : -1;
}

/* A string parameter of at most MAX_LIST bytes, not empty: 1 and *ret, 0 absent, -1 bad. */
static int list_param(const aim_http_request *req, const char *key, const char **ret,
                      aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    if (!v)
        return 0;
    if (!*v || strlen(v) > MAX_LIST)
        return bad(aim__serve_api_error(resp, 400, "bad %s: 1 to %d characters", key,
                                               MAX_LIST));
    *ret = v;
    return 1;
}

/* A switch: 1/true/"" on, 0/false off; 1 and *ret, 0 absent, -1 bad. */
static int flag_param(const aim_http_request *req, const char *key, int *ret,
                      aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    if (!v)
        return 0;
    if (!strcmp(v, "1") || !strcmp(v, "true") || !*v)
        *ret = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false"))
        *ret = 0;
    else
        return bad(aim__serve_api_error(resp, 400, "bad %s '%.32s': 1, true, 0 or false",
                                               key, v));
    return 1;
}

/* pue: a number from 1.0 to 5.0 or a provider's name, as the CLI's --pue; *ret 0 when
 * absent (the run's own). 0 or -1 (bad). */
static int pue_param(const aim_http_request *req, double *ret, aim_http_response *resp) {
    const char *v = aim__http_query(req, "pue");
    *ret = 0;
    if (!v)
        return 0;
    double p;
    if (aim_pue_lookup(v, &p, NULL) == 0 ||
        (aim_parse_number(v, strlen(v), &p) == 0 && p >= 1.0 && p <= 5.0)) {
        *ret = p;
        return 0;
    }
    return bad(aim__serve_api_error(resp, 400, "bad pue '%.32s': a number from 1.0 to "
                                           "5.0, or aws, gcp, azure, ovhcloud, oracle, average",
                                           v));
}

/* zones: each item resolved as the what-ifs resolve it, so a bad one is a 400 that names
 * the parameter before any rendering. 0, or -1 (bad). */
static int zones_ok(const char *zones, aim_http_response *resp) {
    char item[64];
    int n = 0;
    for (const char *p = zones; *p;) {
        if (++n > MAX_ZONES)
            return bad(aim__serve_api_error(resp, 400, "bad zones: at most %d", MAX_ZONES));
        size_t l = strcspn(p, ",");
        aim_error e = { 0 };
        if (l == 0 || l >= sizeof item)
            return bad(aim__serve_api_error(resp, 400, "bad zones: comma-separated zone "
                                                   "codes, each CODE[@YEAR][@marginal]"));
        memcpy(item, p, l);
        item[l] = '\0';
        if (aim_zone_resolve(item, NULL, NULL, 0, &e) < 0)
            return bad(aim__serve_api_error(resp, 400, "bad zones: %s", e.message));
        p += l;
        if (*p == ',' && !*++p)
            return bad(aim__serve_api_error(resp, 400, "bad zones: an empty item"));
    }
    return 0;
}

/* A library error of a run's analysis as the API answers it: -ENOENT 404, a bad request
 * 400 (the message prefixed with what the query said: param), else 500. */
static int lib_error(aim_serve_ctx *ctx, const char *run_id, int r, const char *param,
                     aim_http_response *resp) {
    const char *msg = aim_store_errmsg(ctx->store);
    switch (-r) {
    case ENOENT: return aim__serve_api_error(resp, 404, "no run %s in the store", run_id);
    case EINVAL:
    case ERANGE: return aim__serve_api_error(resp, 400, "bad %s: %s", param, msg);
    case ENODATA:
    case ENODEV: return aim__serve_api_error(resp, 400, "%s", msg);
    case ENOMEM: return r;
    default: return aim__serve_api_error(resp, 500, "%s", msg);
    }
}

int aim__serve_api_view(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                        aim_http_response *resp) {
    const char *zones = NULL;
    long buckets = 0;
    int r;
    if ((r = list_param(req, "zones", &zones, resp)) < 0 ||
        (r = aim__serve_api_uint(req, "buckets", 10, MAX_BUCKETS, &buckets, resp)) < 0)
        return r == -1 ? 0 : r;
    if (zones && (r = zones_ok(zones, resp)) < 0)
        return r == -1 ? 0 : r;
    char *text = NULL;
    r = aim__report_html_data(ctx->store, run_id, zones, (unsigned)buckets, &text);
    if (r < 0)
        return lib_error(ctx, run_id, r, "zones or buckets", resp);
    return text_body(resp, text);
}

static int whatif_rank(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                       aim_http_response *resp) {
    aim_whatif_rank_request q = { 0 };
    long year = 0, limit = 0;
    int r;
    const char *signal = aim__http_query(req, "signal");
    if (signal && strcmp(signal, "average") && strcmp(signal, "marginal"))
        return aim__serve_api_error(resp, 400, "bad signal '%.32s': average or marginal", signal);
    q.marginal = signal && !strcmp(signal, "marginal");
    if ((r = aim__serve_api_uint(req, "year", YEAR_MIN, YEAR_MAX, &year, resp)) < 0 ||
        (r = aim__serve_api_uint(req, "limit", 1, 100000, &limit, resp)) < 0 ||
        (r = pue_param(req, &q.pue, resp)) < 0)
        return r == -1 ? 0 : r;
    q.year = (int)year;
    q.limit = (size_t)limit;
    char *text = NULL;
    r = aim_whatif_rank_render(ctx->store, run_id, &q, AIM_FORMAT_JSON, &text);
    if (r < 0)
        return lib_error(ctx, run_id, r, "rank", resp);
    return text_body(resp, text);
}

int aim__serve_api_whatif(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp) {
    const char *zones = NULL, *hardware = NULL, *specs = NULL;
    int rank = 0, r;
    double pue;
    if ((r = flag_param(req, "rank", &rank, resp)) < 0 ||
        (r = list_param(req, "zones", &zones, resp)) < 0 ||
        (r = list_param(req, "hardware", &hardware, resp)) < 0 ||
        (r = list_param(req, "specs", &specs, resp)) < 0)
        return r == -1 ? 0 : r;
    if (rank && (zones || hardware || specs))
        return aim__serve_api_error(resp, 400, "bad rank: it takes signal, year, pue and limit, "
                                    "not zones, hardware or specs");
    if (rank)
        return whatif_rank(ctx, run_id, req, resp);
    /* the rank's own parameters without it: a mistake, as --marginal without --rank is */
    static const char *const rank_only[] = { "signal", "year", "limit" };
    for (size_t i = 0; i < sizeof rank_only / sizeof rank_only[0]; i++)
        if (aim__http_query(req, rank_only[i]))
            return aim__serve_api_error(resp, 400, "bad %s: it goes with rank=1", rank_only[i]);
    if (specs && !hardware)
        return aim__serve_api_error(resp, 400, "bad specs: they go with hardware");
    size_t items = 1;
    for (const char *p = hardware; p && *p; p++)
        items += *p == ',';
    if (hardware && items > MAX_ZONES)
        return aim__serve_api_error(resp, 400, "bad hardware: at most %d", MAX_ZONES);
    if (!zones && !hardware)
        return aim__serve_api_error(resp, 400, "missing zones: say zones=FR,PL, rank=1 or "
                                    "hardware=A100,H100");
    if ((r = pue_param(req, &pue, resp)) < 0 || (zones && (r = zones_ok(zones, resp)) < 0))
        return r == -1 ? 0 : r;
    char *text = NULL;
    r = hardware ? aim_whatif_hardware_render_specs(ctx->store, run_id, hardware, specs, zones,
                                                    pue, AIM_FORMAT_JSON, &text)
                 : aim_whatif_render(ctx->store, run_id, zones, NULL, pue, AIM_FORMAT_JSON,
                                     &text);
    if (r < 0)
        return lib_error(ctx, run_id, r, hardware ? "hardware or specs" : "zones", resp);
    return text_body(resp, text);
}

int aim__serve_api_forecast(aim_serve_ctx *ctx, const char *run_id,
                            const aim_http_request *req, aim_http_response *resp) {
    aim_forecast_request q = { 0 };
    long epochs = 0, skip = 0;
    int r;
    if ((r = aim__serve_api_uint(req, "epochs", 1, 1000000, &epochs, resp)) < 0 ||
        (r = aim__serve_api_uint(req, "skip", 0, 1000000, &skip, resp)) < 0)
        return r == -1 ? 0 : r;
    if (!epochs)
        return aim__serve_api_error(resp, 400, "missing epochs: forecast to how many (epochs=N)");
    q.phase = aim__http_query(req, "phase");
    if (q.phase && (!*q.phase || strlen(q.phase) > 128))
        return aim__serve_api_error(resp, 400, "bad phase: a phase name, 1 to 128 characters");
    q.target = (uint64_t)epochs;
    q.skip = (uint64_t)skip;
    char *text = NULL;
    r = aim_forecast_render(ctx->store, run_id, &q, AIM_FORMAT_JSON, &text, NULL);
    if (r < 0)
        return lib_error(ctx, run_id, r, r == -ERANGE ? "epochs" : "phase or skip", resp);
    return text_body(resp, text);
}

/* One id of a list: checked, resolved (a prefix, as the CLI takes it) into *ret. 0, -1
 * (answered: 400, also for a prefix of several runs; 404), or -ENOMEM. */
static int resolve(aim_serve_ctx *ctx, const char *key, const char *s, size_t n, char **ret,
                   aim_http_response *resp) {
    if (!aim__serve_api_id_ok(s, n))
        return bad(aim__serve_api_error(resp, 400, "bad %s: run ids of letters, digits, "
                                               "'-' and '_', comma-separated", key));
    char ref[64];
    memcpy(ref, s, n);
    ref[n] = '\0';
    int r = aim_store_resolve_run(ctx->store, ref, ret);
    if (r == -ENOENT)
        return bad(aim__serve_api_error(resp, 404, "no run %s in the store", ref));
    if (r < 0)
        return bad(aim__serve_api_error(resp, r == -EINVAL || r == -EEXIST ? 400 : 500,
                                        "bad %s: %s", key,
                                               aim_store_errmsg(ctx->store)));
    return 0;
}

int aim__serve_api_compare(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                           aim_http_response *resp) {
    (void)arg;
    const char *runs = NULL, *baseline = NULL, *by = NULL;
    int r;
    if ((r = list_param(req, "runs", &runs, resp)) < 0 ||
        (r = list_param(req, "baseline", &baseline, resp)) < 0 ||
        (r = list_param(req, "by", &by, resp)) < 0)
        return r == -1 ? 0 : r;
    r = 0;
    char *ids[MAX_RUNS] = { 0 }, *base_id = NULL;
    size_t n = 0;
    for (const char *p = runs; !r && p && *p;) {
        size_t l = strcspn(p, ",");
        if (n == MAX_RUNS)
            r = bad(aim__serve_api_error(resp, 400, "bad runs: at most %d", MAX_RUNS));
        else
            r = resolve(ctx, "runs", p, l, &ids[n++], resp);
        p += l;
        if (!r && *p == ',' && !*++p)
            r = bad(aim__serve_api_error(resp, 400, "bad runs: an empty item"));
    }
    if (!r && baseline)
        r = resolve(ctx, "baseline", baseline, strlen(baseline), &base_id, resp);
    if (!r && n == 0 && !by)
        r = bad(aim__serve_api_error(resp, 400, "missing runs: runs=a,b (or by=KEY)"));
    if (!r && n == 1 && !by && !baseline)
        r = bad(aim__serve_api_error(resp, 400, "bad runs: one run is no comparison: "
                                           "give two or more, or a baseline"));
    if (!r) {
        char *text = NULL;
        r = aim_compare_render(ctx->store, (const char *const *)ids, n, base_id, by,
                               AIM_FORMAT_JSON, &text);
        if (r == 0)
            r = text_body(resp, text);
        else if (r == -EINVAL)
            r = aim__serve_api_error(resp, 400, "bad by: %s", aim_store_errmsg(ctx->store));
        else if (r == -ENOENT)
            r = aim__serve_api_error(resp, 404, "%s", aim_store_errmsg(ctx->store));
        else if (r != -ENOMEM)
            r = aim__serve_api_error(resp, 500, "%s", aim_store_errmsg(ctx->store));
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(base_id);
    return r == -1 ? 0 : r;
}
