/* The renderer table (renderers.c): for each output the library renders, the formats it has
 * and the function behind each, so that a format is looked up once, as an aim_format, and
 * never compared as a string in api/ or report/. Also the individual renderers behind the
 * run's report (text.c, json.c, markdown.c): each renders a report model
 * (processing/report_model.h) into a string the caller frees; -ENOMEM. */
#ifndef AIM_REPORT_RENDERERS_H
#define AIM_REPORT_RENDERERS_H

#include <stddef.h>

#include "aimeter.h"
#include "model/probe.h"
#include "processing/report_model.h"
#include "processing/summary.h"

int aim__report_render_text(const aim_report_model *m, char **ret_text);
int aim__report_render_json(const aim_report_model *m, char **ret_text);
int aim__report_render_markdown(const aim_report_model *m, char **ret_text);

/* The outputs. The `in` each renders, for aim__render: */
typedef enum aim_output {
    AIM_OUTPUT_REPORT = 0,    /* const aim_report_model * */
    AIM_OUTPUT_RUNS,          /* const aim_render_runs * */
    AIM_OUTPUT_DEVICES,       /* const aim_render_devices * */
    AIM_OUTPUT_ESTIMATE,      /* const aim_estimate_result * (processing/footprint_estimate.h) */
    AIM_OUTPUT_GPU_TABLE,     /* const aim_render_gpus * */
    AIM_OUTPUT_INTENSITY,     /* const aim_intensity_listing * (report/intensity_render.h) */
    AIM_OUTPUT_CORR,          /* const aim_render_corr * */
    AIM_OUTPUT_COMPARE,       /* const aim_compare_result * (processing/compare.h) */
    AIM_OUTPUT_FORECAST,      /* const aim_forecast_result * (processing/forecast_run.h) */
    AIM_OUTPUT_WHATIF,        /* const aim_whatif_result * (processing/whatif_result.h) */
    AIM_OUTPUT_WHATIF_HARDWARE, /* const aim_whatif_hw_result * */
    AIM_OUTPUT_HTML,          /* const aim_html_model * (processing/html_model.h) */
    AIM_OUTPUT_JOB,           /* const aim_job_result * (processing/job.h) */
    AIM_OUTPUT_JOBS,          /* const aim_render_jobs * (report/job_report.h) */
    AIM_OUTPUT_COUNT
} aim_output;

typedef struct aim_render_runs {
    const aim_run_summary *runs; /* newest first */
    size_t n;
} aim_render_runs;

typedef struct aim_render_devices {
    const aim_source_probe *probes;
    size_t n;
} aim_render_devices;

typedef struct aim_render_gpus {
    const aim_gpu_info *const *rows; /* the table's rows in order (aim_gpu_get) */
    size_t n;
} aim_render_gpus;

typedef struct aim_render_corr {
    const aim_corr_result *result;
    int matrix;              /* the full matrix instead of the findings */
    double min_abs;
    size_t top;
} aim_render_corr;

/* The format's name ("text", "json", "markdown", "csv", "html"); NULL for a value out of range. */
const char *aim__render_format_name(aim_format format);
/* The format called name (exact, lower case); -EINVAL for NULL or another name. */
int aim__render_format_parse(const char *name, aim_format *ret);
/* 0 when `out` renders `format`; -EOPNOTSUPP when it does not (an aim_format value out of
 * range too), with "the OUTPUT has no FORMAT output (text or json)" in msg (may be NULL). */
int aim__render_check(aim_output out, aim_format format, char *msg, size_t len);
/* Renders `in` (the struct the output takes, above) in format: a string the caller frees.
 * -EOPNOTSUPP as aim__render_check, -EINVAL for NULL, -ENOMEM. */
int aim__render(aim_output out, aim_format format, const void *in, char **ret_text);

#endif
