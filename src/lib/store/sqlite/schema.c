/* The store's schema as an ordered list of migrations. Migration N takes a store from
 * user_version N-1 to N; a new store runs them all from 0. Rules (docs/store.md): never
 * edit a migration that has shipped, only append; a migration only adds or reshapes, so
 * an older aimeter's runs stay readable by a newer one. The SQL comments are kept on
 * purpose: SQLite stores them in sqlite_master, so `.schema` in sqlite3 shows the units. */
#include "store/sqlite/schema.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"

static const char migration_1[] =
    "CREATE TABLE runs (\n"
    "  id TEXT PRIMARY KEY,          -- time-sortable, e.g. 20261121-140312-3f9a\n"
    "  name TEXT NOT NULL,\n"
    "  command TEXT NOT NULL,        -- argv joined with spaces, shell-quoted\n"
    "  host TEXT NOT NULL,           -- hostname of the machine that measured\n"
    "  aimeter_version TEXT NOT NULL,\n"
    "  writer_pid INTEGER NOT NULL,  -- aimeter process writing the run (stale detection)\n"
    "  start_wall_ns INTEGER NOT NULL, -- Unix epoch, ns\n"
    "  end_wall_ns INTEGER NOT NULL DEFAULT 0, -- Unix epoch, ns; 0 while running\n"
    "  duration_ns INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL,         -- running | completed | failed | interrupted\n"
    "  exit_code INTEGER NOT NULL DEFAULT -1, -- child's exit status, -1 if none\n"
    "  interval_ns INTEGER NOT NULL, -- requested sampling interval\n"
    "  achieved_interval_ns INTEGER NOT NULL DEFAULT 0, -- mean spacing, fastest group\n"
    "  samples INTEGER NOT NULL DEFAULT 0, -- ticks of the fastest group\n"
    "  missed_deadlines INTEGER NOT NULL DEFAULT 0,\n"
    "  sources TEXT NOT NULL DEFAULT '', -- comma-separated sources that measured\n"
    "  zone TEXT NOT NULL DEFAULT '',  -- carbon zone code, '' for a constant intensity\n"
    "  intensity_g_per_kwh REAL,       -- g CO2e / kWh\n"
    "  intensity_source TEXT NOT NULL DEFAULT '',\n"
    "  total_energy_j REAL,            -- J, devices counted in the total\n"
    "  carbon_g REAL,                  -- g CO2e\n"
    "  warnings TEXT NOT NULL DEFAULT '' -- newline-separated\n"
    ");\n"
    "CREATE INDEX runs_by_start ON runs(start_wall_ns);\n"
    "CREATE INDEX runs_by_name ON runs(name);\n"
    "CREATE TABLE devices (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  idx INTEGER NOT NULL,         -- series.device_idx refers to it\n"
    "  name TEXT NOT NULL,           -- cpu0, dram0, gpu0, host, process\n"
    "  kind TEXT NOT NULL,           -- host | cpu | dram | platform | gpu | other | process\n"
    "  model TEXT NOT NULL DEFAULT '',\n"
    "  energy_j REAL,                -- J over the run; NULL when not measurable\n"
    "  energy_method TEXT NOT NULL,  -- measured | derived | estimated\n"
    "  energy_detail TEXT NOT NULL DEFAULT '',\n"
    "  in_total INTEGER NOT NULL,    -- 1 when counted in runs.total_energy_j\n"
    "  PRIMARY KEY (run_id, idx)\n"
    ");\n"
    "CREATE TABLE metrics (\n"
    "  key TEXT PRIMARY KEY,         -- series.metric_key refers to it\n"
    "  label TEXT NOT NULL,\n"
    "  unit TEXT NOT NULL,           -- unit of every value of the metric\n"
    "  category TEXT NOT NULL,       -- Energy | Compute | Memory | Communication | System | App\n"
    "  kind TEXT NOT NULL,           -- gauge | counter\n"
    "  description TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE series (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  slot INTEGER NOT NULL,        -- column order within the run and its group\n"
    "  device_idx INTEGER NOT NULL,  -- devices.idx\n"
    "  metric_key TEXT NOT NULL,     -- metrics.key\n"
    "  instance INTEGER NOT NULL DEFAULT -1, -- core or channel number, -1 if none\n"
    "  method TEXT NOT NULL,         -- measured | derived | estimated\n"
    "  grp INTEGER NOT NULL,         -- rate group: chunks.grp\n"
    "  resolution REAL NOT NULL,     -- codec quantum, in the metric's unit\n"
    "  counter INTEGER NOT NULL,     -- 1: delta-of-delta coded counter\n"
    "  count INTEGER NOT NULL DEFAULT 0, -- valid samples\n"
    "  mean REAL, min REAL, max REAL, mode REAL, stddev REAL, -- in the metric's unit\n"
    "  mode_exact INTEGER NOT NULL DEFAULT 1,\n"
    "  PRIMARY KEY (run_id, slot)\n"
    ");\n"
    "CREATE TABLE chunks (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  grp INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL,         -- 0, 1, 2... in time order within (run, grp)\n"
    "  t_first_ns INTEGER NOT NULL,  -- ns since the run started\n"
    "  t_last_ns INTEGER NOT NULL,\n"
    "  n_ticks INTEGER NOT NULL,\n"
    "  data BLOB NOT NULL,           -- codec format, docs/store.md\n"
    "  PRIMARY KEY (run_id, grp, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE phases (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  id INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  parent INTEGER,               -- phases.id of the enclosing phase, NULL at top\n"
    "  begin_ns INTEGER NOT NULL,    -- ns since the run started\n"
    "  end_ns INTEGER,               -- NULL while open; = begin_ns for a marker\n"
    "  PRIMARY KEY (run_id, id)\n"
    ");\n";

/* Carbon as a time series (issue 4): the run's intensity points, the signal and basis, PUE
 * (IT vs facility energy), price and cost, carbon per device. Runs of schema 1 get their one
 * intensity as one point at their start, the basis their source text names, facility =
 * IT energy (PUE 1) and their devices' share of carbon, so they replay like new runs. */
static const char migration_2[] =
    "ALTER TABLE runs ADD COLUMN intensity_signal TEXT NOT NULL DEFAULT 'average';\n"
    "ALTER TABLE runs ADD COLUMN intensity_basis TEXT NOT NULL DEFAULT 'unknown';\n"
    "ALTER TABLE runs ADD COLUMN pue REAL NOT NULL DEFAULT 1.0;\n"
    "ALTER TABLE runs ADD COLUMN pue_source TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE runs ADD COLUMN facility_energy_j REAL;\n"
    "ALTER TABLE runs ADD COLUMN price_per_kwh REAL;\n"
    "ALTER TABLE runs ADD COLUMN currency TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE runs ADD COLUMN price_source TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE runs ADD COLUMN cost REAL;\n"
    "ALTER TABLE devices ADD COLUMN carbon_g REAL;\n"
    "CREATE TABLE run_intensity (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  t_unix_ms INTEGER NOT NULL,   -- valid from (Unix epoch, ms) until the next point\n"
    "  g_per_kwh REAL NOT NULL,      -- g CO2e / kWh\n"
    "  PRIMARY KEY (run_id, t_unix_ms)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE run_price (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  t_unix_ms INTEGER NOT NULL,   -- valid from (Unix epoch, ms) until the next point\n"
    "  price_per_kwh REAL NOT NULL,  -- in runs.currency per kWh\n"
    "  PRIMARY KEY (run_id, t_unix_ms)\n"
    ") WITHOUT ROWID;\n"
    "UPDATE runs SET facility_energy_j = total_energy_j,\n"
    "  intensity_basis = CASE WHEN intensity_source LIKE '%lifecycle%' THEN 'lifecycle'\n"
    "                         WHEN intensity_source LIKE '%direct%' THEN 'direct'\n"
    "                         ELSE 'unknown' END;\n"
    "INSERT INTO run_intensity (run_id, t_unix_ms, g_per_kwh)\n"
    "  SELECT id, start_wall_ns / 1000000, intensity_g_per_kwh FROM runs\n"
    "  WHERE intensity_g_per_kwh IS NOT NULL;\n"
    "UPDATE devices SET carbon_g = energy_j / 3.6e6 *\n"
    "  (SELECT intensity_g_per_kwh FROM runs WHERE runs.id = devices.run_id)\n"
    "  WHERE in_total = 1;\n";

/* Correlation (issue 5): the matrix a run kept while sampling, stored when it ends so the
 * report and `aimeter corr` read it instead of replaying the samples. One row per series
 * (a = b) and per pair (a < b) that had common grid ticks. Runs of schema 2 have none; they
 * are replayed from their chunks on demand. */
static const char migration_3[] =
    "ALTER TABLE runs ADD COLUMN corr_ticks INTEGER; -- grid ticks of the stored matrix; NULL: none\n"
    "ALTER TABLE runs ADD COLUMN corr_exact INTEGER; -- 1: a replay of the chunks gives the same\n"
    "CREATE TABLE correlations (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  a INTEGER NOT NULL,           -- series.slot\n"
    "  b INTEGER NOT NULL,           -- series.slot, >= a; a = b: the series itself\n"
    "  n INTEGER NOT NULL,           -- grid ticks where both had a value\n"
    "  r REAL,                       -- Pearson r; NULL when undefined; a = b: 1, NULL if constant\n"
    "  PRIMARY KEY (run_id, a, b)\n"
    ") WITHOUT ROWID;\n";

/* The workload (issue 5): phases with their energy per device, every phase instance and
 * marker, and the numbers the workload recorded (docs/control.md). Times are ns since the
 * run's start, on the samples' clock. Schema 1's `phases` placeholder (never written by any
 * aimeter) is replaced by the instances table of the same name. */
static const char migration_4[] =
    "ALTER TABLE runs ADD COLUMN workload_dropped INTEGER NOT NULL DEFAULT 0;\n"
    "DROP TABLE phases;               -- schema 1's placeholder, never written\n"
    "CREATE TABLE phase_totals (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  name TEXT NOT NULL,\n"
    "  instances INTEGER NOT NULL,\n"
    "  first_ns INTEGER NOT NULL,     -- start of its first instance\n"
    "  last_end_ns INTEGER NOT NULL,  -- end of its latest closed instance\n"
    "  total_ns INTEGER NOT NULL,     -- summed duration of its closed instances\n"
    "  carbon_g REAL,                 -- g CO2e of the devices counted in the total\n"
    "  unterminated INTEGER NOT NULL, -- instances still open when the run ended\n"
    "  PRIMARY KEY (run_id, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE phase_devices (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  phase TEXT NOT NULL,\n"
    "  device_idx INTEGER NOT NULL,   -- devices.idx\n"
    "  energy_j REAL NOT NULL,        -- the device's energy while the phase was open\n"
    "  peak_w REAL NOT NULL,          -- its highest interval power then\n"
    "  PRIMARY KEY (run_id, phase, device_idx)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE phases (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,          -- instances in the order they began\n"
    "  phase TEXT NOT NULL,\n"
    "  depth INTEGER NOT NULL,        -- 0: outermost\n"
    "  start_ns INTEGER NOT NULL,\n"
    "  end_ns INTEGER,                -- NULL while open\n"
    "  PRIMARY KEY (run_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE marks (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  t_ns INTEGER NOT NULL,\n"
    "  text TEXT NOT NULL,\n"
    "  PRIMARY KEY (run_id, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE record_keys (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  key TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,            -- counter | gauge\n"
    "  count INTEGER NOT NULL,        -- records made\n"
    "  total REAL NOT NULL,           -- counters: the sum; gauges: the sum of the values\n"
    "  last REAL, min REAL, max REAL,\n"
    "  first_ns INTEGER, last_ns INTEGER,\n"
    "  PRIMARY KEY (run_id, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE records (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  key TEXT NOT NULL,\n"
    "  t_ns INTEGER NOT NULL,\n"
    "  value REAL NOT NULL            -- counters: the running total; gauges: the value\n"
    ");\n"
    "CREATE INDEX records_by_key ON records(run_id, key, t_ns);\n"
    "CREATE TABLE phase_records (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  phase TEXT NOT NULL,\n"
    "  key TEXT NOT NULL,\n"
    "  sum REAL NOT NULL,             -- of the records made while the phase was open\n"
    "  n INTEGER NOT NULL,\n"
    "  PRIMARY KEY (run_id, phase, key)\n"
    ") WITHOUT ROWID;\n";

/* Idle baseline and embodied carbon (issue 4): the run whose device power is this run's idle
 * level, and whether the report amortises the devices' manufacturing footprint. Both are
 * computed when the report is made, from rows already in the store. */
static const char migration_5[] =
    "ALTER TABLE runs ADD COLUMN idle_run_id TEXT NOT NULL DEFAULT ''; -- '' : none\n"
    "ALTER TABLE runs ADD COLUMN embodied INTEGER NOT NULL DEFAULT 0; -- 1: --embodied\n";

/* Attribution (issue 5): the monitored process tree's share of each device's energy. */
static const char migration_6[] =
    "ALTER TABLE devices ADD COLUMN attributed_j REAL; -- J of the process tree; NULL: none\n"
    "ALTER TABLE devices ADD COLUMN attributed_method TEXT NOT NULL DEFAULT '';\n";

/* Per phase, the time-weighted mean of the metrics the bottleneck hints read (GPU activity,
 * PCIe/NVLink, CPU use). */
static const char migration_7[] =
    "CREATE TABLE phase_metrics (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  phase TEXT NOT NULL,\n"
    "  device_idx INTEGER NOT NULL,   -- devices.idx\n"
    "  metric_key TEXT NOT NULL,      -- metrics.key\n"
    "  mean REAL NOT NULL,            -- over the phase's time, in the metric's unit\n"
    "  PRIMARY KEY (run_id, phase, device_idx, metric_key)\n"
    ") WITHOUT ROWID;\n";

/* Run tags (issue 5): KEY=VALUE pairs given when the run started (`aimeter run --tag`), what
 * `aimeter compare --by KEY` groups repeated runs by. */
static const char migration_8[] =
    "CREATE TABLE run_tags (\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  key TEXT NOT NULL,             -- 1-63 of A-Z a-z 0-9 _ . -, starting with a letter\n"
    "  value TEXT NOT NULL,           -- 0-255 bytes of UTF-8 text\n"
    "  PRIMARY KEY (run_id, key)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX run_tags_by_key ON run_tags(key, value);\n";

/* Correlation (issue 11): per series (a = b), how many of its grid values differ from its
 * most common one, counted up to 3: a series constant but for one or two samples takes part
 * in no finding. NULL in matrices stored before: those runs are replayed to count it. */
static const char migration_9[] =
    "ALTER TABLE correlations ADD COLUMN spread INTEGER; -- a = b: values off the most common, up to 3\n";

/* Samples the run took that the store could not keep (a failed commit that never
 * succeeded, or the oldest un-committed chunks dropped at the memory bound): issue 11. */
static const char migration_10[] =
    "ALTER TABLE runs ADD COLUMN samples_lost INTEGER NOT NULL DEFAULT 0; -- taken, not stored\n";

/* Per chunk and column, what a chart's min/max decimation needs of it (count, gaps, first
 * samples, minimum and maximum: store/codec.h), so that /series can skip decoding a chunk
 * that falls in one bucket (issue 15). NULL for chunks written before: those are decoded. */
static const char migration_11[] =
    "ALTER TABLE chunks ADD COLUMN summary BLOB; -- per column count, first samples, min, max; NULL: none\n";

static const char *const migrations[] = {
    migration_1,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
    migration_6,
    migration_7,
    migration_8,
    migration_9,
    migration_10,
    migration_11,
};
_Static_assert(sizeof migrations / sizeof migrations[0] == AIM_DB_SCHEMA_VERSION,
               "one migration per schema version");

int aim__schema_migrate(sqlite3 *db, int from, char *err, size_t errlen) {
    for (int v = from + 1; v <= AIM_DB_SCHEMA_VERSION; v++) {
        int rc = sqlite3_exec(db, migrations[v - 1], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            snprintf(err, errlen, "migration to schema %d failed: %s", v, sqlite3_errmsg(db));
            return rc;
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             AIM_DB_APPLICATION_ID, AIM_DB_SCHEMA_VERSION);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "cannot stamp schema version: %s", sqlite3_errmsg(db));
    return rc;
}
