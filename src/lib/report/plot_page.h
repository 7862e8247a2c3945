/* What every kind of aimeter plot shares (docs/decisions.md, "Visualisation"): the file
 * format, the picture's style, the palette, PLplot's page set-up and its mutex, text
 * escaping and margins. Each kind's drawing (report/plot_render.c, report/plot_draw_*.c) is
 * a callback run on a page opened here; none calls plinit or plend itself. */
#ifndef AIM_PLOT_PAGE_H
#define AIM_PLOT_PAGE_H

#include <stddef.h>

typedef enum aim_plot_file_format {
    AIM_PLOT_PNG,
    AIM_PLOT_SVG,
    AIM_PLOT_PDF,
} aim_plot_file_format;

/* The format a path's extension names (.png, .svg, .pdf, any case): 0, or -EOPNOTSUPP. */
int aim__plot_format_from_path(const char *path, aim_plot_file_format *ret);

typedef struct aim_plot_style {
    int width, height;          /* pixels (a PDF or SVG page of that many points at 72 dpi) */
    int dpi;                    /* scales the text */
    const char *title;
} aim_plot_style;

/* Colour map 0 as every kind sets it: the Okabe-Ito colours from AIM_PLOT_COL_SERIES. */
#define AIM_PLOT_PALETTE 8
enum {
    AIM_PLOT_COL_BG, AIM_PLOT_COL_FG, AIM_PLOT_COL_SERIES,
    AIM_PLOT_COL_BAND = AIM_PLOT_COL_SERIES + AIM_PLOT_PALETTE, /* translucent greys */
    AIM_PLOT_COL_BAND2,
    AIM_PLOT_COL_NOTE,          /* dark grey text */
    AIM_PLOT_COL_UNDEF,         /* light grey: a cell with no value */
    AIM_PLOT_COL_GRID,          /* light grey lines */
    AIM_PLOT_COL_POINT,         /* translucent blue: dense points show as darker */
    AIM_PLOT_N_COLOURS
};

/* The Okabe-Ito colour i (0-7) as RGB, for colour map 1's ends. */
void aim__plot_palette_rgb(int i, int rgb[3]);

/* Draws into the page opened for one picture; model is the kind's. */
typedef void (*aim_plot_draw_fn)(const void *model, const aim_plot_style *style);

/* Draws a PLplot page of st's size in format: the palette and text size set, draw run, the
 * page closed. The page goes to a new file beside path (made first, as PLplot exits the
 * process when it cannot open its output) renamed onto path once complete, so an existing
 * chart is replaced only by a whole one (a link is written through; the chart keeps its
 * mode). PLplot keeps its state in globals: calls are serialised by one mutex, so threads
 * may call this at once. 0, or -errno when path cannot be written (err says why). */
int aim__plot_page_draw(const aim_plot_style *st, const char *path, aim_plot_file_format format,
                        aim_plot_draw_fn draw, const void *model, char *err, size_t errsize);

/* Inside a draw callback: the text scale (dpi / 100) and plschr relative to it. */
double aim__plot_text_scale(void);
void aim__plot_text_size(double relative);

/* One line of text at size 1 (plmtex's unit) in pixels: the text follows the picture's size
 * and dpi, and so do the margins laid out in lines. Needs no open page. */
double aim__plot_line_px(const aim_plot_style *st);

/* plmtex with the displacement from the viewport's edge in pixels (to the text's reference
 * line, as plmtex's), whatever the current character size: text of several sizes stacked
 * above or under a plot keeps its distances. */
void aim__plot_mtex_px(const char *side, double px, double pos, double just, const char *text);

/* The current viewport's size in pixels. */
void aim__plot_viewport_px(double *width, double *height);

/* The width of text at the current character size, in pixels, estimated (PLplot's plstrl is
 * not public). */
double aim__plot_text_px(const char *text);

/* s with PLplot's escape character '#' doubled, so that it is printed as written. */
void aim__plot_text(char *out, size_t size, const char *s);

/* The viewport from margins in pixels at 100 dpi (the text does not grow with the picture,
 * so neither do the margins), each clamped to max_share of the picture. */
void aim__plot_viewport(const aim_plot_style *st, double left_px, double right_px,
                        double bottom_px, double top_px);

/* The title above the viewport (st->title, escaped); _at: disp character heights above it
 * (aim__plot_title: 2.3, clear of aim__plot_note). */
void aim__plot_title(const aim_plot_style *st);
void aim__plot_title_at(const aim_plot_style *st, double disp);

/* A note above the viewport's top right corner ("min/max of ..."), small and grey. */
void aim__plot_note(const char *note);

/* A note in the picture's bottom right corner, under everything (the viewport is the whole
 * page afterwards). */
void aim__plot_corner_note(const char *note);

/* A message in the middle of the viewport ("no samples in this window"). */
void aim__plot_message(const char *text);

#endif
