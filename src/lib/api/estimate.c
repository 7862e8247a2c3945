/* The estimate of a run that was not measured and the accelerator table (aimeter.h):
 * processing/footprint_estimate.c gathers the inputs and computes, report/estimate_render.c
 * renders. The object keeps copies of the request's strings, which the result borrows, and
 * the last error's message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "processing/footprint_estimate.h"
#include "api/error_out.h"
#include "report/renderers.h"

struct aim_estimate {
    aim_estimate_result result;
    int computed;
    char *gpu, *cpu, *pue, *zone; /* the request's strings, owned */
    char errmsg[1024];
};

int aim_estimate_new(aim_estimate **ret) {
    if (!ret)
        return -EINVAL;
    aim_estimate *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    *ret = e;
    return 0;
}

static void drop_strings(aim_estimate *e) {
    free(e->gpu);
    free(e->cpu);
    free(e->pue);
    free(e->zone);
    e->gpu = e->cpu = e->pue = e->zone = NULL;
}

void aim_estimate_free(aim_estimate *e) {
    if (!e)
        return;
    drop_strings(e);
    free(e);
}

const char *aim_estimate_errmsg(const aim_estimate *e) {
    return e ? e->errmsg : "no estimate";
}

/* A copy of s (NULL stays NULL); 0 or -ENOMEM. */
static int dup_or_null(const char *s, char **ret) {
    *ret = NULL;
    if (s && !(*ret = strdup(s)))
        return -ENOMEM;
    return 0;
}

int aim_estimate_compute(aim_estimate *e, const aim_estimate_request *req) {
    if (!e)
        return -EINVAL;
    e->computed = 0;
    e->errmsg[0] = '\0';
    drop_strings(e);
    if (!req) {
        strcpy(e->errmsg, "no request");
        return -EINVAL;
    }
    aim_estimate_request q = *req;
    if (dup_or_null(req->gpu, &e->gpu) < 0 || dup_or_null(req->cpu, &e->cpu) < 0 ||
        dup_or_null(req->pue, &e->pue) < 0 || dup_or_null(req->zone, &e->zone) < 0) {
        drop_strings(e);
        strcpy(e->errmsg, "out of memory");
        return -ENOMEM;
    }
    q.gpu = e->gpu;
    q.cpu = e->cpu;
    q.pue = e->pue;
    q.zone = e->zone;
    int rc = aim__estimate_build(&q, &e->result, e->errmsg, sizeof e->errmsg);
    if (rc < 0)
        return rc;
    e->computed = 1;
    return 0;
}

/* Fails with rc and the message on e; returns rc. */
static int fail(aim_estimate *e, int rc, const char *msg) {
    snprintf(e->errmsg, sizeof e->errmsg, "%s", msg);
    return rc;
}

int aim_estimate_footprint(aim_estimate *e, aim_footprint *ret) {
    if (!e)
        return -EINVAL;
    if (!ret)
        return fail(e, -EINVAL, "no output given");
    if (!e->computed)
        return fail(e, -ENODATA, "nothing computed yet (aim_estimate_compute first)");
    *ret = e->result.footprint;
    return 0;
}

int aim_estimate_render(aim_estimate *e, aim_format format, char **ret_text) {
    if (!e)
        return -EINVAL;
    if (!ret_text)
        return fail(e, -EINVAL, "no output given");
    int rc = aim__render_check(AIM_OUTPUT_ESTIMATE, format, e->errmsg, sizeof e->errmsg);
    if (rc < 0)
        return rc;
    if (!e->computed)
        return fail(e, -ENODATA, "nothing computed yet (aim_estimate_compute first)");
    rc = aim__render(AIM_OUTPUT_ESTIMATE, format, &e->result, ret_text);
    return rc < 0 ? fail(e, rc, aim_strerror(rc)) : 0;
}

int aim_gpu_table_render(aim_format format, char **ret_text, aim_error *ret_error) {
    int rc = aim__error_render_start(ret_error, ret_text, AIM_OUTPUT_GPU_TABLE, format);
    if (rc < 0)
        return rc;
    size_t n = aim_gpu_count();
    const aim_gpu_info **rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
        return aim__error_set(ret_error, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        rows[i] = aim_gpu_get(i);
    aim_render_gpus in = { .rows = rows, .n = n };
    rc = aim__render(AIM_OUTPUT_GPU_TABLE, format, &in, ret_text);
    free(rows);
    if (rc < 0)
        return aim__error_set(ret_error, rc, "cannot render the table: %s", aim_strerror(rc));
    return 0;
}
