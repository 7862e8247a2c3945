/* The list of runs as CSV (report/runs_csv.h). The columns are fixed and documented
 * (docs/cli.md, `aimeter ls`), the tags' after them sorted by key, so that two listings of
 * the same runs have the same header whatever order the runs or their tags were stored in.
 * Numbers as in the JSON listing (full precision, any locale), a cell empty where there is
 * no value (no exit code while running, no energy measured). */
#include "report/runs_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/run_tags.h"
#include "processing/report_words.h"
#include "util/csv.h"
#include "util/iso8601.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

static const char *const head[] = {
    "id", "name", "start_time", "duration_s", "status", "exit_code", "energy_j", "carbon_g",
    "host", "command",
};
#define N_HEAD (sizeof head / sizeof head[0])

static int key_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every tag key of the runs, once, sorted: *ret borrowed from runs (free the array). */
static int tag_keys(const aim_run_summary *runs, size_t n, const char ***ret, size_t *ret_n) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += runs[i].n_tags;
    const char **keys = total ? malloc(total * sizeof *keys) : NULL;
    if (total && !keys)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < runs[i].n_tags; t++)
            keys[k++] = runs[i].tags[t].key;
    if (k)
        qsort(keys, k, sizeof *keys, key_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(keys[u - 1], keys[i]) != 0)
            keys[u++] = keys[i];
    *ret = keys;
    *ret_n = u;
    return 0;
}

static void number(char *out, double v) {
    if (isfinite(v))
        aim__fmt_g(out, v, 15);
    else
        out[0] = '\0';
}

/* A stored text (a fixed-size field) as one cell, up to its NUL. */
static void text_cell(aim_strbuf *b, const char *s, size_t size) {
    aim__csv_field(b, s, strnlen(s, size));
}

int aim__runs_render_csv(const aim_run_summary *runs, size_t n, char **ret_text) {
    if (!ret_text || (n && !runs))
        return -EINVAL;
    const char **keys = NULL;
    size_t nk = 0;
    if (tag_keys(runs, n, &keys, &nk) < 0)
        return -ENOMEM;
    aim_strbuf b = AIM_STRBUF_INIT;
    for (size_t c = 0; c < N_HEAD; c++) {
        if (c)
            aim__strbuf_putc(&b, ',');
        aim__csv_field(&b, head[c], (size_t)-1);
    }
    for (size_t k = 0; k < nk; k++) {
        char name[80];
        snprintf(name, sizeof name, "tag:%s", keys[k]);
        aim__strbuf_putc(&b, ',');
        aim__csv_field(&b, name, (size_t)-1);
    }
    aim__strbuf_putc(&b, '\n');
    for (size_t i = 0; i < n; i++) {
        const aim_run_summary *r = &runs[i];
        char start[40], dur[AIM_NUM_MAX], energy[AIM_NUM_MAX], carbon[AIM_NUM_MAX], code[24];
        aim__fmt_time_iso(start, sizeof start, r->start_wall_ns);
        aim__fmt_exact(dur, (double)r->duration_ns / 1e9, 9); /* as stored: ns */
        number(energy, r->total_energy_j);
        number(carbon, r->carbon_g);
        if (r->exit_code >= 0)
            snprintf(code, sizeof code, "%d", r->exit_code);
        else
            code[0] = '\0';
        text_cell(&b, r->id, sizeof r->id);
        aim__strbuf_putc(&b, ',');
        text_cell(&b, r->name, sizeof r->name);
        const char *middle[] = { start, dur, aim__report_status_word(r), code, energy, carbon };
        for (size_t c = 0; c < sizeof middle / sizeof middle[0]; c++) {
            aim__strbuf_putc(&b, ',');
            aim__csv_field(&b, middle[c], (size_t)-1);
        }
        aim__strbuf_putc(&b, ',');
        text_cell(&b, r->host, sizeof r->host);
        aim__strbuf_putc(&b, ',');
        text_cell(&b, r->command, sizeof r->command);
        for (size_t k = 0; k < nk; k++) {
            aim__strbuf_putc(&b, ',');
            for (size_t t = 0; t < r->n_tags; t++)
                if (strcmp(r->tags[t].key, keys[k]) == 0)
                    text_cell(&b, r->tags[t].value, sizeof r->tags[t].value);
        }
        aim__strbuf_putc(&b, '\n');
    }
    free(keys);
    return aim__strbuf_steal(&b, ret_text);
}
