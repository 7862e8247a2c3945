/* aimeter whatif: a stored run's energy re-priced in other zones (aim_whatif_render in
 * aimeter.h). This file checks the options, loads the run and the scenarios' series (zone
 * table, intensity file), replays the stored samples through the pricer
 * (engine/whatif_replay.h over processing/whatif.h) and hands the result to
 * report/whatif_report.h. */
#include "api/whatif.h"

#include "api/store_error.h"
#include "engine/whatif_replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/carbon.h"
#include "providers/intensity_file.h"
#include "data/zone_history.h"
#include "report/whatif_report.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

#define MAX_ZONES AIM_WHATIF_MAX_ZONES

/* ------------------------------------------------------------------ scenarios */

struct aim_whatif_job {
    aim_run_summary run;
    aim_whatif_scenario sc[MAX_ZONES + 2];
    size_t n_sc;
    aim_intensity_point run_point;   /* for a run that stored no series (cannot happen after
                                        migration 2, kept for a hand-made store) */
    aim_intensity_point zone_points[MAX_ZONES];
    aim_step_file file;
    double pue;
    int pue_is_runs;
    aim_whatif_totals tot;
};
typedef aim_whatif_job whatif_req;

int aim__whatif_add_zones(aim_store *store, const char *zones, int64_t start_wall_ns,
                         aim_intensity_point *points, aim_whatif_scenario *sc, size_t *n_sc) {
    size_t nz = 0;
    for (const char *p = zones; p && *p;) {
        size_t len = strcspn(p, ",");
        char code[64];
        while (len && (*p == ' '))
            p++, len--;
        size_t l = len;
        while (l && p[l - 1] == ' ')
            l--;
        if (l == 0 || l >= sizeof code) {
            aim__store_set_error(store, "bad zone list '%s': comma-separated zone codes", zones);
            return -EINVAL;
        }
        memcpy(code, p, l);
        code[l] = '\0';
        /* "FR", "FR@2010", "PL@marginal", "aws:us-east-1@2023" (zone_history.h). */
        aim_zone_spec spec;
        char err[320];
        if (aim__zone_spec_resolve(code, l, &spec, err, sizeof err) < 0) {
            aim__store_set_error(store, "%s", err);
            return -EINVAL;
        }
        if (nz == MAX_ZONES) {
            aim__store_set_error(store, "at most %d zones at a time", MAX_ZONES);
            return -EINVAL;
        }
        aim__whatif_zone_scenario(&spec, code, start_wall_ns, &points[nz++], &sc[(*n_sc)++]);
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int add_file(whatif_req *q, aim_store *store, const char *path) {
    char err[512];
    int r = aim__step_file_load(path, 1, &q->file, err, sizeof err);
    if (r < 0) {
        aim__store_set_error(store, "%s", err);
        return r;
    }
    aim_whatif_scenario *s = &q->sc[q->n_sc++];
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    aim__bprintf(s->label, sizeof s->label, "%s", base);
    aim__bprintf(s->name, sizeof s->name, "file, %zu point%s", q->file.n, q->file.n == 1 ? "" : "s");
    s->points = q->file.points;
    s->n = q->file.n;
    s->signal = q->file.has_signal ? q->file.signal : AIM_SIGNAL_AVERAGE;
    s->basis = AIM_BASIS_UNKNOWN;
    aim__bprintf(s->source, sizeof s->source, "file %s, aligned to the run's wall clock", path);
    return 0;
}

int aim__whatif_check_options(aim_store *store, aim_output out, aim_format format, double pue) {
    int r = aim__store_check_format(store, out, format);
    if (r < 0)
        return r;
    if (pue != 0 && !(pue >= 1.0 && pue <= 5.0)) {
        aim__store_set_error(store, "PUE must be between 1.0 and 5.0");
        return -EINVAL;
    }
    return 0;
}

int aim_whatif_render(aim_store *store, const char *run_id, const char *zones,
                      const char *intensity_file, double pue, aim_format format,
                      char **ret_text) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !ret_text) {
        if (store)
            aim__store_set_error(store, db ? "no run or no output given" : "store not open");
        return -EINVAL;
    }
    int rc = aim__whatif_check_options(store, AIM_OUTPUT_WHATIF, format, pue);
    if (rc < 0)
        return rc;
    if ((!zones || !*zones) && !intensity_file) {
        aim__store_set_error(store, "no zone and no intensity file to compare with");
        return -EINVAL;
    }
    aim_whatif_job *q;
    aim_whatif_result res;
    int r = aim__whatif_job_run(store, run_id, zones, intensity_file, pue, &q, &res);
    if (r == 0)
        r = aim__render(AIM_OUTPUT_WHATIF, format, &res, ret_text);
    if (r == -ENOMEM)
        aim__store_set_error(store, "out of memory");
    aim__whatif_job_free(q);
    return r;
}

void aim__whatif_job_free(aim_whatif_job *q) {
    if (!q)
        return;
    aim__step_file_clear(&q->file);
    aim__run_summary_clear(&q->run);
    free(q);
}

int aim__whatif_job_run(aim_store *store, const char *run_id, const char *zones,
                        const char *intensity_file, double pue, aim_whatif_job **ret,
                        aim_whatif_result *ret_res) {
    aim_db *db = aim__store_db(store);
    *ret = NULL;
    whatif_req *q = calloc(1, sizeof *q);
    if (!q) {
        aim__store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    int r = aim__db_load_summary(db, run_id, &q->run);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    if (r == 0) {
        q->pue_is_runs = pue == 0;
        q->pue = aim__whatif_pue(pue, &q->run);
        aim__whatif_run_scenario(&q->run, &q->run_point, &q->sc[q->n_sc++]);
        r = aim__whatif_add_zones(store, zones, q->run.start_wall_ns, q->zone_points, q->sc,
                                  &q->n_sc);
    }
    if (r == 0 && intensity_file)
        r = add_file(q, store, intensity_file);
    if (r == 0) {
        r = aim__whatif_replay(db, &q->run, q->pue, q->sc, q->n_sc, &q->tot);
        if (r < 0)
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
    }
    if (r < 0) {
        aim__whatif_job_free(q);
        return r;
    }
    *ret_res = (aim_whatif_result){ .run = &q->run, .sc = q->sc, .n_sc = q->n_sc,
                                    .pue = q->pue, .pue_is_runs = q->pue_is_runs,
                                    .tot = q->tot };
    *ret = q;
    return 0;
}
