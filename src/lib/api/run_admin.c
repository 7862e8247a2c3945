/* The store's runs found by what users know of them (`aimeter ls` filters), removed (`aimeter
 * rm`) and the space a removal leaves given back (`aimeter gc`): aimeter.h, issue 17.
 *
 * The filters the store's one list statement has (host, start time, one tag's value, a name
 * it contains) narrow the rows read; the rest (a name pattern, the status as `ls` shows it,
 * more tags) is decided here, on the rows with their tags, so both back-ends answer alike. */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/store_error.h"
#include "model/run_tags.h"
#include "report/renderers.h"
#include "store/copy_store.h"
#include "store/db.h"
#include "store/run_admin.h"
#include "store/tags_store.h"

/* ------------------------------------------------------------------ the query */

/* One wanted tag: key (its bytes in the item), and a value or none (any value). */
typedef struct tag_want {
    char key[AIM_TAG_KEY_SIZE];
    const char *value;
} tag_want;

static int parse_tags(aim_store *store, const aim_run_query *q, tag_want *w) {
    for (size_t i = 0; i < q->n_tags; i++) {
        const char *item = q->tags ? q->tags[i] : NULL;
        if (!item) {
            aim__store_set_error(store, "tag %zu of the query is missing", i + 1);
            return -EINVAL;
        }
        const char *eq = strchr(item, '=');
        size_t klen = eq ? (size_t)(eq - item) : strlen(item);
        if (klen >= sizeof w[i].key) {
            aim__store_set_error(store, "bad tag '%s': a key is at most %d bytes", item,
                                 AIM_TAG_KEY_SIZE - 1);
            return -EINVAL;
        }
        memcpy(w[i].key, item, klen);
        w[i].key[klen] = '\0';
        if (!aim__tag_key_valid(w[i].key)) {
            aim__store_set_error(store, "bad tag '%s': KEY or KEY=VALUE, the key 1-63 of A-Z "
                                 "a-z 0-9 _ . -, starting with a letter", item);
            return -EINVAL;
        }
        w[i].value = eq ? eq + 1 : NULL;
    }
    return 0;
}

static unsigned status_bit(const aim_run_summary *run) {
    switch (run->status) {
    case AIM_RUN_RUNNING: return run->stale ? AIM_RUNS_INCOMPLETE : AIM_RUNS_RUNNING;
    case AIM_RUN_COMPLETED: return AIM_RUNS_COMPLETED;
    case AIM_RUN_FAILED: return AIM_RUNS_FAILED;
    case AIM_RUN_INTERRUPTED: return AIM_RUNS_INTERRUPTED;
    }
    return AIM_RUNS_FAILED; /* read_run_row's reading of a status it does not know */
}

static int has_glob(const char *s) { return strpbrk(s, "*?[") != NULL; }

static int tags_hold(const aim_run_summary *run, const tag_want *w, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t t = 0; t < run->n_tags && !found; t++)
            found = strcmp(run->tags[t].key, w[i].key) == 0 &&
                    (!w[i].value || strcmp(run->tags[t].value, w[i].value) == 0);
        if (!found)
            return 0;
    }
    return 1;
}

static int wanted(const aim_run_summary *run, const aim_run_query *q, const tag_want *w) {
    if (q->name && (has_glob(q->name) ? fnmatch(q->name, run->name, 0) != 0
                                      : strcmp(q->name, run->name) != 0))
        return 0;
    if (q->statuses && !(q->statuses & status_bit(run)))
        return 0;
    return tags_hold(run, w, q->n_tags);
}

static void runs_free(aim_run_summary *runs, size_t n) {
    for (size_t i = 0; i < n; i++)
        aim__run_summary_clear(&runs[i]);
    free(runs);
}

/* The runs q selects, newest first, with their tags: *ret (runs_free) and *ret_n. */
static int query_runs(aim_store *store, aim_db *db, const aim_run_query *q,
                      aim_run_summary **ret, size_t *ret_n) {
    static const aim_run_query all;
    if (!q)
        q = &all;
    if (q->n_tags > AIM_MAX_TAGS * 4) {
        aim__store_set_error(store, "%zu tags in one query: at most %d", q->n_tags,
                             AIM_MAX_TAGS * 4);
        return -EINVAL;
    }
    tag_want w[AIM_MAX_TAGS * 4];
    int r = parse_tags(store, q, w);
    if (r < 0)
        return r;
    aim_run_filter f = { .host = q->host && *q->host ? q->host : NULL,
                         .from_ns = q->since_wall_ns ? q->since_wall_ns : INT64_MIN,
                         .to_ns = q->until_wall_ns ? q->until_wall_ns - 1 : INT64_MAX };
    if (q->name && *q->name && !has_glob(q->name))
        f.name_part = q->name; /* contains: the exact test is wanted()'s */
    for (size_t i = 0; i < q->n_tags && !f.tag_key; i++)
        if (w[i].value) {
            f.tag_key = w[i].key;
            f.tag_key_len = strlen(w[i].key);
            f.tag_value = w[i].value;
        }
    /* Every criterion of the store's own: the page is then the one asked for. */
    int store_only = !q->name && !q->statuses && q->n_tags <= (f.tag_key ? 1u : 0u);
    if (store_only)
        f.limit = q->limit;
    aim_run_summary *runs = NULL;
    size_t n = 0;
    r = aim__db_list_runs_where(db, &f, &runs, &n);
    if (r == 0)
        r = aim__db_runs_tags_load(db, runs, n);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        runs_free(runs, n);
        return r;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if ((!q->limit || kept < q->limit) && wanted(&runs[i], q, w)) {
            if (kept != i) {
                runs[kept] = runs[i];
                memset(&runs[i], 0, sizeof runs[i]);
            }
            kept++;
        } else {
            aim__run_summary_clear(&runs[i]);
        }
    }
    *ret = runs;
    *ret_n = kept;
    return 0;
}

static aim_db *open_db(aim_store *store) {
    aim_db *db = aim__store_db(store);
    if (!db && store)
        aim__store_set_error(store, "store not open");
    return db;
}

static void entry_of(aim_db *db, const aim_run_summary *run, aim_run_entry *e) {
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", run->id);
    snprintf(e->name, sizeof e->name, "%s", run->name);
    snprintf(e->host, sizeof e->host, "%s", run->host);
    e->start_wall_ns = run->start_wall_ns;
    e->last_wall_ns = run->end_wall_ns ? run->end_wall_ns
                                       : run->start_wall_ns + run->duration_ns;
    e->status = status_bit(run);
    e->here = aim__store_host_is_here(db, run->host);
}

int aim_store_find_runs(aim_store *store, const aim_run_query *q, aim_run_entry **ret,
                        size_t *ret_n) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    if (!ret || !ret_n) {
        aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    aim_run_summary *runs = NULL;
    size_t n = 0;
    int r = query_runs(store, db, q, &runs, &n);
    if (r < 0)
        return r;
    aim_run_entry *out = n ? calloc(n, sizeof *out) : NULL;
    if (n && !out) {
        runs_free(runs, n);
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        entry_of(db, &runs[i], &out[i]);
    runs_free(runs, n);
    *ret = out;
    *ret_n = n;
    return 0;
}

int aim_store_list_runs_where(aim_store *store, const aim_run_query *q, aim_format format,
                              char **ret_text) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    if (!ret_text) {
        aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    int r = aim__store_check_format(store, AIM_OUTPUT_RUNS, format);
    if (r < 0)
        return r;
    aim_run_summary *runs = NULL;
    size_t n = 0;
    r = query_runs(store, db, q, &runs, &n);
    if (r < 0)
        return r;
    aim_render_runs in = { .runs = runs, .n = n };
    r = aim__render(AIM_OUTPUT_RUNS, format, &in, ret_text);
    if (r < 0)
        aim__store_set_error(store, "cannot render the list of runs as %s: %s",
                             aim__render_format_name(format), aim_strerror(r));
    runs_free(runs, n);
    return r;
}

/* ------------------------------------------------------------------ what leans on a run */

int aim_store_run_dependents(aim_store *store, const char *run_id, aim_run_entry **ret,
                             size_t *ret_n) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    if (!run_id || !ret || !ret_n) {
        aim__store_set_error(store, "no run or no output given");
        return -EINVAL;
    }
    char (*ids)[40] = NULL;
    size_t n = 0;
    int r = aim__store_idle_dependents(db, run_id, &ids, &n);
    aim_run_entry *out = n ? calloc(n, sizeof *out) : NULL;
    if (r == 0 && n && !out)
        r = aim__db_set_error(db, -ENOMEM, "out of memory");
    for (size_t i = 0; r == 0 && i < n; i++) {
        aim_run_summary run;
        r = aim__db_load_summary(db, ids[i], &run);
        if (r == 0) {
            entry_of(db, &run, &out[i]);
            aim__run_summary_clear(&run);
        }
    }
    free(ids);
    if (r < 0) {
        free(out);
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    *ret = out;
    *ret_n = n;
    return 0;
}

/* ------------------------------------------------------------------ removing runs */

static int listed(const char *const *ids, size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

/* Why run (one of ids[0..n)) may not go without a flag: 0 it may, else -EPERM with the
 * store's message saying why. A run being recorded here has a live process; one recorded
 * elsewhere cannot be checked from here, so only its stored status speaks. */
static int removal_refused(aim_store *store, aim_db *db, const aim_run_summary *run,
                           const char *const *ids, size_t n, unsigned flags) {
    if (!(flags & AIM_REMOVE_RUNNING) && run->status == AIM_RUN_RUNNING && !run->stale) {
        if (aim__store_host_is_here(db, run->host))
            aim__store_set_error(store, "run %s is still being recorded on this machine "
                                 "(its aimeter process is alive): nothing removed", run->id);
        else
            aim__store_set_error(store, "run %s says it is still being recorded, on %s (which "
                                 "cannot be checked from here): nothing removed", run->id,
                                 run->host[0] ? run->host : "an unknown host");
        return -EPERM;
    }
    if (flags & AIM_REMOVE_BASELINE)
        return 0;
    char (*deps)[40] = NULL;
    size_t nd = 0;
    int r = aim__store_idle_dependents(db, run->id, &deps, &nd);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    size_t staying = 0;
    const char *first = NULL;
    for (size_t i = 0; i < nd; i++)
        if (!listed(ids, n, deps[i])) {
            first = first ? first : deps[i];
            staying++;
        }
    if (staying) {
        char more[48] = "";
        if (staying > 1)
            snprintf(more, sizeof more, " and %zu more", staying - 1);
        aim__store_set_error(store, "run %s is the idle baseline of run %s%s, whose report%s "
                             "subtract%s its power: nothing removed", run->id, first, more,
                             staying > 1 ? "s" : "", staying > 1 ? "" : "s");
        r = -EPERM;
    }
    free(deps);
    return r;
}

int aim_store_remove_runs(aim_store *store, const char *const *run_ids, size_t n,
                          unsigned flags, aim_run_entry_fn removed, void *userdata) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    if ((n && !run_ids) || (flags & ~(AIM_REMOVE_RUNNING | AIM_REMOVE_BASELINE |
                                      AIM_REMOVE_DRY_RUN))) {
        aim__store_set_error(store, n && !run_ids ? "no runs given" : "unknown flags %#x",
                             flags);
        return -EINVAL;
    }
    /* Every run checked before any goes: a typo, or one run still being recorded, removes
     * nothing. What is said of each is read then. */
    aim_run_entry *entries = n ? calloc(n, sizeof *entries) : NULL;
    if (n && !entries) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (!run_ids[i] || !*run_ids[i]) {
            aim__store_set_error(store, "run %zu of the list has no id", i + 1);
            r = -EINVAL;
            break;
        }
        if (listed(run_ids, i, run_ids[i]))
            continue;
        aim_run_summary run;
        r = aim__db_load_summary(db, run_ids[i], &run);
        if (r < 0) {
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
            break;
        }
        r = removal_refused(store, db, &run, run_ids, n, flags);
        entry_of(db, &run, &entries[i]);
        aim__run_summary_clear(&run);
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (listed(run_ids, i, run_ids[i]))
            continue;
        if (!(flags & AIM_REMOVE_DRY_RUN) && (r = aim__store_drop_run(db, run_ids[i])) < 0) {
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
            break;
        }
        if (removed)
            removed(userdata, &entries[i]);
    }
    free(entries);
    return r;
}

/* ------------------------------------------------------------------ space */

int aim_store_reclaim(aim_store *store, unsigned flags, aim_reclaim_stats *ret) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    if (flags & ~AIM_RECLAIM_VACUUM) {
        aim__store_set_error(store, "unknown flags %#x", flags);
        return -EINVAL;
    }
    aim_store_space before, after;
    int r = aim__store_space(db, &before);
    after = before;
    if (r == 0 && (flags & AIM_RECLAIM_VACUUM))
        r = aim__store_vacuum(db);
    if (r == 0 && (flags & AIM_RECLAIM_VACUUM))
        r = aim__store_space(db, &after);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    if (ret)
        *ret = (aim_reclaim_stats){ .size_before = before.size_bytes,
                                    .free_before = before.free_bytes,
                                    .size_after = after.size_bytes };
    return 0;
}
