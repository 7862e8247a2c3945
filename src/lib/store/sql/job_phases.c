/* The job's phases copied from the agent's run to the job's (store/job_phases.h): the
 * instances inside the job's window, and the totals made from those only. Both
 * dialects: substr() counts characters in both, and a job id is ASCII, so the prefix's
 * length in characters is its length in bytes; the prefix is compared with substr(), not
 * LIKE, whose _ would match any character of a job id. */
#include <errno.h>
#include <string.h>

#include "store/job_phases.h"
#include "store/sql/sql_store.h"

/* The job's share of a name's figures in the agent's run: its time in the window over the
 * name's whole time (its instances where none closed). 1 when every instance is the job's;
 * below when the job id recurred in the agent's run (a reused AIMETER_JOB, ids restarting),
 * whose other windows must not be counted again. Per-instance energy is not stored. */
#define SHARE(total, count)                                                              \
    "(CASE WHEN a.total_ns > 0 THEN CAST(" total " AS DOUBLE PRECISION) / a.total_ns "     \
    "ELSE CAST(" count " AS DOUBLE PRECISION) / a.instances END)"

static const char *const copies[] = {
    /* ?1 job run, ?2 agent run, ?3 name offset, ?4 window start, ?5 prefix length, ?6 prefix,
     * ?7 window end: the instances begun inside the window, renamed and moved. */
    "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) "
    "SELECT ?1, seq, substr(phase, CAST(?3 AS INTEGER)), depth, start_ns - ?4, end_ns - ?4 "
    "FROM phases WHERE run_id = ?2 AND substr(phase, 1, CAST(?5 AS INTEGER)) = ?6 "
    "AND start_ns >= ?4 AND start_ns <= ?7",
    /* ?1 job run, ?2 agent run, ?3 prefix: each name's totals from the instances copied just
     * above (the window's only), its carbon the agent's by the share of its time. */
    "INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, total_ns, "
    "carbon_g, unterminated) "
    "SELECT p.run_id, p.phase, COUNT(*), MIN(p.start_ns), COALESCE(MAX(p.end_ns), "
    "MIN(p.start_ns)), SUM(COALESCE(p.end_ns - p.start_ns, 0)), a.carbon_g * "
    SHARE("SUM(COALESCE(p.end_ns - p.start_ns, 0))", "COUNT(*)")
    ", SUM(CASE WHEN p.end_ns IS NULL THEN 1 ELSE 0 END) "
    "FROM phases p JOIN phase_totals a ON a.run_id = CAST(?2 AS TEXT) "
    "AND a.name = CAST(?3 AS TEXT) || p.phase WHERE p.run_id = CAST(?1 AS TEXT) "
    "GROUP BY p.run_id, p.phase, a.carbon_g, a.total_ns, a.instances",
    /* ?1 job run, ?2 agent run, ?3 prefix: each device's energy in the name by the same share;
     * its peak power is the agent's (the highest of any instance: per instance not stored). */
    "INSERT INTO phase_devices (run_id, phase, device_idx, energy_j, peak_w) "
    "SELECT j.run_id, j.name, d.device_idx, d.energy_j * " SHARE("j.total_ns", "j.instances") ", d.peak_w "
    "FROM phase_totals j JOIN phase_totals a ON a.run_id = CAST(?2 AS TEXT) "
    "AND a.name = CAST(?3 AS TEXT) || j.name "
    "JOIN phase_devices d ON d.run_id = a.run_id AND d.phase = a.name "
    "WHERE j.run_id = CAST(?1 AS TEXT)",
};

int aim__db_job_phases_copy(aim_db *db, const char *from_run, const char *prefix,
                            int64_t from_ns, int64_t to_ns, const char *to_run) {
    aim_sql *c = aim__db_sql(db);
    if (!c)
        return aim__db_set_error(db, -EOPNOTSUPP, "not an SQL store");
    int64_t n = (int64_t)strlen(prefix);
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
        aim_sql_stmt *st = NULL;
        int r = aim__sql_prepare(c, copies[i], &st);
        if (r == 0) {
            aim__sql_bind_text(st, 1, to_run);
            aim__sql_bind_text(st, 2, from_run);
            if (i == 0) {
                aim__sql_bind_int64(st, 3, n + 1);
                aim__sql_bind_int64(st, 4, from_ns);
                aim__sql_bind_int64(st, 5, n);
                aim__sql_bind_text(st, 6, prefix);
                aim__sql_bind_int64(st, 7, to_ns);
            } else {
                aim__sql_bind_text(st, 3, prefix);
            }
            r = aim__sql_step(st);
        }
        aim__sql_finalize(st);
        if (r < 0)
            return aim__db_set_error(db, r, "cannot copy the job's phases: %s",
                                     aim__sql_errmsg(c));
    }
    return 0;
}
