/* The report's format dispatcher (report.h). */
#include <errno.h>
#include <string.h>

#include "report/renderers.h"
#include "report/report.h"

int aim_report_known_format(const char *format) {
    return format && (strcmp(format, "text") == 0 || strcmp(format, "json") == 0 ||
                      strcmp(format, "markdown") == 0);
}

int aim_report_render_summary(const aim_report_model *m, const char *format, char **ret_text) {
    if (!m || !m->run || !format || !ret_text)
        return -EINVAL;
    if (strcmp(format, "text") == 0)
        return aim_report_render_text(m, ret_text);
    if (strcmp(format, "json") == 0)
        return aim_report_render_json(m, ret_text);
    if (strcmp(format, "markdown") == 0)
        return aim_report_render_markdown(m, ret_text);
    return -EINVAL;
}
