/* The PostgreSQL store's schema: the final shape of SQLite's (store/sqlite/schema.c, all its
 * migrations, plus the profiles table) in PostgreSQL's types, created at once, then
 * migrations appended for the versions after it (the same rules as SQLite's: never edit
 * one that shipped; only add or reshape). Integers are BIGINT (ns timestamps), REAL is
 * DOUBLE PRECISION, BLOB is BYTEA; every text is COLLATE "C" so that ORDER BY sorts bytes,
 * as SQLite's BINARY collation does, whatever the database's locale. The units the SQLite
 * schema gives in comments are COMMENT ON here, so \d+ in psql shows them. aimeter_meta
 * marks the store as aimeter's and holds its version (AIM_DB_SCHEMA_VERSION). */
#include <stdio.h>

#include "store/db.h"
#include "store/postgres/pg.h"

#define T "TEXT COLLATE \"C\""
#define RUN_FK "run_id " T " NOT NULL REFERENCES runs(id) ON DELETE CASCADE"

/* The version the base schema is: SQLite's schema 11. */
#define BASE_VERSION 11

static const char *const base_schema[] = {
    "CREATE TABLE aimeter_meta (\n"
    "  key " T " PRIMARY KEY,\n"
    "  value " T " NOT NULL\n"
    ");\n",
    "CREATE TABLE runs (\n"
    "  id " T " PRIMARY KEY,\n"
    "  name " T " NOT NULL,\n"
    "  command " T " NOT NULL,\n"
    "  host " T " NOT NULL,\n"
    "  aimeter_version " T " NOT NULL,\n"
    "  writer_pid BIGINT NOT NULL,\n"
    "  start_wall_ns BIGINT NOT NULL,\n"
    "  end_wall_ns BIGINT NOT NULL DEFAULT 0,\n"
    "  duration_ns BIGINT NOT NULL DEFAULT 0,\n"
    "  status " T " NOT NULL,\n"
    "  exit_code BIGINT NOT NULL DEFAULT -1,\n"
    "  interval_ns BIGINT NOT NULL,\n"
    "  achieved_interval_ns BIGINT NOT NULL DEFAULT 0,\n"
    "  samples BIGINT NOT NULL DEFAULT 0,\n"
    "  missed_deadlines BIGINT NOT NULL DEFAULT 0,\n"
    "  sources " T " NOT NULL DEFAULT '',\n"
    "  zone " T " NOT NULL DEFAULT '',\n"
    "  intensity_g_per_kwh DOUBLE PRECISION,\n"
    "  intensity_source " T " NOT NULL DEFAULT '',\n"
    "  total_energy_j DOUBLE PRECISION,\n"
    "  carbon_g DOUBLE PRECISION,\n"
    "  warnings " T " NOT NULL DEFAULT '',\n"
    "  intensity_signal " T " NOT NULL DEFAULT 'average',\n"
    "  intensity_basis " T " NOT NULL DEFAULT 'unknown',\n"
    "  pue DOUBLE PRECISION NOT NULL DEFAULT 1.0,\n"
    "  pue_source " T " NOT NULL DEFAULT '',\n"
    "  facility_energy_j DOUBLE PRECISION,\n"
    "  price_per_kwh DOUBLE PRECISION,\n"
    "  currency " T " NOT NULL DEFAULT '',\n"
    "  price_source " T " NOT NULL DEFAULT '',\n"
    "  cost DOUBLE PRECISION,\n"
    "  corr_ticks BIGINT,\n"
    "  corr_exact BIGINT,\n"
    "  workload_dropped BIGINT NOT NULL DEFAULT 0,\n"
    "  idle_run_id " T " NOT NULL DEFAULT '',\n"
    "  embodied BIGINT NOT NULL DEFAULT 0,\n"
    "  samples_lost BIGINT NOT NULL DEFAULT 0\n"
    ");\n",
    "CREATE INDEX runs_by_start ON runs(start_wall_ns);\n",
    "CREATE INDEX runs_by_name ON runs(name);\n",
    "CREATE TABLE devices (\n"
    "  " RUN_FK ",\n"
    "  idx BIGINT NOT NULL,\n"
    "  name " T " NOT NULL,\n"
    "  kind " T " NOT NULL,\n"
    "  model " T " NOT NULL DEFAULT '',\n"
    "  energy_j DOUBLE PRECISION,\n"
    "  energy_method " T " NOT NULL,\n"
    "  energy_detail " T " NOT NULL DEFAULT '',\n"
    "  in_total BIGINT NOT NULL,\n"
    "  carbon_g DOUBLE PRECISION,\n"
    "  attributed_j DOUBLE PRECISION,\n"
    "  attributed_method " T " NOT NULL DEFAULT '',\n"
    "  PRIMARY KEY (run_id, idx)\n"
    ");\n",
    "CREATE TABLE metrics (\n"
    "  key " T " PRIMARY KEY,\n"
    "  label " T " NOT NULL,\n"
    "  unit " T " NOT NULL,\n"
    "  category " T " NOT NULL,\n"
    "  kind " T " NOT NULL,\n"
    "  description " T " NOT NULL\n"
    ");\n",
    "CREATE TABLE series (\n"
    "  " RUN_FK ",\n"
    "  slot BIGINT NOT NULL,\n"
    "  device_idx BIGINT NOT NULL,\n"
    "  metric_key " T " NOT NULL,\n"
    "  instance BIGINT NOT NULL DEFAULT -1,\n"
    "  method " T " NOT NULL,\n"
    "  grp BIGINT NOT NULL,\n"
    "  resolution DOUBLE PRECISION NOT NULL,\n"
    "  counter BIGINT NOT NULL,\n"
    "  count BIGINT NOT NULL DEFAULT 0,\n"
    "  mean DOUBLE PRECISION, min DOUBLE PRECISION, max DOUBLE PRECISION,\n"
    "  mode DOUBLE PRECISION, stddev DOUBLE PRECISION,\n"
    "  mode_exact BIGINT NOT NULL DEFAULT 1,\n"
    "  PRIMARY KEY (run_id, slot)\n"
    ");\n",
    "CREATE TABLE chunks (\n"
    "  " RUN_FK ",\n"
    "  grp BIGINT NOT NULL,\n"
    "  seq BIGINT NOT NULL,\n"
    "  t_first_ns BIGINT NOT NULL,\n"
    "  t_last_ns BIGINT NOT NULL,\n"
    "  n_ticks BIGINT NOT NULL,\n"
    "  data BYTEA NOT NULL,\n"
    "  summary BYTEA,\n"
    "  PRIMARY KEY (run_id, grp, seq)\n"
    ");\n",
    "CREATE TABLE run_intensity (\n"
    "  " RUN_FK ",\n"
    "  t_unix_ms BIGINT NOT NULL,\n"
    "  g_per_kwh DOUBLE PRECISION NOT NULL,\n"
    "  PRIMARY KEY (run_id, t_unix_ms)\n"
    ");\n",
    "CREATE TABLE run_price (\n"
    "  " RUN_FK ",\n"
    "  t_unix_ms BIGINT NOT NULL,\n"
    "  price_per_kwh DOUBLE PRECISION NOT NULL,\n"
    "  PRIMARY KEY (run_id, t_unix_ms)\n"
    ");\n",
    "CREATE TABLE correlations (\n"
    "  " RUN_FK ",\n"
    "  a BIGINT NOT NULL,\n"
    "  b BIGINT NOT NULL,\n"
    "  n BIGINT NOT NULL,\n"
    "  r DOUBLE PRECISION,\n"
    "  spread BIGINT,\n"
    "  PRIMARY KEY (run_id, a, b)\n"
    ");\n",
    "CREATE TABLE phase_totals (\n"
    "  " RUN_FK ",\n"
    "  name " T " NOT NULL,\n"
    "  instances BIGINT NOT NULL,\n"
    "  first_ns BIGINT NOT NULL,\n"
    "  last_end_ns BIGINT NOT NULL,\n"
    "  total_ns BIGINT NOT NULL,\n"
    "  carbon_g DOUBLE PRECISION,\n"
    "  unterminated BIGINT NOT NULL,\n"
    "  PRIMARY KEY (run_id, name)\n"
    ");\n",
    "CREATE TABLE phase_devices (\n"
    "  " RUN_FK ",\n"
    "  phase " T " NOT NULL,\n"
    "  device_idx BIGINT NOT NULL,\n"
    "  energy_j DOUBLE PRECISION NOT NULL,\n"
    "  peak_w DOUBLE PRECISION NOT NULL,\n"
    "  PRIMARY KEY (run_id, phase, device_idx)\n"
    ");\n",
    "CREATE TABLE phases (\n"
    "  " RUN_FK ",\n"
    "  seq BIGINT NOT NULL,\n"
    "  phase " T " NOT NULL,\n"
    "  depth BIGINT NOT NULL,\n"
    "  start_ns BIGINT NOT NULL,\n"
    "  end_ns BIGINT,\n"
    "  PRIMARY KEY (run_id, seq)\n"
    ");\n",
    "CREATE TABLE marks (\n"
    "  " RUN_FK ",\n"
    "  seq BIGINT NOT NULL,\n"
    "  t_ns BIGINT NOT NULL,\n"
    "  text " T " NOT NULL,\n"
    "  PRIMARY KEY (run_id, seq)\n"
    ");\n",
    "CREATE TABLE record_keys (\n"
    "  " RUN_FK ",\n"
    "  key " T " NOT NULL,\n"
    "  kind " T " NOT NULL,\n"
    "  count BIGINT NOT NULL,\n"
    "  total DOUBLE PRECISION NOT NULL,\n"
    "  last DOUBLE PRECISION, min DOUBLE PRECISION, max DOUBLE PRECISION,\n"
    "  first_ns BIGINT, last_ns BIGINT,\n"
    "  PRIMARY KEY (run_id, key)\n"
    ");\n",
    "CREATE TABLE records (\n"
    "  " RUN_FK ",\n"
    "  key " T " NOT NULL,\n"
    "  t_ns BIGINT NOT NULL,\n"
    "  value DOUBLE PRECISION NOT NULL\n"
    ");\n",
    "CREATE INDEX records_by_key ON records(run_id, key, t_ns);\n",
    "CREATE TABLE phase_records (\n"
    "  " RUN_FK ",\n"
    "  phase " T " NOT NULL,\n"
    "  key " T " NOT NULL,\n"
    "  sum DOUBLE PRECISION NOT NULL,\n"
    "  n BIGINT NOT NULL,\n"
    "  PRIMARY KEY (run_id, phase, key)\n"
    ");\n",
    "CREATE TABLE phase_metrics (\n"
    "  " RUN_FK ",\n"
    "  phase " T " NOT NULL,\n"
    "  device_idx BIGINT NOT NULL,\n"
    "  metric_key " T " NOT NULL,\n"
    "  mean DOUBLE PRECISION NOT NULL,\n"
    "  PRIMARY KEY (run_id, phase, device_idx, metric_key)\n"
    ");\n",
    "CREATE TABLE run_tags (\n"
    "  " RUN_FK ",\n"
    "  key " T " NOT NULL,\n"
    "  value " T " NOT NULL,\n"
    "  PRIMARY KEY (run_id, key)\n"
    ");\n",
    "CREATE INDEX run_tags_by_key ON run_tags(key, value);\n",
    /* SQLite creates it at the first import (its id INTEGER PRIMARY KEY AUTOINCREMENT):
     * here with the rest; an identity is never reused either. */
    "CREATE TABLE profiles (\n"
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
    "  name " T " NOT NULL,\n"
    "  imported_at_ns BIGINT NOT NULL,\n"
    "  epochs BIGINT NOT NULL,\n"
    "  energy_j DOUBLE PRECISION,\n"
    "  profile " T " NOT NULL\n"
    ");\n",
};

/* The SQLite schema's comments, where they say a unit or a meaning the name does not. */
static const char *const base_comments[] = {
    "COMMENT ON TABLE aimeter_meta IS 'marks an aimeter store: schema_version, application';\n",
    "COMMENT ON COLUMN runs.id IS 'time-sortable, e.g. 20261121-140312-3f9a';\n",
    "COMMENT ON COLUMN runs.command IS 'argv joined with spaces, shell-quoted';\n",
    "COMMENT ON COLUMN runs.host IS 'hostname of the machine that measured';\n",
    "COMMENT ON COLUMN runs.writer_pid IS 'aimeter process writing the run (stale detection)';\n",
    "COMMENT ON COLUMN runs.start_wall_ns IS 'Unix epoch, ns';\n",
    "COMMENT ON COLUMN runs.end_wall_ns IS 'Unix epoch, ns; 0 while running';\n",
    "COMMENT ON COLUMN runs.status IS 'running | completed | failed | interrupted';\n",
    "COMMENT ON COLUMN runs.exit_code IS 'child''s exit status, -1 if none';\n",
    "COMMENT ON COLUMN runs.interval_ns IS 'requested sampling interval';\n",
    "COMMENT ON COLUMN runs.achieved_interval_ns IS 'mean spacing, fastest group';\n",
    "COMMENT ON COLUMN runs.samples IS 'ticks of the fastest group';\n",
    "COMMENT ON COLUMN runs.sources IS 'comma-separated sources that measured';\n",
    "COMMENT ON COLUMN runs.zone IS 'carbon zone code, empty for a constant intensity';\n",
    "COMMENT ON COLUMN runs.intensity_g_per_kwh IS 'g CO2e / kWh';\n",
    "COMMENT ON COLUMN runs.total_energy_j IS 'J, devices counted in the total';\n",
    "COMMENT ON COLUMN runs.carbon_g IS 'g CO2e';\n",
    "COMMENT ON COLUMN runs.warnings IS 'newline-separated';\n",
    "COMMENT ON COLUMN runs.corr_ticks IS 'grid ticks of the stored matrix; NULL: none';\n",
    "COMMENT ON COLUMN runs.corr_exact IS '1: a replay of the chunks gives the same';\n",
    "COMMENT ON COLUMN runs.idle_run_id IS 'empty: none';\n",
    "COMMENT ON COLUMN runs.embodied IS '1: --embodied';\n",
    "COMMENT ON COLUMN runs.samples_lost IS 'taken, not stored';\n",
    "COMMENT ON COLUMN devices.idx IS 'series.device_idx refers to it';\n",
    "COMMENT ON COLUMN devices.kind IS 'host | cpu | dram | platform | gpu | other | process';\n",
    "COMMENT ON COLUMN devices.energy_j IS 'J over the run; NULL when not measurable';\n",
    "COMMENT ON COLUMN devices.energy_method IS 'measured | derived | estimated';\n",
    "COMMENT ON COLUMN devices.in_total IS '1 when counted in runs.total_energy_j';\n",
    "COMMENT ON COLUMN devices.attributed_j IS 'J of the process tree; NULL: none';\n",
    "COMMENT ON COLUMN metrics.unit IS 'unit of every value of the metric';\n",
    "COMMENT ON COLUMN series.slot IS 'column order within the run and its group';\n",
    "COMMENT ON COLUMN series.instance IS 'core or channel number, -1 if none';\n",
    "COMMENT ON COLUMN series.grp IS 'rate group: chunks.grp';\n",
    "COMMENT ON COLUMN series.resolution IS 'codec quantum, in the metric''s unit';\n",
    "COMMENT ON COLUMN series.counter IS '1: delta-of-delta coded counter';\n",
    "COMMENT ON COLUMN series.count IS 'valid samples';\n",
    "COMMENT ON COLUMN chunks.seq IS '0, 1, 2... in time order within (run, grp)';\n",
    "COMMENT ON COLUMN chunks.t_first_ns IS 'ns since the run started';\n",
    "COMMENT ON COLUMN chunks.data IS 'codec format, docs/store.md';\n",
    "COMMENT ON COLUMN chunks.summary IS 'per column count, first samples, min, max; NULL: none';\n",
    "COMMENT ON COLUMN run_intensity.t_unix_ms IS 'valid from (Unix epoch, ms) until the next point';\n",
    "COMMENT ON COLUMN run_intensity.g_per_kwh IS 'g CO2e / kWh';\n",
    "COMMENT ON COLUMN run_price.t_unix_ms IS 'valid from (Unix epoch, ms) until the next point';\n",
    "COMMENT ON COLUMN run_price.price_per_kwh IS 'in runs.currency per kWh';\n",
    "COMMENT ON COLUMN correlations.r IS 'Pearson r; NULL when undefined; a = b: 1, NULL if constant';\n",
    "COMMENT ON COLUMN correlations.spread IS 'a = b: values off the most common, up to 3';\n",
    "COMMENT ON COLUMN phases.end_ns IS 'NULL while open';\n",
    "COMMENT ON COLUMN record_keys.total IS 'counters: the sum; gauges: the sum of the values';\n",
    "COMMENT ON COLUMN records.value IS 'counters: the running total; gauges: the value';\n",
    "COMMENT ON COLUMN run_tags.key IS '1-63 of A-Z a-z 0-9 _ . -, starting with a letter';\n",
    "COMMENT ON COLUMN profiles.imported_at_ns IS 'Unix epoch, ns';\n",
    "COMMENT ON COLUMN profiles.energy_j IS 'J, the profile''s total IT energy; NULL: unknown';\n",
    "COMMENT ON COLUMN profiles.profile IS 'the aimeter.profile/1 JSON (docs/report-json.md)';\n",
};

/* Migration N (N > BASE_VERSION) is migrations[N - BASE_VERSION - 1]: the SQLite schema's
 * migration N in PostgreSQL's words. None yet. */
static const char *const migrations[] = { NULL };
#define N_MIGRATIONS 0
_Static_assert(BASE_VERSION + N_MIGRATIONS == AIM_DB_SCHEMA_VERSION,
               "a PostgreSQL migration for every schema version after the base");

static int stamp(aim_sql *c) {
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE aimeter_meta SET value = '%d' WHERE key = "
             "'schema_version'", AIM_DB_SCHEMA_VERSION);
    return aim__sql_exec(c, sql);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

int aim__pg_schema_create(aim_sql *c) {
    int r = 0;
    /* One statement per exec: C99 promises no longer string literals. */
    for (size_t i = 0; r == 0 && i < N_OF(base_schema); i++)
        r = aim__sql_exec(c, base_schema[i]);
    for (size_t i = 0; r == 0 && i < N_OF(base_comments); i++)
        r = aim__sql_exec(c, base_comments[i]);
    if (r == 0) {
        char sql[200];
        snprintf(sql, sizeof sql, "INSERT INTO aimeter_meta (key, value) VALUES "
                 "('application', 'aimeter'), ('schema_version', '%d')", BASE_VERSION);
        r = aim__sql_exec(c, sql);
    }
    return r == 0 ? aim__pg_schema_migrate(c, BASE_VERSION) : r;
}

int aim__pg_schema_migrate(aim_sql *c, int from) {
    for (int v = from + 1; v <= AIM_DB_SCHEMA_VERSION; v++) {
        int r = aim__sql_exec(c, migrations[v - BASE_VERSION - 1]);
        if (r < 0) {
            char why[sizeof c->err];
            snprintf(why, sizeof why, "%s", aim__sql_errmsg(c));
            return aim__sql_fail(c, r, "migration to schema %d failed: %s", v, why);
        }
    }
    return from < AIM_DB_SCHEMA_VERSION ? stamp(c) : 0;
}
