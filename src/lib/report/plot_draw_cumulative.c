/* aimeter plot --kind cumulative (plot_draw.h): energy on the left axis, carbon on the right
 * one, both from zero, each in the unit its maximum reads best in (Wh, kWh, MWh; mg, g, kg:
 * no "x10^-2" exponent on an axis), the unit in the axis's label; PLplot draws the axes, text
 * and legend. Both curves are solid: carbon at one intensity is the energy's curve scaled,
 * so it is drawn thin over a wide energy line and both stay visible. */
#include <plplot.h>
#include <stdio.h>

#include "report/plot_draw.h"
#include "util/numfmt.h"

#define COL_ENERGY (AIM_PLOT_COL_SERIES + 3)   /* vermillion */
#define COL_CARBON (AIM_PLOT_COL_SERIES + 4)   /* blue */
#define WIDTH_ENERGY 4.0
#define WIDTH_CARBON 1.5

typedef struct unit { const char *name; double per; } unit;   /* per: units in one kWh or g */

/* The first unit of ladder in which max is below 1000 (the last one past it); the first
 * for zero. */
static unit pick(const unit *ladder, int n, double max) {
    int i = 0;
    while (i + 1 < n && max * ladder[i].per >= 1000)
        i++;
    return ladder[i];
}

static const unit energy_units[] = { { "mWh", 1e6 }, { "Wh", 1e3 }, { "kWh", 1 },
                                     { "MWh", 1e-3 }, { "GWh", 1e-6 } };
static const unit carbon_units[] = { { "mg", 1e3 }, { "g", 1 }, { "kg", 1e-3 }, { "t", 1e-6 } };

static void legend(double y, const char *energy, const char *carbon) {
    PLINT opt[2] = { PL_LEGEND_LINE, PL_LEGEND_LINE };
    PLINT colours[2] = { COL_ENERGY, COL_CARBON }, styles[2] = { 1, 1 };
    PLINT text_colours[2] = { AIM_PLOT_COL_FG, AIM_PLOT_COL_FG };
    PLFLT widths[2] = { WIDTH_ENERGY, WIDTH_CARBON };
    const char *texts[2] = { energy, carbon };
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, y,
             0.04, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, 1, 1, 2, 2, opt, 0.8,
             0.8 * aim__plot_text_scale(), 2.0, 0.0, text_colours, texts, NULL, NULL, NULL,
             NULL, colours, styles, widths, NULL, NULL, NULL, NULL);
}

static void line(const aim_plot_cumulative *m, const double *y, int colour, double width) {
    plcol0(colour);
    plwidth(width);
    plline((PLINT)m->n, m->t, y);
    plwidth(1.0);
}

static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_cumulative *m = model;
    double L = aim__plot_line_px(st);
    aim__plot_viewport(st, 110, 120, 100, 72);
    unit eu = pick(energy_units, 5, m->kwh_max), cu = pick(carbon_units, 4, m->g_max);
    double kwh_top = m->kwh_max > 0 ? m->kwh_max * 1.05 : 1;
    double g_top = m->g_max > 0 ? m->g_max * 1.05 : 1;
    char energy_label[64], carbon_label[64], energy_key[80], carbon_key[80];
    snprintf(energy_label, sizeof energy_label, "energy, facility [%s]", eu.name);
    snprintf(carbon_label, sizeof carbon_label, "carbon [%s CO2e]", cu.name);
    snprintf(energy_key, sizeof energy_key, "%s (left)", energy_label);
    snprintf(carbon_key, sizeof carbon_key, "%s (right)", carbon_label);
    /* the axes are labelled in the units chosen; the curves drawn in kWh and g */
    plwind(0, m->t_max, 0, kwh_top * eu.per);
    plcol0(AIM_PLOT_COL_GRID);
    plbox("g", 0, 0, "g", 0, 0);
    plwind(0, m->t_max, 0, kwh_top);
    line(m, m->kwh, COL_ENERGY, WIDTH_ENERGY);
    plwind(0, m->t_max, 0, g_top);
    line(m, m->g, COL_CARBON, WIDTH_CARBON);
    plwind(0, m->t_max, 0, kwh_top * eu.per);
    plcol0(AIM_PLOT_COL_FG);
    plbox("bcnst", 0, 0, "bnstv", 0, 0);
    aim__plot_mtex_px("b", 2.9 * L, 0.5, 0.5, "time since the run's start [s]");
    aim__plot_mtex_px("l", 4.3 * L, 0.5, 0.5, energy_label);
    plwind(0, m->t_max, 0, g_top * cu.per);
    plcol0(AIM_PLOT_COL_FG);
    plbox("", 0, 0, "cmstv", 0, 0);
    aim__plot_mtex_px("r", 5.0 * L, 0.5, 0.5, carbon_label);
    aim__plot_title_at(st, 2.4);
    char e[AIM_NUM_MAX], c[AIM_NUM_MAX], note[200];
    aim__fmt_sig(e, m->kwh_max * eu.per, 4, 0);
    aim__fmt_sig(c, m->g_max * cu.per, 4, 0);
    snprintf(note, sizeof note, "%s %s (IT x PUE %.2f), %s %s CO2e; carbon at the %s", e,
             eu.name, m->pue, c, cu.name,
             m->intensity_varies ? "intensity in force at each instant" : "run's intensity");
    aim__plot_note(note);
    if (!(m->kwh_max > 0))
        aim__plot_message("no energy was recorded");
    PLFLT x0, x1, y0, y1;
    plgvpd(&x0, &x1, &y0, &y1);
    legend(4.2 * L / st->height / (y1 - y0), energy_key, carbon_key);
}

int aim__plot_draw_cumulative(const aim_plot_cumulative *m, const aim_plot_style *st,
                              const char *path, aim_plot_file_format format, char *err,
                              size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
