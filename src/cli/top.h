/* `aimeter top`: a live view of a serving aimeter's GET /api/live (docs/cli.md). Three
 * parts, each testable alone: top_model.c turns the JSON into a model and keeps the history
 * top draws (power sparklines, carbon rate); top_layout.c lays a model out as lines of text
 * (pure: the curses view and the plain output both print them); top_curses.c draws and
 * reads keys; top.c fetches and loops. It never reads hardware. */
#ifndef AIM_CLI_TOP_H
#define AIM_CLI_TOP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/* Power samples kept per device for its sparkline: two minutes at the default refresh. */
#define TOP_HISTORY 120

typedef struct top_device {
    char name[32], kind[16], model[128];
    int index;            /* the GPU index, -1 for other devices */
    double power_w;       /* NaN: no power measured (yet) */
    double energy_j;      /* NaN: no energy */
    double history[TOP_HISTORY]; /* power, oldest first; NaN where none */
    int n_history;
} top_device;

typedef struct top_series {
    char device[32], metric[48], unit[16];
    int instance;         /* -1: not per instance */
    double value;         /* NaN when not valid */
} top_series;

typedef struct top_record {
    char key[64];
    double value;
} top_record;

/* An entry of "runs": the run itself (kind "run"), or one of an agent's jobs ("job", whose
 * records are unknown: the node's are the agent run's). */
typedef struct top_run {
    char kind[8], state[8];   /* "run" / "job"; "running" / "ended" ("" when not said) */
    char id[72], name[128], phase[64];
    double elapsed_s, energy_j, carbon_g;
    top_record *records;
    int n_records;
} top_run;

typedef struct top_model {
    int have;             /* a snapshot was read */
    char run_id[40], run_name[128], host[128], zone[24], phase[64];
    double elapsed_s, power_w, energy_j, carbon_g;
    double carbon_rate_g_h; /* from the last two snapshots whose elapsed time differs; NaN
                               before there are two */
    uint64_t samples;
    int64_t missed_deadlines; /* -1: the server does not say */
    top_device *devices;
    int n_devices;
    top_series *series;
    int n_series;
    top_run *runs;
    int n_runs;
    double prev_elapsed_s, prev_carbon_g; /* the snapshot before, for the rate */
} top_model;

/* Reads one /api/live answer (len bytes) into m, keeping each device's history (by name,
 * while the run id stays the same) and appending its latest power. 0, or -EINVAL with one
 * line in err ("malformed JSON (...)", "not an aimeter live snapshot: ...") and m unchanged,
 * or -ENOMEM. */
int top_model_update(top_model *m, const char *json, size_t len, char *err, size_t errlen);
void top_model_clear(top_model *m);
/* s into out (size bytes with the NUL) for the terminal: cut on a character's boundary,
 * never inside one; control characters (C0, DEL, C1) and bytes that are not UTF-8 become
 * '?', so the server's text cannot move the cursor or send escape sequences. */
void top_clean_copy(char *out, size_t size, const char *s);

typedef enum { TOP_VIEW_DEVICES, TOP_VIEW_METRICS, TOP_VIEW_RUNS, TOP_VIEW__COUNT } top_view;
typedef enum { TOP_SORT_POWER, TOP_SORT_ENERGY, TOP_SORT_NAME, TOP_SORT__COUNT } top_sort;

typedef struct top_screen {
    top_view view;
    top_sort sort;
    int paused;
    int help;             /* the key list instead of the view */
    int utf8;             /* sparklines in block characters, else ASCII */
    int width, height;    /* columns and lines; height 0: no limit (plain output) */
    const char *source;   /* the URL, in the title */
    const char *status;   /* "" or NULL, or the line under the view (an error, retrying) */
} top_screen;

const char *top_view_name(top_view v);
const char *top_sort_name(top_sort s);

/* The curses screen: title, totals, the view's tabs, the view (or the help), the status
 * line; lines end with '\n', none wider than s->width columns, at most s->height lines. */
void top_layout_screen(const top_model *m, const top_screen *s, aim_strbuf *out);
/* One block of the plain output (not a terminal, --plain, --once): the totals, every
 * device, the busiest metrics and the runs, then an empty line. */
void top_layout_plain(const top_model *m, const top_screen *s, aim_strbuf *out);
/* The sparkline of n values (NaN: a gap) in at most width columns, the newest at the right,
 * scaled from 0 to the largest value; UTF-8 blocks or ASCII. */
void top_sparkline(const double *v, int n, int width, int utf8, aim_strbuf *out);

/* One GET of the snapshot: 0 with the answer (malloc'd, NUL-terminated) in *ret_body, or
 * a negative errno with one line in status. The curses view calls it from a thread of its
 * own: it must be thread-safe, and end soon once *cancel is non-zero. */
typedef int (*top_fetch_fn)(void *ctx, const atomic_int *cancel, char **ret_body, char *status,
                            size_t status_len);
/* An answer into m (top_model_update), body freed: 0 with "" in status, or -1 with
 * "SOURCE: what is wrong" in status. */
int top_model_apply(top_model *m, const char *source, char *body, char *status, size_t size);

/* The curses view (top_curses.c) until q, SIGINT, SIGTERM or SIGHUP (its number in
 * *ret_signal, 0 for q); the terminal is restored either way. fetch() is called every
 * interval_ms unless paused; a failure is shown on the status line and retried at the next
 * refresh. 0, or -1 when the terminal cannot be used (the caller prints plain lines
 * instead). */
int top_curses_run(top_fetch_fn fetch, void *ctx, top_model *m, const top_screen *init,
                   int interval_ms, int *ret_signal);

#endif
