/* aimeter plot --kind corr (plot_draw.h): the matrix as square cells coloured by r on a
 * diverging map (blue -1, white 0, vermillion +1: Okabe-Ito's ends, told apart under the
 * common colour-vision deficiencies), r written in the cells when it fits, an undefined r
 * hatched grey; PLplot draws the labels and the colour bar. */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <string.h>

#include "report/plot_draw.h"

/* Colour map 1: -1 -> blue, 0 -> white, +1 -> vermillion. */
static void diverging_map(void) {
    int lo[3], hi[3];
    aim__plot_palette_rgb(4, lo);
    aim__plot_palette_rgb(3, hi);
    PLFLT pos[3] = { 0, 0.5, 1 };
    PLFLT r[3] = { lo[0] / 255.0, 1, hi[0] / 255.0 };
    PLFLT g[3] = { lo[1] / 255.0, 1, hi[1] / 255.0 };
    PLFLT b[3] = { lo[2] / 255.0, 1, hi[2] / 255.0 };
    plscmap1n(256);
    plscmap1l(1, 3, pos, r, g, b, NULL);
}

static void colour_bar(void) {
    PLFLT w, h;
    PLINT label_opts[1] = { PL_COLORBAR_LABEL_TOP };
    const char *labels[1] = { "r" };
    const char *axis_opts[1] = { "bcvtm" };
    PLFLT ticks[1] = { 0.5 };
    PLINT sub_ticks[1] = { 5 };
    PLINT n_values[1] = { 2 };
    PLFLT range[2] = { -1, 1 };
    const PLFLT *values[1] = { range };
    plcol0(AIM_PLOT_COL_FG);
    plcolorbar(&w, &h, PL_COLORBAR_GRADIENT, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.04, 0,
               0.05, 0.8, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, 1, 0, 0, 0, 0, 1, label_opts, labels,
               1, axis_opts, ticks, sub_ticks, n_values, values);
}

static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_corr *m = model;
    double W = st->width, H = st->height, L = aim__plot_line_px(st);
    int n = m->n;
    double label_size = n > 20 ? 0.6 : 0.75, label_px = 0;
    aim__plot_text_size(label_size);
    for (int i = 0; i < n; i++) {
        char name[330];
        aim__plot_text(name, sizeof name, m->name[i]);
        double w = aim__plot_text_px(name);
        label_px = w > label_px ? w : label_px;
    }
    aim__plot_text_size(1.0);
    /* the names (40 characters at most), the title, the colour bar and the note take what
     * they need; the matrix the rest, as large a square as fits */
    double most = 40 * 0.7 * label_size * L / 0.9;
    label_px = (label_px < most ? label_px : most) + 0.8 * L;
    double left = label_px + 0.8 * L, right = 7.5 * L, top = 3.9 * L,
           bottom = label_px + 2.2 * L;   /* the corner note under the names */
    double side = W - left - right < H - top - bottom ? W - left - right : H - top - bottom;
    if (side < 50)
        side = 50;
    /* centred across the room left beside the labels and the colour bar */
    double x0 = (left + (W - left - right - side) / 2) / W, y1 = 1 - top / H;
    plvpor(x0, x0 + side / W, y1 - side / H, y1);
    diverging_map();
    plwind(0, n ? n : 1, n ? n : 1, 0);   /* the first series at the top */
    double cell_px = n ? side / n : side;
    /* r written in the cells when "-0.93" fits at a size still readable */
    double cell_size = 0.85 * cell_px / (5 * 0.7 * L / 0.9);
    cell_size = cell_size > 0.8 ? 0.8 : cell_size;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double r = m->r[(size_t)a * (size_t)n + (size_t)b];
            PLFLT x[4] = { b, b + 1, b + 1, b }, y[4] = { a, a, a + 1, a + 1 };
            if (isfinite(r)) {
                plcol1((r + 1) / 2);
                plfill(4, x, y);
            } else {
                plcol0(AIM_PLOT_COL_UNDEF);
                plfill(4, x, y);
                plcol0(AIM_PLOT_COL_NOTE);
                plpsty(3);
                plfill(4, x, y);
                plpsty(0);
            }
            if (isfinite(r) && cell_size >= 0.55) {
                char text[16];
                snprintf(text, sizeof text, "%.2f", r);
                plcol0(fabs(r) > 0.6 ? AIM_PLOT_COL_BG : AIM_PLOT_COL_FG);
                aim__plot_text_size(cell_size);
                plptex(b + 0.5, a + 0.5, 1, 0, 0.5, text);   /* centred on y */
                aim__plot_text_size(1.0);
            }
        }
    plcol0(AIM_PLOT_COL_FG);
    plbox("bc", 0, 0, "bc", 0, 0);
    aim__plot_text_size(label_size);
    for (int i = 0; i < n; i++) {
        char name[330];
        aim__plot_text(name, sizeof name, m->name[i]);
        plmtex("lv", 0.5, 1 - (i + 0.5) / n, 1.0, name);
        plmtex("bv", 0.5, (i + 0.5) / n, 1.0, name);
    }
    aim__plot_text_size(1.0);
    aim__plot_title(st);
    char note[200];
    size_t o = (size_t)snprintf(note, sizeof note, "Pearson r; hatched grey: undefined");
    if (m->left_out_constant)
        o += (size_t)snprintf(note + o, sizeof note - o, "; %zu constant left out",
                              m->left_out_constant);
    if (m->left_out_instance && o < sizeof note)
        o += (size_t)snprintf(note + o, sizeof note - o, "; %zu per-core left out",
                              m->left_out_instance);
    if (m->left_out_max && o < sizeof note)
        snprintf(note + o, sizeof note - o, "; %zu past %d left out", m->left_out_max,
                 AIM_PLOT_CORR_MAX);
    if (n == 0)
        aim__plot_message("no varying series to correlate");
    else
        colour_bar();
    /* the note in the page's bottom right corner: the matrix may be narrower than it */
    aim__plot_corner_note(note);
}

int aim__plot_draw_corr(const aim_plot_corr *m, const aim_plot_style *st, const char *path,
                        aim_plot_file_format format, char *err, size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
