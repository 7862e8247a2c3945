/* /metrics through libmicrohttpd (prom_server.h). One internal polling thread answers every
 * connection, so the scratch copies of the snapshot are used by one request at a time. The
 * run's fixed description (device names, kinds, models, series) is copied at start; a scrape
 * then reads only the seqlock snapshot and renders with report/prometheus.c. Limits so a slow
 * or hostile client cannot exhaust aimeter: connections (total and per address), 16 KiB of
 * memory per connection (the request line and headers must fit), a 10 s idle timeout and a
 * 10 s deadline on each whole request, however slowly it trickles in (web_deadline.h). With a
 * web-config file, TLS (web_mhd.c) and, before anything else, the credentials (web_auth.h). */
#include "serve/prom_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "engine/live_view.h"
#include "model/device.h"
#include "model/intensity.h"
#include "processing/report_words.h"
#include "report/live_json.h"
#include "report/prometheus.h"
#include "serve/prom_stats.h"
#include "serve/web_deadline.h"
#include "serve/web_mhd.h"
#include "serve/prom_jobs.h"

/* One address holds at most an eighth of the connections: a scraper from elsewhere finds a
 * free one unless eight addresses gang up, and those lose theirs at the deadline. */
#define CONNECTION_LIMIT 64
#define PER_ADDRESS_LIMIT 8
#define CONNECTION_MEMORY (16 * 1024)
#define IDLE_TIMEOUT_S 10
#define REQUEST_DEADLINE_NS (10 * 1000000000LL)

struct aim_prom_server {
    struct MHD_Daemon *daemon;
    aim_session *session;          /* for the sampler's missed deadlines (/api/live) */
    aim_live *live;
    aim_prom_input in;             /* the fixed description; figures filled per scrape */
    char host[128], run[40], task[128], zone[24], job[256];
    aim_prom_device *devices;
    aim_prom_series *series;
    double *values, *device_energy;
    unsigned char *valid;
    aim_web_config *web;           /* the web-config file (TLS, credentials); NULL: none */
    aim_web_auth *auth;            /* NULL: no authentication asked for */
    aim_prom_stats stats;          /* the self-metrics (prom_stats.c) */
    aim_prom_jobs *jobs;           /* an agent's (prom_jobs.h), NULL for a run */
    aim_web_deadline *deadline;    /* the watchdog of each request's deadline */
};

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len, const char *allow) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text,
                                  const char *allow) {
    char *body = strdup(text);
    if (!body)
        return MHD_NO;
    return reply(c, status, "text/plain; charset=utf-8", body, strlen(body), allow);
}

/* One consistent copy of the snapshot into srv->in (both endpoints render it); in->phase
 * points into *t, which the caller keeps while it renders. */
static void copy_snapshot(aim_prom_server *srv, aim_live_totals *t) {
    aim__live_note_reader(srv->live, mono_ns()); /* the writer publishes more often now */
    aim__live_read(srv->live, t, srv->device_energy, srv->values, srv->valid);
    aim_prom_input *in = &srv->in;
    in->phase = t->phase;
    in->duration_s = (double)t->duration_ns / 1e9;
    in->power_w = t->power_w;
    in->energy_j = t->energy_j;
    in->carbon_g = t->carbon_g;
    in->intensity_g_per_kwh = t->intensity_g_per_kwh;
    aim__prom_jobs_fill(srv->jobs, t, mono_ns(), in);
    for (int d = 0; d < in->n_devices; d++)
        srv->devices[d].energy_j = srv->device_energy[d];
    for (int i = 0; i < in->n_series; i++) {
        srv->series[i].value = srv->values[i];
        srv->series[i].valid = srv->valid[i];
    }
}

/* The scrape: one consistent copy of the snapshot, rendered. */
static enum MHD_Result metrics(aim_prom_server *srv, struct MHD_Connection *c) {
    aim_live_totals t;
    aim_prom_input *in = &srv->in;
    copy_snapshot(srv, &t);
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    int om = accept && strstr(accept, "application/openmetrics-text") != NULL;
    aim_prom_self self;
    aim__prom_stats_scrape(&srv->stats, &self);
    in->self = &self;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(in, om, &b);
    in->self = NULL; /* self was this scrape's */
    size_t len = b.len;
    char *text;
    if (aim__strbuf_steal(&b, &text) < 0)
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
    return reply(c, MHD_HTTP_OK, om ? AIM_OPENMETRICS_CONTENT_TYPE : AIM_PROM_CONTENT_TYPE,
                 text, len, NULL);
}

/* GET /api/live: the same copy as JSON (report/live_json.c, docs/http-api.md). */
static enum MHD_Result live_json(aim_prom_server *srv, struct MHD_Connection *c) {
    aim_live_totals t;
    aim_live counters; /* the public status-line figures: the sampler's missed deadlines */
    copy_snapshot(srv, &t);
    aim_live_json_record rec[AIM_LIVE_RECORDS];
    for (int k = 0; k < t.n_records; k++)
        rec[k] = (aim_live_json_record){ .key = t.records[k].key, .total = t.records[k].total };
    aim_live_json_extra x = { .samples = t.samples, .records = rec, .n_records = t.n_records };
    if (aim_session_live(srv->session, &counters) == 0) {
        x.have_missed = 1;
        x.missed_deadlines = counters.missed_deadlines;
    }
    char *text;
    if (aim__live_json_render(&srv->in, &x, &text) < 0)
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
    return reply(c, MHD_HTTP_OK, AIM_LIVE_JSON_CONTENT_TYPE, text, strlen(text), NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    aim_prom_server *srv = cls;
    aim_auth_verdict verdict = srv->auth ? aim__web_mhd_check(srv->auth, c) : AIM_AUTH_OK;
    if (verdict != AIM_AUTH_OK)
        return aim__web_mhd_refuse(c, srv->auth, verdict);
    int api_live = strcmp(url, "/api/live") == 0;
    if (strcmp(url, "/metrics") != 0 && !api_live)
        return reply_text(c, MHD_HTTP_NOT_FOUND,
                          "not found: aimeter serves /metrics and /api/live\n", NULL);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "GET, HEAD");
    return api_live ? live_json(cls, c) : metrics(cls, c);
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
    aim_prom_server *srv = cls;
    aim__prom_stats_connection(&srv->stats, c, socket_context, code);
    aim__web_deadline_connection(srv->deadline, c, socket_context, code);
}

static void notify_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                             enum MHD_RequestTerminationCode toe) {
    (void)req_cls;
    (void)toe;
    aim__web_deadline_completed(((aim_prom_server *)cls)->deadline, c);
}

/* The GPU index of "gpu3" (the gpu label), -1 for other devices. */
static int gpu_index(const aim_device_summary *d) {
    if (d->kind != AIM_DEV_GPU || strncmp(d->name, "gpu", 3) != 0 || !d->name[3])
        return -1;
    int n = 0;
    for (const char *p = d->name + 3; *p; p++) {
        if (*p < '0' || *p > '9' || n > 100000)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n;
}

static int describe(aim_prom_server *srv, const aim_run_summary *run, const char *job) {
    int nd = run->n_devices, ns = run->n_series;
    srv->devices = calloc((size_t)nd + 1, sizeof *srv->devices);
    srv->series = calloc((size_t)ns + 1, sizeof *srv->series);
    srv->values = calloc((size_t)ns + 1, sizeof *srv->values);
    srv->valid = calloc((size_t)ns + 1, 1);
    srv->device_energy = calloc((size_t)nd + 1, sizeof *srv->device_energy);
    if (!srv->devices || !srv->series || !srv->values || !srv->valid || !srv->device_energy)
        return -ENOMEM;
    for (int d = 0; d < nd; d++) {
        const aim_device_summary *ds = &run->devices[d];
        aim_prom_device *pd = &srv->devices[d];
        pd->name = ds->name; /* the summary's fixed fields outlive the server */
        pd->kind = aim__device_kind_name(ds->kind);
        pd->model = ds->model;
        pd->uuid = ds->uuid;
        pd->method = ds->has_energy ? aim__method_word(ds->energy_method) : NULL;
        pd->has_energy = ds->has_energy;
        pd->gpu = gpu_index(ds);
    }
    for (int i = 0; i < ns; i++) {
        const aim_series_summary *ss = &run->series[i];
        srv->series[i].device = ss->device;
        srv->series[i].metric = ss->metric < 0 ? AIM_M__COUNT : (aim_metric_id)ss->metric;
        srv->series[i].instance = ss->instance;
    }
    snprintf(srv->host, sizeof srv->host, "%s", run->host);
    snprintf(srv->run, sizeof srv->run, "%s", run->id);
    snprintf(srv->task, sizeof srv->task, "%s", run->name);
    snprintf(srv->zone, sizeof srv->zone, "%s", run->zone);
    snprintf(srv->job, sizeof srv->job, "%s", job ? job : "");
    srv->in = (aim_prom_input){
        .host = srv->host, .run = srv->run, .task = srv->task, .job = srv->job,
        .zone = srv->zone,
        .signal = aim__signal_name(run->signal), .devices = srv->devices, .n_devices = nd,
        .series = srv->series, .n_series = ns,
    };
    return 0;
}

int aim__prom_server_start(aim_session *s, const char *address, unsigned port,
                           aim_prom_server **ret) {
    return aim__prom_server_start_web(s, address, port, NULL, ret);
}

static int start(aim_session *s, const char *address, unsigned port, aim_web_config *web,
                 aim_prom_server **ret) {
    struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD; /* no MHD_USE_ERROR_LOG: the library never prints */
    if (port > 65535)
        return -EINVAL;
    if (inet_pton(AF_INET, address, &v4.sin_addr) == 1) {
        sa = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, address, &v6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return -EINVAL;
    }
    aim_live *live;
    const aim_run_summary *run;
    int r = aim__session_live_view(s, &live, &run);
    if (r < 0)
        return r;
    aim_prom_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->live = live;
    srv->session = s;
    aim__prom_stats_init(&srv->stats, s, run->aimeter_version);
    struct MHD_OptionItem web_options[AIM_WEB_MHD_OPTIONS];
    if ((r = describe(srv, run, aim__session_job_id(s))) < 0 ||
        (r = aim__web_mhd_options(web, &flags, web_options)) < 0 ||
        (r = aim__web_auth_new(web, NULL, &srv->auth)) < 0 ||
        (r = aim__prom_jobs_new(s, &srv->jobs)) < 0 ||
        (r = aim__web_deadline_new(CONNECTION_LIMIT, REQUEST_DEADLINE_NS, &srv->deadline)) < 0) {
        aim__prom_server_stop(srv);
        return r;
    }
    srv->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, srv,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_ARRAY, web_options,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, (void *)srv,
        MHD_OPTION_NOTIFY_COMPLETED, notify_completed, (void *)srv,
        AIM_PROM_STATS_OPTIONS(&srv->stats),
        MHD_OPTION_END);
    if (!srv->daemon) {
        /* MHD does not say why; a taken port is by far the likeliest (errno when it kept it). */
        r = errno == EACCES ? -EACCES : -EADDRINUSE;
        aim__prom_server_stop(srv);
        return r;
    }
    srv->web = web; /* owned from now on */
    *ret = srv;
    return 0;
}

int aim__prom_server_start_web(aim_session *s, const char *address, unsigned port,
                               aim_web_config *web, aim_prom_server **ret) {
    int r = start(s, address, port, web, ret);
    if (r < 0)
        aim__web_config_free(web);
    return r;
}

void aim__prom_server_stop(aim_prom_server *srv) {
    if (!srv)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    free(srv->devices);
    free(srv->series);
    free(srv->values);
    free(srv->valid);
    free(srv->device_energy);
    aim__web_auth_free(srv->auth);
    aim__web_config_free(srv->web);
    aim__prom_jobs_free(srv->jobs);
    aim__web_deadline_free(srv->deadline); /* after the daemon: it notifies until it stops */
    free(srv);
}
