/* The compiled-in tables, generated at build time by tools/gen_tables.py from the CSV files
 * in data/. Only zones.c, hardware.c and the estimate source read them directly. */
#ifndef AIM_CARBON_TABLES_H
#define AIM_CARBON_TABLES_H

#include <stddef.h>

#include "aimeter.h"
#include "data/hardware.h"

/* data/zones*.csv, file after file in precedence order (data/meson.build), each file sorted
 * by code with a code's lifecycle row before its direct one: the first row that matches is
 * the one to use. Always holds an average "WORLD" row (the generator checks). */
extern const aim_zone_info aim_zone_table[];
extern const size_t aim_zone_table_count;

/* data/zones_history*.csv (zone_history.c), kept apart from aim_zone_table so that the
 * yearly history never changes what a zone lookup returns. Files in precedence order, each
 * sorted by code; one series per file and code, its years first_year .. first_year +
 * n_years - 1 at aim_zone_history_values[offset ..], -1 for a year the source lacks. */
typedef struct aim_zone_history_source {
    const char *source, *licence, *basis;
    const char *short_name; /* the source up to its first ',' or '(': "Our World in Data" */
} aim_zone_history_source;
typedef struct aim_zone_history_series {
    const char *code, *name;
    int source;             /* index into aim_zone_history_sources */
    int first_year, n_years;
    size_t offset;
} aim_zone_history_series;
extern const aim_zone_history_source aim_zone_history_sources[];
extern const aim_zone_history_series aim_zone_history_table[];
extern const size_t aim_zone_history_table_count;
extern const double aim_zone_history_values[];

/* data/cloud_regions.csv; every zone there has an average row (the generator checks). */
extern const aim_cloud_region aim_cloud_region_table[];
extern const size_t aim_cloud_region_table_count;

/* data/iso3166.csv: ISO 3166-1 alpha-3 -> alpha-2, sorted by alpha-3 (zones.c). */
typedef struct aim_iso3166 {
    const char *alpha3, *alpha2;
} aim_iso3166;
extern const aim_iso3166 aim_iso3166_table[];
extern const size_t aim_iso3166_table_count;

/* data/cpu_tdp.csv. */
extern const aim_cpu_tdp aim_cpu_tdp_table[];
extern const char aim_cpu_tdp_names[];
extern const aim_cpu_tdp_origin aim_cpu_tdp_origins[];
extern const size_t aim_cpu_tdp_table_count;

/* data/power_model.csv: the constants of the estimate model. Sources and derivations are in
 * that file and in docs/methodology.md. */
extern const double aim_pm_cpu_idle_ratio; /* idle power / full-load power of a CPU */
extern const double aim_pm_vcpu_w_min;     /* W per logical CPU at 0 % utilisation */
extern const double aim_pm_vcpu_w_max;     /* W per logical CPU at 100 % utilisation */
extern const double aim_pm_dram_w_per_gb;  /* W per GB (1e9 bytes) of memory in use */

#endif
