/* The profile routes (serve_api_profiles.h). */
#include "api/serve_api_profiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/profile.h"
#include "report/profile.h"
#include "store/db.h"
#include "store/profiles_store.h"

#define DEFAULT_NAME "imported profile"

static int text_answer(aim_http_response *resp, unsigned status, char *text) {
    free(resp->body);
    *resp = (aim_http_response){ .status = status, .type = AIM_SERVE_JSON_TYPE, .body = text,
                                 .len = strlen(text) };
    return 0;
}

int aim__serve_api_run_profile(aim_serve_ctx *ctx, const char *run_id,
                               const aim_http_request *req, aim_http_response *resp) {
    (void)req;
    char *text = NULL;
    int r = aim_profile_render(ctx->store, run_id, &text);
    if (r == -ENOENT)
        return aim__serve_api_error(resp, 404, "no run %s in the store", run_id);
    if (r < 0)
        return aim__serve_api_error(resp, 500, "%s", aim_store_errmsg(ctx->store));
    return text_answer(resp, 200, text);
}

static int list(aim_serve_ctx *ctx, aim_http_response *resp) {
    aim_db *db = aim__store_db(ctx->store);
    aim_profile_row *rows = NULL;
    size_t n = 0;
    int r = aim__db_profile_list(db, &rows, &n);
    if (r < 0)
        return aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
    int err = 0;
    json_t *o = json_object(), *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object();
        aim__json_put(e, "id", json_integer(rows[i].id), &err);
        aim__json_put(e, "name", aim__json_str(rows[i].name, sizeof rows[i].name), &err);
        aim__json_put(e, "imported_at", aim__json_time(rows[i].imported_at_ns), &err);
        aim__json_put(e, "epochs", json_integer(rows[i].epochs), &err);
        aim__json_put(e, "energy_j", aim__json_num(rows[i].energy_j), &err);
        aim__json_push(a, e, &err);
    }
    aim__json_put(o, "profiles", a, &err);
    free(rows);
    if (err) {
        json_decref(o);
        return -ENOMEM;
    }
    return aim__serve_api_json(resp, o);
}

/* The body's kind from its Content-Type (parameters such as charset ignored): 0, or -1 with
 * the 400 in resp. */
static int body_format(const aim_http_request *req, aim_profile_format *ret,
                       aim_http_response *resp) {
    const char *t = req->content_type ? req->content_type : "";
    size_t n = strcspn(t, ";");
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (n == 16 && strncasecmp(t, "application/json", n) == 0) {
        *ret = AIM_PROFILE_JSON;
    } else if (n == 8 && strncasecmp(t, "text/csv", n) == 0) {
        *ret = AIM_PROFILE_CSV;
    } else {
        int r = aim__serve_api_error(resp, 400, "bad Content-Type '%.64s': application/json (a "
                                     "profile) or text/csv (epoch,energy_j[,duration_s])", t);
        return r < 0 ? r : -1;
    }
    return 0;
}

static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int import(aim_serve_ctx *ctx, const aim_http_request *req, aim_http_response *resp) {
    if (!(ctx->flags & AIM_SERVE_ALLOW_IMPORT))
        return aim__serve_api_error(resp, 403, "importing profiles is off: start aimeter serve "
                                    "with --allow-import");
    aim_profile_format format;
    int r = body_format(req, &format, resp);
    if (r != 0)
        return r < -1 ? r : 0;
    const char *name = aim__http_query(req, "name");
    if (name && !aim__profile_name_ok(name))
        return aim__serve_api_error(resp, 400, "bad name: 1 to 128 bytes of UTF-8, no control "
                                    "characters");
    aim_profile p;
    char err[256];
    r = aim__profile_parse(req->body, req->body_len, format, &p, err, sizeof err);
    if (r == -EINVAL || r == -E2BIG) {
        r = aim__serve_api_error(resp, r == -E2BIG ? 413 : 400, "profile: %s", err);
    } else if (r == 0) {
        if (name)
            snprintf(p.name, sizeof p.name, "%s", name);
        else if (!p.name[0])
            snprintf(p.name, sizeof p.name, DEFAULT_NAME);
        aim_profile_row row = { .imported_at_ns = wall_ns(), .epochs = (int64_t)p.n_epochs,
                                .energy_j = p.energy_j };
        snprintf(row.name, sizeof row.name, "%s", p.name);
        char *text = NULL;
        aim_db *db = aim__store_db(ctx->store);
        r = aim__profile_render(&p, &text); /* stored without its id: the row has it */
        if (r == 0 && (r = aim__db_profile_insert(db, &row, text, &p.id)) < 0)
            r = aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
        else if (r == 0) {
            free(text);
            text = NULL;
            p.imported_at_ns = row.imported_at_ns;
            if ((r = aim__profile_render(&p, &text)) == 0)
                r = text_answer(resp, 201, text), text = NULL;
        }
        free(text);
    }
    aim__profile_clear(&p);
    return r;
}

int aim__serve_api_profiles(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                            aim_http_response *resp) {
    (void)arg;
    return strcmp(req->method, "POST") == 0 ? import(ctx, req, resp) : list(ctx, resp);
}

int aim__serve_api_profile(aim_serve_ctx *ctx, const char *pid, const aim_http_request *req,
                           aim_http_response *resp) {
    (void)req;
    int64_t id = 0;
    size_t i = 0;
    for (; pid[i] >= '0' && pid[i] <= '9' && i < 18; i++)
        id = id * 10 + (pid[i] - '0');
    if (i == 0 || pid[i] || id < 1)
        return aim__serve_api_error(resp, 400, "bad profile id '%.32s': a whole number from 1",
                                    pid);
    aim_db *db = aim__store_db(ctx->store);
    aim_profile_row row;
    char *json = NULL;
    int r = aim__db_profile_get(db, id, &row, &json);
    if (r == -ENOENT)
        return aim__serve_api_error(resp, 404, "no profile %lld in the store", (long long)id);
    if (r < 0)
        return aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
    aim_profile p;
    char err[256];
    r = aim__profile_parse(json, strlen(json), AIM_PROFILE_JSON, &p, err, sizeof err);
    free(json);
    char *text = NULL;
    if (r == -EINVAL || r == -E2BIG) { /* a row written by hand, or damaged */
        r = aim__serve_api_error(resp, 500, "stored profile %lld is not valid: %s",
                                 (long long)id, err);
    } else if (r == 0) {
        p.id = row.id;
        p.imported_at_ns = row.imported_at_ns;
        if ((r = aim__profile_render(&p, &text)) == 0)
            r = text_answer(resp, 200, text);
    }
    aim__profile_clear(&p);
    return r;
}
