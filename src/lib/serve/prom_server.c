/* /metrics and /api/live (prom_server.h): the live routes over the HTTP server
 * (http_server.h: the socket, the limits, TLS and credentials). Its one polling thread
 * answers every connection, so the scratch copies of the snapshot are used by one request at
 * a time. The run's fixed description (device names, kinds, models, series) is copied at
 * start; a scrape then reads only the seqlock snapshot and renders with report/prometheus.c. */
#include "serve/prom_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/live_view.h"
#include "model/device.h"
#include "model/intensity.h"
#include "processing/report_words.h"
#include "report/live_json.h"
#include "report/prometheus.h"
#include "serve/prom_stats.h"
#include "serve/http_server.h"
#include "serve/prom_jobs.h"

#define TEXT_TYPE "text/plain; charset=utf-8"

struct aim_prom_server {
    aim_http_server *http;
    aim_session *session;          /* for the sampler's missed deadlines (/api/live) */
    aim_live *live;
    aim_prom_input in;             /* the fixed description; figures filled per scrape */
    char host[128], run[40], task[128], zone[24], job[256];
    aim_prom_device *devices;
    aim_prom_series *series;
    double *values, *device_energy;
    unsigned char *valid;
    aim_prom_stats stats;          /* the self-metrics (prom_stats.c) */
    aim_prom_jobs *jobs;           /* an agent's (prom_jobs.h), NULL for a run */
};

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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
static int metrics(aim_prom_server *srv, const aim_http_request *req, aim_http_response *resp) {
    aim_live_totals t;
    aim_prom_input *in = &srv->in;
    copy_snapshot(srv, &t);
    const char *accept = req->accept;
    int om = accept && strstr(accept, "application/openmetrics-text") != NULL;
    aim_prom_self self;
    aim__prom_stats_scrape(&srv->stats, &self);
    in->self = &self;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__prom_render(in, om, &b);
    in->self = NULL; /* self was this scrape's */
    resp->len = b.len;
    resp->type = om ? AIM_OPENMETRICS_CONTENT_TYPE : AIM_PROM_CONTENT_TYPE;
    return aim__strbuf_steal(&b, &resp->body);
}

/* GET /api/live: the same copy as JSON (report/live_json.c, docs/http-api.md). */
static int live_json(aim_prom_server *srv, aim_http_response *resp) {
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
    int r = aim__live_json_render(&srv->in, &x, &resp->body);
    if (r < 0)
        return r;
    resp->len = strlen(resp->body);
    resp->type = AIM_LIVE_JSON_CONTENT_TYPE;
    return 0;
}

/* The live routes (http_server.h's handler); libmicrohttpd's polling thread checked the
 * credentials first. */
static int route(void *ctx, const aim_http_request *req, aim_http_response *resp) {
    aim_prom_server *srv = ctx;
    int api_live = strcmp(req->path, "/api/live") == 0;
    if (strcmp(req->path, "/metrics") != 0 && !api_live)
        return aim__http_respond(resp, 404, TEXT_TYPE,
                                 "not found: aimeter serves /metrics and /api/live\n");
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        resp->allow = "GET, HEAD";
        return aim__http_respond(resp, 405, TEXT_TYPE, "method not allowed\n");
    }
    return api_live ? live_json(srv, resp) : metrics(srv, req, resp);
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

static int start(aim_session *s, const char *address, unsigned port, aim_web_config **web,
                 aim_prom_server **ret) {
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
    if ((r = describe(srv, run, aim__session_job_id(s))) < 0 ||
        (r = aim__prom_jobs_new(s, &srv->jobs)) < 0) {
        aim__prom_server_stop(srv);
        return r;
    }
    aim_web_config *taken = *web;
    *web = NULL; /* the HTTP server's from here, whatever it answers */
    if ((r = aim__http_server_start(address, port, taken, route, srv, &srv->stats, NULL,
                                    &srv->http)) < 0) {
        aim__prom_server_stop(srv);
        return r;
    }
    *ret = srv;
    return 0;
}

int aim__prom_server_start_web(aim_session *s, const char *address, unsigned port,
                               aim_web_config *web, aim_prom_server **ret) {
    int r = start(s, address, port, &web, ret);
    aim__web_config_free(web); /* NULL once the HTTP server took it */
    return r;
}

void aim__prom_server_stop(aim_prom_server *srv) {
    if (!srv)
        return;
    aim__http_server_stop(srv->http); /* first: no request reads what follows after it */
    free(srv->devices);
    free(srv->series);
    free(srv->values);
    free(srv->valid);
    free(srv->device_energy);
    aim__prom_jobs_free(srv->jobs);
    free(srv);
}
