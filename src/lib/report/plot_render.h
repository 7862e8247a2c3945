/* Draws a chart model (processing/plot_model.h) into a PNG, SVG or PDF file with PLplot
 * (cairo drivers for PNG and PDF, its svg driver for SVG) (docs/decisions.md, "Visualisation"). */
#ifndef AIM_PLOT_RENDER_H
#define AIM_PLOT_RENDER_H

#include <stddef.h>

#include "processing/plot_model.h"
#include "report/plot_page.h"

/* The plot's width in pixels inside the picture (the decimation's bucket count), for a
 * chart with n_axes y-axes. */
int aim__plot_area_width(const aim_plot_style *style, int n_axes);

/* Draws m into path on a page of report/plot_page.h (serialised by its mutex). 0, or -errno
 * when path cannot be written (err says why). */
int aim__plot_render_file(const aim_plot_model *m, const aim_plot_style *style, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize);

/* --layout categories: the models stacked as panels top to bottom, each named (names[i]:
 * "Energy") with its legend under it, sharing the time axis; left_out: metrics in no panel,
 * said in a note. 0, or -errno when path cannot be written. */
int aim__plot_render_panels(const aim_plot_model *const *models, const char *const *names,
                            int n, size_t left_out, const aim_plot_style *st, const char *path,
                            aim_plot_file_format format, char *err, size_t errsize);

#endif
