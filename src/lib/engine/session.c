/* A measurement session: opens the store and the sources, forms rate groups, plans the
 * energy accounting, runs the sampler and writer threads, and finalises the run. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "aim_config.h"
#include "data/carbon.h"
#include "util/fileio.h"
#include "util/log.h"
#include "model/job_slots.h"
#include "model/metric_select.h"
#include "engine/session_internal.h"
#include "engine/live_view.h"
#include "engine/sink.h"
#include "engine/store_opener.h"
#include "engine/upload_plan.h"
#include "engine/uploader.h"
#include "store/copy_store.h"
#include "store/redact.h"
#include "store/store.h"
#include "processing/run_extras.h"
#include "util/numfmt.h"

int aim__session_fail(aim_session *s, int err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    return err;
}

int aim_session_new(const aim_config *config, aim_session **ret_session) {
    aim_session *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->cfg = *config;
    s->cfg.db_path = NULL;
    if (config->db_path && !(s->cfg.db_path = strdup(config->db_path))) {
        free(s);
        return -ENOMEM;
    }
    s->stages = aim_stages;
    s->n_stages = aim_stage_count;
    s->sinks = aim_sinks;
    s->n_sinks = aim_sink_count;
    pthread_mutex_init(&s->lock, NULL);
    aim__chunk_backlog_init(&s->backlog, 0);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* deadlines are monotonic */
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    for (int i = 0; i < AIM_MAX_SOURCES; i++)
        s->slots[i].state = NULL;
    *ret_session = s;
    return 0;
}

const char *aim_session_run_id(const aim_session *s) { return s->run.id; }
const char *aim_session_errmsg(const aim_session *s) { return s->errmsg; }
const char *aim_session_spool_pending(const aim_session *s) {
    return s && s->stopped ? aim__uploader_pending(s->uploader) : NULL;
}

const char *aim_run_status_name(aim_run_status status) {
    static const char *const names[] = { "running", "completed", "failed", "interrupted" };
    return (unsigned)status < 4 ? names[status] : "?";
}

/* Time-sortable and readable: 20261121-140312-3f9a0c. */
static void make_run_id(char *buf, size_t size, int64_t wall_ns) {
    time_t secs = (time_t)(wall_ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    unsigned char rnd[3] = { 0 };
    if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd) {
        uint64_t x = (uint64_t)wall_ns ^ ((uint64_t)getpid() << 20);
        memcpy(rnd, &x, sizeof rnd);
    }
    snprintf(buf, size, "%04d%02d%02d-%02d%02d%02d-%02x%02x%02x", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd[0], rnd[1], rnd[2]);
}

static void default_name(const aim_config *c, char *buf, size_t size) {
    if (c->name[0]) {
        snprintf(buf, size, "%s", c->name);
        return;
    }
    /* the command's program name, without its directory or quotes */
    const char *cmd = c->command;
    size_t n = strcspn(cmd, " ");
    if (n == 0) {
        snprintf(buf, size, "session");
        return;
    }
    const char *start = cmd;
    for (const char *p = cmd; p < cmd + n; p++)
        if (*p == '/')
            start = p + 1;
    snprintf(buf, size, "%.*s", (int)(cmd + n - start), start);
    for (char *p = buf; *p; p++)
        if (*p == '\'')
            memmove(p, p + 1, strlen(p));
}

static int64_t effective_interval(const aim_session *s, const aim_source_ops *ops) {
    int64_t iv = ops->min_interval_ns > s->cfg.interval_ns ? ops->min_interval_ns : s->cfg.interval_ns;
    return ops->max_interval_ns > 0 && iv > ops->max_interval_ns ? ops->max_interval_ns : iv;
}

/* Opens the selected sources group by group (fastest first) so each group's series slots
 * are contiguous, then adds the power series the engine derives from energy counters. */
static int open_sources(aim_session *s, const aim_source_env *env) {
    aim__catalog_init(&s->catalog);
    /* A group is an interval, plus the one source it holds for sources that block
     * (own_thread); solo -1 is the shared group of that interval. */
    int64_t intervals[AIM_MAX_GROUPS];
    int solo[AIM_MAX_GROUPS];
    int n = 0;
    intervals[n] = s->cfg.interval_ns;
    solo[n++] = -1;
    for (int i = 0; i < aim_source_count; i++) {
        if (!aim__config_selects(&s->cfg, aim_sources[i]->name))
            continue;
        int64_t iv = effective_interval(s, aim_sources[i]);
        int own = aim_sources[i]->own_thread ? i : -1;
        int known = 0;
        for (int k = 0; k < n; k++)
            known |= intervals[k] == iv && solo[k] == own;
        if (!known && n < AIM_MAX_GROUPS) {
            intervals[n] = iv;
            solo[n++] = own;
        }
    }
    /* Fastest first; at one interval the shared group first, so a solo source sees what
     * the others declared (nvml_pcie stands back where NVML has byte counters). */
    for (int a = 1; a < n; a++) /* insertion sort: a handful of entries */
        for (int b = a; b > 0 && (intervals[b] < intervals[b - 1] ||
                                  (intervals[b] == intervals[b - 1] && solo[b] < solo[b - 1]));
             b--) {
            int64_t t = intervals[b];
            intervals[b] = intervals[b - 1];
            intervals[b - 1] = t;
            int o = solo[b];
            solo[b] = solo[b - 1];
            solo[b - 1] = o;
        }

    s->n_groups = 0;
    for (int gi = 0; gi < n; gi++) {
        aim_group *g = &s->groups[s->n_groups];
        memset(g, 0, sizeof *g);
        g->index = s->n_groups;
        g->interval_ns = intervals[gi];
        g->base = s->catalog.n_series;
        for (int i = 0; i < aim_source_count; i++) {
            const aim_source_ops *ops = aim_sources[i];
            if (!aim__config_selects(&s->cfg, ops->name) || effective_interval(s, ops) != g->interval_ns ||
                (ops->own_thread ? solo[gi] != i : solo[gi] != -1))
                continue;
            if (!ops->open)
                continue;
            aim_source_ctx ctx;
            aim__source_ctx_init(&ctx, &s->catalog, i, g->index);
            int first_series = s->catalog.n_series;
            aim_source_setting given[AIM_CONFIG_MAX_SOURCE_OPTIONS];
            aim_source_env own = *env; /* with the options this source takes */
            own.options = given;
            own.n_options = aim__config_source_settings(&s->cfg, ops, given,
                                                       AIM_CONFIG_MAX_SOURCE_OPTIONS);
            int r = ops->open(&own, &ctx, &s->slots[i].state);
            if (r < 0) {
                s->catalog.n_series = first_series; /* forget half-declared series */
                if (r != -ENODEV && r != -EACCES)
                    aim__source_ctx_warn(&ctx, "%s: could not open (%s)", ops->name, aim_strerror(r));
                continue;
            }
            s->slots[i].open = 1;
            if (s->catalog.n_series > first_series)
                g->sources[g->n_sources++] = i;
        }
        /* Power derived from each device's energy counter, in the counter's group. */
        for (int si = g->base; si < s->catalog.n_series; si++) {
            aim_catalog_series *cs = &s->catalog.series[si];
            if (cs->metric != AIM_M_ENERGY || cs->method != AIM_METHOD_MEASURED)
                continue;
            aim_source_ctx ctx;
            aim__source_ctx_init(&ctx, &s->catalog, -1, g->index);
            int has_power = 0;
            for (int k = 0; k < s->catalog.n_series; k++)
                has_power |= s->catalog.series[k].device == cs->device &&
                             s->catalog.series[k].metric == AIM_M_POWER &&
                             s->catalog.series[k].instance == cs->instance;
            if (!has_power)
                aim__source_ctx_add_series(&ctx, cs->device, AIM_M_POWER, cs->instance,
                                          AIM_METHOD_DERIVED);
        }
        g->count = s->catalog.n_series - g->base;
        int is_main = g->interval_ns == s->cfg.interval_ns && solo[gi] == -1;
        if (g->count > 0 || is_main) {
            if (is_main)
                s->main_group = g->index;
            s->n_groups++;
        }
    }
    return s->catalog.n_series > 0 ? 0 : -ENODEV;
}

static int build_summary(aim_session *s) {
    aim_run_summary *run = &s->run;
    run->devices = calloc((size_t)s->catalog.n_devices + 1, sizeof *run->devices);
    run->series = calloc((size_t)s->catalog.n_series + 1, sizeof *run->series);
    s->stats = calloc((size_t)s->catalog.n_series + 1, sizeof *s->stats);
    s->energy = calloc((size_t)s->catalog.n_devices + 1, sizeof *s->energy);
    s->latest = calloc((size_t)s->catalog.n_series + 1, sizeof *s->latest);
    s->latest_ok = calloc((size_t)s->catalog.n_series + 1, 1);
    if (!run->devices || !run->series || !s->stats || !s->energy || !s->latest || !s->latest_ok)
        return -ENOMEM;
    run->n_devices = s->catalog.n_devices;
    run->n_series = s->catalog.n_series;
    for (int d = 0; d < run->n_devices; d++) {
        const aim_catalog_device *cd = &s->catalog.devices[d];
        aim_device_summary *dev = &run->devices[d];
        snprintf(dev->name, sizeof dev->name, "%s", cd->name);
        dev->kind = cd->kind;
        snprintf(dev->model, sizeof dev->model, "%s", cd->model);
        snprintf(dev->uuid, sizeof dev->uuid, "%s", cd->uuid);
    }
    for (int i = 0; i < run->n_series; i++) {
        const aim_catalog_series *cs = &s->catalog.series[i];
        const aim_metric_info *m = aim__metric_by_id(cs->metric);
        aim_series_summary *ss = &run->series[i];
        ss->slot = i;
        ss->device = cs->device;
        ss->metric = (int)cs->metric;
        snprintf(ss->metric_key, sizeof ss->metric_key, "%s", m->key);
        ss->instance = cs->instance;
        ss->method = cs->method;
        ss->group = cs->group;
        ss->resolution = m->resolution;
        ss->counter = m->kind == AIM_KIND_COUNTER;
        ss->mean = ss->min = ss->max = ss->mode = NAN;
        aim__stats_init(&s->stats[i], m->resolution);
    }
    size_t o = 0;
    for (int w = 0; w < s->catalog.n_warnings; w++) {
        int n = snprintf(run->warnings + o, sizeof run->warnings - o, "%s%s", o ? "\n" : "",
                         s->catalog.warnings[w]);
        if (n < 0 || (size_t)n >= sizeof run->warnings - o)
            break;
        o += (size_t)n;
    }
    o = 0;
    run->sources[0] = '\0';
    for (int i = 0; i < aim_source_count; i++) {
        int used = 0;
        for (int k = 0; k < s->catalog.n_series; k++)
            used |= s->catalog.series[k].source == i;
        if (!used)
            continue;
        int n = snprintf(run->sources + o, sizeof run->sources - o, "%s%s", o ? "," : "",
                         aim_sources[i]->name);
        if (n > 0 && (size_t)n < sizeof run->sources - o)
            o += (size_t)n;
    }
    return 0;
}

static int alloc_groups(aim_session *s) {
    for (int gi = 0; gi < s->n_groups; gi++) {
        aim_group *g = &s->groups[gi];
        /* Two seconds of ticks (at least 64) in the ring: the writer drains it four times a
         * second, so it can fall a whole second behind (a slow commit) without a drop. */
        int64_t per_sec = 1000000000LL / g->interval_ns;
        int cap = per_sec < 32 ? 64 : per_sec > 2048 ? 4096 : (int)(2 * per_sec);
        int r = aim__frame_alloc(g->base, g->count, &g->frame);
        if (r >= 0)
            r = aim__frame_alloc(g->base, g->count, &g->wframe);
        if (r >= 0)
            r = aim__ring_new(cap, g->count, &g->ring);
        if (r < 0)
            return r;
        aim_chunk_column *cols = calloc((size_t)g->count + 1, sizeof *cols);
        if (!cols)
            return -ENOMEM;
        for (int i = 0; i < g->count; i++) {
            cols[i].resolution = s->run.series[g->base + i].resolution;
            cols[i].counter = s->run.series[g->base + i].counter;
        }
        /* A commit at most every second; room for a full second of ticks plus slack (a full
         * encoder is flushed early, so this bounds memory, not correctness). */
        r = aim__chunk_encoder_new(g->count, cols, (int)(per_sec < 1 ? 1 : per_sec) + 16, &g->encoder);
        free(cols);
        if (r < 0)
            return r;
    }
    return 0;
}

/* "The first sample is taken before start returns": taken here, on this thread, rather
 * than waited for from the sampler's (a wake-up across CPUs, ~0.1 ms on a VM). Then the
 * samplers, then the writer, whose first job (the run's rows, with a sync) would otherwise
 * compete with them for a CPU; the rings hold two seconds of ticks meanwhile. */
static int start_threads(aim_session *s) {
    aim__sampler_first_tick(&s->groups[s->main_group]);
    for (int gi = 0; gi < s->n_groups; gi++) {
        aim_group *g = &s->groups[gi];
        if (pthread_create(&g->thread, NULL, aim__sampler_main, g) != 0)
            return -EAGAIN;
        g->thread_started = 1;
    }
    if (pthread_create(&s->writer, NULL, aim__writer_main, s) != 0)
        return -EAGAIN;
    s->writer_started = 1;
    return 0;
}

static void join_threads(aim_session *s) {
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, 1);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    for (int gi = 0; gi < s->n_groups; gi++)
        if (s->groups[gi].thread_started) {
            pthread_join(s->groups[gi].thread, NULL);
            s->groups[gi].thread_started = 0;
        }
    if (s->writer_started) {
        pthread_join(s->writer, NULL);
        s->writer_started = 0;
    }
}

/* A run id no run in the store has. Ids carry 24 random bits per second, so a clash needs
 * two runs started in the same second; checked here so that the id start() hands out is
 * the one stored (the writer inserts the row). */
static int choose_run_id(aim_session *s) {
    for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt)
            make_run_id(s->run.id, sizeof s->run.id, aim__wall_ns());
        int r = aim__db_run_exists(s->db, s->run.id);
        if (r == -ENOENT)
            return 0;
        if (r < 0)
            return r;
    }
    return -EEXIST;
}
/* An idle baseline taken while the machine was busy makes every net figure wrong (issue 11:
 * a baseline at 100 % CPU gave net -1.20 J). The run goes on — its own energy is right, and
 * refusing would lose the measurement of a job already queued — but the warning is logged
 * and stored with the run, and the report marks the net figures (docs/methodology.md, "Idle
 * baseline"). */
static void check_idle_baseline(aim_session *s) {
    double pct;
    if (aim__db_run_cpu_use(s->db, s->cfg.idle_run_id, &pct) < 0 || !aim__idle_busy(pct) ||
        s->catalog.n_warnings >= AIM_MAX_WARNINGS)
        return;
    char *w = s->catalog.warnings[s->catalog.n_warnings++], busy[AIM_NUM_MAX], lim[AIM_NUM_MAX];
    snprintf(w, sizeof s->catalog.warnings[0], "idle baseline %s was not idle: the CPU was "
             "%s %% busy on average (idle means at most %s %%); this run's net energy and "
             "carbon are not reliable", s->cfg.idle_run_id, aim__fmt_fixed(busy, pct, 1),
             aim__fmt_trim(lim, AIM_IDLE_MAX_CPU_PCT, 1));
    aim__log(AIM_LOG_WARNING, "%s", w);
}


int aim_session_start(aim_session *s) {
    if (s->started)
        return aim__session_fail(s, -EALREADY, "session already started");
    s->started = 1;
    aim_run_summary *run = &s->run;

    char *path = s->cfg.db_path;
    char *default_path = NULL;
    if (!path) {
        int r = aim_default_db_path(&default_path);
        if (r < 0)
            return aim__session_fail(s, r, "cannot determine the store path: %s", aim_strerror(r));
        path = default_path;
    }
    char err[sizeof s->errmsg];
    /* The intensity and price inputs and the metric selection first: a bad file or name
     * must fail before the store is created or the command started. */
    int r = aim__run_carbon_setup(&s->carbon, &s->cfg, aim__wall_ns(), run, err, sizeof err);
    if (r < 0) {
        free(default_path);
        return aim__session_fail(s, r, "%s", err);
    }
    aim_metric_select metric_sel;
    char sel_err[160];
    if (aim__metric_select_parse(s->cfg.metrics, &metric_sel, sel_err, sizeof sel_err) < 0) {
        free(default_path);
        return aim__session_fail(s, -EINVAL, "%s", sel_err);
    }
    /* An agent's jobs: each GPU's process samples split by job (model/job_slots.h). */
    if (s->cfg.agent) {
        if (!(s->job_slots = malloc(sizeof *s->job_slots))) {
            free(default_path);
            return aim__session_fail(s, -ENOMEM, "out of memory");
        }
        aim__job_slots_init(s->job_slots);
    }

    /* A server store: the run is written into a local spool as into a local store, and the
     * uploader takes it to the server (uploader.c); the server is connected to meanwhile,
     * and one that cannot be reached now is tried again later. */
    char *spool = NULL;
    aim_store_opener opener, *server_opener = NULL;
    int to_server = aim__store_is_server(path);
    if (to_server) {
        r = s->cfg.spool_path[0] ? ((spool = strdup(s->cfg.spool_path)) ? 0 : -ENOMEM)
                                 : aim__default_spool_path(&spool);
        if (r < 0) {
            free(default_path);
            return aim__session_fail(s, r, "cannot determine the spool's path (give --spool): "
                                     "%s", aim_strerror(r));
        }
        if ((r = aim__store_pending_begin(path, &server_opener)) < 0) {
            free(spool);
            free(default_path);
            return aim__session_fail(s, r, "out of memory");
        }
    }
    aim__store_opener_begin(&opener, to_server ? spool : path);

    s->start_mono_ns = aim__mono_ns();
    run->start_wall_ns = aim__wall_ns();
    make_run_id(run->id, sizeof run->id, run->start_wall_ns);
    default_name(&s->cfg, run->name, sizeof run->name);
    snprintf(run->command, sizeof run->command, "%s", s->cfg.command);
    if (gethostname(run->host, sizeof run->host) < 0)
        snprintf(run->host, sizeof run->host, "unknown");
    run->host[sizeof run->host - 1] = '\0';
    snprintf(run->aimeter_version, sizeof run->aimeter_version, "%s", AIM_VERSION);
    run->status = AIM_RUN_RUNNING;
    run->exit_code = -1;
    run->interval_ns = s->cfg.interval_ns;

    aim_source_env env = {
        .sysfs_root = aim__sysfs_root(),
        .procfs_root = aim__procfs_root(),
        .interval_ns = s->cfg.interval_ns,
        .target_pid = s->cfg.target_pid,
        .job_slots = s->job_slots,
        .metrics = &metric_sel,
    };
    int sources_r = open_sources(s, &env);

    int store_r = aim__store_opener_finish(&opener, &s->db);
    if (to_server) {
        /* The server is waited for only so long (upload_plan.h): a host that drops packets
         * answers nothing until libpq's connect_timeout, and the command must not wait on
         * it. A connection still being made is the uploader's to take over, on its thread. */
        aim_db *server = NULL;
        if (store_r == 0 &&
            aim__store_pending_wait(server_opener, aim__mono_ns() + AIM_UPLOAD_START_WAIT_NS)) {
            char server_err[sizeof opener.err];
            int server_r = aim__store_pending_take(server_opener, &server, server_err,
                                                   sizeof server_err);
            server_opener = NULL;
            /* Unreachable: measured all the same. Anything else (a password in the URL,
             * refused credentials, no such database, a newer schema) is the user's to fix,
             * now. */
            if (server_r < 0 && server_r != -ECONNREFUSED) {
                store_r = server_r;
                snprintf(opener.err, sizeof opener.err, "%s", server_err);
            }
        }
        if (store_r == 0) {
            store_r = aim__uploader_new(path, spool, server, server_opener,
                                        s->cfg.upload_interval_ns, s->cfg.agent, &s->uploader);
            if (store_r < 0)
                snprintf(opener.err, sizeof opener.err, "out of memory");
        } else {
            aim__db_close(server);
            aim__store_pending_abandon(server_opener); /* the spool's error is the one said */
        }
        free(spool);
    }
    /* For the control socket's "run" answer: a client may live in another directory. */
    char store_path[PATH_MAX];
    /* A server's URL (and a sqlite: URL) is given as it is; only a plain path is resolved. */
    const aim_store_ops *backend;
    const char *file = NULL;
    if (store_r < 0 || aim__store_backend_for(path, &backend, &file, NULL, 0) < 0 ||
        file != path || !realpath(path, store_path))
        aim__store_redact(path, store_path, sizeof store_path);   /* a URL's secrets out */
    free(default_path);
    if (store_r < 0) /* the store's error first: it is what the user must fix */
        return aim__session_fail(s, store_r, "%s", opener.err);
    for (int w = 0; w < s->catalog.n_warnings; w++)
        aim__log(AIM_LOG_WARNING, "%s", s->catalog.warnings[w]);
    if (sources_r < 0)
        return aim__session_fail(s, sources_r, "no source can measure anything here%s",
                                s->cfg.sources[0] ? " with the sources selected" : "");
    if (s->cfg.idle_run_id[0]) { /* "last", a prefix: the baseline's full id is what is kept */
        char *id = NULL;
        if ((r = aim__db_resolve_run(s->db, s->cfg.idle_run_id, &id, err, sizeof err)) < 0)
            return aim__session_fail(s, r == -ENOENT || r == -EINVAL ? -ESRCH : r,
                                    "idle baseline: %s", err);
        snprintf(s->cfg.idle_run_id, sizeof s->cfg.idle_run_id, "%s", id);
        free(id);
        check_idle_baseline(s);
    }
    if ((r = choose_run_id(s)) < 0)
        return aim__session_fail(s, r, "could not record the run: %s",
                                r == -EEXIST ? "no free run id" : aim__db_errmsg(s->db));

    if ((r = build_summary(s)) < 0)
        return aim__session_fail(s, r, "out of memory");
    /* For the control socket's "run" answer (a path too long for one line: "run" then
     * answers an error). */
    size_t id_len = strnlen(run->id, sizeof run->id), path_len = strlen(store_path);
    if (id_len + 1 + path_len < sizeof s->run_info) {
        memcpy(s->run_info, run->id, id_len);
        s->run_info[id_len] = ' ';
        memcpy(s->run_info + id_len + 1, store_path, path_len + 1);
    }
    /* The stages first: the energy plan sets the resolution the groups' encoders take. */
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->start && (r = s->stages[k]->start(s)) < 0)
            return r;
    if ((r = alloc_groups(s)) < 0)
        return aim__session_fail(s, r, "out of memory");
    for (size_t k = 0; k < s->n_sinks; k++)
        if (s->sinks[k]->start && (r = s->sinks[k]->start(s)) < 0)
            return r;
    if (s->workload.jobs) /* the agent's control thread already runs: handed over, not shared */
        aim__jobs_attach_live(s->workload.jobs, s->live);
    /* The run's rows are the writer's first transaction (writer.c): their commit, with the
     * sync of a new WAL file, is not something start() needs to wait for. */
    if ((r = start_threads(s)) < 0) {
        join_threads(s);
        return aim__session_fail(s, r, "could not start the sampler threads");
    }
    return 0;
}

int aim_session_stop(aim_session *s, aim_run_status status, int exit_code) {
    if (!s->started || !s->db || !s->writer_started)
        return aim__session_fail(s, -EALREADY, "session is not running");
    if (s->stopped)
        return aim__session_fail(s, -EALREADY, "session already stopped");
    s->stopped = 1;
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->stopping)
            s->stages[k]->stopping(s);
    join_threads(s);
    aim__writer_drain(s);
    int64_t end_ns = aim__mono_ns();
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->end)
            s->stages[k]->end(s, end_ns);
    s->run.status = status;
    s->run.exit_code = exit_code;
    s->run.end_wall_ns = s->run.start_wall_ns + (aim__mono_ns() - s->start_mono_ns);
    aim__writer_refresh_summary(s);
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->close)
            s->stages[k]->close(s);
    int r = 0;
    for (size_t k = 0; k < s->n_sinks; k++) {
        int sr = s->sinks[k]->finish ? s->sinks[k]->finish(s) : 0;
        if (sr < 0 && r == 0)
            r = sr;
    }
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->stored)
            s->stages[k]->stored(s, r == 0);
    aim__uploader_finish(s); /* a server store's spool: the last upload (uploader.h) */
    for (int i = 0; i < aim_source_count; i++)
        if (s->slots[i].open) {
            aim_sources[i]->close(s->slots[i].state);
            s->slots[i].open = 0;
            s->slots[i].state = NULL;
        }
    if (r < 0 && s->run.samples_lost)
        return aim__session_fail(s, r, "the store is incomplete: %llu of %llu samples could not "
                                "be stored (%s)",
                                (unsigned long long)s->run.samples_lost,
                                (unsigned long long)(s->run.samples + s->run.samples_lost),
                                aim_strerror(r));
    if (r < 0)
        return aim__session_fail(s, r, "could not store the end of the run: %s", aim__db_errmsg(s->db));
    return 0;
}

int aim__session_live_view(aim_session *s, aim_live **ret_live, const aim_run_summary **ret_run) {
    if (!s || !s->started || !s->live)
        return -EINVAL;
    *ret_live = s->live;
    *ret_run = &s->run;
    return 0;
}

const char *aim__session_job_id(const aim_session *s) {
    return s ? aim__config_job_id(&s->cfg) : NULL;
}
aim_jobs *aim__session_jobs(aim_session *s) { return s && s->started ? s->workload.jobs : NULL; }

int aim_session_live(const aim_session *s, aim_live *ret) {
    aim_live l = { 0 };
    int64_t now = aim__mono_ns();
    if (s->started && s->start_mono_ns)
        l.elapsed_ns = now - s->start_mono_ns;
    if (s->live) { /* the writer publishes more often while someone reads (writer.c) */
        aim__live_note_reader(s->live, now);
        aim_live_totals t;
        aim__live_read(s->live, &t, NULL, NULL, NULL);
        l.power_w = t.power_w;
        l.energy_j = t.energy_j;
    }
    if (s->n_groups > 0) {
        l.samples = atomic_load(&((aim_session *)s)->groups[s->main_group].ticks);
        for (int gi = 0; gi < s->n_groups; gi++)
            l.missed_deadlines += atomic_load(&((aim_session *)s)->groups[gi].missed);
    }
    *ret = l;
    return 0;
}

void aim_session_free(aim_session *s) {
    if (!s)
        return;
    if (s->started && s->writer_started && !s->stopped)
        aim_session_stop(s, AIM_RUN_INTERRUPTED, -1);
    join_threads(s);
    for (int i = 0; i < aim_source_count; i++)
        if (s->slots[i].open)
            aim_sources[i]->close(s->slots[i].state);
    for (int gi = 0; gi < s->n_groups; gi++) {
        aim_group *g = &s->groups[gi];
        aim__frame_free(g->frame);
        aim__frame_free(g->wframe);
        aim__ring_free(g->ring);
        aim__chunk_encoder_free(g->encoder);
    }
    aim__db_close(s->db);
    aim__chunk_backlog_free(&s->backlog);
    aim__run_summary_clear(&s->run);
    for (size_t k = 0; k < s->n_sinks; k++)
        if (s->sinks[k]->release)
            s->sinks[k]->release(s);
    for (size_t k = 0; k < s->n_stages; k++)
        if (s->stages[k]->release)
            s->stages[k]->release(s);
    free(s->job_slots); /* after the stages' release: the job table used it */
    free(s->stats);
    free(s->energy);
    free(s->latest);
    free(s->latest_ok);
    free(s->cfg.db_path);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
