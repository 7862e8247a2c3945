/* `aimeter estimate` as text and JSON, and the accelerator table (estimate_render.h).
 * The JSON keeps the layout the command has always printed (one line per input and per
 * nested object) so scripts and diffs of it stay stable; its strings are encoded by jansson
 * through report/jsonutil.h like every other JSON document of aimeter, and its numbers are
 * the shortest decimal that reads back as the same double. */
#include "report/estimate_render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonutil.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

#define FORMULA "E = t x (n_cores x P_core x u_core + n_gpu x P_gpu x u_gpu + mem x P_mem) x PUE"
#define METHOD "Green Algorithms (Lannelongue, Grealey, Inouye, Adv. Sci. 2021)"

/* ---------------------------------------------------------------- numbers */

/* Readable text for a value: 6 significant digits, plain digits from a million up; the same
 * whatever the locale. */
static const char *fmt_num(char *buf, size_t size, double v) {
    char n[AIM_NUM_MAX];
    if (!isfinite(v))
        aim__bprintf(buf, size, "n/a");
    else if (fabs(v) >= 1e6)
        aim__bprintf(buf, size, "%.0f", v); /* no decimal point: the locale cannot show */
    else
        aim__bprintf(buf, size, "%s", aim__fmt_g(n, v, 6));
    return buf;
}

/* Carbon in the unit that keeps it readable: g, kg or t CO2e. */
static const char *fmt_carbon(char *buf, size_t size, double g) {
    char n[40];
    if (g < 1000)
        snprintf(buf, size, "%s g CO2e", fmt_num(n, sizeof n, g));
    else if (g < 1e6)
        snprintf(buf, size, "%s kg CO2e", fmt_num(n, sizeof n, g / 1e3));
    else
        snprintf(buf, size, "%s t CO2e", fmt_num(n, sizeof n, g / 1e6));
    return buf;
}

/* How an input's value is shown: "1 package" for a CPU charged as a whole package. */
static const char *input_text(const aim_estimate_result *e, int i, char *buf, size_t size) {
    if (i == AIM_EST_NCORES && e->cpu_package) {
        snprintf(buf, size, "1 package");
        return buf;
    }
    return fmt_num(buf, size, e->in[i].value);
}

/* The formula with the numbers in it. */
static void substituted(const aim_estimate_result *e, char *buf, size_t size) {
    char t[AIM_EST_N][48];
    for (int i = 0; i < AIM_EST_N; i++)
        input_text(e, i, t[i], sizeof t[i]);
    snprintf(buf, size,
             "E = %s h x (%s x %s W x %s + %s x %s W x %s + %s GB x %s W/GB) x %s",
             t[AIM_EST_T], e->in[AIM_EST_NCORES].value > 0 ? t[AIM_EST_NCORES] : "0",
             t[AIM_EST_PCORE], t[AIM_EST_UCORE], t[AIM_EST_NGPU], t[AIM_EST_PGPU],
             t[AIM_EST_UGPU], t[AIM_EST_MEM], t[AIM_EST_PMEM], t[AIM_EST_PUE]);
}

/* ---------------------------------------------------------------- JSON tokens */

/* A JSON string (null for NULL), encoded by jansson: invalid UTF-8 becomes U+FFFD. */
static void json_string_token(aim_strbuf *b, const char *s) {
    if (!s)
        aim__strbuf_append(b, "null");
    else
        aim__json_append_str(b, s, strlen(s));
}

/* The shortest text that reads back as v (15 significant digits, else 17); null for NaN or
 * infinity. jansson would write 1 as "1.0" and every other value with one fixed precision. */
static void json_number_token(aim_strbuf *b, double v) {
    aim__json_append_real(b, v, 0);
}

/* ", "KEY": " then a string or a number. */
static void kv_str(aim_strbuf *b, const char *sep, const char *key, const char *s) {
    aim__strbuf_printf(b, "%s\"%s\": ", sep, key);
    json_string_token(b, s);
}

static void kv_num(aim_strbuf *b, const char *sep, const char *key, double v) {
    aim__strbuf_printf(b, "%s\"%s\": ", sep, key);
    json_number_token(b, v);
}

/* ---------------------------------------------------------------- the estimate */

int aim__render_estimate_text(const aim_estimate_result *e, char **ret_text) {
    aim_strbuf b = AIM_STRBUF_INIT;
    char a[64], c2[64], c3[64], line[640], t[AIM_EST_N][48];
    const aim_estimate_input *in = e->in;
    const aim_footprint *r = &e->footprint;
    for (int i = 0; i < AIM_EST_N; i++)
        input_text(e, i, t[i], sizeof t[i]);
    aim__strbuf_printf(&b, "Estimate, not a measurement: %s\n\n", METHOD);
    aim__strbuf_append(&b, "Inputs\n");
    for (int i = 0; i < AIM_EST_N; i++) {
        char value[64];
        aim__bprintf(value, sizeof value, "%s%s%s", t[i], *in[i].unit ? " " : "", in[i].unit);
        aim__strbuf_printf(&b, "  %-8s %-18s %-14s %s\n", in[i].symbol, in[i].label, value,
                          in[i].source);
    }
    aim__strbuf_printf(&b, "\nFormula\n  %s\n", FORMULA);
    substituted(e, line, sizeof line);
    aim__strbuf_printf(&b, "  %s\n", line);
    aim__strbuf_printf(&b, "    = %s h x %s W x %s\n", t[AIM_EST_T], fmt_num(a, sizeof a, r->it_w),
                      t[AIM_EST_PUE]);
    aim__strbuf_printf(&b, "    = %s kWh\n", fmt_num(a, sizeof a, r->energy_kwh));
    aim__strbuf_printf(&b, "  C = E x CI = %s kWh x %s g/kWh = %s\n\n",
                      fmt_num(a, sizeof a, r->energy_kwh), t[AIM_EST_CI],
                      fmt_carbon(c2, sizeof c2, r->carbon_g));
    aim__strbuf_printf(&b, "Energy   %s kWh (hardware %s kWh + facility overhead %s kWh)\n",
                      fmt_num(a, sizeof a, r->energy_kwh), fmt_num(c2, sizeof c2, r->it_kwh),
                      fmt_num(c3, sizeof c3, r->energy_kwh - r->it_kwh));
    aim__strbuf_printf(&b, "Carbon   %s\n", fmt_carbon(a, sizeof a, r->carbon_g));
    if (e->embodied) {
        aim__strbuf_append(&b, "\nEmbodied carbon: manufacturing, amortised linearly over the "
                              "lifetime (not included in the carbon above)\n");
        if (e->n_emb == 0)
            aim__strbuf_append(&b, "  nothing to amortise: give --gpu, --memory or --servers N\n");
        for (int i = 0; i < e->n_emb; i++) {
            const aim_estimate_embodied *it = &e->emb[i];
            const aim_embodied_info *row = it->row;
            char cnt[32], kg[32], life[32], share[64];
            fmt_num(cnt, sizeof cnt, it->count);
            fmt_num(kg, sizeof kg, row->kg_co2e);
            fmt_num(life, sizeof life, row->lifetime_years);
            aim__strbuf_printf(&b, "  %-8s %s%s x %s kg CO2e x %s h / (%s y x 8766 h) = %s\n",
                              it->what, cnt, strcmp(row->unit, "GB") == 0 ? " GB" : "", kg,
                              t[AIM_EST_T], life,
                              fmt_carbon(share, sizeof share, it->share_kg * 1000));
            aim__strbuf_printf(&b, "           %s (%s): %s; %s (%s)\n",
                              strcmp(row->model, "any") == 0 ? "class default" : row->model,
                              row->scope, row->source, row->url, row->licence);
            aim__strbuf_printf(&b, "           lifetime: %s\n", row->lifetime_source);
        }
        if (e->n_emb)
            aim__strbuf_printf(&b, "  total    %s\n",
                              fmt_carbon(a, sizeof a, e->emb_total_kg * 1000));
    }
    return aim__strbuf_steal(&b, ret_text);
}

static void json_embodied(aim_strbuf *b, const aim_estimate_result *e) {
    aim__strbuf_append(b, "{\"items\": [");
    for (int i = 0; i < e->n_emb; i++) {
        const aim_estimate_embodied *it = &e->emb[i];
        aim__strbuf_append(b, i ? ", {" : "{");
        kv_str(b, "", "what", it->what);
        kv_num(b, ", ", "count", it->count);
        kv_str(b, ", ", "kind", it->row->kind);
        kv_str(b, ", ", "model", it->row->model);
        kv_num(b, ", ", "kg_co2e_each", it->row->kg_co2e);
        kv_str(b, ", ", "unit", it->row->unit);
        kv_num(b, ", ", "lifetime_years", it->row->lifetime_years);
        kv_num(b, ", ", "share_kg", it->share_kg);
        kv_str(b, ", ", "scope", it->row->scope);
        kv_str(b, ", ", "source", it->row->source);
        kv_str(b, ", ", "url", it->row->url);
        kv_str(b, ", ", "licence", it->row->licence);
        aim__strbuf_append(b, "}");
    }
    aim__strbuf_append(b, "], \"total_kg\": ");
    json_number_token(b, e->emb_total_kg);
    aim__strbuf_append(b, "}");
}

int aim__render_estimate_json(const aim_estimate_result *e, char **ret_text) {
    aim_strbuf b = AIM_STRBUF_INIT;
    char line[640];
    const aim_footprint *r = &e->footprint;
    aim__strbuf_append(&b, "{\n");
    kv_str(&b, "  ", "method", METHOD);
    kv_str(&b, ",\n  ", "formula", FORMULA);
    substituted(e, line, sizeof line);
    kv_str(&b, ",\n  ", "substituted", line);
    aim__strbuf_append(&b, ",\n  \"inputs\": [");
    for (int i = 0; i < AIM_EST_N; i++) {
        aim__strbuf_append(&b, i ? ",\n    {" : "\n    {");
        kv_str(&b, "", "symbol", e->in[i].symbol);
        kv_str(&b, ", ", "name", e->in[i].label);
        kv_num(&b, ", ", "value", e->in[i].value);
        kv_str(&b, ", ", "unit", e->in[i].unit);
        kv_str(&b, ", ", "source", e->in[i].source);
        aim__strbuf_append(&b, "}");
    }
    aim__strbuf_append(&b, "\n  ],\n  \"gpu\": ");
    if (e->in[AIM_EST_NGPU].value > 0) {
        kv_str(&b, "{", "query", e->gpu_query);
        kv_str(&b, ", ", "name", e->gpu ? e->gpu->name : e->gpu_query);
        aim__strbuf_printf(&b, ", \"in_table\": %s", e->gpu ? "true" : "false");
        kv_str(&b, ", ", "source", e->gpu ? e->gpu->source : NULL);
        kv_str(&b, ", ", "licence", e->gpu ? e->gpu->licence : NULL);
        aim__strbuf_append(&b, "}");
    } else {
        aim__strbuf_append(&b, "null");
    }
    aim__strbuf_append(&b, ",\n  \"cpu\": ");
    if (e->have_cpu) {
        kv_str(&b, "{", "query", e->cpu_query);
        kv_str(&b, ", ", "model", e->cpu.model);
        aim__strbuf_printf(&b, ", \"whole_package\": %s", e->cpu_package ? "true" : "false");
        kv_str(&b, ", ", "source", e->cpu.source);
        kv_str(&b, ", ", "licence", e->cpu.licence);
        aim__strbuf_append(&b, "}");
    } else {
        aim__strbuf_append(&b, "null");
    }
    aim__strbuf_append(&b, ",\n  \"zone\": ");
    if (e->have_zone) {
        const aim_zone_info *z = &e->zone;
        kv_str(&b, "{", "code", z->code);
        kv_str(&b, ", ", "name", z->name);
        aim__strbuf_printf(&b, ", \"year\": %d", z->year);
        kv_str(&b, ", ", "signal", z->signal);
        kv_str(&b, ", ", "note", e->zone_note);
        kv_str(&b, ", ", "basis", z->basis);
        kv_str(&b, ", ", "source", z->source);
        kv_str(&b, ", ", "licence", z->licence);
        aim__strbuf_append(&b, "}");
    } else {
        aim__strbuf_append(&b, "null");
    }
    kv_num(&b, ",\n  \"power_w\": {", "gpu", r->gpu_w);
    kv_num(&b, ", ", "cpu", r->cpu_w);
    kv_num(&b, ", ", "memory", r->memory_w);
    kv_num(&b, ", ", "total", r->it_w);
    kv_num(&b, "},\n  ", "it_energy_kwh", r->it_kwh);
    kv_num(&b, ",\n  ", "energy_kwh", r->energy_kwh);
    kv_num(&b, ",\n  ", "carbon_g", r->carbon_g);
    aim__strbuf_append(&b, ",\n  \"embodied\": ");
    if (e->embodied)
        json_embodied(&b, e);
    else
        aim__strbuf_append(&b, "null");
    aim__strbuf_append(&b, "\n}\n");
    return aim__strbuf_steal(&b, ret_text);
}

/* ---------------------------------------------------------------- the accelerator table */

int aim__render_gpu_table_text(const aim_gpu_info *const *rows, size_t n, char **ret_text) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_printf(&b, "%-32s %6s %7s %9s %5s  %s\n", "NAME", "TDP W", "MEM GB",
                      "TENSOR TF", "YEAR", "ALSO KNOWN AS");
    for (size_t i = 0; i < n; i++) {
        const aim_gpu_info *g = rows[i];
        char tdp[16], mem[16], tf[16], year[8];
        fmt_num(tdp, sizeof tdp, g->tdp_w);
        fmt_num(mem, sizeof mem, g->memory_gb);
        fmt_num(tf, sizeof tf, g->tensor_tflops);
        snprintf(year, sizeof year, g->year ? "%d" : "-", g->year);
        aim__strbuf_printf(&b, "%-32s %6s %7s %9s %5s  ", g->name, tdp,
                          isnan(g->memory_gb) ? "-" : mem, isnan(g->tensor_tflops) ? "-" : tf,
                          year);
        for (const char *a = g->aliases; *a; a++)
            aim__strbuf_append(&b, *a == '|' ? ", " : (char[]){ *a, 0 });
        aim__strbuf_putc(&b, '\n');
    }
    aim__strbuf_printf(&b, "\n%zu accelerators. TENSOR TF: dense FP16/BF16 tensor TFLOPS. "
                          "Sources and licences per row: --list-gpus --json, "
                          "data/gpu_specs.csv.\n", n);
    return aim__strbuf_steal(&b, ret_text);
}

int aim__render_gpu_table_json(const aim_gpu_info *const *rows, size_t n, char **ret_text) {
    static const char *const keys[] = { "tdp_w", "memory_gb", "fp32_tflops", "fp16_tflops",
                                        "tf32_tflops", "tensor_tflops", "fp8_tflops",
                                        "mem_bw_gbs" };
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append(&b, "[");
    for (size_t i = 0; i < n; i++) {
        const aim_gpu_info *g = rows[i];
        aim__strbuf_append(&b, i ? ",\n {" : "\n {");
        kv_str(&b, "", "name", g->name);
        aim__strbuf_append(&b, ", \"aliases\": [");
        for (const char *a = g->aliases; *a;) {
            const char *end = strchr(a, '|');
            size_t l = end ? (size_t)(end - a) : strlen(a);
            char alias[128];
            snprintf(alias, sizeof alias, "%.*s", (int)l, a);
            if (a != g->aliases)
                aim__strbuf_append(&b, ", ");
            json_string_token(&b, alias);
            a = end ? end + 1 : a + l;
        }
        aim__strbuf_append(&b, "]");
        kv_str(&b, ", ", "vendor", g->vendor);
        kv_str(&b, ", ", "kind", g->kind);
        const double vals[] = { g->tdp_w, g->memory_gb, g->fp32_tflops, g->fp16_tflops,
                                g->tf32_tflops, g->tensor_tflops, g->fp8_tflops,
                                g->mem_bw_gbs };
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            kv_num(&b, ", ", keys[k], vals[k]);
        if (g->year)
            aim__strbuf_printf(&b, ", \"year\": %d", g->year);
        else
            aim__strbuf_append(&b, ", \"year\": null");
        kv_str(&b, ", ", "source", g->source);
        kv_str(&b, ", ", "licence", g->licence);
        aim__strbuf_append(&b, "}");
    }
    aim__strbuf_append(&b, "\n]\n");
    return aim__strbuf_steal(&b, ret_text);
}
