/* `aimeter ls`: one line per run, newest first as the store returns them.
 *
 * Status column: running / completed / failed / interrupted, and "incomplete" for a run
 * whose row says running but whose aimeter process is gone (killed, machine rebooted):
 * "running" would be a lie and "failed" a guess about the workload. The JSON form keeps the
 * stored status and a separate "stale" flag, like the report's JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonutil.h"
#include "processing/report_model.h"
#include "report/report.h"
#include "util/strbuf.h"

#define N_COLS 7
/* Long names would push every other column off the screen: cut, with an ellipsis. */
#define NAME_MAX_COLS 32

static const char *const col_names[N_COLS] = {
    "ID", "NAME", "STARTED (UTC)", "DURATION", "STATUS", "ENERGY", "CARBON",
};

typedef struct run_cells {
    char c[N_COLS][NAME_MAX_COLS * 4 + 8];
} run_cells;

static void clean_copy(char *out, size_t outlen, const char *s, size_t n, size_t max_cols) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append_clean(&b, s, n);
    const char *src = b.data ? b.data : "";
    size_t o = 0, cols = 0;
    for (size_t i = 0; src[i] && o + 5 < outlen; i++) {
        if (((unsigned char)src[i] & 0xC0) != 0x80 && ++cols > max_cols) {
            /* Replace the last column with "…" (U+2026) when the text is cut. */
            while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 0)
                o--;
            memcpy(out + o, "\xE2\x80\xA6", 3);
            o += 3;
            break;
        }
        out[o++] = src[i];
    }
    out[o] = '\0';
    aim__strbuf_free(&b);
}

static void cells_of(run_cells *rc, const aim_run_summary *run) {
    clean_copy(rc->c[0], sizeof rc->c[0], run->id, sizeof run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name))
        clean_copy(rc->c[1], sizeof rc->c[1], run->name, sizeof run->name, NAME_MAX_COLS);
    else
        strcpy(rc->c[1], "-");
    aim__fmt_time_human(rc->c[2], sizeof rc->c[2], run->start_wall_ns);
    aim__fmt_duration(rc->c[3], sizeof rc->c[3], run->duration_ns);
    aim__bprintf(rc->c[4], sizeof rc->c[4], "%s", aim__report_status_word(run));
    aim__fmt_energy_short(rc->c[5], sizeof rc->c[5], run->total_energy_j);
    aim__fmt_carbon_short(rc->c[6], sizeof rc->c[6], run->carbon_g);
}

static int render_text(const aim_run_summary *runs, size_t n, char **ret_text) {
    run_cells *cells = calloc(n + 1, sizeof *cells);
    if (!cells)
        return -ENOMEM;
    size_t w[N_COLS];
    for (int c = 0; c < N_COLS; c++)
        w[c] = strlen(col_names[c]);
    for (size_t i = 0; i < n; i++) {
        cells_of(&cells[i], &runs[i]);
        for (int c = 0; c < N_COLS; c++) {
            size_t cw = aim__utf8_width(cells[i].c[c]);
            w[c] = cw > w[c] ? cw : w[c];
        }
    }
    /* Figures are right-aligned so magnitudes compare at a glance. */
    static const int right[N_COLS] = { 0, 0, 0, 1, 0, 1, 1 };
    aim_strbuf b = AIM_STRBUF_INIT;
    for (size_t i = 0; i <= n; i++) {
        for (int c = 0; c < N_COLS; c++) {
            const char *s = i == 0 ? col_names[c] : cells[i - 1].c[c];
            if (c)
                aim__strbuf_append(&b, "  ");
            if (right[c])
                aim__strbuf_pad_left(&b, s, w[c]);
            else
                aim__strbuf_pad_right(&b, s, w[c]);
        }
        aim__strbuf_endline(&b);
    }
    free(cells);
    return aim__strbuf_steal(&b, ret_text);
}

static int render_json(const aim_run_summary *runs, size_t n, char **ret_text) {
    int err = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const aim_run_summary *r = &runs[i];
        char t[40];
        json_t *o = json_object();
        aim__json_put(o, "id", aim__json_str(r->id, sizeof r->id), &err);
        aim__json_put(o, "name", aim__json_str(r->name, sizeof r->name), &err);
        aim__fmt_time_iso(t, sizeof t, r->start_wall_ns);
        aim__json_put(o, "start_time", json_string(t), &err);
        aim__json_put(o, "duration_s", aim__json_num((double)r->duration_ns / 1e9), &err);
        aim__json_put(o, "status", json_string(aim__json_status(r->status)), &err);
        aim__json_put(o, "stale", json_boolean(r->stale), &err);
        aim__json_put(o, "exit_code",
                     r->exit_code >= 0 ? json_integer(r->exit_code) : json_null(), &err);
        aim__json_put(o, "energy_j", aim__json_num(r->total_energy_j), &err);
        aim__json_put(o, "carbon_g", aim__json_num(r->carbon_g), &err);
        aim__json_put(o, "host", aim__json_str(r->host, sizeof r->host), &err);
        aim__json_put(o, "command", aim__json_str(r->command, sizeof r->command), &err);
        aim__json_put(o, "tags", aim__json_tags(r->tags, r->n_tags), &err);
        if (json_array_append_new(arr, o) < 0)
            err = 1;
    }
    int rc = err ? -ENOMEM : aim__json_dump(arr, ret_text);
    json_decref(arr);
    return rc;
}

int aim__runs_render_text(const aim_run_summary *runs, size_t n, char **ret_text) {
    if (!ret_text || (n && !runs))
        return -EINVAL;
    return render_text(runs, n, ret_text);
}

int aim__runs_render_json(const aim_run_summary *runs, size_t n, char **ret_text) {
    if (!ret_text || (n && !runs))
        return -EINVAL;
    return render_json(runs, n, ret_text);
}
