/* Server-Sent Events (sse.h). */
#include "serve/sse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct sse {
    aim_sse_source src;
    int64_t (*clock)(void);
    int64_t budget_ns, start_ns;
    int started;
} sse;

/* One field ("event", "id"): its value up to its first line break. */
static void field(aim_strbuf *out, const char *name, const char *value) {
    aim__strbuf_append(out, name);
    aim__strbuf_append(out, ": ");
    aim__strbuf_appendn(out, value, strcspn(value, "\r\n"));
    aim__strbuf_putc(out, '\n');
}

void aim__sse_event(aim_strbuf *out, const char *event, const char *id, const char *data) {
    if (event)
        field(out, "event", event);
    if (id)
        field(out, "id", id);
    const char *p = data ? data : "";
    do { /* a line break inside the data would end the field: each line is its own */
        size_t n = strcspn(p, "\r\n");
        aim__strbuf_append(out, "data: ");
        aim__strbuf_appendn(out, p, n);
        aim__strbuf_putc(out, '\n');
        p += n;
        if (*p == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            p++;
        else
            break;
    } while (1);
    aim__strbuf_putc(out, '\n');
}

int64_t aim__sse_budget(const aim_http_request *req) {
    if (!req->deadline_ns)
        return AIM_SSE_BUDGET_NS;
    int64_t left = req->deadline_ns - aim__http_now_ns() - AIM_SSE_MARGIN_NS;
    return left < 0 ? 0 : left < AIM_SSE_BUDGET_NS ? left : AIM_SSE_BUDGET_NS;
}

static int next(void *cls, aim_strbuf *out) {
    sse *s = cls;
    if (!s->started) { /* before anything else: how soon the browser comes back */
        s->started = 1;
        s->start_ns = s->clock();
        aim__strbuf_printf(out, "retry: %d\n\n", AIM_SSE_RETRY_MS);
        return 1;
    }
    if (s->clock() - s->start_ns >= s->budget_ns)
        return 0;
    size_t before = out->len;
    int r = s->src.poll(s->src.cls, out);
    /* nothing new: a comment line, so that a client gone is noticed on this write and its
     * stream ends now, not at its budget */
    if (r == 1 && out->len == before)
        aim__strbuf_append(out, ":\n\n");
    return r;
}

static void free_sse(void *cls) {
    sse *s = cls;
    if (s->src.free)
        s->src.free(s->src.cls);
    free(s);
}

int aim__sse_stream(const aim_sse_source *src, int64_t budget_ns, int64_t (*clock)(void),
                    aim_http_stream *ret) {
    sse *s = calloc(1, sizeof *s);
    if (!s) {
        if (src->free)
            src->free(src->cls);
        return -ENOMEM;
    }
    *s = (sse){ .src = *src, .clock = clock ? clock : aim__http_now_ns, .budget_ns = budget_ns };
    *ret = (aim_http_stream){ .next = next, .free = free_sse, .cls = s };
    return 0;
}
