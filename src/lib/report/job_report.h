/* `aimeter report --job` and `aimeter jobs` rendered from their results (processing/job.h):
 * text, Markdown, JSON (schemas "aimeter.job/1" and "aimeter.jobs/1", docs/report-json.md),
 * HTML (a static page of the job's tables) and, for the list, CSV. Nothing here reads the
 * store. */
#ifndef AIM_REPORT_JOB_REPORT_H
#define AIM_REPORT_JOB_REPORT_H

#include <stddef.h>

#include "processing/job.h"
#include "util/strbuf.h"

/* The job's report as text (markdown 0) or Markdown (1), appended to b. */
void aim__job_text(aim_strbuf *b, const aim_job_result *r, int markdown);
/* One self-contained HTML document (no script), appended to b. */
void aim__job_html(aim_strbuf *b, const aim_job_result *r);
/* The JSON document; caller frees *ret_text. 0 or -ENOMEM. */
int aim__job_json(const aim_job_result *r, char **ret_text);

/* The list of jobs: one line (row, object) per job. */
typedef struct aim_render_jobs {
    const aim_job_result *jobs; /* newest first */
    size_t n;
} aim_render_jobs;
void aim__jobs_text(aim_strbuf *b, const aim_render_jobs *l);
void aim__jobs_csv(aim_strbuf *b, const aim_render_jobs *l);
int aim__jobs_json(const aim_render_jobs *l, char **ret_text);

#endif
