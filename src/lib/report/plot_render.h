/* Draws a chart model (processing/plot_model.h) into a PNG, SVG or PDF file with PLplot
 * (cairo drivers for PNG and PDF, its svg driver for SVG) (docs/decisions.md, "Visualisation"). */
#ifndef AIM_PLOT_RENDER_H
#define AIM_PLOT_RENDER_H

#include <stddef.h>

#include "processing/plot_model.h"

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

/* The plot's width in pixels inside the picture (the decimation's bucket count), for a
 * chart with n_axes y-axes. */
int aim__plot_area_width(const aim_plot_style *style, int n_axes);

/* Draws m into path. PLplot keeps its state in globals: calls are serialised by a mutex, so
 * threads may call this at once (one draws, the others wait). 0, or -errno when path cannot
 * be written (err says why). */
int aim__plot_render_file(const aim_plot_model *m, const aim_plot_style *style, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize);

#endif
