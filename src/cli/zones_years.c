/* aimeter zones CODE --years: the yearly figures a zone has, i.e. what `whatif --zones
 * CODE@YEAR` prices with (aim_zone_history_lookup), one row per year. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/json.h"
#include "util/numfmt.h"

static void json_str(aim_strbuf *b, const char *s) { aim__json_append_str(b, s, (size_t)-1); }

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

int cli_zones_years(aim_strbuf *f, const char *code, int json) {
    const aim_zone_info *current = NULL;
    int years = 0;
    if (aim_zone_lookup(code, &current) < 0)
        current = NULL;
    const char *sources[MAX_SOURCES], *licences[MAX_SOURCES];
    int n_sources = 0;
    if (json)
        aim__strbuf_putc(f, '[');
    for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
        aim_zone_info row;
        if (aim_zone_history_lookup(code, y, &row) < 0)
            continue;
        if (json) {
            aim__strbuf_printf(f, "%s{\"code\":", years ? "," : "");
            json_str(f, row.code);
            aim__strbuf_printf(f, ",\"year\":%d,\"g_per_kwh\":", y);
            aim__json_append_real(f, row.g_per_kwh, 15);
            aim__strbuf_append(f, ",\"signal\":");
            json_str(f, row.signal);
            aim__strbuf_append(f, ",\"basis\":");
            json_str(f, row.basis);
            aim__strbuf_append(f, ",\"source\":");
            json_str(f, row.source);
            aim__strbuf_append(f, ",\"licence\":");
            json_str(f, row.licence);
            aim__strbuf_putc(f, '}');
        } else {
            if (!years)
                aim__strbuf_printf(f, "%s  %s: average intensity by year (what whatif --zones "
                                     "%s@YEAR uses)\n\nYear  g CO2e/kWh  Basis      Source\n",
                                  row.code, row.name ? row.name : "", code);
            int k = source_index(sources, &n_sources, row.source ? row.source : "");
            licences[k] = row.licence ? row.licence : "";
            char g[AIM_NUM_MAX];
            aim__strbuf_printf(f, "%d  %10s  %-9s  [%d]%s\n", y, aim__fmt_fixed(g, row.g_per_kwh, 1),
                              row.basis, k + 1,
                              current && current->year == y && current->g_per_kwh == row.g_per_kwh
                                  ? "  (the row --zone uses)"
                                  : "");
        }
        years++;
    }
    if (json)
        aim__strbuf_append(f, "]\n");
    else if (years) {
        aim__strbuf_putc(f, '\n');
        for (int k = 0; k < n_sources; k++)
            aim__strbuf_printf(f, "[%d] %s (%s)\n", k + 1, sources[k], licences[k]);
    }
    return years;
}
