/* Server-Sent Events (the WHATWG HTML standard's text/event-stream) over the HTTP server's
 * streams (http_server.h): the framing of one event, and a stream that ends by itself. A
 * stream first sends "retry: 1000" (the browser's EventSource reconnects a second after the
 * end, sending the last id it saw as Last-Event-ID), then what its source produces, and ends
 * when the source says so or, at the latest, a poll after its budget (a poll that finds
 * nothing sends the comment ":", so that a client gone is noticed on the write): with a source that
 * waits at most a second per poll, under AIM_SSE_BUDGET_NS + 1 s, well within the request
 * deadline of 10 s (web_deadline.h) that every request keeps. */
#ifndef AIM_SERVE_SSE_H
#define AIM_SERVE_SSE_H

#include <stdint.h>

#include "serve/http_server.h"
#include "util/strbuf.h"

#define AIM_SSE_TYPE "text/event-stream; charset=utf-8"
#define AIM_SSE_RETRY_MS 1000
/* No poll starts after this much of the stream: with a poll of at most ~1 s, every stream
 * ends within 8 s. */
#define AIM_SSE_BUDGET_NS (7 * 1000000000LL)
/* What a stream leaves of its request's deadline (a poll and the end's sending). */
#define AIM_SSE_MARGIN_NS (2 * 1000000000LL)

/* The budget of a stream for req: AIM_SSE_BUDGET_NS, less when req's deadline
 * (aim_http_request.deadline_ns) comes sooner than that and AIM_SSE_MARGIN_NS (a kept-alive
 * connection that was idle); 0 at worst: the stream sends its retry and ends, and the
 * browser comes back on a connection with a deadline of its own. */
int64_t aim__sse_budget(const aim_http_request *req);

/* Appends one event to out: "event: NAME" (event NULL: none), "id: ID" (NULL: none), data
 * as "data: " lines (split at its line breaks: CR LF, LF or CR), and the empty line that ends
 * it. event and id are taken up to their first line break. */
void aim__sse_event(aim_strbuf *out, const char *event, const char *id, const char *data);

/* What a stream sends: poll appends zero or more events (aim__sse_event) and returns 1 (call
 * again: it may have waited, at most ~1 s, for something new), 0 (that was the last), or a
 * negative errno (the stream ends). free (may be NULL) frees cls when the stream ends. */
typedef struct aim_sse_source {
    int (*poll)(void *cls, aim_strbuf *out);
    void (*free)(void *cls);
    void *cls;
} aim_sse_source;

/* *ret: a stream (aim_http_response.stream) that sends "retry: AIM_SSE_RETRY_MS" then src's
 * events until src ends or budget_ns (of clock, ns; NULL: CLOCK_MONOTONIC) have passed when a
 * poll would begin. src is taken: freed with the stream, or at once on failure. 0, -ENOMEM. */
int aim__sse_stream(const aim_sse_source *src, int64_t budget_ns, int64_t (*clock)(void),
                    aim_http_stream *ret);

#endif
