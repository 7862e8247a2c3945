/* aimeter — measure the energy, power, hardware activity and carbon of AI workloads.
 *
 * This header is the whole public contract of libaimeter. Everything else is internal.
 *
 * Conventions (see docs/api.md):
 *  - Errors are negative errno values (0 = success). aim_strerror() names them; the object
 *    that failed keeps a detailed message (aim_session_errmsg(), aim_store_errmsg()).
 *  - Objects are opaque; _new/_open create, _free/_close destroy and accept NULL.
 *  - Returned strings are borrowed (valid while the owner lives) unless the name says _dup
 *    or the comment says "caller frees with free()".
 *  - Out-parameters are ret_* and are left untouched on error.
 *  - Time is int64_t nanoseconds, energy is reported in joules (double) at this edge.
 *  - The library never prints and never exits; messages go to the optional log callback.
 */
#ifndef AIMETER_H
#define AIMETER_H

#include <stddef.h>
#include <stdio.h> /* kept for callers that relied on it; the API no longer takes FILE * */
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AIM_PUBLIC __attribute__((visibility("default")))
#else
#define AIM_PUBLIC
#endif

/* ---------------------------------------------------------------- version, errors, logs */

/* "MAJOR.MINOR.PATCH" of the library actually loaded. Thread-safe. */
AIM_PUBLIC const char *aim_version(void);

/* Static text for a negative errno returned by any aim_ function (or for a positive errno).
 * Thread-safe. */
AIM_PUBLIC const char *aim_strerror(int err);

typedef enum aim_log_level {
    AIM_LOG_ERROR = 0,
    AIM_LOG_WARNING = 1,
    AIM_LOG_INFO = 2,
    AIM_LOG_DEBUG = 3,
} aim_log_level;

/* Receives every diagnostic the library would otherwise swallow (a source dropped mid-run,
 * a permission problem and its fix). Called from library threads: it must be thread-safe
 * and must not call back into the session or set the callback. NULL removes the callback.
 * Messages logged while none is set are kept (the last 16) and passed to the next one set,
 * in order, before this function returns. Thread-safe. */
typedef void (*aim_log_fn)(aim_log_level level, const char *message, void *userdata);
AIM_PUBLIC void aim_set_log_callback(aim_log_fn fn, void *userdata);

/* ---------------------------------------------------------------- errors without an object
 * (issue 12) A function that works on an object (store, session, config, estimate,
 * correlation result) returns a negative errno and leaves one line in that object's message
 * (aim_store_errmsg(), ...). A function without an object that can say more than its errno
 * takes an aim_error (may be NULL), a plain struct the caller owns, often on its stack: on
 * failure it gets the errno returned and one line; on success code is 0 and message "". Pure
 * parsers and table lookups (aim_parse_*, aim_format_parse, aim_*_lookup) return the errno
 * alone: "not recognised" is all there is to say. Nothing is kept in a global. */
typedef struct aim_error {
    int code;                /* the negative errno returned; 0: no error */
    char message[256];       /* one line, no trailing newline; "" when none */
} aim_error;

/* ---------------------------------------------------------------- output formats */

/* (issue 12) The formats outputs are rendered in. Each rendering function says which it
 * has; another is refused with -EOPNOTSUPP and a message naming the ones it has. */
typedef enum aim_format {
    AIM_FORMAT_TEXT = 0,     /* for a terminal: tables, aligned columns */
    AIM_FORMAT_JSON = 1,     /* one JSON document (schemas in docs/report-json.md) */
    AIM_FORMAT_MARKDOWN = 2, /* GitHub-flavoured Markdown */
    AIM_FORMAT_CSV = 3,      /* RFC 4180 CSV with a header row */
    AIM_FORMAT_HTML = 4,     /* one self-contained HTML document (issue 13): the run's report */
} aim_format;

/* The format called name: "text", "json", "markdown", "csv" or "html" (exact, lower case, as the
 * CLI's --format takes them). -EINVAL for NULL or another name (*ret untouched).
 * Thread-safe. */
AIM_PUBLIC int aim_format_parse(const char *name, aim_format *ret);
/* "text", "json", "markdown", "csv", "html"; NULL for a value that is not an aim_format. Static. */
AIM_PUBLIC const char *aim_format_name(aim_format format);

/* ---------------------------------------------------------------- parsing helpers */

/* Parses a duration such as "100ms", "0.5s", "2s", "1m", "250us", "1h", "7d" (a bare number
 * means seconds) into nanoseconds. Returns -EINVAL for malformed text, -ERANGE when it overflows
 * or is not positive. Thread-safe. */
AIM_PUBLIC int aim_parse_duration(const char *text, int64_t *ret_ns);

/* Parses the first len bytes of text as an unsigned plain decimal, "0.21", ".8", "12", the
 * same whatever the process locale: digits and at most one '.', no sign, exponent, hex,
 * "inf", spaces or decimal comma. -EINVAL for anything else (*ret untouched). Thread-safe. */
AIM_PUBLIC int aim_parse_number(const char *text, size_t len, double *ret);

/* ---------------------------------------------------------------- metric registry */

typedef enum aim_category {
    AIM_CAT_ENERGY = 0,
    AIM_CAT_COMPUTE,
    AIM_CAT_MEMORY,
    AIM_CAT_COMMUNICATION,
    AIM_CAT_SYSTEM,
    AIM_CAT_APP,
} aim_category;

typedef enum aim_metric_kind {
    AIM_KIND_GAUGE = 0,   /* a level at an instant (W, %, °C) */
    AIM_KIND_COUNTER = 1, /* monotonically increasing total since the run started (J, s) */
} aim_metric_kind;

typedef struct aim_metric_info {
    const char *key;        /* stable identifier, e.g. "power", "cpu.util" */
    const char *label;      /* human label, e.g. "Power" */
    const char *unit;       /* unit of the values as stored and reported, e.g. "W" */
    const char *description;
    aim_category category;
    aim_metric_kind kind;
    double resolution;      /* smallest meaningful step, in unit; used for the Mode statistic */
} aim_metric_info;

/* Number of metrics aimeter knows, and the i-th (0 <= i < count). Borrowed, static.
 * Thread-safe. aim_metric_find returns NULL for an unknown key. */
AIM_PUBLIC size_t aim_metric_count(void);
AIM_PUBLIC const aim_metric_info *aim_metric_get(size_t index);
AIM_PUBLIC const aim_metric_info *aim_metric_find(const char *key);

AIM_PUBLIC const char *aim_category_name(aim_category category);

/* ---------------------------------------------------------------- sources and devices */

/* Names of the sources compiled in, in polling order (NULL-terminated, static). */
AIM_PUBLIC const char *const *aim_source_names(void);

/* What `aimeter devices` shows: for each source, whether it can measure here and why not.
 * Rendered as AIM_FORMAT_TEXT or AIM_FORMAT_JSON into a string the caller frees with
 * free(). Honours AIMETER_SYSFS_ROOT / AIMETER_PROCFS_ROOT. -EOPNOTSUPP another format,
 * -EINVAL, -ENOMEM, with one line in *ret_error (may be NULL). */
AIM_PUBLIC int aim_devices_describe(aim_format format, char **ret_text, aim_error *ret_error);

/* ---------------------------------------------------------------- configuration */

typedef struct aim_config aim_config;

/* A configuration with the defaults: 100 ms interval, every available source, the store
 * at $AIMETER_DB or $XDG_DATA_HOME/aimeter/aimeter.db, world-average carbon intensity.
 * Returns -ENOMEM. */
AIM_PUBLIC int aim_config_new(aim_config **ret_config);
AIM_PUBLIC void aim_config_free(aim_config *config);
/* A copy of every setting (free it with aim_config_free). -ENOMEM. */
AIM_PUBLIC int aim_config_dup(const aim_config *config, aim_config **ret_config);
/* The last failure's message of a setter on config ("" when none; never NULL). Borrowed. */
AIM_PUBLIC const char *aim_config_errmsg(const aim_config *config);

/* Setters copy their arguments. They return -EINVAL for values out of range (interval
 * below 1 ms, empty name, negative intensity, unknown source or zone) and leave the
 * configuration unchanged in that case, but for one line in aim_config_errmsg(). */
AIM_PUBLIC int aim_config_set_interval(aim_config *c, int64_t interval_ns);
AIM_PUBLIC int aim_config_set_name(aim_config *c, const char *name);
AIM_PUBLIC int aim_config_set_db_path(aim_config *c, const char *path);
/* Comma-separated list of source names ("procfs,rapl"); NULL or "all" means every source. */
AIM_PUBLIC int aim_config_set_sources(aim_config *c, const char *list);
/* Constant grid carbon intensity in g CO2e per kWh. Overrides the zone. */
AIM_PUBLIC int aim_config_set_intensity(aim_config *c, double g_per_kwh);
/* Zone code from the built-in table (case-insensitive), e.g. "FR", "US", "CA-SK", or a cloud
 * region, with the suffixes every command takes (aim_zone_resolve): "CA-SK@marginal" prices
 * the run with the built-in marginal table (its country's row for a sub-national zone, which
 * the run's intensity source then says), "FR@2010" with that year's average. -EINVAL for an
 * unknown zone or suffix (aim_zone_resolve says why). */
AIM_PUBLIC int aim_config_set_zone(aim_config *c, const char *zone);
/* The command being measured, for the record (argv, NULL-terminated). */
AIM_PUBLIC int aim_config_set_command(aim_config *c, char *const argv[]);
/* The root of the process tree whose CPU time is recorded (the monitored command). */
AIM_PUBLIC int aim_config_set_target_pid(aim_config *c, pid_t pid);
/* An option of a source, declared by the source itself (docs/api.md, "Source options"):
 * source is a source's name ("dcgm") or a vendor's ("nvidia": each of its sources that takes
 * key; a value set under a source's name wins over its vendor's). ("nvidia", "gpus", "0,2"):
 * which GPUs, indices or UUIDs (default all, or CUDA_VISIBLE_DEVICES); ("dcgm", "host",
 * "localhost:5555"): a running nv-hostengine instead of DCGM's embedded host engine. value
 * NULL = the source's default again. -ENOENT for a source or key no source takes, -EINVAL
 * for a bad value, -E2BIG past 16 options; the configuration is unchanged then. */
AIM_PUBLIC int aim_config_set_source_option(aim_config *c, const char *source, const char *key,
                                            const char *value);
/* Which GPU metrics: "basic" (what NVML gives, nvidia-smi class), "full" (plus DCGM's
 * profiling metrics, at DCGM's ~100 ms floor when the run is faster), or a comma-separated
 * list of metric keys and presets; GPU power and energy are always sampled. NULL or "" =
 * everything available at the run's interval. -EINVAL for an unknown entry. */
AIM_PUBLIC int aim_config_set_metrics(aim_config *c, const char *spec);
/* Listen for phases, markers and records on a Unix socket at path while the session runs
 * (docs/control.md); `aimeter run` gives its path to the command as AIMETER_CONTROL. The
 * path must not exist; the socket is created mode 0600 and removed at the end. NULL or "" =
 * none. -ENAMETOOLONG past 107 bytes. */
AIM_PUBLIC int aim_config_set_control_socket(aim_config *c, const char *path);
/* The idle level of the machine: a stored run (its id, as aim_store_resolve_run gives it)
 * measured with nothing running, whose per-device mean power is taken as idle; the report
 * then shows total, idle and net (attributable) energy and carbon per component (seed 002's
 * W_total - W_idle). NULL or "" = none. `aimeter run --idle 10s` measures one first. */
AIM_PUBLIC int aim_config_set_idle_baseline(aim_config *c, const char *run_id);
/* Show embodied (manufacturing) carbon amortised over the run's time, from the devices'
 * kinds and models (data/embodied.csv); reported separately, never added to operational
 * carbon. */
AIM_PUBLIC int aim_config_set_embodied(aim_config *c, int on);
/* The session is a node's agent (`aimeter agent`, docs/agent.md): its control socket is
 * created mode 0666, for the jobs of every user on the node, and keeps their messages per job
 * (`job ID`: phases and marks named "JOB: NAME", each job's phases nested on their own);
 * /metrics adds aimeter_job_info and aimeter_job_energy_joules_total per job. */
AIM_PUBLIC int aim_config_set_agent(aim_config *c, int on);
/* Retention for a long session (an agent, a week-long job; docs/retention.md): while it runs,
 * its samples older than retain_ns are deleted from the store, with its closed phase
 * instances, marks and records; those older than downsample_after_ns are replaced by one
 * value per downsample_step_ns bucket (a gauge's mean, a counter's last reading). The run's
 * totals, per-device and per-phase energy and carbon and its series statistics are kept
 * exact (they are computed as it samples). A pass runs on the writer thread after a commit,
 * every tenth of the shorter age (at most every minute), bounded in size. 0 = never (the
 * default for each); step 0 = 1 min. -EINVAL for an age under 1 s, a downsampling age not
 * shorter than the retention, or a step outside 1 ms..1 h; the configuration is unchanged
 * then. */
AIM_PUBLIC int aim_config_set_retention(aim_config *c, int64_t retain_ns,
                                        int64_t downsample_after_ns, int64_t downsample_step_ns);
/* When the store is a server (postgresql://), the run is written into a local SQLite spool
 * and uploaded to the server from it every upload interval, and once more at the end
 * (docs/store.md, "When the server is unreachable: the spool"). The spool's path: NULL = the
 * default ($STATE_DIRECTORY/spool.db under systemd, else $XDG_DATA_HOME/aimeter/spool.db);
 * -EINVAL for "", a URL or a path longer than 4095 bytes. Unused with a local store. */
AIM_PUBLIC int aim_config_set_spool(aim_config *c, const char *path);
/* The time between uploads to a server store: 0 = 5 s; -EINVAL outside 10 ms..1 h. */
AIM_PUBLIC int aim_config_set_upload_interval(aim_config *c, int64_t interval_ns);

/* ---------------------------------------------------------------- carbon zones */

/* One row of the built-in tables (data/zones*.csv; sources, years, licences and the
 * precedence between them in data/README.md). All strings are static. */
typedef struct aim_zone_info {
    const char *code;        /* "FR", "CA-SK", "US-CAL-CISO", "US-EGRID-RFCE" */
    const char *name;        /* "France" */
    double g_per_kwh;        /* g CO2e per kWh */
    const char *basis;       /* "lifecycle" or "direct" */
    int year;
    const char *source;      /* who published it */
    const char *licence;     /* "CC BY 4.0", "ODbL 1.0 (Electricity Maps)", ... */
    const char *signal;      /* "average" or "marginal" (operating margin) */
} aim_zone_info;

/* Looks a zone up (case-insensitive, '_' taken as '-'): its average-intensity row from the
 * first table, in precedence order, that has the code. CODE may also be a cloud region,
 * "provider:region" ("aws:us-east-1", "gcp:europe-west1", "azure:westeurope"), which gives
 * the row of the grid zone the region is in. -EINVAL for NULL or "", -ENOENT when unknown
 * (*ret_zone untouched). The returned pointer is static. Thread-safe. */
AIM_PUBLIC int aim_zone_lookup(const char *code, const aim_zone_info **ret_zone);
/* As aim_zone_lookup, for a signal: marginal = 0, the average row; marginal = 1, the
 * marginal one (per-country operating margin). Marginal factors exist per country only, so a
 * sub-national zone or a cloud region falls back to its country's row (code "CA-SK", then
 * "CA"): the returned row's code says which was used. */
AIM_PUBLIC int aim_zone_lookup_signal(const char *code, int marginal,
                                      const aim_zone_info **ret_zone);
/* As aim_zone_lookup_signal, keeping only rows of one basis ("lifecycle" or "direct"; NULL:
 * any). -EINVAL for another basis. */
AIM_PUBLIC int aim_zone_lookup_basis(const char *code, int marginal, const char *basis,
                                     const aim_zone_info **ret_zone);
/* The average intensity of CODE (a zone, or "provider:region" for its zone) in one YEAR,
 * copied into *ret_row (its strings are static): the zone's current row when it is of that
 * year, else the yearly history (data/zones_history.csv: every country 2000-2024, Our World
 * in Data; data/zones_history_odbl.csv: every Electricity Maps zone 2021-2025), else any
 * other average row of that year in the zone tables. A sub-national zone never falls back
 * to its country. Does not change what aim_zone_lookup returns. -EINVAL for NULL or "",
 * -ENOENT when the zone or that year is unknown (*ret_row untouched). Thread-safe. */
AIM_PUBLIC int aim_zone_history_lookup(const char *code, int year, aim_zone_info *ret_row);
/* A zone as every command takes it: "CODE[@YEAR][@marginal|@average]" ("CA-SK", "FR@2010",
 * "CA-SK@marginal", "aws:us-east-1@2023"; suffixes in any order, case-insensitive). The row
 * that prices it is copied into *ret_row (may be NULL; static strings): @YEAR that year's
 * average (aim_zone_history_lookup), @marginal the marginal row (aim_zone_lookup_signal),
 * which for a sub-national zone or a cloud region is its country's: then note (may be NULL)
 * says so in one line ("national figure of CA: CA-SK has no marginal factor of its own"),
 * else it is "". -EINVAL with one line in *ret_error (may be NULL) for an unknown zone, a
 * bad suffix, or a year or signal the tables lack. Thread-safe. */
AIM_PUBLIC int aim_zone_resolve(const char *spec, aim_zone_info *ret_row, char *note,
                                size_t notelen, aim_error *ret_error);
/* Every row of every table, in precedence order: alternatives that a lookup does not return
 * (a country's Electricity Maps row after its Our World in Data one, direct after lifecycle)
 * and marginal rows included. NULL past the end. */
AIM_PUBLIC size_t aim_zone_count(void);
AIM_PUBLIC const aim_zone_info *aim_zone_get(size_t index);

/* A cloud region and the grid zone it draws from (data/cloud_regions.csv). Static strings. */
typedef struct aim_cloud_region {
    const char *provider;    /* "aws", "gcp", "azure", "ovh", ... */
    const char *region;      /* "us-east-1" */
    const char *zone;        /* zone code, as for aim_zone_lookup: "US-MIDA-PJM" */
    const char *location;    /* "N. Virginia" */
    double lat, lon;         /* of the data centre, degrees */
    const char *source;
    const char *licence;
} aim_cloud_region;

/* "provider:region", case-insensitive, '_' taken as '-'. -EINVAL for NULL or a name without
 * ':', -ENOENT when unknown. */
AIM_PUBLIC int aim_cloud_region_lookup(const char *name, const aim_cloud_region **ret_region);
AIM_PUBLIC size_t aim_cloud_region_count(void);
AIM_PUBLIC const aim_cloud_region *aim_cloud_region_get(size_t index);

/* (issue 15) The tables searched as `aimeter zones [QUERY] [--marginal] [--cloud] [--all]`
 * lists them (docs/cli.md): query, a case-insensitive substring of a code or name (of a
 * region, its location or zone, with cloud; NULL: every row); marginal, the marginal table;
 * cloud, the cloud regions; all, every row, not only those a lookup uses. */
typedef struct aim_zone_query {
    const char *query;
    int marginal, cloud, all;
} aim_zone_query;
typedef struct aim_zone_match {
    const aim_zone_info *zone;
    const aim_cloud_region *region; /* with cloud, else NULL */
    size_t index;                   /* in its table */
    int used;                       /* the row a lookup of its code returns */
} aim_zone_match;
/* The rows that match, by code (regions in table order), into ret (cap at least
 * aim_zone_count() + aim_cloud_region_count()); returns how many (0 for a bad argument). */
AIM_PUBLIC size_t aim_zone_select(const aim_zone_query *q, aim_zone_match *ret, size_t cap);
/* The same as `aimeter zones --json` prints it (a JSON array, docs/cli.md); *ret_n (may be
 * NULL) the rows. Caller frees *ret_text. 0, -EINVAL, -ENOMEM. */
AIM_PUBLIC int aim_zone_select_json(const aim_zone_query *q, char **ret_text, size_t *ret_n);
/* (issue 15) `aimeter zones --year YEAR`: for each zone aim_zone_select lists for q (its
 * query and marginal; cloud and all are refused: 0 rows, -EINVAL), the row of that year: the
 * average one aim_zone_history_lookup gives (what `whatif --zones CODE@YEAR` prices with), or
 * with marginal the zone's marginal row when it is of that year; zones without that year are
 * left out. Copied into ret (cap at least aim_zone_count(); static strings), by code;
 * returns how many. */
AIM_PUBLIC size_t aim_zone_select_year(const aim_zone_query *q, int year, aim_zone_info *ret,
                                       size_t cap);
/* Those rows as aim_zone_select_json prints rows (`aimeter zones --year YEAR --json`).
 * Caller frees *ret_text. 0, -EINVAL (a bad argument, cloud or all), -ENOMEM. */
AIM_PUBLIC int aim_zone_year_json(const aim_zone_query *q, int year, char **ret_text,
                                  size_t *ret_n);

/* ---------------------------------------------------------------- sessions */

typedef struct aim_session aim_session;

typedef enum aim_run_status {
    AIM_RUN_RUNNING = 0,
    AIM_RUN_COMPLETED,
    AIM_RUN_FAILED,
    AIM_RUN_INTERRUPTED,
} aim_run_status;

AIM_PUBLIC const char *aim_run_status_name(aim_run_status status);

/* Creates a session from a configuration (copied). Nothing is opened yet. -ENOMEM. */
AIM_PUBLIC int aim_session_new(const aim_config *config, aim_session **ret_session);

/* Opens the store (creating or migrating it), records the run as "running", opens the
 * sources and starts the sampler and writer threads. The first sample is taken before this
 * returns. Errors (detail in aim_session_errmsg()): -EACCES/-EROFS/-ENOENT/-EISDIR when the
 * store cannot be written; -EBADMSG when the file is not an aimeter store; -EBUSY when it
 * stays locked; -EPROTO when a newer aimeter wrote it; -ENODEV when no source measures
 * anything; -EALREADY when already started. */
AIM_PUBLIC int aim_session_start(aim_session *s);

/* Stops sampling (one last sample is taken), finalises energy, carbon and statistics,
 * and commits the run with its status and the child's exit code (-1 if none).
 * Safe to call once after start; a second call returns -EALREADY. Samples whose commits the
 * store refused during the run are stored now (the last commit is tried three times, 0.5 s
 * apart, so this may take a second longer); when the store still refuses them, or some were
 * dropped at the 64 MiB memory bound, the run's row is stored without them, with
 * samples_lost and a warning, and the store's error is returned (-ENOSPC, -EIO, ...;
 * aim_session_errmsg() says "the store is incomplete: N of M samples could not be stored"). */
AIM_PUBLIC int aim_session_stop(aim_session *s, aim_run_status status, int exit_code);

/* Frees the session. If it is still sampling it is stopped as interrupted first. */
AIM_PUBLIC void aim_session_free(aim_session *s);

/* Borrowed run id, e.g. "20261121-140312-3f9a". Valid for the session's lifetime. */
AIM_PUBLIC const char *aim_session_run_id(const aim_session *s);

/* After aim_session_stop, when the store is a server: the spool's path if the run is still
 * only there (the server could not be reached at the end; `aimeter push --db SPOOL --to
 * URL` uploads it), else NULL. Borrowed, valid for the session's lifetime. */
AIM_PUBLIC const char *aim_session_spool_pending(const aim_session *s);

/* The last error detail of this session (never NULL). */
AIM_PUBLIC const char *aim_session_errmsg(const aim_session *s);

/* Live figures for a status line. Thread-safe; cheap (atomic reads). */
typedef struct aim_live {
    int64_t elapsed_ns;
    double power_w;        /* total power over the last interval */
    double energy_j;       /* total energy so far */
    uint64_t samples;
    uint64_t missed_deadlines;
} aim_live;
AIM_PUBLIC int aim_session_live(const aim_session *s, aim_live *ret_live);

/* /metrics over HTTP for a started session: the Prometheus text format 0.0.4, or OpenMetrics
 * 1.0 when the scraper's Accept asks for application/openmetrics-text; names in
 * docs/metrics.md. A scrape reads the live snapshot only (never the hardware, never blocking
 * the sampler). address: an IPv4 or IPv6 literal (NULL: 127.0.0.1); the caller decides whether
 * another than loopback may be served. Stop it before aim_session_free(). -EINVAL (address,
 * port, session not started), -EADDRINUSE, -EACCES, -ENOMEM. */
typedef struct aim_metrics_server aim_metrics_server;
AIM_PUBLIC int aim_metrics_server_start(aim_session *s, const char *address, unsigned port,
                                        aim_metrics_server **ret_server);
AIM_PUBLIC void aim_metrics_server_stop(aim_metrics_server *server);
/* GET /api/live of a serving aimeter (url: "http://127.0.0.1:10425/api/live"): the live
 * snapshot as JSON (docs/http-api.md) in *ret_body, NUL-terminated, freed by the caller with
 * free(). timeout_ns: the whole request (0: 5 s). Plain http only to a loopback address or
 * localhost, never through a proxy. On error *ret_error (may be NULL) gets one line: -EINVAL
 * a bad URL, -EPERM plain http to another host, -ENETUNREACH nothing listens there, -EAGAIN
 * timed out, -ENOENT HTTP 404 (not an aimeter live endpoint), -EPROTO another HTTP status or
 * a broken answer, -EFBIG an answer above 4 MiB, -ENOSYS libcurl cannot be loaded, -ENOMEM.
 * Thread-safe. */
AIM_PUBLIC int aim_live_fetch(const char *url, int64_t timeout_ns, char **ret_body,
                              aim_error *ret_error);
/* (issue 14) aim_live_fetch with what a server behind a web-config asks for. Zero-initialise
 * it and set what you need. Secrets are sent only to the URL's own origin and never logged. */
typedef struct aim_live_fetch_options {
    const char *url;          /* as aim_live_fetch's; https to any host */
    int64_t timeout_ns;       /* the whole request; 0: 5 s */
    const char *bearer_token; /* "Authorization: Bearer TOKEN", or NULL */
    const char *username;     /* HTTP Basic with password, or NULL */
    const char *password;
    const char *ca_file;      /* PEM certificates that verify the https server (a self-signed
                                 one) instead of the system's; NULL: the system's */
    const int *cancel;        /* when set: non-zero (set by another thread with an atomic
                                 store) ends the request soon with -ECANCELED */
} aim_live_fetch_options;
/* aim_live_fetch's returns, and -EACCES for HTTP 401 or 403 (no or wrong credentials),
 * -EPROTO for a TLS failure (a certificate that does not verify), -ECANCELED. */
AIM_PUBLIC int aim_live_fetch_with(const aim_live_fetch_options *options, char **ret_body,
                                   aim_error *ret_error);
/* (issue 14) The same, with a web-config file (docs/cli.md "Web config": the Prometheus
 * exporter-toolkit's layout, tls_server_config and basic_auth_users with bcrypt hashes, plus
 * bearer_tokens) at web_config (NULL: plain HTTP, no credentials asked for). Requests without
 * the right credentials get 401. The file's secrets are never logged. ret_error (may be NULL)
 * gets one line, naming the file and line for a bad file. Also -ENOENT / -EACCES (the file),
 * -EINVAL (its content, a certificate or key that cannot be read or used), -EOPNOTSUPP (TLS
 * asked for; libmicrohttpd has none). */
AIM_PUBLIC int aim_metrics_server_start_with(aim_session *s, const char *address, unsigned port,
                                             const char *web_config, aim_error *ret_error,
                                             aim_metrics_server **ret_server);
/* Reads and checks a web-config file as aim_metrics_server_start_with would, without
 * serving: 0 with *ret_auth 1 when it asks for credentials (a user or a bearer token), 0
 * when not, and *ret_tls likewise for TLS (either may be NULL); errors as above. */
AIM_PUBLIC int aim_web_config_check(const char *path, int *ret_auth, int *ret_tls,
                                    aim_error *ret_error);
/* A bcrypt hash (cost 10) of password for a web-config file, into *ret_hash (free()).
 * 0, -EINVAL (empty, or longer than 72 bytes, which bcrypt would cut), -ENOMEM,
 * -EIO (libxcrypt failed). The password is wiped from the library's copies. */
AIM_PUBLIC int aim_password_hash(const char *password, char **ret_hash);

/* (issue 15) `aimeter serve`: the UI (GET /, /ui/app.js, /ui/app.css) and the store's JSON
 * API (docs/http-api.md, docs/openapi.yaml): /api/runs, /api/runs/{id}, /api/runs/{id}/series,
 * the event stream /api/runs/{id}/events, /api/live, ..., served on address (an IPv4 or IPv6
 * literal; NULL: 127.0.0.1) and port from the store at store_path (NULL: the default store),
 * opened read-only unless flags has AIM_API_SERVER_ALLOW_IMPORT (then read-write, and POST
 * /api/profiles stores profiles), with the web-config file's TLS and credentials
 * (web_config: NULL for none; the caller decides whether a non-loopback address needs them,
 * as the CLI does). The server answers in threads of its own until aim_api_server_stop.
 * 0, or -EINVAL (address, port), -ENOENT (no store), -EADDRINUSE, -EACCES, -EOPNOTSUPP
 * (TLS, none in this libmicrohttpd), -ENOMEM; the message in *ret_error. */
typedef struct aim_api_server aim_api_server;
#define AIM_API_SERVER_ALLOW_IMPORT 1u
AIM_PUBLIC int aim_api_server_start(const char *store_path, const char *address, unsigned port,
                                    const char *web_config, unsigned flags, aim_error *ret_error,
                                    aim_api_server **ret_server);
AIM_PUBLIC void aim_api_server_stop(aim_api_server *server);

/* ---------------------------------------------------------------- phases, markers, records */

/* From the workload, while the session runs (after aim_session_start, before stop); any
 * thread; timestamped now, on the samples' clock. The same as the control socket's lines
 * (docs/control.md), and with the same limits.
 * aim_phase_begin: a phase called name (1-128 bytes of text) begins; phases nest.
 * aim_phase_end: the innermost open phase called name (NULL or "": the innermost of all)
 * ends, with the phases opened inside it.
 * aim_mark: an instant worth seeing ("checkpoint saved").
 * aim_record: a number from the workload. key is 1-48 of a-z 0-9 _ . - starting with a
 * letter; counters (tokens, samples, requests, ..., *_total, *_count) add up, other keys are
 * gauges (loss, latency); aim_record_as chooses: counter 1 or 0.
 * Return 0; -EINVAL for a bad name, key or value; -ENOBUFS when 65,536 events are waiting
 * (a flood: the event is dropped and counted); -ENODEV when the session is not running.
 * Unknown phase names at end and the limits on phases are reported with the run. */
AIM_PUBLIC int aim_phase_begin(aim_session *s, const char *name);
AIM_PUBLIC int aim_phase_end(aim_session *s, const char *name);
AIM_PUBLIC int aim_mark(aim_session *s, const char *text);
AIM_PUBLIC int aim_record(aim_session *s, const char *key, double value);
AIM_PUBLIC int aim_record_as(aim_session *s, const char *key, double value, int counter);

/* ---------------------------------------------------------------- the store */

typedef struct aim_store aim_store;

/* A store handle, not yet open. -ENOMEM. */
AIM_PUBLIC int aim_store_new(aim_store **ret_store);
/* Opens an aimeter store (creating or migrating it unless readonly). NULL path = the
 * default. Errors as for aim_session_start; detail in aim_store_errmsg(). */
AIM_PUBLIC int aim_store_open(aim_store *store, const char *path, int readonly);
AIM_PUBLIC void aim_store_free(aim_store *store);
AIM_PUBLIC const char *aim_store_errmsg(const aim_store *store);

/* The default store path ($AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db, else
 * ~/.local/share/aimeter/aimeter.db). Caller frees with free(). */
AIM_PUBLIC int aim_default_db_path(char **ret_path);

/* Resolves a RUN as every command takes it (docs/cli.md, "RUN"): "last" (the newest run),
 * a full run id, a unique prefix of one, or a run's name (its newest run of that name),
 * else a unique prefix of a name. Caller frees *ret_id with free(). -ENOENT no such run,
 * -EEXIST ambiguous (several ids begin with it, it begins several names, or it is both a
 * name and the start of another run's id: errmsg lists the candidates). */
AIM_PUBLIC int aim_store_resolve_run(aim_store *store, const char *ref, char **ret_id);

/* Renders the list of runs, newest first, as AIM_FORMAT_TEXT or AIM_FORMAT_JSON (else
 * -EOPNOTSUPP). Caller frees. Errors in aim_store_errmsg(). */
AIM_PUBLIC int aim_store_list_runs(aim_store *store, aim_format format, size_t limit,
                                   char **ret_text);

/* (issue 16) `aimeter push`: copies the stored run run_id (a full id, as
 * aim_store_resolve_run gives it) from src into dest (open for writing; any back-end on
 * either side, e.g. a node's SQLite store into a shared PostgreSQL one), in one transaction
 * of dest, idempotently: a run pushed twice, or again after a push that was cut off, is in
 * dest once, row for row; only the chunks of samples dest lacks are written. A run still
 * being recorded may be pushed: what it had committed is copied (ret_stats->running says
 * so) and a later push adds the rest. dest then holds the run's row, devices, series,
 * phases, records, tags, ... as src does (replaced). Its chunks of samples: dest keeps the
 * ones src no longer has or has in another version (src's retention pruned or downsampled
 * them: dest's history stays whole) unless flags has AIM_PUSH_MIRROR, which makes dest's
 * chunks equal src's (those removed, these replaced). ret_stats may be NULL. Errors (detail
 * in aim_store_errmsg(dest)): -ENOENT no such run in src, -EEXIST dest holds another run
 * under that id (another host or start time: ids are unique per store only; nothing is
 * written), -EPROTO dest's schema lacks a table or column src has, -EINVAL (a store not
 * open, dest being src, an unknown flag), -ECONNREFUSED the server went away, -EBUSY,
 * -EROFS, -EACCES, -EIO, -ENOMEM. */
typedef struct aim_push_stats {
    uint64_t rows;           /* rows written besides samples: the run, its devices, ... */
    uint64_t chunks_written; /* chunks of samples dest lacked, written */
    uint64_t chunks_present; /* chunks dest already had: left alone */
    uint64_t chunks_removed; /* AIM_PUSH_MIRROR: chunks src no longer has, removed from dest */
    int running;             /* 1: the run was still being recorded */
    uint64_t chunks_kept;    /* chunks src no longer has or has downsampled, kept in dest */
} aim_push_stats;
#define AIM_PUSH_MIRROR 1u /* dest's chunks of the run made equal to src's */
AIM_PUBLIC int aim_store_push_run(aim_store *dest, aim_store *src, const char *run_id,
                                  unsigned flags, aim_push_stats *ret_stats);

/* (issue 16) What a store location (as aim_store_open takes it) names: 1 and *ret_path (may
 * be NULL; points into location) the file of a file store (a plain path, sqlite:PATH,
 * sqlite://PATH), 0 a server's store (postgresql://...: no file of ours), -EPROTONOSUPPORT
 * a scheme:// aimeter does not know (or was built without), -EINVAL no location. Parses
 * only: nothing is opened. */
AIM_PUBLIC int aim_store_location_file(const char *location, const char **ret_path);

/* (issue 16) location as a message may show it (docs/store.md, "PostgreSQL"): into buf (size
 * bytes with the NUL, truncated to fit), with the secrets of a "scheme://" URL of any scheme
 * (the password in user:SECRET@host, the values of password= and sslpassword=) replaced by
 * "***"; a plain path is copied as it is. For every message that names a store location a
 * user gave, before (or without) an open that would redact it. 0, or -EINVAL (no buf). */
AIM_PUBLIC int aim_store_location_redact(const char *location, char *buf, size_t size);

/* (issue 17) Which runs aim_store_find_runs and aim_store_list_runs_where take (`aimeter
 * ls` filters, docs/cli.md); every criterion given must hold, NULL or 0 is "any". */
typedef struct aim_run_query {
    const char *name;         /* the run's name exactly, or a shell pattern when it has *, ?
                                 or [ (fnmatch(3): `train-*`) */
    const char *const *tags;  /* n_tags of "KEY=VALUE" (that tag with that value) or "KEY"
                                 (that tag, any value) */
    size_t n_tags;
    const char *host;         /* the host it was recorded on, exactly */
    int64_t since_wall_ns;    /* started at or after (Unix ns); 0: any */
    int64_t until_wall_ns;    /* started before (Unix ns); 0: any */
    unsigned statuses;        /* AIM_RUNS_* bits: its status is one of them; 0: any */
    size_t limit;             /* at most this many, the newest; 0: all */
} aim_run_query;
/* A run's status as `aimeter ls` shows it: the stored one, except that a run stored as
 * running whose aimeter process is gone (checked on the host that recorded it) is
 * incomplete. */
#define AIM_RUNS_RUNNING 0x01u
#define AIM_RUNS_COMPLETED 0x02u
#define AIM_RUNS_FAILED 0x04u
#define AIM_RUNS_INTERRUPTED 0x08u
#define AIM_RUNS_INCOMPLETE 0x10u

/* (issue 17) One run as aim_store_find_runs lists it. */
typedef struct aim_run_entry {
    char id[40];
    char name[128];
    char host[128];
    int64_t start_wall_ns;    /* Unix ns */
    int64_t last_wall_ns;     /* its end, or its last commit while it was recorded */
    unsigned status;          /* one AIM_RUNS_* bit */
    int here;                 /* 1: recorded on this machine (its process could be checked) */
} aim_run_entry;

/* (issue 17) The runs matching q (NULL: all), newest first (start time, then id): *ret
 * (free() it; NULL when none) and *ret_n. -EINVAL (a tag that is no KEY or KEY=VALUE, a
 * store not open), -ENOMEM, the store's errors; aim_store_errmsg() says more. */
AIM_PUBLIC int aim_store_find_runs(aim_store *store, const aim_run_query *q,
                                   aim_run_entry **ret, size_t *ret_n);
/* The same runs rendered as aim_store_list_runs renders them (AIM_FORMAT_TEXT, JSON; CSV
 * where this aimeter has it, else -EOPNOTSUPP). Caller frees *ret_text. */
AIM_PUBLIC int aim_store_list_runs_where(aim_store *store, const aim_run_query *q,
                                         aim_format format, char **ret_text);

/* (issue 17) The runs that use run_id (a full id) as their idle baseline (their reports
 * subtract its power, aim_config_set_idle_baseline), newest first: *ret (free() it; NULL
 * when none), *ret_n. -EINVAL, -ENOMEM, the store's errors. */
AIM_PUBLIC int aim_store_run_dependents(aim_store *store, const char *run_id,
                                        aim_run_entry **ret, size_t *ret_n);

/* (issue 17) `aimeter rm`: removes the runs run_ids[0..n) (full ids) from the store (open
 * for writing) with every row of theirs (devices, series, samples, phases, tags, ...), each
 * in one transaction. Nothing is removed unless every one may be: -ENOENT one is not there;
 * -EPERM one is still being recorded (its status says running and its process is alive, or
 * it was recorded on another machine, where that cannot be checked) without
 * AIM_REMOVE_RUNNING, or is the idle baseline of a run that stays without
 * AIM_REMOVE_BASELINE (errmsg names the runs). AIM_REMOVE_DRY_RUN: the checks only. Then
 * -EBUSY, -EROFS, -ECONNREFUSED, -EIO as the store fails (the runs before the one that
 * failed are removed). removed (may be NULL) is called with each run as it goes (with
 * AIM_REMOVE_DRY_RUN: each that would), in the order given; a run listed twice goes once. */
typedef void (*aim_run_entry_fn)(void *userdata, const aim_run_entry *run);
#define AIM_REMOVE_RUNNING 1u  /* also a run that may still be being recorded: its writer
                                  then fails to store the rest */
#define AIM_REMOVE_BASELINE 2u /* also a run other runs use as their idle baseline: their
                                  reports then say it is gone */
#define AIM_REMOVE_DRY_RUN 4u  /* check, remove nothing */
AIM_PUBLIC int aim_store_remove_runs(aim_store *store, const char *const *run_ids, size_t n,
                                     unsigned flags, aim_run_entry_fn removed, void *userdata);

/* (issue 17) `aimeter gc`'s space: a file store's size in bytes and the part of it that is
 * free pages (a removal leaves them), and with AIM_RECLAIM_VACUUM (else only measured) the
 * free pages given back to the file system (SQLite's VACUUM: the whole file rewritten under
 * the write lock, which a long store holds for as long as a copy of it takes); size_after
 * is the size then. -EOPNOTSUPP on a server's store (PostgreSQL: its autovacuum reclaims
 * space), -EBUSY (a writer held the lock beyond the busy timeout), -ENOSPC, -EIO. */
typedef struct aim_reclaim_stats {
    int64_t size_before;
    int64_t free_before;
    int64_t size_after;       /* = size_before without AIM_RECLAIM_VACUUM */
} aim_reclaim_stats;
#define AIM_RECLAIM_VACUUM 1u
AIM_PUBLIC int aim_store_reclaim(aim_store *store, unsigned flags, aim_reclaim_stats *ret);

/* ---------------------------------------------------------------- carbon method, cost, what-if */

/* Carbon = Σ over every sample interval of ΔE × intensity(t) × PUE, with intensity a step
 * function of wall-clock time stored with the run (docs/methodology.md, "Carbon"). */

/* A CSV of grid intensity over time, `timestamp,g_per_kwh[,signal]` (ISO 8601 with a zone
 * or Unix seconds; rules in docs/methodology.md), e.g. a grid operator's export. Read when
 * the session starts: aim_session_start() fails with -EBADMSG and "FILE:LINE: reason" in
 * aim_session_errmsg() for a bad row, -errno when it cannot be read. A constant
 * (aim_config_set_intensity) wins over it; it wins over a zone. NULL clears it. -EINVAL for
 * "" or a path longer than 4095 bytes. */
AIM_PUBLIC int aim_config_set_intensity_file(aim_config *c, const char *path);
/* Power usage effectiveness: facility energy = IT energy × PUE; carbon and cost are those of
 * the facility energy. spec: a number from 1.0 to 5.0 ("1.2"), or a name aim_pue_lookup()
 * knows ("aws", "gcp", "azure"). Default 1.0. -ERANGE for a number out of range, -EINVAL
 * for anything else. */
AIM_PUBLIC int aim_config_set_pue(aim_config *c, const char *spec);
/* Electricity price per kWh (0 to 1000) in currency (ISO 4217 code, 3 letters, any case):
 * cost = facility kWh × price. Replaces a price file. -EINVAL. */
AIM_PUBLIC int aim_config_set_price(aim_config *c, double per_kwh, const char *currency);
/* A time-of-use tariff: CSV `timestamp,price_per_kwh`, same rules as an intensity file,
 * read when the session starts; cost = Σ ΔE × price(t) × PUE. Replaces a constant price.
 * -EINVAL for a bad path or currency. */
AIM_PUBLIC int aim_config_set_price_file(aim_config *c, const char *path, const char *currency);

/* What if the run had drawn its energy elsewhere: replays the run's stored samples through
 * the same energy accounting as the live run and prices every interval in each zone of
 * `zones` (comma-separated codes for aim_zone_lookup, e.g. "CA-SK,CA-MB,FR"; may be NULL
 * when intensity_file is given; an item may add "@YEAR", that year's row as
 * aim_zone_history_lookup gives it, and/or "@marginal", the aim_zone_lookup_signal marginal
 * row: "FR@2010,PL@marginal") at its table value, and, with intensity_file, at that
 * file's series aligned to the run's wall clock. The run's own stored series is priced the
 * same way first, as the baseline of the ratios. pue: >= 1 to use that PUE for every row,
 * 0 for the run's own. format: AIM_FORMAT_TEXT (a table) or AIM_FORMAT_JSON (schema
 * "aimeter.whatif/1", docs/report-json.md). Caller frees *ret_text. Errors (detail in
 * aim_store_errmsg()): -ENOENT no such run, -EINVAL unknown zone, year or suffix, bad pue,
 * -EOPNOTSUPP another format, -EBADMSG a bad file row or corrupt samples, -errno when the
 * file cannot be read, -ENOMEM. */
AIM_PUBLIC int aim_whatif_render(aim_store *store, const char *run_id, const char *zones,
                                 const char *intensity_file, double pue, aim_format format,
                                 char **ret_text);

/* (issue 15) `aimeter whatif RUN --rank`: the run priced in every zone of the built-in tables
 * (the rows `aimeter zones` lists; with marginal, `zones --marginal`'s; with year,
 * aim_zone_select_year's) at its constant intensity: carbon = replayed IT energy × intensity
 * × PUE, bit for bit what aim_whatif_render prints for that zone alone ("CODE", "CODE@marginal",
 * "CODE@YEAR"), sorted by carbon, lowest first (then by code). Zero-initialise. */
typedef struct aim_whatif_rank_request {
    int marginal;            /* 1: the marginal table */
    int year;                /* 0: the current rows; else that year's (1900..2100) */
    double pue;              /* 0: the run's own; else 1.0..5.0 */
    size_t limit;            /* 0: every row; else the first limit rows */
} aim_whatif_rank_request;
/* format: AIM_FORMAT_TEXT (a table) or AIM_FORMAT_JSON (schema "aimeter.whatif-rank/1",
 * docs/report-json.md). Caller frees *ret_text. Errors (detail in aim_store_errmsg()):
 * -ENOENT no such run, -EINVAL bad request (pue, year), -EOPNOTSUPP another format,
 * -EBADMSG corrupt samples, -ENOMEM. */
AIM_PUBLIC int aim_whatif_rank_render(aim_store *store, const char *run_id,
                                      const aim_whatif_rank_request *req, aim_format format,
                                      char **ret_text);

/* ---------------------------------------------------------------- hardware, PUE, estimates, embodied */

/* Data-centre PUE defaults by provider: "aws", "gcp" (or "google"), "azure" (or
 * "microsoft"), "ovhcloud" (or "ovh"), "oracle", and "average" (the industry-wide survey
 * average), case-insensitive. *ret_source names the figure's source and year (static; may be
 * NULL to ignore). -EINVAL for NULL or "", -ENOENT for another name (outputs untouched).
 * Numbers are not parsed here. Thread-safe. */
AIM_PUBLIC int aim_pue_lookup(const char *name, double *ret_pue, const char **ret_source);
/* The names aim_pue_lookup() knows, without aliases (NULL-terminated, static). */
AIM_PUBLIC const char *const *aim_pue_names(void);

/* One accelerator of the built-in table (data/gpu_specs.csv; sources in data/README.md).
 * Static strings. A figure the sources do not give is NAN (test with isnan()). */
typedef struct aim_gpu_info {
    const char *name;        /* canonical: "NVIDIA H100 SXM5 80GB" */
    const char *aliases;     /* other names it answers to, '|'-separated: "H100|H100 SXM|..." */
    const char *vendor;      /* "NVIDIA", "AMD", "Google", ... */
    const char *kind;        /* "gpu", "tpu" or "accelerator" */
    double tdp_w;            /* thermal design power (board power), W; always > 0 */
    double memory_gb;        /* GB (1e9 bytes) */
    double fp32_tflops;      /* peak TFLOPS, dense (no sparsity): FP32 */
    double fp16_tflops;      /* FP16 without tensor cores */
    double tf32_tflops;      /* TF32 on tensor cores */
    double tensor_tflops;    /* FP16/BF16 on tensor cores (or the matrix units) */
    double fp8_tflops;       /* FP8 on tensor cores */
    double mem_bw_gbs;       /* memory bandwidth, GB/s */
    int year;                /* release year, 0 when unknown */
    const char *source;      /* file and row behind each figure */
    const char *licence;     /* "CC BY 4.0", ... */
} aim_gpu_info;

/* Finds an accelerator by the name a user types or a driver prints ("H100", "a100-sxm4-80gb",
 * "NVIDIA GeForce RTX 4090", "TPU v4"). The rule (src/lib/data/gpu_specs.h): names are
 * compared on their letters and digits only, case-insensitively, with leading brand words
 * ("NVIDIA", "Tesla", "GeForce", "AMD", "Google", ...) dropped, the socket's generation
 * ignored ("SXM4" = "SXM") and a memory size ("80GB") read wherever it stands, so NVML's
 * "NVIDIA A800 80GB PCIe" and "NVIDIA A800-SXM4-80GB" are found; the name must equal a row's
 * name or one of its aliases (no alias means two rows: the build checks), or, with a memory
 * size, the name without it a row that states no other size. A partial name is
 * never taken: -EEXIST when it begins two or more rows' names (ambiguous: list them with
 * aim_gpu_candidates), -ENOENT otherwise, -EINVAL for NULL or a name without letters or
 * digits. *ret_gpu is static and untouched on error. Thread-safe. */
AIM_PUBLIC int aim_gpu_lookup(const char *name, const aim_gpu_info **ret_gpu);
/* The rows whose name or an alias begins with name (same comparison), in table order: writes
 * up to max of them to ret (may be NULL when max is 0) and returns how many there are. The
 * "did you mean" list after a failed lookup. */
AIM_PUBLIC size_t aim_gpu_candidates(const char *name, const aim_gpu_info **ret, size_t max);
AIM_PUBLIC size_t aim_gpu_count(void);
/* The index-th row (0 <= index < count), NULL past the end. */
AIM_PUBLIC const aim_gpu_info *aim_gpu_get(size_t index);

/* A CPU model's power for an estimate. */
typedef struct aim_cpu_info {
    const char *model;       /* as in its table */
    double tdp_w;            /* package TDP, W; NAN when only a per-core figure is known */
    int cores;               /* cores per package, 0 when unknown */
    double tdp_per_core_w;   /* W per core; NAN when the table gives no core count */
    const char *source;      /* the table */
    const char *licence;
} aim_cpu_info;
/* Looks a CPU model up: first in Green Algorithms' per-core table (data/cpu_cores.csv,
 * matched like GPU names: "Xeon Gold 6248", "EPYC 7763"; "Any" is its unknown-CPU row),
 * then in the TDP table of the estimate source (data/cpu_tdp.csv, whole tokens of a
 * /proc/cpuinfo-style name; no core count there). Fills *ret_cpu (static strings).
 * -EINVAL for NULL or "", -EEXIST when the name only begins several per-core rows, -ENOENT
 * when neither table knows it. Thread-safe. */
AIM_PUBLIC int aim_cpu_lookup(const char *name, aim_cpu_info *ret_cpu);

/* Green Algorithms' estimate of a run that was not measured (Lannelongue et al. 2021):
 *   E = t × (n_cores × P_core × u_core + n_gpu × P_gpu × u_gpu + mem_GB × P_mem) × PUE
 *   carbon = E × intensity
 * with P_mem = 0.3725 W/GB (aim_footprint_memory_w_per_gb). */
typedef struct aim_footprint_input {
    double hours;            /* t, > 0 */
    int gpu_count;           /* n_gpu >= 0 */
    double gpu_power_w;      /* P_gpu: power of one GPU at full use (its TDP), >= 0 */
    double gpu_util;         /* u_gpu, 0..1 */
    int cpu_cores;           /* n_cores >= 0 */
    double cpu_core_power_w; /* P_core: power of one core at full use, >= 0 */
    double cpu_util;         /* u_core, 0..1 */
    double memory_gb;        /* memory allocated, GB >= 0 */
    double pue;              /* 1..5 */
    double g_per_kwh;        /* grid intensity, 0..5000 */
} aim_footprint_input;
typedef struct aim_footprint {
    double gpu_w, cpu_w, memory_w; /* each term of the sum in brackets, W */
    double it_w;                   /* their sum */
    double memory_w_per_gb;        /* P_mem used */
    double it_kwh;                 /* t × it_w: energy of the hardware */
    double energy_kwh;             /* it_kwh × PUE: energy of the facility */
    double carbon_g;               /* energy_kwh × intensity, g CO2e */
} aim_footprint;
/* Computes the estimate. -EINVAL (ret untouched) for a NULL pointer, a value out of the
 * ranges above or not finite. Thread-safe. */
AIM_PUBLIC int aim_footprint_compute(const aim_footprint_input *in, aim_footprint *ret);
/* P_mem in W per GB of memory, and its source (static; ret_source may be NULL). */
AIM_PUBLIC double aim_footprint_memory_w_per_gb(const char **ret_source);

/* Embodied (manufacturing) carbon of a class of device (data/embodied.csv). Static strings. */
typedef struct aim_embodied_info {
    const char *kind;        /* "gpu", "cpu", "server" or "dram" */
    const char *model;       /* a model, a variant ("gpu-node"), or "any": the class default */
    double kg_co2e;          /* per unit */
    const char *unit;        /* "device" or "GB" */
    double lifetime_years;   /* over which it is amortised */
    const char *scope;       /* what the figure covers */
    const char *source;      /* publication */
    const char *url;
    int year;                /* of the publication, 0 when unknown */
    const char *lifetime_source;
    const char *licence;
} aim_embodied_info;
/* The row for kind and model: model (NULL or "" for the class default) is compared like GPU
 * names, and for kind "gpu" also through aim_gpu_lookup() (so "A100 80GB" finds the row of
 * "NVIDIA A100 SXM4 80GB"). A model without a row of its own gets the kind's "any" row: the
 * returned row's model says which. -EINVAL for NULL kind, -ENOENT for an unknown kind.
 * Thread-safe. */
AIM_PUBLIC int aim_embodied_lookup(const char *kind, const char *model,
                                   const aim_embodied_info **ret_info);
AIM_PUBLIC size_t aim_embodied_count(void);
AIM_PUBLIC const aim_embodied_info *aim_embodied_get(size_t index);
/* The share of a manufacturing footprint charged to a run, linear over the lifetime:
 * kg × run_seconds / (lifetime_years × 365.25 × 86400). NAN for a lifetime <= 0 or a negative
 * or non-finite argument. Reported beside operational carbon, never added to it. */
AIM_PUBLIC double aim_embodied_amortise(double kg, double lifetime_years, double run_seconds);

/* An estimate of a run that was not measured (`aimeter estimate`, docs/cli.md): Green
 * Algorithms' inputs, each given or defaulted from the tables above (the GPU's TDP, the CPU's
 * power per core, the zone's intensity, the provider's PUE, the memory power), then
 * aim_footprint_compute and, when asked, the embodied carbon of the GPUs, memory and servers
 * amortised over the run. Every input keeps its source, naming the `aimeter estimate` option
 * that gave it or the table row and licence that defaulted it. */
enum {
    AIM_ESTIMATE_HOURS = 1u << 0,      /* hours was given (as --hours) */
    AIM_ESTIMATE_DURATION = 1u << 1,   /* hours was given as a duration (--time) */
    AIM_ESTIMATE_GPU_TDP = 1u << 2,    /* gpu_tdp_w */
    AIM_ESTIMATE_GPU_COUNT = 1u << 3,  /* gpu_count (default 1) */
    AIM_ESTIMATE_GPU_UTIL = 1u << 4,   /* gpu_util (default 1: full use) */
    AIM_ESTIMATE_CPU_TDP = 1u << 5,    /* cpu_core_tdp_w */
    AIM_ESTIMATE_CPU_CORES = 1u << 6,  /* cpu_cores (default: one package of the model) */
    AIM_ESTIMATE_CPU_UTIL = 1u << 7,   /* cpu_util (default 1) */
    AIM_ESTIMATE_MEMORY = 1u << 8,     /* memory_gb (default 0: not counted) */
    AIM_ESTIMATE_INTENSITY = 1u << 9,  /* g_per_kwh (wins over zone) */
};
/* What to estimate. Zero-initialise it, set what is known and its bit in `given`; exactly
 * one of AIM_ESTIMATE_HOURS and AIM_ESTIMATE_DURATION. Ranges are aim_footprint_input's. */
typedef struct aim_estimate_request {
    unsigned given;          /* AIM_ESTIMATE_* bits */
    double hours;            /* run time, h */
    const char *gpu;         /* accelerator (aim_gpu_lookup), or NULL; with gpu_tdp_w any
                                label */
    double gpu_tdp_w;        /* power of one GPU at full use, instead of the table's TDP */
    int gpu_count;
    double gpu_util;         /* 0..1 */
    const char *cpu;         /* CPU model (aim_cpu_lookup), or NULL */
    double cpu_core_tdp_w;   /* power of one core at full use */
    int cpu_cores;
    double cpu_util;         /* 0..1 */
    double memory_gb;
    const char *pue;         /* NULL: 1; "1.2", or a name aim_pue_lookup() knows */
    const char *zone;        /* NULL: WORLD; a zone as aim_zone_resolve() takes it */
    int marginal;            /* price the zone's marginal row (zone needed) */
    double g_per_kwh;        /* with AIM_ESTIMATE_INTENSITY */
    int embodied;            /* also the embodied carbon (never added to the carbon) */
    int servers;             /* with embodied: server chassis, >= 0 */
} aim_estimate_request;
/* An estimate and its last error. */
typedef struct aim_estimate aim_estimate;
/* -ENOMEM. aim_estimate_free accepts NULL. */
AIM_PUBLIC int aim_estimate_new(aim_estimate **ret);
AIM_PUBLIC void aim_estimate_free(aim_estimate *e);
/* Gathers the inputs (req's strings are copied) and computes. Errors, with one line in
 * aim_estimate_errmsg() saying what to give instead: -EINVAL a missing or contradictory
 * input (no run time, nothing to estimate, --cores without a per-core figure, ...), -ENOENT
 * unknown GPU (with a "did you mean" when one name is close), CPU or zone, -EEXIST an
 * ambiguous GPU or CPU name, -ERANGE a number out of range, -ENOMEM. The previous estimate is
 * dropped on error. Not thread-safe on one object. */
AIM_PUBLIC int aim_estimate_compute(aim_estimate *e, const aim_estimate_request *req);
/* The last error ("" when none); valid until the next call on e. */
AIM_PUBLIC const char *aim_estimate_errmsg(const aim_estimate *e);
/* The computed footprint: -ENODATA (ret untouched) before a successful compute, with
 * aim_estimate_errmsg() set. */
AIM_PUBLIC int aim_estimate_footprint(aim_estimate *e, aim_footprint *ret);
/* The estimate with every input, its source, the formula and the substituted numbers.
 * format: AIM_FORMAT_TEXT, or AIM_FORMAT_JSON (one object; its fields in docs/cli.md,
 * `aimeter estimate`). Caller frees *ret_text. -ENODATA before a successful compute,
 * -EOPNOTSUPP another format, -ENOMEM; aim_estimate_errmsg() says which. */
AIM_PUBLIC int aim_estimate_render(aim_estimate *e, aim_format format, char **ret_text);
/* The accelerator table (aim_gpu_get) as `aimeter estimate --list-gpus` prints it:
 * AIM_FORMAT_TEXT (a table) or AIM_FORMAT_JSON (an array of every field, source and
 * licence per row). Caller frees *ret_text. -EOPNOTSUPP another format, -EINVAL, -ENOMEM,
 * with one line in *ret_error (may be NULL). Thread-safe. */
AIM_PUBLIC int aim_gpu_table_render(aim_format format, char **ret_text, aim_error *ret_error);

/* ---------------------------------------------------------------- live grid intensity */

/* A question for a live provider (docs/providers.md): Electricity Maps, WattTime or the UK
 * Carbon Intensity API. Keys come from the environment or the credentials file, never from
 * here. Zero-initialise it and set what you need. */
typedef struct aim_intensity_request {
    const char *provider;   /* "electricitymaps", "watttime" or "ukgrid" */
    const char *zone;       /* the provider's zone/region ("DE", "CAISO_NORTH", UK: "GB", a
                               region id 1-17, "scotland", an outward postcode), or NULL */
    double lat, lon;        /* a position instead of a zone, with have_latlon = 1 */
    int have_latlon;
    int64_t from_ns, to_ns; /* wall clock, ns since the Unix epoch: history over [from, to);
                               both 0: the latest value */
    int marginal;           /* 1: the marginal signal (WattTime only), 0: average */
    int direct;             /* 1: direct emissions instead of lifecycle (Electricity Maps) */
    const char *cache_dir;  /* NULL: the default cache ($XDG_CACHE_HOME/aimeter/intensity);
                               "": no disk cache */
    int64_t timeout_ns;     /* the whole fetch; 0: 20 s */
} aim_intensity_request;

/* Fetches the series and renders it as AIM_FORMAT_TEXT (the source, then one line per point)
 * or AIM_FORMAT_JSON (docs/cli.md, `aimeter intensity`). Caller frees *ret_text. On error
 * *ret_error (may be NULL) gets one line for the user (never a key or token): -EINVAL a bad
 * request, -EOPNOTSUPP another format,
 * -EPERM a provider URL (AIMETER_*_URL) in plain http to a host that is not loopback,
 * -EOPNOTSUPP a signal the provider does not offer, -EACCES missing, refused or unsafe
 * credentials, -EAGAIN rate limited (HTTP 429), timed out or a provider error,
 * -ENETUNREACH unreachable (and no cached answer), -EPROTO a malformed, truncated or
 * wrong-unit answer, -ENOENT unknown zone or no data, -ENOMEM. Thread-safe. */
AIM_PUBLIC int aim_intensity_fetch_render(const aim_intensity_request *req, aim_format format,
                                          char **ret_text, aim_error *ret_error);

/* The environment variables the providers read their credentials from
 * ("ELECTRICITYMAPS_API_KEY", "WATTTIME_USERNAME", "WATTTIME_PASSWORD"; NULL-terminated,
 * static). A host that starts other programs can remove them from their environment, as
 * `aimeter run` does for the command it measures (docs/cli.md). */
AIM_PUBLIC const char *const *aim_credential_env_names(void);

/* A live provider for a run's intensity (docs/methodology.md, "Live providers"):
 * "electricitymaps", "watttime" or "ukgrid"; NULL clears it. It comes after a constant and an
 * intensity file in precedence, before the zone. It is asked for `region`, the provider's own
 * zone or region ("DE", "US-CAL-CISO"; WattTime "CAISO_NORTH"; UK "GB", 1-17, "scotland",
 * an outward postcode) when not NULL, else for the position set with aim_config_set_location,
 * else for the configuration's zone: set those first. marginal: 1 for the marginal signal
 * (WattTime), 0 for average. Keys come from the environment or the credentials file
 * (docs/providers.md), never from here. Checked now, without any I/O: -EINVAL (unknown
 * provider, malformed region, nowhere to ask), -EOPNOTSUPP (a signal the provider does not
 * offer), with one line in aim_config_errmsg(), or -ENOMEM; the configuration is then
 * unchanged.
 * When the session starts, the latest value is asked (3 s at most): it starts the run's
 * series, the provider is then polled at its own cadence, and its history re-prices the run
 * at the end (up to 10 s more in aim_session_stop). When it cannot answer at the start the
 * run uses the next input (zone table, time-zone guess, world average) and a warning in the
 * run says why. */
AIM_PUBLIC int aim_config_set_provider(aim_config *c, const char *provider, const char *region,
                                       int marginal);
/* The machine's position in degrees (latitude -90..90, longitude -180..180), for a provider
 * that locates it (Electricity Maps, WattTime). -EINVAL. */
AIM_PUBLIC int aim_config_set_location(aim_config *c, double lat, double lon);

/* Parses an ISO 8601 time ("2026-11-21", "2026-11-21T10:00Z", "2026-11-21 10:00:00+01:00";
 * no zone means UTC) into ns since the Unix epoch. -EINVAL, also for a time outside 1900 to
 * 2262 (what 64-bit ns since 1970 hold). Thread-safe. */
AIM_PUBLIC int aim_parse_wall_time(const char *text, int64_t *ret_unix_ns);

/* ---------------------------------------------------------------- reports and export */

/* A batch job across nodes (docs/cli.md, `aimeter report --job`): the runs tagged job=JOB
 * combined, per node and in total, phases aligned across nodes, stragglers, a node measured
 * twice counted once with a warning. format: AIM_FORMAT_TEXT, _JSON (schema "aimeter.job/1",
 * docs/report-json.md), _MARKDOWN or _HTML. Caller frees *ret_text. -ENOENT when no run has
 * the job's tag; errors in aim_store_errmsg(). Reads summaries only, never samples. */
AIM_PUBLIC int aim_job_report_render(aim_store *store, const char *job, aim_format format,
                                     char **ret_text);
/* The store's jobs, newest first, one line each (`aimeter jobs`): user NULL for all, since
 * (Unix ns) 0 for all, else the jobs that ended (or run) after it. format: AIM_FORMAT_TEXT,
 * _CSV or _JSON (schema "aimeter.jobs/1"). Caller frees *ret_text. */
AIM_PUBLIC int aim_jobs_render(aim_store *store, const char *user, int64_t since_wall_ns,
                               aim_format format, char **ret_text);

/* Renders a run's report: AIM_FORMAT_TEXT, AIM_FORMAT_JSON or AIM_FORMAT_MARKDOWN (else
 * -EOPNOTSUPP). O(number of series), independent of the run's length. Caller frees
 * *ret_text with free(). Errors in aim_store_errmsg(). AIM_FORMAT_HTML is
 * aim_report_render_html(store, run_id, NULL, 0, ret_text). */
AIM_PUBLIC int aim_report_render(aim_store *store, const char *run_id, aim_format format,
                                 char **ret_text);

/* (issue 13) The run's report as one self-contained HTML document: the JSON report, every
 * series min/max-decimated to `buckets` buckets (0: 2000), the phases and markers, the
 * cumulative energy and carbon, the correlation matrix and the run priced in other zones
 * (docs/report-json.md, schema aimeter.html/1), with the charts' CSS and JavaScript inlined:
 * it opens offline and fetches nothing. zones: comma-separated what-if zones as `aimeter
 * whatif --zones` takes them, priced besides the run's own and a default set (docs/cli.md);
 * NULL or "" for the defaults only. Reads every sample once; memory grows with the series and
 * the buckets, not with the run's length. Caller frees *ret_text with free(). -EINVAL (a bad
 * zone or bucket count), -ENOENT (no such run), -EBADMSG (a corrupt chunk), -ENOMEM,
 * -ENOTRECOVERABLE (a broken build: the web assets missing or bad); the message in
 * aim_store_errmsg(). */
AIM_PUBLIC int aim_report_render_html(aim_store *store, const char *run_id, const char *zones,
                                      unsigned buckets, char **ret_text);

/* Where an export's bytes go: called with consecutive pieces of the output (blocks of up to
 * about 64 KiB, whole rows); returns 0, or a negative errno that stops the export, which then
 * returns it with "cannot write ...: reason" as the store's message. */
typedef int (*aim_write_fn)(void *userdata, const void *data, size_t len);

/* Writes the run's time series as CSV (one row per sample of the fastest group, every
 * series as a column, values of slower groups held until they change) through write. */
AIM_PUBLIC int aim_export_csv(aim_store *store, const char *run_id, aim_write_fn write,
                              void *userdata);

/* Writes what each column of aim_export_csv is, as CSV: column (its header there), device,
 * metric, unit, method (measured, derived or estimated) and energy (for the series a
 * device's energy comes from: that method and its model or source, e.g. "estimated: 4
 * logical CPUs x (...)"). The CLI writes it beside a CSV file (docs/cli.md). */
AIM_PUBLIC int aim_export_csv_columns(aim_store *store, const char *run_id, aim_write_fn write,
                                      void *userdata);

/* Renders the run's energy profile as JSON, schema "aimeter.profile/1" (docs/report-json.md):
 * its host, hardware, energy (total and by device kind), carbon, intensity and PUE, and one
 * epoch per completed instance of its phase "epoch" (the instances aimeter forecast fits,
 * each measured as forecast measures it; [] when none). `aimeter export --profile` and GET
 * /api/runs/{id}/profile print it. Caller frees *ret_text. Errors (detail in
 * aim_store_errmsg()): -ENOENT no such run, -EINVAL, -EBADMSG corrupt samples, -EIO, -ENOMEM.
 * Not thread-safe on one store. */
AIM_PUBLIC int aim_profile_render(aim_store *store, const char *run_id, char **ret_text);

/* ---------------------------------------------------------------- plots */

/* What aim_plot_render draws (docs/cli.md, "aimeter plot"). Zero-initialise, then set. */
typedef struct aim_plot_request {
    const char *metrics;     /* comma-separated series, named as aim_export_csv's columns
                                without the unit: "gpu0.power,gpu0.sm_clock" */
    const char *output;      /* the file: its extension (.png, .svg, .pdf) is the format */
    int width, height;       /* pixels, 100 to 10000 each; 0: 1200 x 600 */
    int dpi;                 /* 30 to 1200; the text scales with it; 0: 100 */
    const char *title;       /* NULL: the run's name, else its id */
    int has_from, has_to;    /* the window, s since the run's start; without: the run's */
    double from_s, to_s;     /* start and end */
    const char *phase;       /* NULL, or the window from the first instance of that phase's
                                start to its last one's end, within from/to */
    /* Added with the other kinds of chart; zero keeps the time series above. */
    const char *kind;        /* NULL or "timeseries"; "phases" (per-phase activity bars with
                                the bottleneck hints), "scatter" (two metrics, with r),
                                "corr" (heat-map of r), "cumulative" (kWh and g CO2e over
                                time), "zones" (the run's carbon in other zones) */
    const char *layout;      /* NULL or "single"; "categories": stacked panels Energy,
                                Compute, Memory, Communication (time series) */
    const char *zones;       /* kind "zones": comma-separated zone items, as whatif --zones */
    double smooth_s;         /* > 0: a centred moving mean over that many seconds (time
                                series), before decimation */
    const char *const *more_runs; /* further run ids drawn on the same axes (time series) */
    size_t n_more_runs;
} aim_plot_request;

/* Draws a chart of a stored run into req->output: req->kind says which (docs/cli.md,
 * "aimeter plot"); without one, a time-series chart: the series on one or two
 * y-axes (one per unit), the phases as shaded, labelled bands, a series with more than two
 * samples per pixel as the minimum and maximum of each pixel (said on the chart), gaps in
 * the samples left open. Errors (detail in aim_store_errmsg()): -EOPNOTSUPP the extension
 * names no format; -EINVAL an unknown metric (the message lists the run's), more than two
 * units, more than 8 metrics, a bad size, dpi or window; -ENOENT no such run or phase;
 * -EIO the file cannot be written; -EBADMSG corrupt samples; -ENOMEM. The other kinds: -EINVAL
 * also for an unknown kind or layout (the message lists the valid ones), a scatter without
 * exactly two metrics, zones without any or with an unknown one; -ENODATA a phases chart of
 * a run without phases. */
AIM_PUBLIC int aim_plot_render(aim_store *store, const char *run_id, const aim_plot_request *req);

/* ---------------------------------------------------------------- correlation */

/* Pearson correlation between every pair of a run's series on one aligned grid: the ticks of
 * the run's main rate group, every other series sample-and-held, counters as their rate
 * (docs/methodology.md, "Correlation"). Kept while sampling and stored when the run ends. */

/* A part of a run: [t0_ns, t1_ns), in ns since the run started. */
typedef struct aim_time_range {
    int64_t t0_ns;
    int64_t t1_ns;
} aim_time_range;

typedef struct aim_corr_result aim_corr_result;

/* The time ranges of every instance of a phase of a run (docs/control.md), in the order they
 * began, for aim_corr_compute(): *ret_ranges is allocated (free()). -ENOENT when the run has
 * no phase of that name (aim_store_errmsg says so), -EINVAL, -ENOMEM. */
AIM_PUBLIC int aim_store_phase_ranges(aim_store *store, const char *run_id, const char *phase,
                                      aim_time_range **ret_ranges, size_t *ret_n);

/* aim_corr_compute flag: replay the stored samples even when the run stored its matrix. */
#define AIM_CORR_RECOMPUTE 1u

/* The run's matrix. Without ranges (NULL, 0) and AIM_CORR_RECOMPUTE, the matrix the run
 * stored when it ended is read (O(series²)); a run that stored none (still running, killed,
 * recorded before correlations existed) is replayed from its samples (O(ticks × series²),
 * about 0.2 s for an hour at 100 Hz with 28 series). ranges restrict the grid to the union of
 * those parts of the run (a phase's intervals) and always replay. Free the result with
 * aim_corr_result_free(). Errors (detail in aim_store_errmsg()): -EINVAL, -ENOENT no such run,
 * -EBADMSG corrupt samples, -ENOMEM. The result is independent of the store. */
AIM_PUBLIC int aim_corr_compute(aim_store *store, const char *run_id,
                                const aim_time_range *ranges, size_t n_ranges, unsigned flags,
                                aim_corr_result **ret_result);
AIM_PUBLIC void aim_corr_result_free(aim_corr_result *result);

typedef struct aim_corr_info {
    size_t n_series;         /* series in the matrix */
    uint64_t ticks;          /* grid ticks it covers */
    int64_t interval_ns;     /* the grid's spacing: the run's interval */
    int recomputed;          /* 1: replayed from the samples; 0: stored by the run */
    int exact;               /* 0: the live alignment stopped waiting for a stalled rate group,
                                so a replay may differ slightly */
    size_t n_constant;       /* series whose values never changed */
    size_t n_no_data;        /* series with fewer than min_n values on the grid */
    size_t n_identical;      /* series identical to an earlier one (same_as) */
    uint64_t min_n;          /* a finding needs this many common grid ticks */
    double identical_r;      /* r from which two series count as the same quantity */
    size_t n_sparse;         /* varying series with fewer than min_spread values away from
                                their most common value: in no finding */
    uint64_t min_spread;     /* a series in a finding has this many values off its mode */
    size_t n_derived;        /* derived pairs (AIM_CORR_DERIVED) */
} aim_corr_info;
AIM_PUBLIC void aim_corr_get_info(const aim_corr_result *result, aim_corr_info *ret_info);

typedef enum aim_corr_status {
    AIM_CORR_VARYING = 0,
    AIM_CORR_CONSTANT = 1,   /* every value the same: no correlation is defined */
    AIM_CORR_NO_DATA = 2,    /* fewer than min_n values on the grid */
    AIM_CORR_SPARSE = 3,     /* constant but for fewer than min_spread values: in no finding */
} aim_corr_status;

typedef struct aim_corr_series_info {
    const char *device;      /* "cpu0" */
    const char *metric_key;  /* "power" */
    const char *label;       /* "Power (cpu0) [W]"; a counter: "Energy rate (cpu0) [J/s]" */
    const char *name;        /* "cpu0.power", "host.cpu.core_util[3]" (as CSV headers) */
    const char *unit;        /* of the correlated values: "W", "J/s" */
    int instance;            /* -1 unless per instance */
    int rate;                /* 1: a counter, correlated as its rate per second */
    aim_corr_status status;
    uint64_t n;              /* grid ticks where it had a value */
    size_t same_as;          /* the first series it is identical to; its own index if none */
} aim_corr_series_info;
/* Series index (0 <= index < n_series), in the run's series order. Strings are borrowed from
 * the result. -EINVAL past the end (aim_corr_errmsg() says so). */
AIM_PUBLIC int aim_corr_series(aim_corr_result *result, size_t index,
                               aim_corr_series_info *ret_info);

/* r between series a and b, NaN when undefined (a constant series, fewer than two common
 * ticks); *ret_n (may be NULL) gets their common grid ticks. r(a, a) is 1 for a varying
 * series. NaN for an index past the end. */
AIM_PUBLIC double aim_corr_r(const aim_corr_result *result, size_t a, size_t b,
                             uint64_t *ret_n);

typedef enum aim_corr_kind {
    AIM_CORR_POSITIVE = 0,   /* findings with r > 0, strongest first */
    AIM_CORR_NEGATIVE = 1,   /* findings with r < 0, strongest first */
    AIM_CORR_IDENTICAL = 2,  /* each series identical to an earlier one, with that one */
    AIM_CORR_DERIVED = 3,    /* a series aimeter's own model computes from the other
                                (estimated CPU power from CPU use, the DRAM estimate from
                                memory in use): the model's correlation, not a finding */
} aim_corr_kind;

typedef struct aim_corr_pair {
    size_t a, b;             /* series indices, a < b */
    double r;
    uint64_t n;              /* common grid ticks */
} aim_corr_pair;

/* Findings are pairs of varying series (not sparse), neither identical to an earlier one, not
 * derived, with at least min_n common ticks and |r| >= min_abs (ignored for
 * AIM_CORR_IDENTICAL and AIM_CORR_DERIVED). Writes up to max pairs to ret_pairs (NULL when
 * max is 0) and how many there are to *ret_count. 0, or -EINVAL / -ENOMEM with
 * aim_corr_errmsg() set (*ret_count untouched). */
AIM_PUBLIC int aim_corr_pairs(aim_corr_result *result, aim_corr_kind kind, double min_abs,
                              aim_corr_pair *ret_pairs, size_t max, size_t *ret_count);

/* Renders the result as AIM_FORMAT_TEXT, AIM_FORMAT_CSV or AIM_FORMAT_JSON (docs/cli.md,
 * `aimeter corr`). matrix 0: the findings (top pairs per sign, 0 = all), identical pairs and
 * constant series; 1: the full matrix, cells with |r| < min_abs left empty. Caller frees
 * *ret_text. -EOPNOTSUPP another format, -EINVAL, -ENOMEM, with aim_corr_errmsg() set. */
AIM_PUBLIC int aim_corr_render(aim_corr_result *result, aim_format format, int matrix,
                               double min_abs, size_t top, char **ret_text);
/* The last failure's message of a call on result ("" when none). Borrowed from result. */
AIM_PUBLIC const char *aim_corr_errmsg(const aim_corr_result *result);

/* ---------------------------------------------------------------- tags, compare, forecast, other hardware */

/* Tags the run: KEY=VALUE stored with it when the session starts (table run_tags), shown by
 * `aimeter ls --json` and the report's JSON, and what aim_compare_render groups runs by. key:
 * 1-63 bytes of A-Z a-z 0-9 _ . - starting with a letter; value: 0-255 bytes of UTF-8 without
 * control characters. A key added again gets the new value. -EINVAL for a bad key or value,
 * -E2BIG past 32 tags. aim_config_clear_tags removes them all. */
AIM_PUBLIC int aim_config_add_tag(aim_config *c, const char *key, const char *value);
AIM_PUBLIC int aim_config_clear_tags(aim_config *c);
/* The job tags of a run that measures one node of a batch job (docs/cli.md, "Jobs"): job,
 * node, node_rank, ranks, user and measured_by (measured_by: "run", "python", "agent"), read
 * from the environment (AIMETER_JOB, SLURM_*, torchrun's GROUP_RANK/LOCAL_WORLD_SIZE, PBS,
 * SGE); none outside a job. A key the configuration already has keeps its value (--tag
 * wins). Returns how many were added, or -EINVAL. Not thread-safe (reads the environment). */
AIM_PUBLIC int aim_config_add_job_tags(aim_config *c, const char *measured_by);

/* Runs side by side (docs/cli.md, `aimeter compare`): time, energy per device and in total,
 * mean power, carbon, cost, energy per unit of each counter the workloads recorded, and the
 * records themselves, each with its ratio to the baseline and the best run marked (lowest
 * time, energy, carbon, cost, J per unit; records have no "best"). run_ids: resolved ids
 * (aim_store_resolve_run), n_runs >= 1. baseline: one of them (or another run, then shown
 * first); NULL: the first. by_tag: NULL, or a tag key: runs are grouped by its value and each
 * group shows n, the mean and the sample standard deviation (n - 1) of every row; with
 * by_tag and n_runs == 0, every run that has the tag. format: AIM_FORMAT_TEXT, _MARKDOWN,
 * _JSON (schema "aimeter.compare/1", docs/report-json.md) or _CSV. Caller frees *ret_text.
 * Errors (detail in aim_store_errmsg()): -EINVAL (bad tag key, no runs), -ENOENT no such
 * run, -ENOMEM. */
AIM_PUBLIC int aim_compare_render(aim_store *store, const char *const *run_ids, size_t n_runs,
                                  const char *baseline, const char *by_tag, aim_format format,
                                  char **ret_text);

/* What to forecast (docs/methodology.md, "Forecasting"). Zero-initialise it. */
typedef struct aim_forecast_request {
    const char *phase;       /* the repeated phase: its instances are every phase called
                                PHASE, or PHASE 1, PHASE 2, ... numbered; NULL or "": "epoch" */
    uint64_t target;         /* forecast to the end of this many instances (N epochs), >= 1 */
    uint64_t skip;           /* leave the first `skip` completed instances out of the fit */
} aim_forecast_request;

/* Fits energy and time per instance against the instance's index by least squares (a line,
 * with its standard errors) over the run's completed instances of the phase, and extrapolates
 * energy, time, carbon (at the run's own carbon per joule: its mean intensity and PUE) and
 * cost to req->target instances, with 95 % prediction intervals. Works on a running run (what
 * its writer has committed, every 750 ms). format: AIM_FORMAT_TEXT or AIM_FORMAT_JSON
 * (schema "aimeter.forecast/1"; else -EOPNOTSUPP). *ret_running (may be NULL) is set to 1 when the run is still being
 * recorded. Caller frees *ret_text. Errors (detail in aim_store_errmsg()): -EINVAL bad
 * request or format, -ENOENT no such run, -ENODATA fewer than 2 completed instances to fit
 * (the message names the run's phases), -ERANGE target below the instances already
 * completed, -EBADMSG corrupt samples, -ENOMEM. */
AIM_PUBLIC int aim_forecast_render(aim_store *store, const char *run_id,
                                   const aim_forecast_request *req, aim_format format,
                                   char **ret_text, int *ret_running);

/* What if the run had used other accelerators (EnergyVis's rescale): for each name in
 * `hardware` (comma-separated, aim_gpu_lookup names: "A100,H100,L4") and each GPU the run
 * measured, energy_alt = measured GPU energy × (TDP_alt / TDP_measured) × (throughput_measured
 * / throughput_alt), throughput being peak tensor TFLOPS, else FP16, else FP32 (the first both
 * rows give); the other devices' energy is kept. Carbon at the run's own intensity series,
 * and with `zones` (may be NULL) in each zone too: a hardware × zone matrix. pue as for
 * aim_whatif_render. format: AIM_FORMAT_TEXT or AIM_FORMAT_JSON (schema
 * "aimeter.whatif-hardware/1"; else -EOPNOTSUPP). Caller frees *ret_text. Errors (detail in aim_store_errmsg()): -ENOENT no such run, -EINVAL unknown
 * or ambiguous hardware or zone, bad pue or format, -ENODEV the run measured no GPU energy,
 * -ENODATA a measured GPU's model is not in the table or shares no throughput figure with an
 * alternative (aim_whatif_hardware_render_specs lets the user state its figures), -EBADMSG
 * corrupt samples, -ENOMEM. */
AIM_PUBLIC int aim_whatif_hardware_render(aim_store *store, const char *run_id,
                                          const char *hardware, const char *zones, double pue,
                                          aim_format format, char **ret_text);
/* As aim_whatif_hardware_render, with accelerator figures the user states in `specs` (may be
 * NULL): ';'-separated items "NAME:tdp=W,tflops=T" (keys tdp in W; tflops or tensor, fp16,
 * fp32 in peak TFLOPS). A stated device is found by its NAME (the aim_gpu_lookup rule), both
 * as a measured GPU's model and in `hardware`; a NAME the table knows keeps the row's other
 * figures (either figure alone amends it: a power-capped board), any other NAME needs tdp and
 * a throughput. The "source" of each row in the JSON says which figures were stated. A bad
 * item is -EINVAL. */
AIM_PUBLIC int aim_whatif_hardware_render_specs(aim_store *store, const char *run_id,
                                                const char *hardware, const char *specs,
                                                const char *zones, double pue,
                                                aim_format format, char **ret_text);

/* ------------------------------------------------------------------ reading a stored run
 * (issue 12) A stored run's summary and samples as values, for programs and bindings (the
 * Python package) that would otherwise parse the JSON report or the CSV export.
 * ABI: the handles are opaque and every figure is read through an accessor keyed by an
 * enum. A later aimeter adds enum values at the end and never renumbers or removes one, so
 * a program built against this header keeps working with a newer library; a field or index
 * the library does not know reads as NaN (numbers) or NULL (text). Text is borrowed from the
 * handle (valid until it is freed). Numbers with no value (no energy measured, no price,
 * an empty series) are NaN, never 0. */

typedef struct aim_run_info aim_run_info;

/* Loads the summary of run_id (a full id: aim_store_resolve_run turns "last" or a prefix
 * into one): the run, its devices, series statistics, phases and records, with the figures
 * the report derives from them (the same as `aimeter report --format json`, unrounded).
 * -ENOENT no such run, -EINVAL, -ENOMEM; aim_store_errmsg() says more. */
AIM_PUBLIC int aim_run_info_load(aim_store *store, const char *run_id, aim_run_info **ret_info);
AIM_PUBLIC void aim_run_info_free(aim_run_info *info);

typedef enum aim_run_field {
    /* text (aim_run_info_text) */
    AIM_RUN_ID = 0,
    AIM_RUN_NAME,
    AIM_RUN_COMMAND,
    AIM_RUN_HOST,
    AIM_RUN_STATUS,        /* "running", "completed", "failed", "interrupted" */
    AIM_RUN_START_TIME,    /* ISO 8601 UTC, "2026-11-21T14:03:12.345Z" */
    AIM_RUN_END_TIME,      /* NULL while running */
    AIM_RUN_VERSION,       /* the aimeter that recorded it */
    AIM_RUN_SOURCES,       /* comma-separated */
    AIM_RUN_ZONE,          /* NULL when a constant intensity was given */
    AIM_RUN_CURRENCY,      /* NULL without a price */
    AIM_RUN_WARNINGS,      /* newline-separated, "" when none */
    /* numbers (aim_run_info_number) */
    AIM_RUN_EXIT_CODE = 64, /* NaN when none */
    AIM_RUN_STALE,         /* 1: says running but its aimeter process is gone */
    AIM_RUN_DURATION_S,
    AIM_RUN_INTERVAL_S,
    AIM_RUN_SAMPLES,
    AIM_RUN_ENERGY_J,      /* NaN when no device measured energy */
    AIM_RUN_FACILITY_J,    /* energy x PUE; NaN when no PUE was recorded */
    AIM_RUN_PUE,
    AIM_RUN_CARBON_G,
    AIM_RUN_INTENSITY_G_PER_KWH,
    AIM_RUN_COST,          /* NaN without a price */
    AIM_RUN_PRICE_PER_KWH,
    AIM_RUN_MARKS,         /* markers the workload recorded */
    AIM_RUN_DROPPED_EVENTS,
} aim_run_field;

AIM_PUBLIC const char *aim_run_info_text(const aim_run_info *info, aim_run_field field);
AIM_PUBLIC double aim_run_info_number(const aim_run_info *info, aim_run_field field);

/* Devices, in the store's order (the index phases' per-device figures use). */
typedef enum aim_device_field {
    AIM_DEVICE_NAME = 0,   /* "cpu0" */
    AIM_DEVICE_KIND,       /* "cpu", "dram", "gpu", "host", "platform", "other", "process" */
    AIM_DEVICE_MODEL,      /* NULL when unknown */
    AIM_DEVICE_METHOD,     /* of its energy: "measured", "derived", "estimated" */
    AIM_DEVICE_DETAIL,     /* "RAPL package counter", ... */
    AIM_DEVICE_ENERGY_J = 64, /* NaN when it measured no energy */
    AIM_DEVICE_CARBON_G,   /* its share of the run's carbon; NaN when not in the total */
    AIM_DEVICE_IN_TOTAL,   /* 1: counted in the run's total (psys and board sensors are not) */
    AIM_DEVICE_ENERGY_ORDER, /* its place in the report's energy list (CPU, DRAM, GPU, then
                                the others); NaN when it measured no energy */
} aim_device_field;

AIM_PUBLIC size_t aim_run_info_device_count(const aim_run_info *info);
AIM_PUBLIC const char *aim_run_info_device_text(const aim_run_info *info, size_t device,
                                                aim_device_field field);
AIM_PUBLIC double aim_run_info_device_number(const aim_run_info *info, size_t device,
                                             aim_device_field field);

/* Series statistics, in slot order (the columns of aim_samples). */
typedef enum aim_series_field {
    AIM_SERIES_COLUMN = 0, /* "gpu0.power [W]", "host.cpu.core_util[3] [%]" (the export's) */
    AIM_SERIES_DEVICE,     /* device name */
    AIM_SERIES_METRIC,     /* metric key */
    AIM_SERIES_UNIT,       /* "" when the metric has none or this aimeter does not know it */
    AIM_SERIES_METHOD,
    AIM_SERIES_INSTANCE = 64, /* NaN unless per instance */
    AIM_SERIES_GROUP,      /* rate group */
    AIM_SERIES_COUNT,
    AIM_SERIES_MEAN,
    AIM_SERIES_MIN,
    AIM_SERIES_MAX,
    AIM_SERIES_MODE,
    AIM_SERIES_STDDEV,
} aim_series_field;

AIM_PUBLIC size_t aim_run_info_series_count(const aim_run_info *info);
AIM_PUBLIC const char *aim_run_info_series_text(const aim_run_info *info, size_t series,
                                                aim_series_field field);
AIM_PUBLIC double aim_run_info_series_number(const aim_run_info *info, size_t series,
                                             aim_series_field field);

/* Phases (all instances of one name), in the order they first began. */
typedef enum aim_phase_field {
    AIM_PHASE_NAME = 0,
    AIM_PHASE_INSTANCES = 64,
    AIM_PHASE_FIRST_S,     /* start of the first instance, s since the run's start */
    AIM_PHASE_DURATION_S,  /* summed over instances */
    AIM_PHASE_SHARE_PCT,   /* of the run's duration */
    AIM_PHASE_ENERGY_J,    /* the devices in the total, attributed by time overlap */
    AIM_PHASE_MEAN_POWER_W,
    AIM_PHASE_PEAK_POWER_W, /* sum of each device's peak: an upper bound */
    AIM_PHASE_CARBON_G,
    AIM_PHASE_UNTERMINATED, /* instances still open when the run ended */
} aim_phase_field;

AIM_PUBLIC size_t aim_run_info_phase_count(const aim_run_info *info);
AIM_PUBLIC const char *aim_run_info_phase_text(const aim_run_info *info, size_t phase,
                                               aim_phase_field field);
AIM_PUBLIC double aim_run_info_phase_number(const aim_run_info *info, size_t phase,
                                            aim_phase_field field);
/* A device's energy in the phase; NaN when the device neither used energy nor drew power
 * in it (the report leaves it out). */
AIM_PUBLIC double aim_run_info_phase_device_energy(const aim_run_info *info, size_t phase,
                                                   size_t device);
/* A record key's figure while the phase was open: a counter's sum, a gauge's mean; NaN
 * when the key was not recorded in it. record: an index of aim_run_info_record_*. */
AIM_PUBLIC double aim_run_info_phase_record(const aim_run_info *info, size_t phase,
                                            size_t record);

/* Records (numbers the workload reported), in the order their keys first came. */
typedef enum aim_record_field {
    AIM_RECORD_FIELD_KEY = 0,
    AIM_RECORD_FIELD_KIND, /* "counter" or "gauge" */
    AIM_RECORD_FIELD_COUNT = 64,
    AIM_RECORD_FIELD_TOTAL,
    AIM_RECORD_FIELD_MEAN,
    AIM_RECORD_FIELD_LAST,
    AIM_RECORD_FIELD_MIN,
    AIM_RECORD_FIELD_MAX,
    AIM_RECORD_FIELD_J_PER_UNIT, /* counters with a positive total, run with energy */
    AIM_RECORD_FIELD_UNITS_PER_J,
    AIM_RECORD_FIELD_KWH_PER_1000,
    AIM_RECORD_FIELD_G_PER_1000,
} aim_record_field;

AIM_PUBLIC size_t aim_run_info_record_count(const aim_run_info *info);
AIM_PUBLIC const char *aim_run_info_record_text(const aim_run_info *info, size_t record,
                                                aim_record_field field);
AIM_PUBLIC double aim_run_info_record_number(const aim_run_info *info, size_t record,
                                             aim_record_field field);

/* A run's samples, time-ordered: one row per tick of the rate group with the most ticks,
 * the other groups' latest values at or before it held (the rows `aimeter export` writes,
 * with the values unrounded). Columns are the run's series in slot order
 * (aim_run_info_series_*, AIM_SERIES_COLUMN). */
typedef struct aim_samples aim_samples;

/* -ENOENT no such run, -EBADMSG corrupt samples, -ENOMEM; aim_store_errmsg() says more. */
AIM_PUBLIC int aim_samples_open(aim_store *store, const char *run_id, aim_samples **ret);
AIM_PUBLIC void aim_samples_free(aim_samples *samples);
AIM_PUBLIC size_t aim_samples_columns(const aim_samples *samples);
AIM_PUBLIC size_t aim_samples_rows(const aim_samples *samples);
/* Row `row`: its time since the run's start (ns) in *ret_t_ns, its wall time in
 * *ret_wall_ns (ns since the epoch; either may be NULL) and up to n values in values[]
 * (NaN where the column has no value yet). Returns the number of columns, or -EINVAL for
 * a row out of range. */
AIM_PUBLIC int aim_samples_row(const aim_samples *samples, size_t row, int64_t *ret_t_ns,
                               int64_t *ret_wall_ns, double *values, size_t n);

/* ------------------------------------------------------------------ the control socket
 * (issue 12) The client side of a run's control socket (docs/control.md), for the CLI's
 * `aimeter mark/phase/record` and the Python package: one line out, one reply line back. */

/* Sends `line` (without its newline) to the run listening at socket_path, on a connection
 * of its own, and waits for the reply (5 s at most). 0 for "ok": reply gets what follows
 * "ok " ("" for a bare ok); -EBADMSG for "error REASON": reply gets REASON;
 * -ENAMETOOLONG a path longer than a socket path may be; -errno of connect() when nobody
 * listens (-ENOENT, -ECONNREFUSED, ...); -EPROTO no answer or not a reply (the connection
 * closed, the time ran out). reply (may be NULL) gets at most reply_len - 1 bytes. */
AIM_PUBLIC int aim_control_send(const char *socket_path, const char *line, char *reply,
                                size_t reply_len);

/* The same over one connection kept open between calls (a process's stream of records):
 * a broken connection is reopened once and the line sent again. Not thread-safe: callers
 * serialise their calls. A client inherited by a forked child must be freed there, not
 * used (its connection is the parent's conversation). */
typedef struct aim_control_client aim_control_client;
AIM_PUBLIC int aim_control_client_new(const char *socket_path, aim_control_client **ret);
AIM_PUBLIC int aim_control_client_send(aim_control_client *client, const char *line,
                                       char *reply, size_t reply_len);
AIM_PUBLIC void aim_control_client_free(aim_control_client *client);
/* The client's messages come from batch job `job` (an agent keeps them per job:
 * docs/agent.md): "job ID" is sent on every connection the client opens, before its first
 * line (a run's socket accepts it and changes nothing). NULL or "": none. -EINVAL for an id
 * that is not 1-64 of A-Z a-z 0-9 _ . - : @ + [ ]. */
AIM_PUBLIC int aim_control_client_set_job(aim_control_client *client, const char *job);
/* The job this process belongs to, from the environment: AIMETER_JOB, else SLURM_JOB_ID,
 * else PBS_JOBID, else JOB_ID (SGE); the first set and valid. NULL when none. Borrowed from
 * the environment. */
AIM_PUBLIC const char *aim_job_from_env(void);
/* The node's agent's control socket (docs/agent.md): $AIMETER_AGENT_SOCKET when set; else,
 * for a client (listen 0), the first of /run/aimeter/agent.sock and
 * $XDG_RUNTIME_DIR/aimeter/agent.sock that is a socket; for the agent (listen 1),
 * /run/aimeter/agent.sock when /run/aimeter is writable (systemd's RuntimeDirectory, or
 * root), else $XDG_RUNTIME_DIR/aimeter/agent.sock. Into buf; -ENOENT when there is none,
 * -ENAMETOOLONG past a socket path's 107 bytes. */
AIM_PUBLIC int aim_agent_socket_path(int listen, char *buf, size_t size);

/* The record rule: 1 when a record key is a counter (it counts things: tokens, samples,
 * requests, inferences, images, steps, batches, items, also as suffixes, and keys ending in
 * "_total" or "_count"), 0 when it is a gauge; -EINVAL when key is not a valid record key
 * (1-48 of a-z 0-9 _ . -, starting with a letter). */
AIM_PUBLIC int aim_record_key_kind(const char *key);

#ifdef __cplusplus
}
#endif
#endif /* AIMETER_H */
