/* The terminal report, laid out like the paper's Table 4 ("Execution Report"): a header,
 * the overall figures with their method, one statistics table for CPU and DRAM, one per
 * GPU grouped by category, one for everything else, then sampling facts and warnings.
 * Columns adapt to the longest label; the same widths are used by every table so they
 * line up. */
#include "report/renderers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "processing/stats.h"
#include "report/corr_report.h"
#include "report/phases_report.h"
#include "processing/report_model.h"
#include "util/strbuf.h"

static const char *const stat_headers[4] = { "Avg", "Max", "Min", "Mode" };

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

static void header(aim_strbuf *b, const aim_run_summary *run) {
    char status[128], started[32];
    aim__report_status_text(status, sizeof status, run);
    aim__strbuf_append(b, "aimeter report  run ");
    aim__strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim__strbuf_append(b, "  \"");
        aim__strbuf_append_clean(b, run->name, sizeof run->name);
        aim__strbuf_append(b, "\"");
    }
    aim__strbuf_printf(b, "  %s", status);
    aim__strbuf_endline(b);

    if (strnlen(run->command, sizeof run->command)) {
        aim__strbuf_append(b, "command   ");
        aim__strbuf_append_clean(b, run->command, sizeof run->command);
        aim__strbuf_endline(b);
    }
    aim__fmt_time_human(started, sizeof started, run->start_wall_ns);
    aim__strbuf_append(b, "host      ");
    aim__strbuf_append_clean(b, run->host, sizeof run->host);
    aim__strbuf_printf(b, "   started %s UTC", started);
    if (strnlen(run->aimeter_version, sizeof run->aimeter_version)) {
        aim__strbuf_append(b, "   aimeter ");
        aim__strbuf_append_clean(b, run->aimeter_version, sizeof run->aimeter_version);
    }
    aim__strbuf_endline(b);

    if (run->status == AIM_RUN_RUNNING && run->stale)
        aim__strbuf_append(b, "note      the aimeter process recording this run is gone; the "
                             "figures cover what it stored before it stopped\n");
    else if (run->status == AIM_RUN_RUNNING)
        aim__strbuf_append(b, "note      the run is still in progress; the figures cover it so "
                             "far\n");
}

static void overall(aim_strbuf *b, const aim_report_model *m) {
    size_t lw = 0;
    size_t vw = strlen("Value"), uw = 0;
    int notes = 0;
    for (size_t i = 0; i < m->n_overall; i++) {
        const aim_overall_row *r = &m->overall[i];
        lw = max_size(lw, aim__utf8_width(r->label));
        vw = max_size(vw, aim__utf8_width(r->value));
        uw = max_size(uw, aim__utf8_width(r->unit));
        notes |= r->note[0] != '\0';
    }
    aim__strbuf_pad_right(b, "Overall", 2 + lw + 2);
    aim__strbuf_pad_left(b, "Value", vw);
    if (notes) {
        aim__strbuf_repeat(b, ' ', 1 + uw + 2);
        aim__strbuf_append(b, "Method");
    }
    aim__strbuf_endline(b);
    for (size_t i = 0; i < m->n_overall; i++) {
        const aim_overall_row *r = &m->overall[i];
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_right(b, r->label, lw);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_left(b, r->value, vw);
        aim__strbuf_putc(b, ' ');
        aim__strbuf_pad_right(b, r->unit, uw);
        aim__strbuf_append(b, "  ");
        aim__strbuf_append(b, r->note);
        aim__strbuf_endline(b);
    }
}

static void tables(aim_strbuf *b, const aim_report_model *m) {
    size_t gw = 0, lw = strlen("Metric"), nw = strlen("Mode");
    for (size_t t = 0; t < m->n_tables; t++)
        gw = max_size(gw, strlen(m->tables[t].first_header));
    for (size_t i = 0; i < m->n_rows; i++) {
        const aim_stat_row *r = &m->rows[i];
        gw = max_size(gw, aim__utf8_width(r->group));
        lw = max_size(lw, aim__utf8_width(r->label));
        for (int c = 0; c < 4; c++)
            nw = max_size(nw, aim__utf8_width(r->cell[c]));
    }
    for (size_t t = 0; t < m->n_tables; t++) {
        const aim_stat_table *tab = &m->tables[t];
        aim__strbuf_putc(b, '\n');
        if (tab->title[0]) {
            aim__strbuf_append(b, tab->title);
            aim__strbuf_endline(b);
        }
        aim__strbuf_pad_right(b, tab->first_header, gw);
        aim__strbuf_append(b, "  ");
        aim__strbuf_pad_right(b, "Metric", lw);
        for (int c = 0; c < 4; c++) {
            aim__strbuf_append(b, "  ");
            aim__strbuf_pad_left(b, stat_headers[c], nw);
        }
        aim__strbuf_endline(b);
        const char *prev = NULL;
        for (size_t i = tab->first; i < tab->first + tab->count; i++) {
            const aim_stat_row *r = &m->rows[i];
            /* Like Table 4: the group name only on its first row. */
            aim__strbuf_pad_right(b, prev && strcmp(prev, r->group) == 0 ? "" : r->group, gw);
            prev = r->group;
            aim__strbuf_append(b, "  ");
            aim__strbuf_pad_right(b, r->label, lw);
            for (int c = 0; c < 4; c++) {
                aim__strbuf_append(b, "  ");
                aim__strbuf_pad_left(b, r->cell[c], nw);
            }
            aim__strbuf_endline(b);
        }
    }
    if (m->approx_mode)
        aim__strbuf_printf(b, "~ approximate mode: the series had more than %d distinct values\n",
                          AIM_MODE_SLOTS);
}

int aim__report_render_text(const aim_report_model *m, char **ret_text) {
    const aim_run_summary *run = m->run;
    aim_strbuf b = AIM_STRBUF_INIT;
    header(&b, run);
    aim__strbuf_putc(&b, '\n');
    overall(&b, m);
    tables(&b, m);
    aim__corr_report_text(&b, m->corr);
    aim__phases_report_text(&b, run);
    aim__strbuf_putc(&b, '\n');
    aim__strbuf_printf(&b, "Samples %s.  Sources: %s\n", m->samples, m->sources);

    size_t pos = 0, len;
    const char *line;
    int first = 1;
    while (aim__report_next_line(run->warnings, sizeof run->warnings, &pos, &line, &len)) {
        if (first)
            aim__strbuf_append(&b, "Warnings:\n");
        first = 0;
        aim__strbuf_append(&b, "  ");
        aim__strbuf_append_clean(&b, line, len);
        aim__strbuf_endline(&b);
    }
    return aim__strbuf_steal(&b, ret_text);
}
