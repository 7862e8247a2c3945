/* aimeter plot's time series: PLplot lays out the axes, ticks, text and legend; this file
 * only says what goes where, on the page of report/plot_page.h (format, palette, mutex).
 * Series on the right axis are dashed so the two axes can be told apart without colour. */
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_render.h"

/* "gpu0.power, gpu1.power [W]": the names of the series on the axis and its unit. */
static void axis_label(const aim_plot_model *m, int axis, char *out, size_t size) {
    char raw[512];
    size_t o = 0;
    raw[0] = 0;
    for (int i = 0; i < m->n_series; i++)
        if (m->series[i].axis == axis && o < sizeof raw)
            o += (size_t)snprintf(raw + o, sizeof raw - o, "%s%s", o ? ", " : "",
                                  m->series[i].name);
    if (o >= sizeof raw)
        o = sizeof raw - 1;
    if (m->unit[axis][0])
        snprintf(raw + o, sizeof raw - o, " [%s]", m->unit[axis]);
    aim__plot_text(out, size, raw);
}

/* The series as lines broken at each NaN; a point alone is drawn as a dot. */
static void draw_series(const aim_plot_series *s, int colour) {
    plcol0(colour);
    pllsty(s->axis == 0 ? 1 : 2);
    plwidth(2.0);
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
    pllsty(1);
    plwidth(1.0);
}

/* Phase instances as shaded bands, labelled at the top (a nested phase one line lower;
 * a band too narrow for its name unlabelled); phases in turn take the two shades so that
 * neighbours differ. */
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
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.75);
    for (size_t b = 0; b < m->n_bands; b++) {
        const aim_plot_band *band = &m->bands[b];
        double share = (band->x1 - band->x0) / (m->x1 - m->x0);
        /* about 1 % of the width per character at the default size */
        if (share < 0.012 * aim__plot_text_scale() * (double)(strlen(band->name) + 1) || band->depth > 3)
            continue;
        char name[300];
        aim__plot_text(name, sizeof name, band->name);
        double dy = (m->ymax[0] - m->ymin[0]) * 0.05;
        plptex(band->x0 + (m->x1 - m->x0) * 0.004, m->ymax[0] - dy * (1 + band->depth), 1, 0,
               0, name);
    }
    aim__plot_text_size(1.0);
}

/* y: the legend's distance below the plot, a share of the plot's height. */
static void draw_legend(const aim_plot_model *m, double y) {
    PLINT opt[AIM_PLOT_MAX_SERIES], colours[AIM_PLOT_MAX_SERIES], styles[AIM_PLOT_MAX_SERIES];
    PLFLT widths[AIM_PLOT_MAX_SERIES];
    char text[AIM_PLOT_MAX_SERIES][256];
    const char *texts[AIM_PLOT_MAX_SERIES];
    int n = m->n_series;
    for (int i = 0; i < n; i++) {
        const aim_plot_series *s = &m->series[i];
        char raw[200];
        snprintf(raw, sizeof raw, "%s%s", s->name,
                 m->n_axes > 1 ? (s->axis == 0 ? " (left)" : " (right)") : "");
        aim__plot_text(text[i], sizeof text[i], raw);
        texts[i] = text[i];
        opt[i] = PL_LEGEND_LINE;
        colours[i] = AIM_PLOT_COL_SERIES + i;
        styles[i] = s->axis == 0 ? 1 : 2;
        widths[i] = 2.0;
    }
    int ncol = n < 3 ? n : 3, nrow = (n + ncol - 1) / ncol;
    PLINT text_colours[AIM_PLOT_MAX_SERIES];
    for (int i = 0; i < n; i++)
        text_colours[i] = AIM_PLOT_COL_FG;
    PLFLT w, h;
    /* below the plot, under the time axis's label: it hides no data */
    pllegend(&w, &h, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, y,
             0.04, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, 1, nrow, ncol, n, opt, 0.8, 0.8 * aim__plot_text_scale(), 2.0, 0.0,
             text_colours, texts,
             NULL, NULL, NULL, NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
}

/* The left and right margins, a share of the width: the y-axes' numbers and labels. */
static void margins(const aim_plot_style *st, int n_axes, double *left, double *right) {
    double px = st->dpi / 100.0;
    *left = 110 * px / st->width;
    *right = (n_axes > 1 ? 120 : 30) * px / st->width;
    *left = *left < 0.3 ? *left : 0.3;
    *right = *right < 0.2 ? *right : 0.2;
}

int aim__plot_area_width(const aim_plot_style *style, int n_axes) {
    double left, right;
    margins(style, n_axes, &left, &right);
    return (int)(style->width * (1 - left - right));
}

static void draw(const aim_plot_model *m, const aim_plot_style *st) {
    char label[600];
    /* margins for the text around the plot, in pixels at 100 dpi (the text's size does not
     * follow the picture's), as a share of the picture; the plot keeps half of it at least */
    double h = st->height, px = aim__plot_text_scale(), left, right;
    margins(st, m->n_axes, &left, &right);
    double bottom = (m->n_series > 3 ? 180 : 156) * px / h, top = 60 * px / h;
    bottom = bottom < 0.35 ? bottom : 0.35;
    top = top < 0.15 ? top : 0.15;
    plvpor(left, 1 - right, bottom, 1 - top);
    plwind(m->x0, m->x1, m->ymin[0], m->ymax[0]);
    draw_bands(m);
    plcol0(AIM_PLOT_COL_FG);
    plbox("bcnst", 0, 0, m->n_axes > 1 ? "bnstv" : "bcnstv", 0, 0);
    axis_label(m, 0, label, sizeof label);
    aim__plot_text(label + 300, 300, st->title ? st->title : "");
    pllab("time since the run's start [s]", label, label + 300);
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
        axis_label(m, 1, label, sizeof label);
        plmtex("r", 5.0, 0.5, 0.5, label);
        for (int i = 0; i < m->n_series; i++)
            if (m->series[i].axis == 1) {
                draw_series(&m->series[i], AIM_PLOT_COL_SERIES + i);
                drawn += m->series[i].n_samples;
            }
    }
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.8);
    if (m->note[0])
        plmtex("t", 0.6, 1.0, 1.0, m->note);
    if (drawn == 0)
        plmtex("t", -3.0, 0.5, 0.5, "no samples in this window");
    aim__plot_text_size(1.0);
    if (m->n_series)
        draw_legend(m, 95 * px / h / (1 - top - bottom));
}

static void draw_cb(const void *model, const aim_plot_style *st) { draw(model, st); }

int aim__plot_render_file(const aim_plot_model *m, const aim_plot_style *st, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw_cb, m, err, errsize);
}
