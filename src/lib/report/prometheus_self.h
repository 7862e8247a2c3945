/* The exporter's own metrics (docs/metrics.md, "Self-metrics"): what a scraper needs to
 * check that aimeter keeps sampling on schedule and answers its clients, as node_exporter's
 * and Prometheus' own process_* / promhttp_* metrics do. Rendered by prometheus_self.c after
 * the run's series (before OpenMetrics' # EOF) when aim_prom_input.self is set. */
#ifndef AIM_REPORT_PROMETHEUS_SELF_H
#define AIM_REPORT_PROMETHEUS_SELF_H

#include <stdint.h>

#include "util/strbuf.h"

typedef struct aim_prom_input aim_prom_input;

typedef struct aim_prom_self {
    const char *version;          /* aimeter's version: aimeter_build_info{version} */
    uint64_t ticks;               /* the sampler's ticks at the run's interval */
    uint64_t missed;              /* deadlines missed (and ticks dropped) by the sampler */
    double interval_s;            /* the run's sampling interval */
    uint64_t connections;         /* TCP connections accepted by the HTTP server */
    uint64_t connections_open;    /* of them, still open */
    uint64_t requests;            /* HTTP requests whose request line was read */
    uint64_t scrapes;             /* /metrics answered with the exposition, this one included */
} aim_prom_self;

/* Every name prometheus_self.c writes (sample names), NULL-terminated: docs/metrics.md lists
 * each (test_prometheus checks it). */
extern const char *const aim__prom_self_names[];

/* Appends the self-metrics, with the run labels of in, to out. */
void aim__prom_render_self(const aim_prom_self *self, const aim_prom_input *in, int openmetrics,
                           aim_strbuf *out);

#endif
