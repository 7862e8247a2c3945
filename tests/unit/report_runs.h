/* Hand-made run summaries shared by the report model's and the renderers' tests
 * (test_report_model.c and the renderers' tests: test_text.c, test_json.c, test_markdown.c,
 * test_runs.c, test_renderers.c, test_util_numfmt.c). */
#ifndef AIM_TEST_REPORT_RUNS_H
#define AIM_TEST_REPORT_RUNS_H

#include <stddef.h>

#include "processing/summary.h"

void set(char *dst, size_t len, const char *src);
#define SET(field, text) set((field), sizeof(field), (text))

/* A completed 43 s run named llama-infer with room for n_devices and n_series. */
void base_run(aim_run_summary *r, int n_devices, int n_series);
int add_device(aim_run_summary *r, const char *name, aim_device_kind kind, const char *model);
void set_energy(aim_run_summary *r, int dev, double j, aim_method m, const char *detail,
                int in_total);
aim_series_summary *add_series(aim_run_summary *r, int dev, aim_metric_id metric, int instance,
                               double mean, double max, double min, double mode);
/* A laptop-style run: no sensor, CPU and DRAM energy estimated (6737.62 J in total). */
void host_only_run(aim_run_summary *r);
/* Two sockets measured by RAPL, psys shown but not added, devices out of order. */
void rapl_run(aim_run_summary *r);

#endif
