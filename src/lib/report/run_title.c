/* The first line of the one-run outputs (run_title.h). */
#include "report/run_title.h"

#include <string.h>

void aim__report_run_title(aim_strbuf *b, const char *command, const aim_run_summary *run) {
    aim__strbuf_append(b, command);
    aim__strbuf_append(b, "  run ");
    aim__strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim__strbuf_append(b, "  \"");
        aim__strbuf_append_clean(b, run->name, sizeof run->name);
        aim__strbuf_append(b, "\"");
    }
}
