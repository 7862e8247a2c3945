/* aimeter zones CODE --years: the yearly figures a zone has, i.e. what `whatif --zones
 * CODE@YEAR` prices with (aim_zone_history_lookup), one row per year. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define FIRST_YEAR 1990 /* before any table's first year */
#define LAST_YEAR 2100
#define MAX_SOURCES 8

/* Index of source in list (added when new; MAX_SOURCES - 1 for the overflow). */
static int source_index(const char **list, int *n, const char *source) {
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i], source) == 0)
            return i;
    if (*n == MAX_SOURCES)
        return MAX_SOURCES - 1;
    list[*n] = source;
    return (*n)++;
}

int cli_zones_years(FILE *f, const char *code, int json) {
    const aim_zone_info *current = NULL;
    int years = 0;
    if (aim_zone_lookup(code, &current) < 0)
        current = NULL;
    const char *sources[MAX_SOURCES], *licences[MAX_SOURCES];
    int n_sources = 0;
    if (json)
        fputc('[', f);
    for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
        aim_zone_info row;
        if (aim_zone_history_lookup(code, y, &row) < 0)
            continue;
        if (json) {
            fprintf(f, "%s{\"code\":", years ? "," : "");
            cli_json_string(f, row.code);
            fprintf(f, ",\"year\":%d,\"g_per_kwh\":%.15g,\"signal\":", y, row.g_per_kwh);
            cli_json_string(f, row.signal);
            fputs(",\"basis\":", f);
            cli_json_string(f, row.basis);
            fputs(",\"source\":", f);
            cli_json_string(f, row.source);
            fputs(",\"licence\":", f);
            cli_json_string(f, row.licence);
            fputc('}', f);
        } else {
            if (!years)
                fprintf(f, "%s  %s: average intensity by year (what whatif --zones %s@YEAR "
                           "uses)\n\nYear  g CO2e/kWh  Basis      Source\n",
                        row.code, row.name ? row.name : "", code);
            int k = source_index(sources, &n_sources, row.source ? row.source : "");
            licences[k] = row.licence ? row.licence : "";
            fprintf(f, "%d  %10.1f  %-9s  [%d]%s\n", y, row.g_per_kwh, row.basis, k + 1,
                    current && current->year == y && current->g_per_kwh == row.g_per_kwh
                        ? "  (the row --zone uses)"
                        : "");
        }
        years++;
    }
    if (json)
        fputs("]\n", f);
    else if (years) {
        fputc('\n', f);
        for (int k = 0; k < n_sources; k++)
            fprintf(f, "[%d] %s (%s)\n", k + 1, sources[k], licences[k]);
    }
    return years;
}
