/* The renderer table (renderers.h): one row per output, one function per format it has.
 * The format names live here and nowhere else in the library. The functions of a row adapt
 * each renderer to one shape, (input struct, ret_text), so a new format of an output is one
 * function and one cell, and a new output one row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/compare_report.h"
#include "report/corr_report.h"
#include "report/devices_render.h"
#include "report/estimate_render.h"
#include "report/html_render.h"
#include "report/forecast_report.h"
#include "report/intensity_render.h"
#include "report/job_report.h"
#include "report/renderers.h"
#include "report/report.h"
#include "report/runs_csv.h"
#include "report/whatif_report.h"
#include "util/strbuf.h"

#define N_FORMATS 5

static const char *const format_names[N_FORMATS] = {
    [AIM_FORMAT_TEXT] = "text",
    [AIM_FORMAT_JSON] = "json",
    [AIM_FORMAT_MARKDOWN] = "markdown",
    [AIM_FORMAT_CSV] = "csv",
    [AIM_FORMAT_HTML] = "html",
};

const char *aim__render_format_name(aim_format format) {
    return (unsigned)format < N_FORMATS ? format_names[format] : NULL;
}

int aim__render_format_parse(const char *name, aim_format *ret) {
    for (unsigned f = 0; name && f < N_FORMATS; f++) {
        if (strcmp(name, format_names[f]) == 0) {
            *ret = (aim_format)f;
            return 0;
        }
    }
    return -EINVAL;
}

typedef int (*render_fn)(const void *in, char **ret_text);

/* ------------------------------------------------------------------ adapters */

/* A model always has its run (aim__report_model_build); one without is refused, not read. */
static int report_as(const void *in, int (*fn)(const aim_report_model *, char **), char **t) {
    return ((const aim_report_model *)in)->run ? fn(in, t) : -EINVAL;
}
static int report_text(const void *in, char **t) { return report_as(in, aim__report_render_text, t); }
static int report_json(const void *in, char **t) { return report_as(in, aim__report_render_json, t); }
static int report_markdown(const void *in, char **t) {
    return report_as(in, aim__report_render_markdown, t);
}

#define RUNS(in) ((const aim_render_runs *)(in))
#define DEVICES(in) ((const aim_render_devices *)(in))
#define GPUS(in) ((const aim_render_gpus *)(in))
static int runs_text(const void *in, char **t) { return aim__runs_render_text(RUNS(in)->runs, RUNS(in)->n, t); }
static int runs_json(const void *in, char **t) { return aim__runs_render_json(RUNS(in)->runs, RUNS(in)->n, t); }
static int runs_csv(const void *in, char **t) { return aim__runs_render_csv(RUNS(in)->runs, RUNS(in)->n, t); }
static int devices_text(const void *in, char **t) {
    return aim__devices_render(DEVICES(in)->probes, DEVICES(in)->n, 0, t);
}
static int devices_json(const void *in, char **t) {
    return aim__devices_render(DEVICES(in)->probes, DEVICES(in)->n, 1, t);
}
static int estimate_text(const void *in, char **t) { return aim__render_estimate_text(in, t); }
static int estimate_json(const void *in, char **t) { return aim__render_estimate_json(in, t); }
static int gpus_text(const void *in, char **t) { return aim__render_gpu_table_text(GPUS(in)->rows, GPUS(in)->n, t); }
static int gpus_json(const void *in, char **t) { return aim__render_gpu_table_json(GPUS(in)->rows, GPUS(in)->n, t); }
static int intensity_text(const void *in, char **t) { return aim__intensity_render(in, 0, t); }
static int intensity_json(const void *in, char **t) { return aim__intensity_render(in, 1, t); }

static int corr_as(const void *in, aim_format f, char **t) {
    const aim_render_corr *c = in;
    return aim__corr_render_result(c->result, f, c->matrix, c->min_abs, c->top, t);
}
static int corr_text(const void *in, char **t) { return corr_as(in, AIM_FORMAT_TEXT, t); }
static int corr_json(const void *in, char **t) { return corr_as(in, AIM_FORMAT_JSON, t); }
static int corr_csv(const void *in, char **t) { return corr_as(in, AIM_FORMAT_CSV, t); }

/* The renderers that write into a string builder, in one place. */
static int built(aim_output out, aim_format f, const void *in, char **t) {
    aim_strbuf b = AIM_STRBUF_INIT;
    switch (out) {
    case AIM_OUTPUT_COMPARE:
        if (f == AIM_FORMAT_CSV)
            aim__compare_csv(&b, in);
        else
            aim__compare_text(&b, in, f == AIM_FORMAT_MARKDOWN);
        break;
    case AIM_OUTPUT_FORECAST: aim__forecast_text(&b, in); break;
    case AIM_OUTPUT_WHATIF: aim__whatif_text(&b, in); break;
    case AIM_OUTPUT_WHATIF_HARDWARE: aim__whatif_hw_text(&b, in); break;
    case AIM_OUTPUT_JOB:
        if (f == AIM_FORMAT_HTML)
            aim__job_html(&b, in);
        else
            aim__job_text(&b, in, f == AIM_FORMAT_MARKDOWN);
        break;
    case AIM_OUTPUT_JOBS:
        if (f == AIM_FORMAT_CSV)
            aim__jobs_csv(&b, in);
        else
            aim__jobs_text(&b, in);
        break;
    default: break;
    }
    return aim__strbuf_steal(&b, t);
}
static int compare_text(const void *in, char **t) { return built(AIM_OUTPUT_COMPARE, AIM_FORMAT_TEXT, in, t); }
static int compare_markdown(const void *in, char **t) {
    return built(AIM_OUTPUT_COMPARE, AIM_FORMAT_MARKDOWN, in, t);
}
static int compare_csv(const void *in, char **t) { return built(AIM_OUTPUT_COMPARE, AIM_FORMAT_CSV, in, t); }
static int compare_json(const void *in, char **t) { return aim__compare_json(in, t); }
static int forecast_text(const void *in, char **t) { return built(AIM_OUTPUT_FORECAST, 0, in, t); }
static int forecast_json(const void *in, char **t) { return aim__forecast_json(in, t); }
static int whatif_text(const void *in, char **t) { return built(AIM_OUTPUT_WHATIF, 0, in, t); }
static int whatif_json(const void *in, char **t) { return aim__whatif_json(in, t); }
static int whatif_hw_text(const void *in, char **t) { return built(AIM_OUTPUT_WHATIF_HARDWARE, 0, in, t); }
static int whatif_hw_json(const void *in, char **t) { return aim__whatif_hw_json(in, t); }
static int report_html(const void *in, char **t) { return aim__html_render(in, t); }
static int job_text(const void *in, char **t) { return built(AIM_OUTPUT_JOB, AIM_FORMAT_TEXT, in, t); }
static int job_markdown(const void *in, char **t) { return built(AIM_OUTPUT_JOB, AIM_FORMAT_MARKDOWN, in, t); }
static int job_html(const void *in, char **t) { return built(AIM_OUTPUT_JOB, AIM_FORMAT_HTML, in, t); }
static int job_json(const void *in, char **t) { return aim__job_json(in, t); }
static int jobs_text(const void *in, char **t) { return built(AIM_OUTPUT_JOBS, AIM_FORMAT_TEXT, in, t); }
static int jobs_csv(const void *in, char **t) { return built(AIM_OUTPUT_JOBS, AIM_FORMAT_CSV, in, t); }
static int jobs_json(const void *in, char **t) { return aim__jobs_json(in, t); }

/* ------------------------------------------------------------------ the table */

static const struct {
    const char *what;        /* for the message: "the report has no csv output" */
    render_fn fn[N_FORMATS]; /* NULL: the output has no such format */
} outputs[AIM_OUTPUT_COUNT] = {
    [AIM_OUTPUT_REPORT] = { "report", { [AIM_FORMAT_TEXT] = report_text,
                                        [AIM_FORMAT_JSON] = report_json,
                                        [AIM_FORMAT_MARKDOWN] = report_markdown } },
    [AIM_OUTPUT_RUNS] = { "list of runs", { [AIM_FORMAT_TEXT] = runs_text,
                                            [AIM_FORMAT_JSON] = runs_json,
                                            [AIM_FORMAT_CSV] = runs_csv } },
    [AIM_OUTPUT_DEVICES] = { "list of devices", { [AIM_FORMAT_TEXT] = devices_text,
                                                  [AIM_FORMAT_JSON] = devices_json } },
    [AIM_OUTPUT_ESTIMATE] = { "estimate", { [AIM_FORMAT_TEXT] = estimate_text,
                                            [AIM_FORMAT_JSON] = estimate_json } },
    [AIM_OUTPUT_GPU_TABLE] = { "accelerator table", { [AIM_FORMAT_TEXT] = gpus_text,
                                                      [AIM_FORMAT_JSON] = gpus_json } },
    [AIM_OUTPUT_INTENSITY] = { "intensity listing", { [AIM_FORMAT_TEXT] = intensity_text,
                                                      [AIM_FORMAT_JSON] = intensity_json } },
    [AIM_OUTPUT_CORR] = { "correlation", { [AIM_FORMAT_TEXT] = corr_text,
                                           [AIM_FORMAT_JSON] = corr_json,
                                           [AIM_FORMAT_CSV] = corr_csv } },
    [AIM_OUTPUT_COMPARE] = { "comparison", { [AIM_FORMAT_TEXT] = compare_text,
                                             [AIM_FORMAT_JSON] = compare_json,
                                             [AIM_FORMAT_MARKDOWN] = compare_markdown,
                                             [AIM_FORMAT_CSV] = compare_csv } },
    [AIM_OUTPUT_FORECAST] = { "forecast", { [AIM_FORMAT_TEXT] = forecast_text,
                                            [AIM_FORMAT_JSON] = forecast_json } },
    [AIM_OUTPUT_WHATIF] = { "what-if", { [AIM_FORMAT_TEXT] = whatif_text,
                                         [AIM_FORMAT_JSON] = whatif_json } },
    [AIM_OUTPUT_WHATIF_HARDWARE] = { "hardware what-if", { [AIM_FORMAT_TEXT] = whatif_hw_text,
                                                           [AIM_FORMAT_JSON] = whatif_hw_json } },
    [AIM_OUTPUT_HTML] = { "HTML report", { [AIM_FORMAT_HTML] = report_html } },
    [AIM_OUTPUT_JOB] = { "job report", { [AIM_FORMAT_TEXT] = job_text, [AIM_FORMAT_JSON] = job_json,
                                         [AIM_FORMAT_MARKDOWN] = job_markdown,
                                         [AIM_FORMAT_HTML] = job_html } },
    [AIM_OUTPUT_JOBS] = { "list of jobs", { [AIM_FORMAT_TEXT] = jobs_text, [AIM_FORMAT_JSON] = jobs_json,
                                            [AIM_FORMAT_CSV] = jobs_csv } },
};

int aim__render_check(aim_output out, aim_format format, char *msg, size_t len) {
    if ((unsigned)out >= AIM_OUTPUT_COUNT)
        return -EINVAL;
    if ((unsigned)format < N_FORMATS && outputs[out].fn[format])
        return 0;
    if (msg && len) {
        /* "text, json or markdown": the formats the output has, in the enum's order. */
        char list[64] = "";
        size_t have = 0, total = 0;
        for (unsigned f = 0; f < N_FORMATS; f++)
            total += outputs[out].fn[f] != NULL;
        for (unsigned f = 0; f < N_FORMATS; f++) {
            if (!outputs[out].fn[f])
                continue;
            have++;
            size_t at = strlen(list);
            snprintf(list + at, sizeof list - at, "%s%s", have == 1 ? "" : have == total ? " or " : ", ",
                     format_names[f]);
        }
        const char *name = aim__render_format_name(format);
        if (name)
            snprintf(msg, len, "the %s has no %s output (%s)", outputs[out].what, name, list);
        else
            snprintf(msg, len, "unknown format %d (the %s has %s)", (int)format, outputs[out].what,
                     list);
    }
    return -EOPNOTSUPP;
}

int aim__render(aim_output out, aim_format format, const void *in, char **ret_text) {
    if (!in || !ret_text)
        return -EINVAL;
    int r = aim__render_check(out, format, NULL, 0);
    if (r < 0)
        return r;
    return outputs[out].fn[format](in, ret_text);
}
