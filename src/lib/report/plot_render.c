/* aimeter plot's time series: PLplot lays out the axes, ticks, text and legend; this file
 * only says what goes where, on the page of report/plot_page.h (format, palette, mutex).
 * Every series is solid; the legend says which axis each reads on (docs/decisions.md,
 * "Publication quality of the charts"). */
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_render.h"
#include "util/strbuf.h"

/* "gpu0.power, gpu1.power [W]": the names of the series on the axis and its unit. The unit
 * always stays: the names are shortened (with "...") to leave it room. */
static void axis_label(const aim_plot_model *m, int axis, char *out, size_t size) {
    aim_strbuf names = AIM_STRBUF_INIT;
    for (int i = 0; i < m->n_series; i++)
        if (m->series[i].axis == axis)
            aim__strbuf_printf(&names, "%s%s", names.len ? ", " : "", m->series[i].name);
    char raw[48] = "", unit[100];
    if (m->unit[axis][0])
        snprintf(raw, sizeof raw, " [%s]", m->unit[axis]);
    aim__plot_text(unit, sizeof unit, raw);
    size_t ulen = strlen(unit);
    if (ulen + 1 >= size) {
        aim__plot_text(out, size, raw);
    } else {
        aim__plot_text(out, size - ulen, names.err || !names.data ? "" : names.data);
        memcpy(out + strlen(out), unit, ulen + 1);
    }
    aim__strbuf_free(&names);
}

/* "[W]": a panel's axis, whose metrics its legend names. */
static const char *unit_label(const aim_plot_model *m, int axis, char *out, size_t size) {
    char raw[48];
    snprintf(raw, sizeof raw, m->unit[axis][0] ? "[%s]" : "(no unit)", m->unit[axis]);
    aim__plot_text(out, size, raw);
    return out;
}

/* 1 when text fits along the viewport's height at the current character size. */
static int fits_upright(const char *text) {
    double w, h;
    aim__plot_viewport_px(&w, &h);
    return aim__plot_text_px(text) < 0.95 * h;
}

/* Every series is drawn solid: a dashed line is unreadable on dense data (and PLplot writes
 * each dash as a shape of its own); the legend's "(left)"/"(right)" and the axis labels say
 * which axis a series reads on. The right axis's lines are thinner, drawn over the left's,
 * so that a line on each axis stays visible where they coincide. A line broken at each NaN;
 * a point alone is drawn as a dot. */
#define WIDTH_LEFT 3.0
#define WIDTH_RIGHT 2.0

static void draw_series(const aim_plot_series *s, int colour) {
    plcol0(colour);
    plwidth(s->axis == 0 ? WIDTH_LEFT : WIDTH_RIGHT);
    size_t k = 0;
    while (k < s->n) {
        if (isnan(s->y[k])) {
            k++;
            continue;
        }
        size_t end = k;
        while (end < s->n && !isnan(s->y[end]))
            end++;
        if (end - k == 1)
            plpoin(1, &s->x[k], &s->y[k], 17);
        else
            plline((PLINT)(end - k), &s->x[k], &s->y[k]);
        k = end;
    }
    plwidth(1.0);
}

/* What is stacked above a plot, in pixels at 100 dpi from its top edge: a strip of phase
 * labels (one row per nesting depth, two at most), the markers' labels, the decimation note;
 * each is left out when there is nothing to say. */
#define BAND_ROWS_MAX 2
/* Distances in lines of text at size 1 (aim__plot_line_px), set as each chart is drawn (under
 * plot_page's mutex). */
static double line_px = 12;
#define LINES(n) ((n) * line_px)
#define BAND_ROW_PX LINES(1.05)
#define MARK_ROW_PX LINES(1.0)
#define NOTE_ROW_PX LINES(1.15)
#define GAP_PX LINES(0.45)
#define BAND_TEXT 0.7
#define MARK_TEXT 0.65

static int band_rows(const aim_plot_model *m) {
    int deepest = -1;
    for (size_t b = 0; b < m->n_bands; b++)
        deepest = m->bands[b].depth > deepest ? m->bands[b].depth : deepest;
    return deepest + 1 < BAND_ROWS_MAX ? deepest + 1 : BAND_ROWS_MAX;
}

static double above_px(const aim_plot_model *m, int labels) {
    return GAP_PX + (labels ? band_rows(m) * BAND_ROW_PX + (m->n_marks ? MARK_ROW_PX : 0) : 0) +
           (m->note[0] ? NOTE_ROW_PX : 0);
}

/* Phase instances as shaded bands over the plot's height; phases in turn take the two shades
 * so that neighbours differ. */
static void draw_bands(const aim_plot_model *m) {
    for (size_t b = 0; b < m->n_bands; b++) {
        const aim_plot_band *band = &m->bands[b];
        size_t first = b;   /* the shade follows the phase's first appearance */
        for (size_t k = 0; k < b; k++)
            if (strcmp(m->bands[k].name, band->name) == 0) {
                first = k;
                break;
            }
        PLFLT x[4] = { band->x0, band->x1, band->x1, band->x0 };
        PLFLT y[4] = { m->ymin[0], m->ymin[0], m->ymax[0], m->ymax[0] };
        plcol0(first % 2 ? AIM_PLOT_COL_BAND2 : AIM_PLOT_COL_BAND);
        plfill(4, x, y);
    }
}

/* The bands' names in the strip above the plot, where no data covers them: centred over
 * their band, the outer phases' row on top; a name wider than its band is left out (a
 * narrow band keeps its shade). */
static void draw_band_labels(const aim_plot_model *m) {
    int rows = band_rows(m);
    double span = m->x1 - m->x0;
    aim__plot_text_size(BAND_TEXT);
    plcol0(AIM_PLOT_COL_NOTE);
    for (size_t b = 0; b < m->n_bands; b++) {
        const aim_plot_band *band = &m->bands[b];
        if (band->depth >= rows)
            continue;
        char name[300];
        aim__plot_text(name, sizeof name, band->name);
        double width_px = (band->x1 - band->x0) / span * m->width_px;
        if (aim__plot_text_px(name) + LINES(0.3) > width_px)
            continue;
        double row = rows - 1 - band->depth;
        aim__plot_mtex_px("t", GAP_PX + row * BAND_ROW_PX,
                          ((band->x0 + band->x1) / 2 - m->x0) / span, 0.5, name);
    }
    aim__plot_text_size(1.0);
}

/* The workload's markers: ticks down from the top axis, labelled above the phase strip (a
 * label that would run into the previous one is left out; its tick stays). */
static void draw_marks(const aim_plot_model *m, int labels) {
    double span = m->x1 - m->x0, right_px = -1e9;
    double dy = (m->ymax[0] - m->ymin[0]) * 0.04, at = GAP_PX + band_rows(m) * BAND_ROW_PX;
    aim__plot_text_size(MARK_TEXT);
    for (size_t i = 0; i < m->n_marks; i++) {
        const aim_plot_mark *mk = &m->marks[i];
        PLFLT x[2] = { mk->t, mk->t }, y[2] = { m->ymax[0], m->ymax[0] - dy };
        plcol0(AIM_PLOT_COL_FG);
        plwidth(2.0);
        plline(2, x, y);
        plwidth(1.0);
        if (!labels)
            continue;
        char text[300];
        aim__plot_text(text, sizeof text, mk->text);
        double pos = (mk->t - m->x0) / span, at_px = pos * m->width_px;
        double w_px = aim__plot_text_px(text), just = 0.5;
        /* centred on its tick; near an end of the plot, ending or starting at it instead, so
         * that it stays inside the margins */
        if (at_px - w_px / 2 < -LINES(3))
            just = 0;
        else if (at_px + w_px / 2 > m->width_px + LINES(m->n_axes > 1 ? 3 : 1))
            just = 1;
        double x0 = at_px - just * w_px;
        if (x0 < right_px + LINES(0.5))
            continue;
        right_px = x0 + w_px;
        plcol0(AIM_PLOT_COL_NOTE);
        aim__plot_mtex_px("t", at, pos, just, text);
    }
    aim__plot_text_size(1.0);
}

/* Legend entries across the plot's width: as many a row as fit (all in one when they do). */
static int legend_columns(char text[][256], int n, double plot_px) {
    double widest = 0;
    aim__plot_text_size(0.8);
    for (int i = 0; i < n; i++) {
        double w = aim__plot_text_px(text[i]);
        widest = w > widest ? w : widest;
    }
    aim__plot_text_size(1.0);
    /* each entry: its line sample, the gaps, its text */
    double entry_px = widest + LINES(8);
    int ncol = n;
    while (ncol > 1 && ncol * entry_px > plot_px)
        ncol--;
    return ncol > 0 ? ncol : 1;
}

static void legend_texts(const aim_plot_model *m, char text[][256]) {
    for (int i = 0; i < m->n_series; i++) {
        const aim_plot_series *s = &m->series[i];
        /* the side stays: the name is shortened to leave it room */
        const char *side = m->n_axes > 1 ? (s->axis == 0 ? " (left)" : " (right)") : "";
        size_t room = 256 - strlen(side);
        aim__plot_text(text[i], room, s->name);
        memcpy(text[i] + strlen(text[i]), side, strlen(side) + 1);
    }
}

/* Rows the legend of m takes under a plot plot_px wide (pixels). */
static int legend_rows(const aim_plot_model *m, double plot_px) {
    char text[AIM_PLOT_MAX_SERIES][256];
    legend_texts(m, text);
    int ncol = legend_columns(text, m->n_series, plot_px);
    return m->n_series ? (m->n_series + ncol - 1) / ncol : 0;
}

#define LEGEND_ROW_PX LINES(1.45)

/* below_px: the legend's distance below the plot, in pixels; under the time axis's label, it
 * hides no data. */
static void draw_legend(const aim_plot_model *m, const aim_plot_style *st, double below_px) {
    PLINT opt[AIM_PLOT_MAX_SERIES], colours[AIM_PLOT_MAX_SERIES], styles[AIM_PLOT_MAX_SERIES];
    PLINT text_colours[AIM_PLOT_MAX_SERIES];
    PLFLT widths[AIM_PLOT_MAX_SERIES];
    char text[AIM_PLOT_MAX_SERIES][256];
    const char *texts[AIM_PLOT_MAX_SERIES];
    int n = m->n_series;
    legend_texts(m, text);
    for (int i = 0; i < n; i++) {
        texts[i] = text[i];
        opt[i] = PL_LEGEND_LINE;
        colours[i] = AIM_PLOT_COL_SERIES + i;
        styles[i] = 1;
        widths[i] = m->series[i].axis == 0 ? WIDTH_LEFT : WIDTH_RIGHT;
        text_colours[i] = AIM_PLOT_COL_FG;
    }
    PLFLT vx0, vx1, vy0, vy1;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    double ts = aim__plot_text_scale(), plot_px = (vx1 - vx0) * st->width;
    int ncol = legend_columns(text, n, plot_px), nrow = (n + ncol - 1) / ncol;
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0,
             below_px / st->height / (vy1 - vy0), 0.04, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG,
             1, nrow, ncol, n, opt, 0.8, 0.8 * ts, 1.5, 0.0, text_colours, texts, NULL, NULL,
             NULL, NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
}

/* The left and right margins, a share of the width: the y-axes' numbers and labels. */
static void margins(const aim_plot_style *st, int n_axes, double *left, double *right) {
    double line = aim__plot_line_px(st);
    *left = 6.2 * line / st->width;
    *right = (n_axes > 1 ? 6.6 : 2.0) * line / st->width;
    *left = *left < 0.3 ? *left : 0.3;
    *right = *right < 0.2 ? *right : 0.2;
}

int aim__plot_area_width(const aim_plot_style *style, int n_axes) {
    double left, right;
    margins(style, n_axes, &left, &right);
    return (int)(style->width * (1 - left - right));
}

/* The series of one axis: its colour when it is the axis's only one (the label then says
 * which line it reads), else black. */
static int axis_colour(const aim_plot_model *m, int axis) {
    int only = -1, count = 0;
    for (int i = 0; i < m->n_series; i++)
        if (m->series[i].axis == axis) {
            only = i;
            count++;
        }
    /* the palette's yellow (6) is too light for text */
    return count == 1 && only != 6 ? AIM_PLOT_COL_SERIES + only : AIM_PLOT_COL_FG;
}

/* The y-axis label of axis on side ("l" or "r"): its metrics and unit, or the unit alone
 * when that is longer than the axis (the legend names the series). */
static int axis_title(const aim_plot_model *m, int axis, const char *side, int units_only) {
    char label[600];
    axis_label(m, axis, label, sizeof label);
    units_only = units_only || !fits_upright(label);
    if (units_only)
        unit_label(m, axis, label, sizeof label);
    plcol0(axis_colour(m, axis));
    aim__plot_mtex_px(side, LINES(side[0] == 'l' ? 4.3 : 5.0), 0.5, 0.5, label);
    return units_only;
}

/* The axes, bands, markers and series of m in the current viewport, with what is stacked
 * above it when labels (the band and marker labels); the samples drawn. */
static size_t draw_chart(const aim_plot_model *m, int units_only, int labels, int times) {
    plwind(m->x0, m->x1, m->ymin[0], m->ymax[0]);
    draw_bands(m);
    plcol0(AIM_PLOT_COL_FG);
    plbox(times ? "bcnst" : "bcst", 0, 0, m->n_axes > 1 ? "bnstv" : "bcnstv", 0, 0);
    draw_marks(m, labels);
    if (labels)
        draw_band_labels(m);
    units_only = axis_title(m, 0, "l", units_only);
    size_t drawn = 0;
    for (int i = 0; i < m->n_series; i++)
        if (m->series[i].axis == 0) {
            draw_series(&m->series[i], AIM_PLOT_COL_SERIES + i);
            drawn += m->series[i].n_samples;
        }
    if (m->n_axes > 1) {
        plwind(m->x0, m->x1, m->ymin[1], m->ymax[1]);
        plcol0(AIM_PLOT_COL_FG);
        plbox("", 0, 0, "cmstv", 0, 0);
        axis_title(m, 1, "r", units_only);
        for (int i = 0; i < m->n_series; i++)
            if (m->series[i].axis == 1) {
                draw_series(&m->series[i], AIM_PLOT_COL_SERIES + i);
                drawn += m->series[i].n_samples;
            }
    }
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.8);
    if (m->note[0])   /* above the phase strip and the markers' labels */
        aim__plot_mtex_px("t", above_px(m, labels) - NOTE_ROW_PX + LINES(0.2), 1.0, 1.0,
                          m->note);
    if (drawn == 0)
        plmtex("t", -3.0, 0.5, 0.5, "no samples in this window");
    aim__plot_text_size(1.0);
    return drawn;
}

static const char time_label[] = "time since the run's start [s]";

/* Under the plot, in pixels at 100 dpi: the tick labels, the time axis's label, the legend. */
#define TIME_LABEL_PX LINES(2.9)
#define LEGEND_BELOW_PX LINES(4.2)
#define TITLE_PX LINES(2.0)

static void draw(const aim_plot_model *m, const aim_plot_style *st) {
    /* margins for the text around the plot, in pixels at 100 dpi (the text's size does not
     * follow the picture's), as a share of the picture; the plot keeps half of it at least */
    double h = st->height, left, right;
    line_px = aim__plot_line_px(st);
    margins(st, m->n_axes, &left, &right);
    double plot_px = st->width * (1 - left - right);
    double above = above_px(m, 1);
    double bottom = (LEGEND_BELOW_PX + legend_rows(m, plot_px) * LEGEND_ROW_PX + GAP_PX) / h,
           top = (above + TITLE_PX) / h;
    bottom = bottom < 0.35 ? bottom : 0.35;
    top = top < 0.2 ? top : 0.2;
    plvpor(left, 1 - right, bottom, 1 - top);
    draw_chart(m, 0, 1, 1);
    plcol0(AIM_PLOT_COL_FG);
    aim__plot_mtex_px("b", TIME_LABEL_PX, 0.5, 0.5, time_label);
    char title[600];
    aim__plot_text(title, sizeof title, st->title ? st->title : "");
    aim__plot_mtex_px("t", above + LINES(0.6), 0.5, 0.5, title);
    if (m->n_series)
        draw_legend(m, st, LEGEND_BELOW_PX);
}

static void draw_cb(const void *model, const aim_plot_style *st) { draw(model, st); }

int aim__plot_render_file(const aim_plot_model *m, const aim_plot_style *st, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw_cb, m, err, errsize);
}

#define AIM_PLOT_PANELS_MAX 8

typedef struct panels {
    const aim_plot_model *const *models;
    const char *const *names;
    int n;
    size_t left_out;
} panels;

/* Panels stacked top to bottom, each with a compact legend under it (in one row when it
 * fits); the panels share the time axis: its numbers under the last only, the phase and
 * marker labels over the first only; one title, one time label. */
#define PANEL_NAME_PX LINES(1.3)
#define PANEL_TICKS_PX LINES(2.7)
#define PANEL_NO_TICKS_PX LINES(0.7)

/* Under a panel: the time axis's numbers (the last) or a gap, its legend's rows. */
static double legend_at_px(int last) { return last ? PANEL_TICKS_PX : PANEL_NO_TICKS_PX; }

static double panel_under_px(const aim_plot_model *m, double plot_px, int last) {
    return legend_at_px(last) + legend_rows(m, plot_px) * LEGEND_ROW_PX + GAP_PX;
}

static void draw_panels(const void *data, const aim_plot_style *st) {
    const panels *p = data;
    double h = st->height, left, right;
    line_px = aim__plot_line_px(st);
    margins(st, 2, &left, &right);
    double plot_px = st->width * (1 - left - right);
    double top = TITLE_PX / h, bottom = LINES(1.6) / h;
    /* over each plot: its name, then (the first) the phases' and markers' labels; under it:
     * its tick labels, then its legend's rows; the plots share what is left equally */
    double under[AIM_PLOT_PANELS_MAX], over[AIM_PLOT_PANELS_MAX], decor = 0;
    for (int i = 0; i < p->n; i++) {
        const aim_plot_model *m = p->models[i];
        under[i] = panel_under_px(m, plot_px, i == p->n - 1) / h;
        over[i] = (PANEL_NAME_PX + above_px(m, i == 0)) / h;
        decor += under[i] + over[i];
    }
    double plot_h = (1 - top - bottom - decor) / (p->n ? p->n : 1), y = 1 - top;
    plot_h = plot_h > 0.03 ? plot_h : 0.03;
    for (int i = 0; i < p->n; i++) {
        const aim_plot_model *m = p->models[i];
        double y1 = y - over[i], y0 = y1 - plot_h;
        y = y0 - under[i];
        plvpor(left, 1 - right, y0, y1);
        draw_chart(m, 1, i == 0, i == p->n - 1);
        char name[64];
        aim__plot_text(name, sizeof name, p->names[i]);
        plcol0(AIM_PLOT_COL_FG);
        aim__plot_mtex_px("t", above_px(m, i == 0) + LINES(0.2), 0.0, 0.0, name);
        if (i == 0) {
            char title[600];
            aim__plot_text(title, sizeof title, st->title ? st->title : "");
            aim__plot_mtex_px("t", above_px(m, 1) + PANEL_NAME_PX + LINES(0.3), 0.5, 0.5,
                              title);
        }
        if (m->n_series)
            draw_legend(m, st, legend_at_px(i == p->n - 1));
    }
    plcol0(AIM_PLOT_COL_FG);
    /* under the last panel's legend */
    if (p->n)
        aim__plot_mtex_px("b", panel_under_px(p->models[p->n - 1], plot_px, 1), 0.5, 0.5,
                          time_label);
    if (p->left_out) {
        char note[96];
        snprintf(note, sizeof note, "%zu metric%s in no panel, or past two units in one",
                 p->left_out, p->left_out == 1 ? "" : "s");
        aim__plot_corner_note(note);
    }
}

int aim__plot_render_panels(const aim_plot_model *const *models, const char *const *names,
                            int n, size_t left_out, const aim_plot_style *st, const char *path,
                            aim_plot_file_format format, char *err, size_t errsize) {
    panels p = { .models = models, .names = names,
                 .n = n < AIM_PLOT_PANELS_MAX ? n : AIM_PLOT_PANELS_MAX, .left_out = left_out };
    return aim__plot_page_draw(st, path, format, draw_panels, &p, err, errsize);
}
