/* The drawings of aimeter plot's kinds other than the time series (report/plot_render.h):
 * one file each (report/plot_draw_KIND.c), all on the page of report/plot_page.h. Each draws
 * its model (processing/plot_KIND.h) into path: 0, or -errno when path cannot be written (err
 * says why). */
#ifndef AIM_PLOT_DRAW_H
#define AIM_PLOT_DRAW_H

#include <stddef.h>

#include "processing/plot_corr.h"
#include "processing/plot_cumulative.h"
#include "processing/plot_phases.h"
#include "processing/plot_scatter.h"
#include "processing/plot_zones.h"
#include "report/plot_page.h"

int aim__plot_draw_phases(const aim_plot_phases *m, const aim_plot_style *st, const char *path,
                          aim_plot_file_format format, char *err, size_t errsize);

int aim__plot_draw_scatter(const aim_plot_scatter *m, const aim_plot_style *st,
                           const char *path, aim_plot_file_format format, char *err,
                           size_t errsize);

int aim__plot_draw_corr(const aim_plot_corr *m, const aim_plot_style *st, const char *path,
                        aim_plot_file_format format, char *err, size_t errsize);

int aim__plot_draw_cumulative(const aim_plot_cumulative *m, const aim_plot_style *st,
                              const char *path, aim_plot_file_format format, char *err,
                              size_t errsize);

int aim__plot_draw_zones(const aim_plot_zones *m, const aim_plot_style *st, const char *path,
                         aim_plot_file_format format, char *err, size_t errsize);

/* A character's width in pixels at relative text size 1, about: what decides whether a label
 * fits across or is written upright. */
#define AIM_PLOT_CHAR_PX 12.5

#endif
