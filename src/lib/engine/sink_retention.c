/* Retention (docs/retention.md): after the store's commit, when one is due, one bounded pass
 * that deletes the run's rows older than the retention and one per rate group that replaces
 * old raw samples by per-bucket means. On the writer thread, never the sampler's: a pass
 * delays the writer's next commit by at most its own few milliseconds, and the rings hold
 * seconds of ticks. A pass that found work makes the next commit run another, so a backlog
 * (a store opened with an old run's chunks) is worked off between commits. */
#include <stdio.h>

#include "engine/session_internal.h"
#include "engine/sink.h"
#include "util/numfmt.h"

/* The bounds of one pass: rows per table for pruning, chunks per group for downsampling
 * (a chunk is about a second of samples). */
#define PRUNE_ROWS 512
#define DOWNSAMPLE_CHUNKS 64
/* Passes are due every tenth of the shorter duration configured, at most once a minute. */
#define PERIOD_MAX_NS 60000000000LL

static int64_t period(const aim_config *c) {
    int64_t d = c->retain_ns;
    if (c->downsample_after_ns && (!d || c->downsample_after_ns < d))
        d = c->downsample_after_ns;
    return d / 10 < PERIOD_MAX_NS ? d / 10 : PERIOD_MAX_NS;
}

/* The run says once, with its warnings (the report shows them), that its oldest samples
 * are gone or coarser. */
static void say_applied(aim_session *s) {
    if (s->retention_said)
        return;
    s->retention_said = 1;
    const aim_config *c = &s->cfg;
    char line[256] = "store: retention:", d[48];
    if (c->retain_ns) {
        aim__fmt_duration(d, sizeof d, c->retain_ns);
        aim__bappendf(line, sizeof line,
                      " samples, closed phases, marks and records older than %s deleted;", d);
    }
    if (c->downsample_after_ns) {
        char step[48];
        aim__fmt_duration(d, sizeof d, c->downsample_after_ns);
        aim__fmt_duration(step, sizeof step, c->downsample_step_ns);
        aim__bappendf(line, sizeof line, " samples older than %s kept as %s means;", d, step);
    }
    aim__bappendf(line, sizeof line, " run totals are exact");
    aim__session_warn(s, line);
}

static void note_failure(aim_session *s, int r) {
    if (r >= 0 || s->retention_failed)
        return;
    s->retention_failed = 1;
    char line[700];
    snprintf(line, sizeof line, "store: retention pass failed (%s); will retry",
             aim__db_errmsg(s->db));
    aim__session_warn(s, line);
}

static void commit(aim_session *s) {
    const aim_config *c = &s->cfg;
    if ((!c->retain_ns && !c->downsample_after_ns) || !s->run_recorded || s->writer_error)
        return;
    int64_t now = aim__mono_ns();
    if (now < s->retention_due_ns)
        return;
    /* The run's time as its chunks count it: the latest tick written. */
    int64_t t = s->groups[s->main_group].last_t;
    int more = 0, did = 0;
    if (c->retain_ns && t > c->retain_ns) {
        int n = aim__db_prune_before(s->db, s->run.id, t - c->retain_ns, PRUNE_ROWS);
        note_failure(s, n);
        more |= n >= PRUNE_ROWS;
        did |= n > 0;
    }
    for (int gi = 0; c->downsample_after_ns && t > c->downsample_after_ns && gi < s->n_groups;
         gi++) {
        int n = aim__db_downsample(s->db, s->run.id, s->groups[gi].index,
                                  t - c->downsample_after_ns, c->downsample_step_ns,
                                  DOWNSAMPLE_CHUNKS);
        note_failure(s, n);
        more |= n > 0;
        did |= n > 0;
    }
    if (did)
        say_applied(s);
    s->retention_due_ns = more ? now : now + period(c);
}

const aim_sink aim_sink_retention = {
    .name = "retention",
    .commit = commit,
};
