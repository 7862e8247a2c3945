/* The metrics a chart names (-m), resolved against a run's series (api/plot_kinds.h). */
#include <errno.h>
#include <string.h>

#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "util/strbuf.h"

/* "unknown metric 'X'; this run has: a, b, c[0-15]": consecutive instances of one metric
 * given as a range so that the list fits the one-line message. */
int aim__plot_unknown_metric(aim_store *store, const aim_run_summary *run, const char *name) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_printf(&b, "unknown metric '%s'; this run has: ", name);
    if (run->n_series == 0)
        aim__strbuf_append(&b, "no series");
    for (int i = 0; i < run->n_series; i++) {
        const aim_series_summary *s = &run->series[i];
        char key[128];
        aim__api_series_key(run, s, key, sizeof key);
        int j = i;
        if (s->instance >= 0) {
            while (j + 1 < run->n_series && run->series[j + 1].device == s->device &&
                   run->series[j + 1].instance == run->series[j].instance + 1 &&
                   strcmp(run->series[j + 1].metric_key, s->metric_key) == 0)
                j++;
            if (j > i)
                *strrchr(key, '[') = 0;
        }
        aim__strbuf_append(&b, i ? ", " : "");
        if (j > i)
            aim__strbuf_printf(&b, "%s[%d-%d]", key, s->instance, run->series[j].instance);
        else
            aim__strbuf_append(&b, key);
        i = j;
    }
    /* the store's message holds 511 bytes: a longer list is cut, and says so */
    const char *all = " (aimeter export --columns lists them)";
    if (!b.err && b.len > 500 - strlen(all)) {
        b.len = 500 - strlen(all) - 4;
        aim__strbuf_append(&b, " ...");
    }
    aim__strbuf_append(&b, all);
    aim__store_set_error(store, "%s", b.err ? "unknown metric" : b.data);
    aim__strbuf_free(&b);
    return -EINVAL;
}

int aim__plot_metric_list(aim_store *store, const aim_run_summary *run, const char *list,
                          int *ret, int max, int *ret_n) {
    const char *p = list;
    int n = 0;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[160];
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len == 0 || len >= sizeof name) {
            aim__store_set_error(store, "bad metric list '%s': names separated by commas",
                                 list);
            return -EINVAL;
        }
        memcpy(name, p, len);
        name[len] = 0;
        int found = -1;
        for (int i = 0; i < run->n_series && found < 0; i++) {
            char key[128];
            aim__api_series_key(run, &run->series[i], key, sizeof key);
            if (strcmp(key, name) == 0)
                found = i;
        }
        if (found < 0)
            return aim__plot_unknown_metric(store, run, name);
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= ret[k] == found;
        if (!dup && n < max)
            ret[n++] = found;
        if (!end)
            break;
        p = end + 1;
    }
    if (n == 0) {
        aim__store_set_error(store, "no metric given");
        return -EINVAL;
    }
    *ret_n = n;
    return 0;
}
