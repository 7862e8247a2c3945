/* aimeter plot --kind scatter (plot_draw.h): one translucent dot per point, r above the
 * plot; PLplot draws the axes, ticks and text. */
#include <math.h>
#include <plplot.h>
#include <stdint.h>
#include <stdio.h>

#include "report/plot_draw.h"

/* "gpu0.power [W]" */
static void axis_label(const aim_plot_scatter *m, int axis, char *out, size_t size) {
    char raw[200];
    if (m->unit[axis][0])
        snprintf(raw, sizeof raw, "%s [%s]", m->name[axis], m->unit[axis]);
    else
        snprintf(raw, sizeof raw, "%s", m->name[axis]);
    aim__plot_text(out, size, raw);
}

static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_scatter *m = model;
    aim__plot_viewport(st, 110, 40, 80, 70);
    plwind(m->xmin, m->xmax, m->ymin, m->ymax);
    plcol0(AIM_PLOT_COL_GRID);
    plbox("g", 0, 0, "g", 0, 0);
    if (m->n) {
        plcol0(AIM_PLOT_COL_POINT);
        aim__plot_text_size(0.6);   /* the dot's size follows the text's */
        plssym(0, aim__plot_text_scale() * 1.4);
        plpoin((PLINT)m->n, m->x, m->y, 17);
        aim__plot_text_size(1.0);
    }
    plcol0(AIM_PLOT_COL_FG);
    plbox("bcnst", 0, 0, "bcnstv", 0, 0);
    char x[300], y[300];
    axis_label(m, 0, x, sizeof x);
    axis_label(m, 1, y, sizeof y);
    plmtex("b", 3.2, 0.5, 0.5, x);
    plmtex("l", 5.0, 0.5, 0.5, y);
    aim__plot_title(st);
    char r[160];
    if (isfinite(m->r))
        snprintf(r, sizeof r, "r = %.2f", m->r);
    else
        snprintf(r, sizeof r, "r undefined (fewer than two points, or a constant metric)");
    plcol0(AIM_PLOT_COL_FG);
    plmtex("t", 0.8, 0.0, 0.0, r);
    /* the count once when r is over the samples drawn; both when its grid differs */
    char note[200];
    size_t o;
    if (m->r_n == (uint64_t)m->n_rows)
        o = (size_t)snprintf(note, sizeof note, "n = %zu aligned samples", m->n_rows);
    else
        o = (size_t)snprintf(note, sizeof note, "%zu aligned samples; r over %llu ticks",
                             m->n_rows, (unsigned long long)m->r_n);
    if (m->thinned && o < sizeof note)
        snprintf(note + o, sizeof note - o, " (one dot per occupied 2-pixel cell)");
    aim__plot_note(note);
    if (m->n_rows == 0)
        aim__plot_message("no instant where both metrics have a value");
}

int aim__plot_draw_scatter(const aim_plot_scatter *m, const aim_plot_style *st,
                           const char *path, aim_plot_file_format format, char *err,
                           size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
