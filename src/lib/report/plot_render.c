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

/* "[W]": a panel's axis, whose metrics its legend names. */
static const char *unit_label(const aim_plot_model *m, int axis, char *out, size_t size) {
    char raw[48];
    snprintf(raw, sizeof raw, m->unit[axis][0] ? "[%s]" : "(no unit)", m->unit[axis]);
    aim__plot_text(out, size, raw);
    return out;
}

/* 1 when text fits along the viewport's height at the current character size (a character
 * about 0.6 of its height wide). */
static int fits_upright(const char *text) {
    PLFLT def, ht, xmin, xmax, ymin, ymax, vx0, vx1, vy0, vy1;
    plgchr(&def, &ht);
    plgspa(&xmin, &xmax, &ymin, &ymax);
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    return (double)strlen(text) * ht * 0.6 < (vy1 - vy0) * (ymax - ymin);
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

/* The workload's markers: ticks down from the top axis, labelled above it (a label that
 * would run into the previous one is left out; its tick stays). */
static void draw_marks(const aim_plot_model *m) {
    double span = m->x1 - m->x0, ts = aim__plot_text_scale(), right_px = -1e9;
    double dy = (m->ymax[0] - m->ymin[0]) * 0.04;
    aim__plot_text_size(0.65);
    for (size_t i = 0; i < m->n_marks; i++) {
        const aim_plot_mark *mk = &m->marks[i];
        PLFLT x[2] = { mk->t, mk->t }, y[2] = { m->ymax[0], m->ymax[0] - dy };
        plcol0(AIM_PLOT_COL_FG);
        plwidth(2.0);
        plline(2, x, y);
        plwidth(1.0);
        double pos = (mk->t - m->x0) / span, at_px = pos * m->width_px;
        /* about 8 pixels a character at this size and 100 dpi */
        double half_px = (double)strlen(mk->text) * 4.2 * ts;
        if (at_px - half_px < right_px + 4 * ts)
            continue;
        right_px = at_px + half_px;
        char text[300];
        aim__plot_text(text, sizeof text, mk->text);
        plcol0(AIM_PLOT_COL_NOTE);
        plmtex("t", 0.4, pos, 0.5, text);
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

/* The axes, bands, markers and series of m in the current viewport, the left axis labelled;
 * the samples drawn. */
static size_t draw_chart(const aim_plot_model *m, int units_only) {
    char label[600];
    plwind(m->x0, m->x1, m->ymin[0], m->ymax[0]);
    draw_bands(m);
    plcol0(AIM_PLOT_COL_FG);
    plbox("bcnst", 0, 0, m->n_axes > 1 ? "bnstv" : "bcnstv", 0, 0);
    draw_marks(m);
    axis_label(m, 0, label, sizeof label);
    plcol0(AIM_PLOT_COL_FG);
    /* a label longer than the axis gives way to the unit: the legend names the series */
    units_only = units_only || !fits_upright(label);
    plmtex("l", units_only ? 4.8 : 5.0, 0.5, 0.5,
           units_only ? unit_label(m, 0, label, sizeof label) : label);
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
        units_only = units_only || !fits_upright(label);
        plmtex("r", units_only ? 4.8 : 5.0, 0.5, 0.5,
               units_only ? unit_label(m, 1, label, sizeof label) : label);
        for (int i = 0; i < m->n_series; i++)
            if (m->series[i].axis == 1) {
                draw_series(&m->series[i], AIM_PLOT_COL_SERIES + i);
                drawn += m->series[i].n_samples;
            }
    }
    plcol0(AIM_PLOT_COL_NOTE);
    aim__plot_text_size(0.8);
    if (m->note[0])   /* above the markers' labels when there are some */
        plmtex("t", m->n_marks ? 1.7 : 0.6, 1.0, 1.0, m->note);
    if (drawn == 0)
        plmtex("t", -3.0, 0.5, 0.5, "no samples in this window");
    aim__plot_text_size(1.0);
    return drawn;
}

static const char time_label[] = "time since the run's start [s]";

static void draw(const aim_plot_model *m, const aim_plot_style *st) {
    /* margins for the text around the plot, in pixels at 100 dpi (the text's size does not
     * follow the picture's), as a share of the picture; the plot keeps half of it at least */
    double h = st->height, px = aim__plot_text_scale(), left, right;
    margins(st, m->n_axes, &left, &right);
    /* markers: their text above the axis, the note above it, the title above both */
    double bottom = (m->n_series > 3 ? 180 : 156) * px / h,
           top = (m->n_marks ? 80 : 60) * px / h;
    bottom = bottom < 0.35 ? bottom : 0.35;
    top = top < 0.15 ? top : 0.15;
    plvpor(left, 1 - right, bottom, 1 - top);
    draw_chart(m, 0);
    plcol0(AIM_PLOT_COL_FG);
    plmtex("b", 3.2, 0.5, 0.5, time_label);
    aim__plot_title_at(st, m->n_marks ? 3.0 : 2.0);
    if (m->n_series)
        draw_legend(m, 95 * px / h / (1 - top - bottom));
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

/* Panels stacked top to bottom, each with its legend under it; one title, one time label. */
static void draw_panels(const void *data, const aim_plot_style *st) {
    const panels *p = data;
    double h = st->height, px = aim__plot_text_scale(), left, right;
    margins(st, 2, &left, &right);
    double top = 60 * px / h, bottom = 36 * px / h;
    /* under each plot: its tick labels, then its legend's rows; over it, its name and the
     * markers' labels; the plots share what is left equally */
    double under[AIM_PLOT_PANELS_MAX], over[AIM_PLOT_PANELS_MAX], decor = 0;
    for (int i = 0; i < p->n; i++) {
        const aim_plot_model *m = p->models[i];
        under[i] = (48 + 46 * ((m->n_series + 2) / 3)) * px / h;
        over[i] = (m->n_marks ? 50 : 32) * px / h;
        decor += under[i] + over[i];
    }
    double plot_h = (1 - top - bottom - decor) / (p->n ? p->n : 1), y = 1 - top;
    plot_h = plot_h > 0.03 ? plot_h : 0.03;
    for (int i = 0; i < p->n; i++) {
        const aim_plot_model *m = p->models[i];
        double y1 = y - over[i], y0 = y1 - plot_h;
        y = y0 - under[i];
        plvpor(left, 1 - right, y0, y1);
        draw_chart(m, 1);
        char name[64];
        aim__plot_text(name, sizeof name, p->names[i]);
        plcol0(AIM_PLOT_COL_FG);
        plmtex("t", m->n_marks ? 1.9 : 0.6, 0.0, 0.0, name);
        if (i == 0)
            aim__plot_title(st);
        if (m->n_series)
            draw_legend(m, 42 * px / h / (y1 - y0));
    }
    plcol0(AIM_PLOT_COL_FG);
    /* under the last panel's legend: character heights of about 19 pixels at 100 dpi */
    if (p->n)
        plmtex("b", (48 + 46 * ((p->models[p->n - 1]->n_series + 2) / 3)) / 19.0 + 0.6, 0.5, 0.5,
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
