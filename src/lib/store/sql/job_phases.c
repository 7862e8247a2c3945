/* The job's phases copied from the agent's run to the job's (store/job_phases.h). Both
 * dialects: substr() counts characters in both, and a job id is ASCII, so the prefix's
 * length in characters is its length in bytes; the prefix is compared with substr(), not
 * LIKE, whose _ would match any character of a job id. */
#include <errno.h>
#include <string.h>

#include "store/job_phases.h"
#include "store/sql/sql_store.h"

static const char *const copies[] = {
    "INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, total_ns, "
    "carbon_g, unterminated) "
    "SELECT ?1, substr(name, CAST(?3 AS INTEGER)), instances, first_ns - ?4, "
    "last_end_ns - ?4, total_ns, carbon_g, unterminated FROM phase_totals "
    "WHERE run_id = ?2 AND substr(name, 1, CAST(?5 AS INTEGER)) = ?6",
    "INSERT INTO phase_devices (run_id, phase, device_idx, energy_j, peak_w) "
    "SELECT ?1, substr(phase, CAST(?3 AS INTEGER)), device_idx, energy_j, peak_w "
    "FROM phase_devices WHERE run_id = ?2 AND substr(phase, 1, CAST(?5 AS INTEGER)) = ?6",
    "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) "
    "SELECT ?1, seq, substr(phase, CAST(?3 AS INTEGER)), depth, start_ns - ?4, end_ns - ?4 "
    "FROM phases WHERE run_id = ?2 AND substr(phase, 1, CAST(?5 AS INTEGER)) = ?6 "
    "AND start_ns >= ?4 AND start_ns <= ?7",
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
            aim__sql_bind_int64(st, 3, n + 1);
            aim__sql_bind_int64(st, 4, from_ns);
            aim__sql_bind_int64(st, 5, n);
            aim__sql_bind_text(st, 6, prefix);
            if (i == 2)
                aim__sql_bind_int64(st, 7, to_ns);
            r = aim__sql_step(st);
        }
        aim__sql_finalize(st);
        if (r < 0)
            return aim__db_set_error(db, r, "cannot copy the job's phases: %s",
                                     aim__sql_errmsg(c));
    }
    return 0;
}
