/* aimeter compare: runs side by side, or groups of runs by a tag (aim_compare_render in
 * aimeter.h). This file checks the options, finds the runs and loads their summaries,
 * workload and tags from the store; processing/compare.c builds the table and
 * report/compare_report.c lays it out as text, Markdown, JSON or CSV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/run_tags.h"
#include "processing/compare.h"
#include "report/compare_report.h"
#include "util/strbuf.h"
#include "store/db.h"
#include "api/store_error.h"
#include "store/tags_store.h"

/* Enough for a sweep; a table wider than this is not read by anyone. */
#define MAX_COMPARE 256

static int load_run(aim_db *db, aim_store *store, const char *id, aim_run_summary *run) {
    int r = aim__db_load_summary(db, id, run);
    if (r >= 0)
        r = aim__db_workload_load(db, id, run->n_devices, &run->workload);
    if (r >= 0)
        r = aim__db_run_tags_load(db, id, &run->tags, &run->n_tags);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    return r < 0 ? r : 0;
}


int aim_compare_render(aim_store *store, const char *const *run_ids, size_t n_runs,
                       const char *baseline, const char *by_tag, aim_format format,
                       char **ret_text) {
    aim_db *db = aim__store_db(store);
    if (!db || !ret_text || (n_runs && !run_ids)) {
        if (store)
            aim__store_set_error(store, db ? "no runs or no output given" : "store not open");
        return -EINVAL;
    }
    int rc = aim__store_check_format(store, AIM_OUTPUT_COMPARE, format);
    if (rc < 0)
        return rc;
    if (by_tag && !aim__tag_key_valid(by_tag)) {
        aim__store_set_error(store, "bad tag key '%s': 1-63 of A-Z a-z 0-9 _ . -, starting with "
                            "a letter", by_tag);
        return -EINVAL;
    }
    /* The list of ids: as given, the baseline first when it is not among them, or every run
     * with the tag. */
    char (*tagged)[40] = NULL;
    size_t n_tagged = 0;
    if (n_runs == 0 && by_tag) {
        int r = aim__db_runs_with_tag(db, by_tag, &tagged, &n_tagged);
        if (r < 0) {
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
            return r;
        }
        if (n_tagged == 0) {
            aim__store_set_error(store, "no run has the tag '%s' (aimeter run --tag %s=VALUE)",
                                by_tag, by_tag);
            free(tagged);
            return -ENOENT;
        }
    }
    size_t n_given = n_runs ? n_runs : n_tagged;
    if (n_given == 0) {
        aim__store_set_error(store, "no runs to compare");
        return -EINVAL;
    }
    const char **ids = calloc(n_given + 1, sizeof *ids);
    aim_run_summary *runs = NULL;
    size_t n_loaded = 0, base = 0;
    aim_compare_result q = { 0 };
    int r = ids ? 0 : -ENOMEM;
    size_t n = 0;
    if (r == 0 && baseline) {
        int found = 0;
        for (size_t i = 0; i < n_given; i++)
            found |= strcmp(n_runs ? run_ids[i] : tagged[i], baseline) == 0;
        if (!found)
            ids[n++] = baseline;
    }
    for (size_t i = 0; r == 0 && i < n_given; i++) {
        const char *id = n_runs ? run_ids[i] : tagged[i];
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(ids[k], id) == 0;
        if (!dup)
            ids[n++] = id;
    }
    if (r == 0 && n > MAX_COMPARE) {
        aim__store_set_error(store, "at most %d runs at a time", MAX_COMPARE);
        r = -EINVAL;
    }
    if (r == 0) {
        runs = calloc(n, sizeof *runs);
        if (!runs)
            r = -ENOMEM;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = load_run(db, store, ids[i], &runs[i]);
        n_loaded = i + 1;
        if (baseline && strcmp(ids[i], baseline) == 0)
            base = i;
    }
    if (r == 0)
        r = aim__compare_compute(runs, n_loaded, base, by_tag, &q);
    if (r == 0) {
        r = aim__render(AIM_OUTPUT_COMPARE, format, &q, ret_text);
    }
    if (r == -ENOMEM)
        aim__store_set_error(store, "out of memory");
    aim__compare_result_free(&q);
    for (size_t i = 0; i < n_loaded; i++)
        aim__run_summary_clear(&runs[i]);
    free(runs);
    free(ids);
    free(tagged);
    return r;
}
