/* The HTML report (html_render.h): the document's fixed skeleton around the inlined assets
 * and the embedded DATA. DATA is laid out by hand with the JSON helpers of util/json.h
 * (aim__json_append_str, aim__json_append_real) rather than built as a jansson tree: the
 * series arrays of a long run hold hundreds of thousands of numbers, written straight out with
 * 7 significant digits, and the run's report is spliced in as the JSON text its own renderer
 * made (one renderer of aimeter.report/1, byte for byte the same numbers). */
#include "report/html_render.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "report/web_assets.h"
#include "util/iso8601.h"
#include "util/json.h"
#include "util/strbuf.h"

/* The significant digits of the series' numbers: beyond any sensor's precision, and they
 * keep a one-hour run's report small (docs/decisions.md). */
#define SERIES_DIGITS 7

#define NS_PER_S 1e9

void aim__html_append_text(aim_strbuf *b, const char *s, size_t n) {
    aim_strbuf clean = AIM_STRBUF_INIT;
    aim__strbuf_append_utf8(&clean, s ? s : "", s ? n : 0);
    if (clean.err) {
        b->err = b->err ? b->err : clean.err;
        aim__strbuf_free(&clean);
        return;
    }
    for (size_t i = 0; i < clean.len; i++) {
        char c = clean.data[i];
        switch (c) {
        case '&': aim__strbuf_append(b, "&amp;"); break;
        case '<': aim__strbuf_append(b, "&lt;"); break;
        case '>': aim__strbuf_append(b, "&gt;"); break;
        case '"': aim__strbuf_append(b, "&quot;"); break;
        case '\'': aim__strbuf_append(b, "&#39;"); break;
        default: aim__strbuf_putc(b, c); break;
        }
    }
    aim__strbuf_free(&clean);
}

void aim__html_append_script_json(aim_strbuf *b, const char *json, size_t n) {
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        size_t skip = 1;
        unsigned char c = (unsigned char)json[i];
        if (c == '<')
            esc = "\\u003c";
        else if (c == '>')
            esc = "\\u003e";
        else if (c == '&')
            esc = "\\u0026";
        else if (c == 0xE2 && i + 2 < n && (unsigned char)json[i + 1] == 0x80 &&
                 ((unsigned char)json[i + 2] == 0xA8 || (unsigned char)json[i + 2] == 0xA9)) {
            /* U+2028 and U+2029 end a line in older JavaScript */
            esc = (unsigned char)json[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            skip = 3;
        }
        if (!esc)
            continue;
        aim__strbuf_appendn(b, json + from, i - from);
        aim__strbuf_append(b, esc);
        i += skip - 1;
        from = i + 1;
    }
    aim__strbuf_appendn(b, json + from, n - from);
}

/* ------------------------------------------------------------------ DATA */

static void key(aim_strbuf *b, const char *k, int first) {
    aim__strbuf_append(b, first ? "\"" : ",\"");
    aim__strbuf_append(b, k);
    aim__strbuf_append(b, "\":");
}

static void str_field(aim_strbuf *b, const char *k, const char *v, size_t n, int first) {
    key(b, k, first);
    aim__json_append_str(b, v, n);
}

static void num_field(aim_strbuf *b, const char *k, double v, int digits, int first) {
    key(b, k, first);
    aim__json_append_real(b, v, digits);
}

static void count_field(aim_strbuf *b, const char *k, size_t v) {
    key(b, k, 0);
    aim__strbuf_printf(b, "%zu", v);
}

static void bool_field(aim_strbuf *b, const char *k, int v) {
    key(b, k, 0);
    aim__strbuf_append(b, v ? "true" : "false");
}

static void num_array(aim_strbuf *b, const double *v, size_t n) {
    aim__strbuf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            aim__strbuf_putc(b, ',');
        aim__json_append_real(b, v[i], SERIES_DIGITS);
    }
    aim__strbuf_putc(b, ']');
}

static void series_json(aim_strbuf *b, const aim_html_series *s) {
    aim__strbuf_putc(b, '{');
    str_field(b, "name", s->name, sizeof s->name, 1);
    str_field(b, "device", s->device, sizeof s->device, 0);
    str_field(b, "metric", s->metric, sizeof s->metric, 0);
    str_field(b, "label", s->label, strlen(s->label), 0);
    str_field(b, "unit", s->unit, strlen(s->unit), 0);
    key(b, "category", 0);
    if (s->category)
        aim__json_append_str(b, s->category, strlen(s->category));
    else
        aim__strbuf_append(b, "null");
    str_field(b, "method", s->method, strlen(s->method), 0);
    count_field(b, "samples", s->dec.samples);
    count_field(b, "per_bucket", s->dec.per_bucket);
    key(b, "t", 0);
    num_array(b, s->dec.t, s->dec.n);
    key(b, "v", 0);
    num_array(b, s->dec.v, s->dec.n);
    aim__strbuf_putc(b, '}');
}

static void timeline_json(aim_strbuf *b, const aim_html_model *m) {
    char start[40];
    aim__fmt_time_iso(start, sizeof start, m->start_wall_ns);
    aim__strbuf_putc(b, '{');
    str_field(b, "start_time", start, sizeof start, 1);
    num_field(b, "x0", m->x0, 0, 0);
    num_field(b, "x1", m->x1, 0, 0);
    count_field(b, "buckets", m->buckets);
    key(b, "series", 0);
    aim__strbuf_putc(b, '[');
    for (size_t i = 0; i < m->n_series; i++) {
        if (i)
            aim__strbuf_append(b, ",\n");
        series_json(b, &m->series[i]);
    }
    aim__strbuf_append(b, "],\n\"phases\":[");
    for (size_t i = 0; i < m->n_phases; i++) {
        const aim_html_phase *p = &m->phases[i];
        aim__strbuf_append(b, i ? ",{" : "{");
        str_field(b, "name", p->name, sizeof p->name, 1);
        key(b, "depth", 0);
        aim__strbuf_printf(b, "%d", p->depth);
        num_field(b, "t0", p->t0, 0, 0);
        num_field(b, "t1", p->t1, 0, 0);
        bool_field(b, "closed", p->closed);
        aim__strbuf_putc(b, '}');
    }
    aim__strbuf_append(b, "],\n\"marks\":[");
    for (size_t i = 0; i < m->n_marks; i++) {
        aim__strbuf_append(b, i ? ",{" : "{");
        str_field(b, "text", m->marks[i].text, sizeof m->marks[i].text, 1);
        num_field(b, "t", m->marks[i].t, 0, 0);
        aim__strbuf_putc(b, '}');
    }
    aim__strbuf_append(b, "],\n\"energy\":{\"t\":");
    num_array(b, m->energy_t, m->n_energy);
    aim__strbuf_append(b, ",\"kwh\":");
    num_array(b, m->energy_kwh, m->n_energy);
    aim__strbuf_append(b, ",\"g\":");
    num_array(b, m->energy_g, m->n_energy);
    aim__strbuf_append(b, "}}");
}

static void correlation_json(aim_strbuf *b, const aim_html_model *m) {
    if (!m->corr_names) {
        aim__strbuf_append(b, "null");
        return;
    }
    aim__strbuf_append(b, "{\"names\":[");
    for (size_t i = 0; i < m->n_corr; i++) {
        if (i)
            aim__strbuf_putc(b, ',');
        aim__json_append_str(b, m->corr_names[i], strlen(m->corr_names[i]));
    }
    aim__strbuf_append(b, "],\"r\":[");
    for (size_t i = 0; i < m->n_corr; i++) {
        if (i)
            aim__strbuf_append(b, ",\n");
        num_array(b, m->corr_r + i * m->n_corr, m->n_corr);
    }
    aim__strbuf_append(b, "]}");
}

static void whatif_json(aim_strbuf *b, const aim_html_model *m) {
    if (!m->zones) {
        aim__strbuf_append(b, "null");
        return;
    }
    aim__strbuf_putc(b, '{');
    num_field(b, "energy_kwh", m->whatif_kwh, 0, 1);
    aim__strbuf_append(b, ",\"zones\":[");
    for (size_t i = 0; i < m->n_zones; i++) {
        const aim_html_zone *z = &m->zones[i];
        aim__strbuf_append(b, i ? ",\n{" : "{");
        key(b, "zone", 1);
        if (z->zone[0])
            aim__json_append_str(b, z->zone, sizeof z->zone);
        else
            aim__strbuf_append(b, "null");
        str_field(b, "name", z->name, sizeof z->name, 0);
        num_field(b, "g_per_kwh", z->g_per_kwh, 0, 0);
        num_field(b, "carbon_g", z->carbon_g, 0, 0);
        bool_field(b, "own", z->own);
        str_field(b, "source", z->source, sizeof z->source, 0);
        aim__strbuf_putc(b, '}');
    }
    aim__strbuf_append(b, "]}");
}

void aim__html_data_json(aim_strbuf *b, const aim_html_model *m) {
    aim__strbuf_append(b, "{\"schema\":\"aimeter.html/1\",\n\"report\":");
    const char *report = m->report_json ? m->report_json : "null";
    size_t n = strlen(report);
    while (n && (report[n - 1] == '\n' || report[n - 1] == ' '))
        n--;
    aim__strbuf_appendn(b, report, n);
    aim__strbuf_append(b, ",\n\"timeline\":");
    timeline_json(b, m);
    aim__strbuf_append(b, ",\n\"correlation\":");
    correlation_json(b, m);
    aim__strbuf_append(b, ",\n\"whatif\":");
    whatif_json(b, m);
    aim__strbuf_append(b, "}\n");
}

/* ------------------------------------------------------------------ the document */

/* Whether the n bytes at s hold `end` in any case ("</script" ends a script element
 * whatever its case). */
static int holds(const unsigned char *s, size_t n, const char *end) {
    size_t k = strlen(end);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp((const char *)s + i, end, k) == 0)
            return 1;
    return 0;
}

int aim__html_render(const aim_html_model *m, char **ret_text) {
    const aim_web_asset *js = aim__web_asset("report.js"), *css = aim__web_asset("report.css");
    /* Assets missing, or one that would end its own element: the build is broken, not the
     * input (-ENOTRECOVERABLE: the CLI's exit 70, not "no input" or "usage"). */
    if (!js || !css || holds(js->data, js->len, "</script") ||
        holds(css->data, css->len, "</style"))
        return -ENOTRECOVERABLE;
    aim_strbuf data = AIM_STRBUF_INIT;
    aim__html_data_json(&data, m);
    if (data.err) {
        aim__strbuf_free(&data);
        return -ENOMEM;
    }
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append(&b,
        "<!DOCTYPE html>\n"
        "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">\n"
        "<title>aimeter report: ");
    const char *name = m->run_name && m->run_name[0] ? m->run_name : m->run_id;
    aim__html_append_text(&b, name, strlen(name));
    aim__strbuf_append(&b, " (");
    aim__html_append_text(&b, m->run_id, strlen(m->run_id));
    aim__strbuf_append(&b, ")</title>\n<style>");
    aim__strbuf_appendn(&b, (const char *)css->data, css->len);
    aim__strbuf_append(&b,
        "</style></head>\n"
        "<body><main id=\"aimeter-report\"></main>\n"
        "<noscript>This report draws its charts and tables with JavaScript, which is off. "
        "Its data, tables included, is the JSON in the element aimeter-data of this "
        "file's source (schema aimeter.html/1).</noscript>\n"
        "<script type=\"application/json\" id=\"aimeter-data\">");
    aim__html_append_script_json(&b, data.data, data.len);
    aim__strbuf_free(&data);
    aim__strbuf_append(&b, "</script>\n<script>");
    aim__strbuf_appendn(&b, (const char *)js->data, js->len);
    aim__strbuf_append(&b, "</script></body></html>\n");
    return aim__strbuf_steal(&b, ret_text);
}
