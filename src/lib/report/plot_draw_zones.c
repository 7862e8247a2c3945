/* aimeter plot --kind zones (plot_draw.h): one bar per zone with its carbon written above it,
 * the run's own pricing first in another colour; PLplot draws the axes and text (the bars
 * are filled rectangles). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <string.h>

#include "report/plot_draw.h"
#include "util/numfmt.h"

#define COL_RUN (AIM_PLOT_COL_SERIES + 0)    /* orange: the run as it was priced */
#define COL_ZONE (AIM_PLOT_COL_SERIES + 4)   /* blue: the zones asked for */
static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_zones *m = model;
    double ts = aim__plot_text_scale();
    int n = (int)m->n;
    /* plmtex's unit, a line of text, in pixels at 100 dpi: it follows the page's size */
    const double char_h = aim__plot_line_px(st) / ts;
    /* the names' widths (pixels) across at 0.85, upright at 0.7 */
    double across = 0, up = 0;
    for (int i = 0; i < n; i++) {
        char text[300];
        aim__plot_text(text, sizeof text, m->bars[i].label);
        aim__plot_text_size(0.85);
        double w = aim__plot_text_px(text);
        across = w > across ? w : across;
        aim__plot_text_size(0.7);
        w = aim__plot_text_px(text);
        up = w > up ? w : up;
    }
    aim__plot_text_size(1.0);
    double plot_px = st->width * 0.85;
    int upright = n && across > 0.9 * plot_px / n;
    double name_size = upright ? 0.7 : 0.85;
    double names_px = upright ? up / ts + 0.6 * char_h : char_h * 3.0;
    aim__plot_viewport(st, 110, 30, names_px + char_h * 3.4, 60);
    /* the values written upright above narrow bars: room for "0.00816 g" above the tallest */
    int values_upright = n && 10 * AIM_PLOT_CHAR_PX * 0.8 * ts > 0.9 * plot_px / n;
    PLFLT vx0, vx1, vy0, vy1;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    double text_share = (values_upright ? 10 * AIM_PLOT_CHAR_PX * 0.8 : char_h * 1.5) * ts /
                        ((vy1 - vy0) * st->height);
    text_share = text_share < 0.5 ? text_share : 0.5;
    double ymax = m->ymax > 0 ? m->ymax / (1 - text_share) : 1;
    plwind(0, n ? n : 1, 0, ymax);
    plcol0(AIM_PLOT_COL_GRID);
    plbox("", 0, 0, "g", 0, 0);
    for (int i = 0; i < n; i++) {
        const aim_plot_zone_bar *b = &m->bars[i];
        double v = isfinite(b->carbon_g) && b->carbon_g > 0 ? b->carbon_g : 0;
        PLFLT x[4] = { i + 0.15, i + 0.85, i + 0.85, i + 0.15 }, y[4] = { 0, 0, v, v };
        plcol0(b->is_run ? COL_RUN : COL_ZONE);
        plfill(4, x, y);
        plcol0(AIM_PLOT_COL_FG);
        plline(4, x, y);
        char num[AIM_NUM_MAX], value[64], text[300];
        aim__fmt_sig(num, b->carbon_g, 3, 0);
        snprintf(value, sizeof value, "%s g", num);
        aim__plot_text_size(0.8);
        if (values_upright)
            plptex(i + 0.5, v + ymax * 0.015, 0, 1, 0, value);
        else
            plptex(i + 0.5, v + ymax * 0.035, 1, 0, 0.5, value);
        aim__plot_text(text, sizeof text, b->label);
        aim__plot_text_size(name_size);
        if (upright) {
            plmtex("bv", 0.7, (i + 0.5) / n, 1.0, text);
        } else {
            plmtex("b", 1.5, (i + 0.5) / n, 0.5, text);
            char raw[64];
            aim__fmt_sig(num, b->intensity, 3, 0);
            snprintf(raw, sizeof raw, "%s g/kWh", num);
            plcol0(AIM_PLOT_COL_NOTE);
            aim__plot_text_size(0.7);
            plmtex("b", 3.4, (i + 0.5) / n, 0.5, raw);
        }
        aim__plot_text_size(1.0);
    }
    plcol0(AIM_PLOT_COL_FG);
    plbox("bc", 0, 0, "bcnstv", 0, 0);
    plmtex("l", 5.0, 0.5, 0.5, "carbon [g CO2e]");
    /* under the names */
    double label_at = upright ? names_px / char_h + 0.6 : (names_px + char_h * 1.2) / char_h;
    plmtex("b", label_at, 0.5, 0.5, "grid zone (first: the run as it was priced)");
    aim__plot_title(st);
    char kwh[AIM_NUM_MAX], note[160];
    aim__fmt_sig(kwh, m->energy_kwh, 3, 0);
    snprintf(note, sizeof note, "the run's %s kWh (facility, PUE %.2f) priced in each zone", kwh,
             m->pue);
    aim__plot_note(note);
}

int aim__plot_draw_zones(const aim_plot_zones *m, const aim_plot_style *st, const char *path,
                         aim_plot_file_format format, char *err, size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
