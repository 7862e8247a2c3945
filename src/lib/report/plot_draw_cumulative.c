/* aimeter plot --kind cumulative (plot_draw.h): energy on the left axis (solid), carbon on
 * the right one (dashed), both from zero; PLplot draws the axes, text and legend. */
#include <plplot.h>
#include <stdio.h>

#include "report/plot_draw.h"

#define COL_ENERGY (AIM_PLOT_COL_SERIES + 3)   /* vermillion */
#define COL_CARBON (AIM_PLOT_COL_SERIES + 4)   /* blue */

static void legend(double y) {
    PLINT opt[2] = { PL_LEGEND_LINE, PL_LEGEND_LINE };
    PLINT colours[2] = { COL_ENERGY, COL_CARBON }, styles[2] = { 1, 2 };
    PLINT text_colours[2] = { AIM_PLOT_COL_FG, AIM_PLOT_COL_FG };
    PLFLT widths[2] = { 2.0, 2.0 };
    const char *texts[2] = { "energy, facility [kWh] (left)", "carbon [g CO2e] (right)" };
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, y,
             0.04, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, 1, 1, 2, 2, opt, 0.8,
             0.8 * aim__plot_text_scale(), 2.0, 0.0, text_colours, texts, NULL, NULL, NULL,
             NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
}

static void line(const aim_plot_cumulative *m, const double *y, int colour, int style) {
    plcol0(colour);
    pllsty(style);
    plwidth(2.0);
    plline((PLINT)m->n, m->t, y);
    pllsty(1);
    plwidth(1.0);
}

static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_cumulative *m = model;
    double ts = aim__plot_text_scale();
    aim__plot_viewport(st, 110, 120, 130, 60);
    plwind(0, m->t_max, 0, m->kwh_max > 0 ? m->kwh_max * 1.05 : 1);
    plcol0(AIM_PLOT_COL_GRID);
    plbox("g", 0, 0, "g", 0, 0);
    line(m, m->kwh, COL_ENERGY, 1);
    plcol0(AIM_PLOT_COL_FG);
    plbox("bcnst", 0, 0, "bnstv", 0, 0);
    plmtex("b", 3.2, 0.5, 0.5, "time since the run's start [s]");
    plmtex("l", 5.0, 0.5, 0.5, "energy, facility [kWh]");
    plwind(0, m->t_max, 0, m->g_max > 0 ? m->g_max * 1.05 : 1);
    line(m, m->g, COL_CARBON, 2);
    plcol0(AIM_PLOT_COL_FG);
    plbox("", 0, 0, "cmstv", 0, 0);
    plmtex("r", 5.0, 0.5, 0.5, "carbon [g CO2e]");
    aim__plot_title(st);
    char note[200];
    snprintf(note, sizeof note, "%.6g kWh (IT x PUE %.2f), %.4g g CO2e; carbon at the %s",
             m->kwh_max, m->pue, m->g_max,
             m->intensity_varies ? "intensity in force at each instant" : "run's intensity");
    aim__plot_note(note);
    if (!(m->kwh_max > 0))
        aim__plot_message("no energy was recorded");
    PLFLT x0, x1, y0, y1;
    plgvpd(&x0, &x1, &y0, &y1);
    legend(95 * ts / st->height / (y1 - y0));
}

int aim__plot_draw_cumulative(const aim_plot_cumulative *m, const aim_plot_style *st,
                              const char *path, aim_plot_file_format format, char *err,
                              size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
