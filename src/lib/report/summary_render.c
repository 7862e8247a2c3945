/* The report's format dispatcher (report.h). */
#include <errno.h>
#include <string.h>

#include "report/renderers.h"
#include "report/report.h"

int aim_report_known_format(const char *format) {
    return format && (strcmp(format, "text") == 0 || strcmp(format, "json") == 0 ||
                      strcmp(format, "markdown") == 0);
}

int aim_report_render_summary(const aim_run_summary *run, const aim_corr_result *corr,
                              const char *format, char **ret_text) {
    if (!run || !format || !ret_text || (run->n_devices > 0 && !run->devices) ||
        (run->n_series > 0 && !run->series))
        return -EINVAL;
    if (strcmp(format, "text") == 0)
        return aim_report_render_text(run, corr, ret_text);
    if (strcmp(format, "json") == 0)
        return aim_report_render_json(run, corr, ret_text);
    if (strcmp(format, "markdown") == 0)
        return aim_report_render_markdown(run, corr, ret_text);
    return -EINVAL;
}
