/* The correlation stage (processing/corr.h): the co-moments are allocated when the session
 * starts, fed every frame, and finished and stored when the session stops, so the report
 * reads a finished matrix. Correlation is an extra: if it cannot be set up or stored, the
 * run goes on and says so in the log. */
#include <errno.h>
#include <stdio.h>

#include "processing/corr.h"
#include "util/log.h"
#include "engine/session_internal.h"
#include "store/corr_store.h"

static int setup(aim_session *s) {
    int64_t intervals[AIM_MAX_GROUPS];
    for (int gi = 0; gi < s->n_groups; gi++)
        intervals[gi] = s->groups[gi].interval_ns;
    aim_corr_run_layout rl;
    int r = aim__corr_run_layout_init(&rl, &s->run, s->n_groups, s->main_group, intervals);
    if (r == 0) {
        r = aim__corr_new(&rl.layout, &s->corr);
        aim__corr_run_layout_clear(&rl);
    }
    if (r < 0) {
        char line[160];
        snprintf(line, sizeof line, "correlation: not kept for this run (%s)", aim_strerror(r));
        aim__session_warn(s, line);
    }
    return 0;
}

static void frame(aim_session *s, aim_tick *t) {
    aim__corr_tick(s->corr, t->group->index, t->t_rel, t->frame->values, t->frame->valid);
}

/* Stored whether or not every sample was: the matrix covers what the writer saw. */
static void stored(aim_session *s, int complete) {
    (void)complete;
    if (!s->corr)
        return;
    aim_corr_matrix *m = NULL;
    int r = aim__corr_finish(s->corr, &m);
    if (r == 0)
        r = aim__db_corr_save(s->db, s->run.id, m);
    if (r < 0)
        aim__log(AIM_LOG_WARNING, "correlation: could not store the matrix (%s); `aimeter corr` "
                "recomputes it from the samples", r == -ENOMEM ? "out of memory"
                                                               : aim__db_errmsg(s->db));
    aim__corr_matrix_free(m);
}

static void release(aim_session *s) {
    aim__corr_free(s->corr);
    s->corr = NULL;
}

const aim_stage aim_stage_corr = {
    .name = "correlation",
    .start = setup,
    .frame = frame,
    .stored = stored,
    .release = release,
};
