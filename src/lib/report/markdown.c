/* The report as GitHub-flavoured Markdown, for papers, PRs and issues: the same figures
 * as the text report (report/model.c decides them), as pipe tables. Every stored string is
 * escaped so a name like "a|b" or "*x*" cannot break a table or turn into formatting. */
#include <errno.h>
#include <string.h>

#include "processing/stats.h"
#include "report/corr_report.h"
#include "report/phases_report.h"
#include "processing/report_model.h"
#include "report/renderers.h"
#include "report/md_text.h"
#include "util/strbuf.h"

static void md(aim_strbuf *b, const char *s) { aim__md_text(b, s, strlen(s)); }

/* An inline code span that survives backticks in the text: the fence is one backtick longer
 * than the longest run inside (CommonMark), padded when the text touches a backtick. */
static void md_code(aim_strbuf *b, const char *s, size_t n) {
    n = strnlen(s, n);
    size_t longest = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    int pad = n > 0 && (s[0] == '`' || s[n - 1] == '`');
    aim__strbuf_repeat(b, '`', longest + 1);
    if (pad)
        aim__strbuf_putc(b, ' ');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        aim__strbuf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    if (pad)
        aim__strbuf_putc(b, ' ');
    aim__strbuf_repeat(b, '`', longest + 1);
}

static void header(aim_strbuf *b, const aim_run_summary *run) {
    char status[128], started[32];
    aim__report_status_text(status, sizeof status, run);
    aim__strbuf_append(b, "### aimeter report: run ");
    md_code(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim__strbuf_append(b, " \"");
        aim__md_text(b, run->name, sizeof run->name);
        aim__strbuf_putc(b, '"');
    }
    aim__strbuf_append(b, "\n\n- **Status:** ");
    md(b, status);
    aim__strbuf_putc(b, '\n');
    if (strnlen(run->command, sizeof run->command)) {
        aim__strbuf_append(b, "- **Command:** ");
        md_code(b, run->command, sizeof run->command);
        aim__strbuf_putc(b, '\n');
    }
    aim__fmt_time_human(started, sizeof started, run->start_wall_ns);
    aim__strbuf_append(b, "- **Host:** ");
    aim__md_text(b, run->host, sizeof run->host);
    aim__strbuf_printf(b, ", started %s UTC", started);
    if (strnlen(run->aimeter_version, sizeof run->aimeter_version)) {
        aim__strbuf_append(b, ", aimeter ");
        aim__md_text(b, run->aimeter_version, sizeof run->aimeter_version);
    }
    aim__strbuf_putc(b, '\n');
    if (run->status == AIM_RUN_RUNNING && run->stale)
        aim__strbuf_append(b, "- **Note:** the aimeter process recording this run is gone; the "
                             "figures cover what it stored before it stopped\n");
    else if (run->status == AIM_RUN_RUNNING)
        aim__strbuf_append(b, "- **Note:** the run is still in progress; the figures cover it "
                             "so far\n");
}

static void overall(aim_strbuf *b, const aim_report_model *m) {
    aim__strbuf_append(b, "\n| Overall | Value | Method |\n|:--|--:|:--|\n");
    for (size_t i = 0; i < m->n_overall; i++) {
        const aim_overall_row *r = &m->overall[i];
        aim__strbuf_append(b, "| ");
        md(b, r->label);
        aim__strbuf_append(b, " | ");
        md(b, r->value);
        if (r->unit[0]) {
            aim__strbuf_putc(b, ' ');
            md(b, r->unit);
        }
        aim__strbuf_append(b, " |");
        if (r->note[0]) {
            aim__strbuf_putc(b, ' ');
            md(b, r->note);
            aim__strbuf_append(b, " |");
        } else {
            aim__strbuf_append(b, "  |");
        }
        aim__strbuf_putc(b, '\n');
    }
}

static void tables(aim_strbuf *b, const aim_report_model *m) {
    for (size_t t = 0; t < m->n_tables; t++) {
        const aim_stat_table *tab = &m->tables[t];
        aim__strbuf_putc(b, '\n');
        if (tab->title[0]) {
            aim__strbuf_append(b, "**");
            md(b, tab->title);
            aim__strbuf_append(b, "**\n\n");
        }
        aim__strbuf_printf(b, "| %s | Metric | Avg | Max | Min | Mode |\n", tab->first_header);
        aim__strbuf_append(b, "|:--|:--|--:|--:|--:|--:|\n");
        const char *prev = NULL;
        for (size_t i = tab->first; i < tab->first + tab->count; i++) {
            const aim_stat_row *r = &m->rows[i];
            aim__strbuf_append(b, "| ");
            if (!prev || strcmp(prev, r->group) != 0)
                md(b, r->group);
            prev = r->group;
            aim__strbuf_append(b, " | ");
            md(b, r->label);
            for (int c = 0; c < 4; c++) {
                aim__strbuf_append(b, " | ");
                md(b, r->cell[c]);
            }
            aim__strbuf_append(b, " |\n");
        }
    }
    if (m->approx_mode)
        aim__strbuf_printf(b, "\n\\~ approximate mode: the series had more than %d distinct "
                             "values\n", AIM_MODE_SLOTS);
}

int aim__report_render_markdown(const aim_report_model *m, char **ret_text) {
    const aim_run_summary *run = m->run;
    aim_strbuf b = AIM_STRBUF_INIT;
    header(&b, run);
    overall(&b, m);
    tables(&b, m);
    aim__corr_report_markdown(&b, m->corr);
    aim__phases_report_markdown(&b, run);
    aim__strbuf_append(&b, "\nSamples ");
    md(&b, m->samples);
    aim__strbuf_append(&b, ". Sources: ");
    md(&b, m->sources);
    aim__strbuf_append(&b, ".\n");

    size_t pos = 0, len;
    const char *line;
    int first = 1;
    while (aim__report_next_line(run->warnings, sizeof run->warnings, &pos, &line, &len)) {
        if (first)
            aim__strbuf_append(&b, "\n**Warnings**\n\n");
        first = 0;
        aim__strbuf_append(&b, "- ");
        aim__md_text(&b, line, len);
        aim__strbuf_putc(&b, '\n');
    }
    return aim__strbuf_steal(&b, ret_text);
}
