/* aimeter plot --kind phases (plot_draw.h): a group of bars per phase, the phase's name under
 * it, its bottleneck hints above it; PLplot draws the axes, text and legend (it has no bar
 * chart: the bars are filled rectangles). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <string.h>

#include "report/phases_report.h"
#include "report/plot_draw.h"

/* The group's distinct hints as lines, each hint's word then its devices ("memory-bound?",
 * "gpu0, gpu1"): at most max lines; 0 when none. */
static int hint_lines(const aim_plot_phases *m, const aim_plot_phase_group *g, char out[][200],
                      int max) {
    int n = 0;
    for (int k = 0; k < m->n_devices && n + 2 <= max; k++) {
        const char *word = aim__phase_hint_word(g->hint[k]);
        int seen = 0;
        for (int j = 0; j < k; j++)
            seen |= g->hint[j] == g->hint[k];
        if (!word || seen)
            continue;
        snprintf(out[n++], 200, "%s", word);
        size_t d = 0;
        out[n][0] = 0;
        for (int j = k; j < m->n_devices; j++)
            if (g->hint[j] == g->hint[k] && d < 200)
                d += (size_t)snprintf(out[n] + d, 200 - d, "%s%s", d ? ", " : "", m->device[j]);
        n++;
    }
    return n;
}

/* A hint's letter when the groups are too narrow for its words; the key under the chart says
 * what each letter used stands for. */
static const char *hint_code(aim_phase_hint_kind kind) {
    switch (kind) {
    case AIM_HINT_CPU_BOUND: return "U";
    case AIM_HINT_MEMORY_BOUND: return "M";
    case AIM_HINT_COMPUTE_BOUND: return "C";
    case AIM_HINT_COMMUNICATION_BOUND: return "N";
    case AIM_HINT_GPU_IDLE: return "Id";   /* "I" alone reads as a tick */
    case AIM_HINT_GPU_BUSY: return "B";
    case AIM_HINT_NONE: break;
    }
    return NULL;
}

/* The group's distinct hints as letters, one a line; used[kind] set for the key. The
 * number of lines. */
static int hint_codes(const aim_plot_phases *m, const aim_plot_phase_group *g, char out[][200],
                      int max, int used[AIM_HINT_GPU_BUSY + 1]) {
    int n = 0;
    for (int k = 0; k < m->n_devices && n < max; k++) {
        const char *code = hint_code(g->hint[k]);
        int seen = 0;
        for (int j = 0; j < k; j++)
            seen |= g->hint[j] == g->hint[k];
        if (!code || seen)
            continue;
        used[g->hint[k]] = 1;
        snprintf(out[n++], 200, "%s", code);
    }
    return n;
}

/* Columns of the legend: as many as fit across at about 100 dpi. */
static int legend_columns(const aim_plot_phases *m, int width) {
    size_t longest = 1;
    for (int b = 0; b < m->n_bars; b++)
        longest = strlen(m->bar[b]) > longest ? strlen(m->bar[b]) : longest;
    double col_px = ((double)longest * 0.8 + 6) * AIM_PLOT_CHAR_PX * aim__plot_text_scale();
    int ncol = (int)(width * 0.9 / col_px);
    ncol = ncol < 1 ? 1 : ncol > 3 ? 3 : ncol;
    return ncol < m->n_bars ? ncol : (m->n_bars ? m->n_bars : 1);
}

static void legend(const aim_plot_phases *m, int width, double y) {
    PLINT opt[AIM_PLOT_PHASE_BARS], colours[AIM_PLOT_PHASE_BARS], fg[AIM_PLOT_PHASE_BARS];
    PLINT patterns[AIM_PLOT_PHASE_BARS];
    PLFLT scales[AIM_PLOT_PHASE_BARS], widths[AIM_PLOT_PHASE_BARS];
    char text[AIM_PLOT_PHASE_BARS][140];
    const char *texts[AIM_PLOT_PHASE_BARS];
    int n = m->n_bars;
    for (int b = 0; b < n; b++) {
        char raw[100];
        snprintf(raw, sizeof raw, "%s", m->bar[b]);
        aim__plot_text(text[b], sizeof text[b], raw);
        texts[b] = text[b];
        opt[b] = PL_LEGEND_COLOR_BOX;
        colours[b] = AIM_PLOT_COL_SERIES + b;
        fg[b] = AIM_PLOT_COL_FG;
        patterns[b] = 0;
        scales[b] = 0.8;
        widths[b] = 1.0;
    }
    int ncol = legend_columns(m, width), nrow = (n + ncol - 1) / ncol;
    PLFLT w, h;
    double ts = aim__plot_text_scale();
    pllegend(&w, &h, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, y,
             0.04, AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, 1, nrow, ncol, n, opt, 0.8, 0.8 * ts, 1.5,
             0.0, fg, texts, colours, patterns, scales, widths, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL);
}

static void draw(const void *model, const aim_plot_style *st) {
    const aim_plot_phases *m = model;
    double ts = aim__plot_text_scale();
    int n = (int)m->n_groups;
    /* plmtex's unit, a line of text, in pixels at 100 dpi: it follows the page's size */
    const double char_h = aim__plot_line_px(st) / ts;
    /* names written upright when a group is too narrow for them */
    double left = 90, right = 30, plot_px = st->width * 0.85;
    double widest = 0;   /* pixels, at the names' size, as written (upright: 30 characters) */
    aim__plot_text_size(0.85);
    for (int i = 0; i < n; i++) {
        char name[160], text[330];
        snprintf(name, sizeof name, m->groups[i].instances > 1 ? "%s (x%llu)" : "%s",
                 m->groups[i].name, (unsigned long long)m->groups[i].instances);
        if (strlen(name) > 30)
            memcpy(name + 27, "...", 4);
        aim__plot_text(text, sizeof text, name);
        double w = aim__plot_text_px(text);
        widest = w > widest ? w : widest;
    }
    aim__plot_text_size(1.0);
    int upright = n && widest > 0.9 * plot_px / n;
    double names_px = upright ? widest / ts + 0.6 * char_h : char_h * 1.6;
    int rows = m->n_bars ? (m->n_bars + legend_columns(m, st->width) - 1) /
                               legend_columns(m, st->width) : 0;
    /* under the axis: the names, the axis's label, the legend */
    double label_px = names_px + char_h * 1.8, legend_px = label_px + char_h * 1.9;
    double bottom = legend_px + char_h * (1.45 * rows + 0.5), top = 60;
    aim__plot_viewport(st, left, right, bottom, top);
    /* the hints are written at the top of the plot, over the bars' range: room for the
     * most lines a group has */
    enum { MAX_LINES = 6 };
    char lines[AIM_PLOT_PHASE_GROUPS][MAX_LINES][200];
    int n_lines[AIM_PLOT_PHASE_GROUPS], most = 1;
    int codes = 0, used[AIM_HINT_GPU_BUSY + 1] = { 0 };
    double group_px, plot_h;
    aim__plot_viewport_px(&group_px, &plot_h);
    group_px /= n > 0 ? n : 1;
    aim__plot_text_size(0.75);   /* the hints' size: the words when every line fits its group */
    for (int i = 0; i < n; i++) {
        n_lines[i] = hint_lines(m, &m->groups[i], lines[i], MAX_LINES);
        most = n_lines[i] > most ? n_lines[i] : most;
        for (int l = 0; l < n_lines[i]; l++)
            codes |= aim__plot_text_px(lines[i][l]) > 0.95 * group_px;
    }
    aim__plot_text_size(1.0);
    if (codes) {   /* too narrow for the words: a letter a line */
        most = 1;
        for (int i = 0; i < n; i++) {
            n_lines[i] = hint_codes(m, &m->groups[i], lines[i], MAX_LINES, used);
            most = n_lines[i] > most ? n_lines[i] : most;
        }
    }
    PLFLT vx0, vx1, vy0, vy1;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    double line_share = 1.1 * char_h * ts / ((vy1 - vy0) * st->height);
    double free_share = 1 - (most + 0.6) * line_share;
    double ymax = m->ymax * 1.02 / (free_share > 0.4 ? free_share : 0.4);
    double line = ymax * line_share;
    plwind(0, n > 0 ? n : 1, 0, ymax);
    /* light horizontal grid lines under the bars, for reading values across groups */
    plcol0(AIM_PLOT_COL_GRID);
    plbox("", 0, 0, "g", 20, 0);
    for (int i = 0; i < n; i++) {
        const aim_plot_phase_group *g = &m->groups[i];
        double bw = 0.8 / (m->n_bars ? m->n_bars : 1);
        for (int b = 0; b < m->n_bars; b++) {
            if (!isfinite(g->value[b]))
                continue;
            double v = g->value[b] > 0 ? g->value[b] : 0;
            PLFLT x[4] = { i + 0.1 + b * bw, i + 0.1 + (b + 1) * bw, i + 0.1 + (b + 1) * bw,
                           i + 0.1 + b * bw };
            PLFLT y[4] = { 0, 0, v, v };
            plcol0(AIM_PLOT_COL_SERIES + b);
            plfill(4, x, y);
            plcol0(AIM_PLOT_COL_FG);
            plline(4, x, y);
        }
        aim__plot_text_size(0.75);
        for (int l = 0; l < (n_lines[i] || codes ? n_lines[i] : 1); l++) {
            char text[400];
            aim__plot_text(text, sizeof text, n_lines[i] ? lines[i][l] : "no hint");
            /* the word in black, its devices and "no hint" in grey */
            plcol0(n_lines[i] && (codes || l % 2 == 0) ? AIM_PLOT_COL_FG : AIM_PLOT_COL_NOTE);
            plptex(i + 0.5, ymax - line * (l + 1), 1, 0, 0.5, text);
        }
        aim__plot_text_size(1.0);
        char name[300], raw[160];
        snprintf(raw, sizeof raw, g->instances > 1 ? "%s (x%llu)" : "%s", g->name,
                 (unsigned long long)g->instances);
        if (upright && strlen(raw) > 30)   /* the margin holds 30 characters */
            memcpy(raw + 27, "...", 4);
        aim__plot_text(name, sizeof name, raw);
        plcol0(AIM_PLOT_COL_FG);
        aim__plot_text_size(0.85);
        if (upright)
            plmtex("bv", 0.7, (i + 0.5) / n, 1.0, name);
        else
            plmtex("b", 1.5, (i + 0.5) / n, 0.5, name);
        aim__plot_text_size(1.0);
    }
    plcol0(AIM_PLOT_COL_FG);
    plbox("bc", 0, 0, "bcnstv", 0, 0);
    plmtex("l", 4.0, 0.5, 0.5, "mean activity in the phase [%]");
    char key[400] = "phase (text above the bars: bottleneck hints)";
    if (codes) {
        size_t o = (size_t)snprintf(key, sizeof key, "phase; hints:");
        for (int k = 0; k <= AIM_HINT_GPU_BUSY && o < sizeof key; k++)
            if (used[k])
                o += (size_t)snprintf(key + o, sizeof key - o, "%s %s = %s",
                                      o > 13 ? "," : "", hint_code(k), aim__phase_hint_word(k));
        if (o == 13)
            snprintf(key + o, sizeof key - o, " none");
    }
    char text[500];
    aim__plot_text(text, sizeof text, key);
    plmtex("b", label_px / char_h, 0.5, 0.5, text);
    aim__plot_title(st);
    char note[160];
    note[0] = 0;
    if (m->n_left_out)
        snprintf(note, sizeof note, "the first %zu of %zu phases", m->n_groups,
                 m->n_groups + m->n_left_out);
    if (m->bars_left_out)
        snprintf(note + strlen(note), sizeof note - strlen(note), "%s%zu activities left out",
                 note[0] ? "; " : "", m->bars_left_out);
    if (note[0])
        aim__plot_note(note);
    if (m->n_bars == 0) {
        aim__plot_message("no activity metric (CPU use, GPU utilisation) was kept in these phases");
    } else {
        PLFLT x0, x1, y0, y1;
        plgvpd(&x0, &x1, &y0, &y1);
        legend(m, st->width, legend_px * ts / st->height / (y1 - y0));
    }
}

int aim__plot_draw_phases(const aim_plot_phases *m, const aim_plot_style *st, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize) {
    return aim__plot_page_draw(st, path, format, draw, m, err, errsize);
}
