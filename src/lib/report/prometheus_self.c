/* The exporter's self-metrics (prometheus_self.h), in the same families-and-labels form as the
 * run's series (prometheus.c's writers). */
#include "report/prometheus_self.h"

#include "report/prometheus.h"

const char *const aim__prom_self_names[] = {
    "aimeter_build_info",
    "aimeter_sampler_ticks_total",
    "aimeter_sampler_missed_deadlines_total",
    "aimeter_sampler_interval_seconds",
    "aimeter_http_connections_total",
    "aimeter_http_connections_open",
    "aimeter_http_requests_total",
    "aimeter_scrapes_total",
    NULL,
};

static void one(aim_strbuf *b, const aim_prom_input *in, int om, const char *name,
                const char *type, const char *unit, const char *help, double v) {
    aim__prom_put_header(b, name, type, unit, help, om);
    aim__prom_put_sample(b, in, name, NULL, NULL, v);
}

void aim__prom_render_self(const aim_prom_self *s, const aim_prom_input *in, int om,
                           aim_strbuf *b) {
    /* A gauge, not OpenMetrics' info type, for the reason aimeter_run_info is one. */
    aim__prom_put_header(b, "aimeter_build_info", "gauge", NULL,
                         "The aimeter serving these metrics, by version; always 1.", om);
    aim__prom_put_sample(b, in, "aimeter_build_info", "version", s->version, 1);
    /* Counters as doubles: exact up to 2^53, far beyond any run's ticks or requests. */
    one(b, in, om, "aimeter_sampler_ticks_total", "counter", NULL,
        "Ticks the sampler took at the run's interval; it keeps rising while aimeter samples.",
        (double)s->ticks);
    one(b, in, om, "aimeter_sampler_missed_deadlines_total", "counter", NULL,
        "Sampling deadlines missed (the sampler woke too late) or ticks dropped (the writer "
        "fell behind), as the run's report counts them.", (double)s->missed);
    one(b, in, om, "aimeter_sampler_interval_seconds", "gauge", "seconds",
        "The run's sampling interval.", s->interval_s);
    one(b, in, om, "aimeter_http_connections_total", "counter", NULL,
        "TCP connections the metrics server accepted, including those that never sent a "
        "request.", (double)s->connections);
    one(b, in, om, "aimeter_http_connections_open", "gauge", NULL,
        "Connections the metrics server holds open now (this one included).",
        (double)s->connections_open);
    one(b, in, om, "aimeter_http_requests_total", "counter", NULL,
        "HTTP requests whose request line the metrics server read, whatever their answer.",
        (double)s->requests);
    one(b, in, om, "aimeter_scrapes_total", "counter", NULL,
        "Scrapes of /metrics answered with the exposition, this one included.",
        (double)s->scrapes);
}
