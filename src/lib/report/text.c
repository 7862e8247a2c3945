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
    aim_report_status_text(status, sizeof status, run);
    aim_strbuf_append(b, "aimeter report  run ");
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_printf(b, "  %s", status);
    aim_strbuf_endline(b);

    if (strnlen(run->command, sizeof run->command)) {
        aim_strbuf_append(b, "command   ");
        aim_strbuf_append_clean(b, run->command, sizeof run->command);
        aim_strbuf_endline(b);
    }
    aim_fmt_time_human(started, sizeof started, run->start_wall_ns);
    aim_strbuf_append(b, "host      ");
    aim_strbuf_append_clean(b, run->host, sizeof run->host);
    aim_strbuf_printf(b, "   started %s UTC", started);
    if (strnlen(run->aimeter_version, sizeof run->aimeter_version)) {
        aim_strbuf_append(b, "   aimeter ");
        aim_strbuf_append_clean(b, run->aimeter_version, sizeof run->aimeter_version);
    }
    aim_strbuf_endline(b);

    if (run->status == AIM_RUN_RUNNING && run->stale)
        aim_strbuf_append(b, "note      the aimeter process recording this run is gone; the "
                             "figures cover what it stored before it stopped\n");
    else if (run->status == AIM_RUN_RUNNING)
        aim_strbuf_append(b, "note      the run is still in progress; the figures cover it so "
                             "far\n");
}

static void overall(aim_strbuf *b, const aim_report_model *m) {
    size_t lw = 0;
    size_t vw = strlen("Value"), uw = 0;
    int notes = 0;
    for (size_t i = 0; i < m->n_overall; i++) {
        const aim_overall_row *r = &m->overall[i];
        lw = max_size(lw, aim_utf8_width(r->label));
        vw = max_size(vw, aim_utf8_width(r->value));
        uw = max_size(uw, aim_utf8_width(r->unit));
        notes |= r->note[0] != '\0';
    }
    aim_strbuf_pad_right(b, "Overall", 2 + lw + 2);
    aim_strbuf_pad_left(b, "Value", vw);
    if (notes) {
        aim_strbuf_repeat(b, ' ', 1 + uw + 2);
        aim_strbuf_append(b, "Method");
    }
    aim_strbuf_endline(b);
    for (size_t i = 0; i < m->n_overall; i++) {
        const aim_overall_row *r = &m->overall[i];
        aim_strbuf_append(b, "  ");
        aim_strbuf_pad_right(b, r->label, lw);
        aim_strbuf_append(b, "  ");
        aim_strbuf_pad_left(b, r->value, vw);
        aim_strbuf_putc(b, ' ');
        aim_strbuf_pad_right(b, r->unit, uw);
        aim_strbuf_append(b, "  ");
        aim_strbuf_append(b, r->note);
        aim_strbuf_endline(b);
    }
}

static void tables(aim_strbuf *b, const aim_report_model *m) {
    size_t gw = 0, lw = strlen("Metric"), nw = strlen("Mode");
    for (size_t t = 0; t < m->n_tables; t++)
        gw = max_size(gw, strlen(m->tables[t].first_header));
    for (size_t i = 0; i < m->n_rows; i++) {
        const aim_stat_row *r = &m->rows[i];
        gw = max_size(gw, aim_utf8_width(r->group));
        lw = max_size(lw, aim_utf8_width(r->label));
        for (int c = 0; c < 4; c++)
            nw = max_size(nw, aim_utf8_width(r->cell[c]));
    }
    for (size_t t = 0; t < m->n_tables; t++) {
        const aim_stat_table *tab = &m->tables[t];
        aim_strbuf_putc(b, '\n');
        if (tab->title[0]) {
            aim_strbuf_append(b, tab->title);
            aim_strbuf_endline(b);
        }
        aim_strbuf_pad_right(b, tab->first_header, gw);
        aim_strbuf_append(b, "  ");
        aim_strbuf_pad_right(b, "Metric", lw);
        for (int c = 0; c < 4; c++) {
            aim_strbuf_append(b, "  ");
            aim_strbuf_pad_left(b, stat_headers[c], nw);
        }
        aim_strbuf_endline(b);
        const char *prev = NULL;
        for (size_t i = tab->first; i < tab->first + tab->count; i++) {
            const aim_stat_row *r = &m->rows[i];
            /* Like Table 4: the group name only on its first row. */
            aim_strbuf_pad_right(b, prev && strcmp(prev, r->group) == 0 ? "" : r->group, gw);
            prev = r->group;
            aim_strbuf_append(b, "  ");
            aim_strbuf_pad_right(b, r->label, lw);
            for (int c = 0; c < 4; c++) {
                aim_strbuf_append(b, "  ");
                aim_strbuf_pad_left(b, r->cell[c], nw);
            }
            aim_strbuf_endline(b);
        }
    }
    if (m->approx_mode)
        aim_strbuf_printf(b, "~ approximate mode: the series had more than %d distinct values\n",
                          AIM_MODE_SLOTS);
}

int aim_report_render_text(const aim_report_model *m, char **ret_text) {
    const aim_run_summary *run = m->run;
    aim_strbuf b = AIM_STRBUF_INIT;
    header(&b, run);
    aim_strbuf_putc(&b, '\n');
    overall(&b, m);
    tables(&b, m);
    aim_corr_report_text(&b, m->corr);
    aim_phases_report_text(&b, run);
    aim_strbuf_putc(&b, '\n');
    aim_strbuf_printf(&b, "Samples %s.  Sources: %s\n", m->samples, m->sources);

    size_t pos = 0, len;
    const char *line;
    int first = 1;
    while (aim_report_next_line(run->warnings, sizeof run->warnings, &pos, &line, &len)) {
        if (first)
            aim_strbuf_append(&b, "Warnings:\n");
        first = 0;
        aim_strbuf_append(&b, "  ");
        aim_strbuf_append_clean(&b, line, len);
        aim_strbuf_endline(&b);
    }
    return aim_strbuf_steal(&b, ret_text);
}
