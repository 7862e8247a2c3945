/* aim_job_report_render and aim_jobs_render (include/aimeter.h): the runs tagged with a job
 * read from the store (their summaries, tags and phases: no sample is read, so a job of 64
 * nodes x 1 h costs 64 summaries), combined by processing/job.c, rendered by report/. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/store_error.h"
#include "processing/job.h"
#include "report/job_report.h"
#include "report/renderers.h"
#include "store/db.h"
#include "store/tags_store.h"

typedef struct run_set {
    aim_run_summary *runs;
    size_t n;
} run_set;

static void run_set_free(run_set *s) {
    for (size_t i = 0; i < s->n; i++)
        aim__run_summary_clear(&s->runs[i]);
    free(s->runs);
    s->runs = NULL;
    s->n = 0;
}

/* The runs of ids[0..n): summary and tags, and the workload (phases, records) when asked. */
static int load_runs(aim_db *db, char (*ids)[40], size_t n, int workload, run_set *ret) {
    ret->runs = calloc(n ? n : 1, sizeof *ret->runs);
    ret->n = 0;
    if (!ret->runs)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        aim_run_summary *run = &ret->runs[ret->n];
        int r = aim__db_load_summary(db, ids[i], run);
        if (r >= 0 && workload)
            r = aim__db_workload_load(db, ids[i], run->n_devices, &run->workload);
        if (r >= 0)
            r = aim__db_run_tags_load(db, ids[i], &run->tags, &run->n_tags);
        ret->n++; /* cleared by run_set_free whatever happened */
        if (r < 0)
            return r;
    }
    return 0;
}

/* The store's database, once it is open and out renders format (else the store's message
 * says why). */
static int open_for(aim_store *store, aim_output out, aim_format format, aim_db **ret_db) {
    int r = aim__store_check_format(store, out, format);
    if (r < 0)
        return r;
    *ret_db = aim__store_db(store);
    if (!*ret_db) {
        aim__store_set_error(store, "store not open");
        return -EINVAL;
    }
    return 0;
}

int aim_job_report_render(aim_store *store, const char *job, aim_format format, char **ret_text) {
    if (!store)
        return -EINVAL;
    if (!job || !*job || !ret_text) {
        aim__store_set_error(store, "no job or output given");
        return -EINVAL;
    }
    aim_db *db;
    int r = open_for(store, AIM_OUTPUT_JOB, format, &db);
    if (r < 0)
        return r;
    char (*ids)[40] = NULL;
    size_t n = 0;
    r = aim__db_runs_with_tag_value(db, "job", job, &ids, &n);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    if (n == 0) {
        free(ids);
        aim__store_set_error(store, "no run of job %s in the store (runs tagged job=%s)", job, job);
        return -ENOENT;
    }
    run_set set = { 0 };
    r = load_runs(db, ids, n, 1, &set);
    free(ids);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        run_set_free(&set);
        return r;
    }
    aim_job_result res;
    r = aim__job_build(job, set.runs, set.n, &res);
    if (r == 0)
        r = aim__render(AIM_OUTPUT_JOB, format, &res, ret_text);
    if (r < 0)
        aim__store_set_error(store, "cannot render job %s: %s", job, aim_strerror(r));
    aim__job_free(&res);
    run_set_free(&set);
    return r;
}

static int by_job_value(const void *a, const void *b) {
    const aim_run_summary *x = a, *y = b;
    int c = strcmp(aim__run_tag(x, "job"), aim__run_tag(y, "job"));
    if (c)
        return c;
    return x->start_wall_ns < y->start_wall_ns ? -1 : x->start_wall_ns > y->start_wall_ns;
}

static int newest_first(const void *a, const void *b) {
    const aim_job_result *x = a, *y = b;
    if (x->start_wall_ns != y->start_wall_ns)
        return x->start_wall_ns > y->start_wall_ns ? -1 : 1;
    return strcmp(x->job, y->job);
}

int aim_jobs_render(aim_store *store, const char *user, int64_t since_wall_ns, aim_format format,
                    char **ret_text) {
    if (!store)
        return -EINVAL;
    if (!ret_text) {
        aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    aim_db *db;
    int r = open_for(store, AIM_OUTPUT_JOBS, format, &db);
    if (r < 0)
        return r;
    char (*ids)[40] = NULL;
    size_t n = 0;
    r = aim__db_runs_with_tag(db, "job", &ids, &n);
    run_set set = { 0 };
    if (r >= 0)
        r = load_runs(db, ids, n, 0, &set);
    free(ids);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        run_set_free(&set);
        return r;
    }
    /* Grouped by job value; a job is listed when some run of it is the user's and it ended
     * (or runs) after since. */
    qsort(set.runs, set.n, sizeof *set.runs, by_job_value);
    aim_job_result *jobs = calloc(set.n ? set.n : 1, sizeof *jobs);
    size_t n_jobs = 0;
    if (!jobs)
        r = -ENOMEM;
    for (size_t i = 0; i < set.n && r >= 0;) {
        const char *job = aim__run_tag(&set.runs[i], "job");
        size_t j = i;
        while (j < set.n && strcmp(aim__run_tag(&set.runs[j], "job"), job) == 0)
            j++;
        r = aim__job_build(job, &set.runs[i], j - i, &jobs[n_jobs]);
        if (r < 0) {
            aim__job_free(&jobs[n_jobs]);
            break;
        }
        aim_job_result *x = &jobs[n_jobs];
        int keep = (!user || strcmp(x->user, user) == 0) &&
                   (since_wall_ns <= 0 || x->running || x->end_wall_ns >= since_wall_ns);
        if (keep)
            n_jobs++;
        else
            aim__job_free(x);
        i = j;
    }
    if (r >= 0) {
        qsort(jobs, n_jobs, sizeof *jobs, newest_first);
        aim_render_jobs l = { jobs, n_jobs };
        r = aim__render(AIM_OUTPUT_JOBS, format, &l, ret_text);
    }
    if (r < 0)
        aim__store_set_error(store, "cannot list the jobs: %s", aim_strerror(r));
    for (size_t k = 0; jobs && k < n_jobs; k++)
        aim__job_free(&jobs[k]);
    free(jobs);
    run_set_free(&set);
    return r;
}
