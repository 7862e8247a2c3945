/* Phase bookkeeping and overlap attribution (phases.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/phases.h"
#include "util/pages.h"

typedef struct open_phase {
    int row;
    int span;        /* index in spans, or -1 when the span table was full */
    int64_t start_ns;
    size_t scope_len;   /* its scope's prefix ("JOB: ", "[rank 3] "), 0 for none */
} open_phase;

typedef struct closed_phase {
    int row;
    int64_t start_ns, end_ns;
} closed_phase;

struct aim_phases {
    aim_phase_row rows[AIM_PHASE_NAMES];
    int n_rows;
    unsigned char releasable[AIM_PHASE_NAMES]; /* its job ended (aim__phases_end_scope) */
    open_phase open[AIM_PHASE_DEPTH];
    int depth;
    closed_phase recent[AIM_PHASE_RECENT]; /* a ring: oldest at recent_head */
    int recent_head, n_recent;
    aim_phase_span *spans;
    size_t n_spans, max_spans;
    aim_phase_mark *marks;
    size_t n_marks, max_marks;
    uint64_t dropped;
};

int aim__phases_new(size_t max_spans, size_t max_marks, aim_phases **ret) {
    aim_phases *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->max_spans = max_spans;
    p->max_marks = max_marks;
    p->spans = aim__pages_alloc(max_spans, sizeof *p->spans);
    p->marks = aim__pages_alloc(max_marks, sizeof *p->marks);
    if (!p->spans || !p->marks) {
        aim__phases_free(p);
        return -ENOMEM;
    }
    *ret = p;
    return 0;
}

void aim__phases_free(aim_phases *p) {
    if (!p)
        return;
    aim__pages_free(p->spans, p->max_spans, sizeof *p->spans);
    aim__pages_free(p->marks, p->max_marks, sizeof *p->marks);
    free(p);
}

static void copy_text(char *dst, const char *src) {
    size_t n = strnlen(src, AIM_PHASE_NAME_MAX);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int row_of(aim_phases *p, const char *name) {
    for (int i = 0; i < p->n_rows; i++)
        if (strncmp(p->rows[i].name, name, AIM_PHASE_NAME_MAX) == 0) {
            p->releasable[i] = 0; /* in use again */
            return i;
        }
    if (p->n_rows == AIM_PHASE_NAMES)
        return -ENOSPC;
    aim_phase_row *r = &p->rows[p->n_rows];
    p->releasable[p->n_rows] = 0;
    memset(r, 0, sizeof *r);
    copy_text(r->name, name);
    return p->n_rows++;
}

int aim__phases_begin(aim_phases *p, int64_t t_ns, const char *name) {
    return aim__phases_begin_scoped(p, t_ns, name, 0);
}

int aim__phases_begin_scoped(aim_phases *p, int64_t t_ns, const char *name, size_t scope_len) {
    if (!name || !*name)
        return -EINVAL;
    int row = p->depth < AIM_PHASE_DEPTH ? row_of(p, name) : -ENOSPC;
    if (row < 0) {
        p->dropped++;
        return row;
    }
    aim_phase_row *r = &p->rows[row];
    if (r->instances++ == 0)
        r->first_ns = t_ns;
    open_phase *o = &p->open[p->depth];
    o->row = row;
    o->start_ns = t_ns;
    o->scope_len = scope_len;
    o->span = -1;
    if (p->n_spans < p->max_spans) {
        o->span = (int)p->n_spans;
        p->spans[p->n_spans++] = (aim_phase_span){ row, p->depth, t_ns, INT64_MAX };
    } else {
        p->dropped++;
    }
    p->depth++;
    return 0;
}

/* Closes open phase k at t (the ones above it move down a place); the ring forgets its oldest
 * entry when full (that instance then stops receiving intervals that end later: counted as
 * dropped). */
static void close_at(aim_phases *p, int k, int64_t t_ns, int unterminated) {
    open_phase *o = &p->open[k];
    aim_phase_row *r = &p->rows[o->row];
    int64_t end = t_ns > o->start_ns ? t_ns : o->start_ns;
    r->total_ns += end - o->start_ns;
    if (end > r->last_end_ns)
        r->last_end_ns = end;
    r->unterminated += unterminated;
    if (o->span >= 0)
        p->spans[o->span].end_ns = end;
    if (p->n_recent == AIM_PHASE_RECENT) {
        p->recent_head = (p->recent_head + 1) % AIM_PHASE_RECENT;
        p->n_recent--;
        p->dropped++;
    }
    p->recent[(p->recent_head + p->n_recent++) % AIM_PHASE_RECENT] =
        (closed_phase){ o->row, o->start_ns, end };
    memmove(&p->open[k], &p->open[k + 1], (size_t)(p->depth - k - 1) * sizeof p->open[0]);
    p->depth--;
}

static void close_top(aim_phases *p, int64_t t_ns, int unterminated) {
    close_at(p, p->depth - 1, t_ns, unterminated);
}

int aim__phases_end(aim_phases *p, int64_t t_ns, const char *name) {
    int k = p->depth - 1;
    if (name && *name)
        while (k >= 0 && strncmp(p->rows[p->open[k].row].name, name, AIM_PHASE_NAME_MAX) != 0)
            k--;
    else /* the innermost of the unscoped ones: a scope's phases end within their scope */
        while (k >= 0 && p->open[k].scope_len)
            k--;
    if (k < 0) {
        p->dropped++;
        return -ENOENT;
    }
    /* The phases opened inside it end with it, but a scope's (begun scoped) stay open: they
     * belong to another job or rank, and end in their own scope. */
    for (int i = p->depth - 1; i > k; i--)
        if (!p->open[i].scope_len)
            close_at(p, i, t_ns, 0);
    close_at(p, k, t_ns, 0);
    return 0;
}

/* Whether open phase k's name starts with the scope's prefix. */
static int in_scope(const aim_phases *p, int k, const char *prefix, size_t len) {
    return strncmp(p->rows[p->open[k].row].name, prefix, len) == 0;
}

/* Whether open phase k was begun in exactly that scope: "42: " is not "42: [rank 3] ", whose
 * prefix it is (a rank's phases under an agent's job end in their own scope). */
static int same_scope(const aim_phases *p, int k, const char *prefix, size_t len) {
    size_t own = p->open[k].scope_len; /* 0: begun unscoped, its name says */
    return (own == len || own == 0) && in_scope(p, k, prefix, len);
}

int aim__phases_end_scoped(aim_phases *p, int64_t t_ns, const char *name, size_t prefix_len) {
    size_t n = strnlen(name, AIM_PHASE_NAME_MAX + 1);
    if (prefix_len == 0 || prefix_len > n)
        return aim__phases_end(p, t_ns, n ? name : NULL);
    int k = p->depth - 1;
    while (k >= 0 && !(n > prefix_len ? strncmp(p->rows[p->open[k].row].name, name,
                                                 AIM_PHASE_NAME_MAX) == 0
                                       : same_scope(p, k, name, prefix_len)))
        k--;
    if (k < 0) {
        p->dropped++;
        return -ENOENT;
    }
    /* Its scope's phases opened inside it end with it, innermost first; other scopes' stay,
     * a scope nested in it too ("42: [rank 3] " in "42: "). */
    for (int i = p->depth - 1; i > k; i--)
        if (same_scope(p, i, name, prefix_len))
            close_at(p, i, t_ns, 0);
    close_at(p, k, t_ns, 0);
    return 0;
}

int aim__phases_end_scope(aim_phases *p, int64_t t_ns, const char *prefix, size_t len) {
    int n = 0;
    for (int i = p->depth - 1; len > 0 && i >= 0; i--)
        if (in_scope(p, i, prefix, len)) {
            close_at(p, i, t_ns, 1);
            n++;
        }
    for (int r = 0; len > 0 && r < p->n_rows; r++)
        if (strncmp(p->rows[r].name, prefix, len) == 0)
            p->releasable[r] = 1;
    return n;
}

/* Whether row can still change: an open instance, or a closed one intervals may reach. */
static int row_live(const aim_phases *p, int row) {
    for (int k = 0; k < p->depth; k++)
        if (p->open[k].row == row)
            return 1;
    for (int k = 0; k < p->n_recent; k++)
        if (p->recent[(p->recent_head + k) % AIM_PHASE_RECENT].row == row)
            return 1;
    return 0;
}

/* Every reference to row from into to (-1: dropped), in what may still be read. */
static void renumber(aim_phases *p, size_t spans_from, int from, int to) {
    for (int k = 0; k < p->depth; k++)
        if (p->open[k].row == from)
            p->open[k].row = to;
    for (int k = 0; k < p->n_recent; k++) {
        closed_phase *c = &p->recent[(p->recent_head + k) % AIM_PHASE_RECENT];
        if (c->row == from)
            c->row = to;
    }
    for (size_t i = spans_from; i < p->n_spans; i++)
        if (p->spans[i].row == from)
            p->spans[i].row = to;
}

size_t aim__phases_release(aim_phases *p, size_t spans_from) {
    size_t freed = 0;
    for (int r = p->n_rows - 1; r >= 0; r--) {
        if (!p->releasable[r] || row_live(p, r))
            continue;
        renumber(p, spans_from, r, -1);
        int last = p->n_rows - 1;
        if (r != last) { /* the last row takes its place */
            p->rows[r] = p->rows[last];
            p->releasable[r] = p->releasable[last];
            renumber(p, spans_from, last, r);
        }
        p->n_rows--;
        freed++;
    }
    return freed;
}

int aim__phases_mark(aim_phases *p, int64_t t_ns, const char *text) {
    if (!text || !*text)
        return -EINVAL;
    if (p->n_marks == p->max_marks) {
        p->dropped++;
        return -ENOSPC;
    }
    aim_phase_mark *m = &p->marks[p->n_marks++];
    m->t_ns = t_ns;
    copy_text(m->text, text);
    return 0;
}

static void attribute(aim_phases *p, int row, int64_t a, int64_t b, int dev, int64_t t0,
                      int64_t t1, double de_j, double reading_w, double carbon_g) {
    int64_t lo = a > t0 ? a : t0, hi = b < t1 ? b : t1;
    if (hi <= lo)
        return;
    double share = (double)(hi - lo) / (double)(t1 - t0);
    aim_phase_row *r = &p->rows[row];
    r->energy_j[dev] += share * de_j;
    r->carbon_g += share * carbon_g;
    if (isfinite(reading_w)) {
        if (reading_w > r->peak_w[dev])
            r->peak_w[dev] = reading_w;
        return;
    }
    /* No reading: energy over a window long enough that a counter's step cannot inflate it. */
    r->win_j[dev] += share * de_j;
    r->win_ns[dev] += hi - lo;
    if (r->win_ns[dev] >= AIM_PHASE_PEAK_WINDOW_NS) {
        double w = r->win_j[dev] * 1e9 / (double)r->win_ns[dev];
        if (w > r->peak_w[dev])
            r->peak_w[dev] = w;
        r->win_j[dev] = 0;
        r->win_ns[dev] = 0;
    }
}

double aim__phase_device_peak_w(double peak_w, double energy_j, int64_t total_ns) {
    double mean = total_ns > 0 ? energy_j * 1e9 / (double)total_ns : 0;
    return isfinite(mean) && mean > peak_w ? mean : peak_w;
}

void aim__phases_account(aim_phases *p, int dev, int64_t t0_ns, int64_t t1_ns, double de_j,
                        double reading_w, double carbon_g) {
    if (dev < 0 || dev >= AIM_PHASE_DEVICES || t1_ns <= t0_ns)
        return;
    for (int k = 0; k < p->depth; k++)
        attribute(p, p->open[k].row, p->open[k].start_ns, INT64_MAX, dev, t0_ns, t1_ns, de_j,
                  reading_w, carbon_g);
    for (int k = 0; k < p->n_recent; k++) {
        const closed_phase *c = &p->recent[(p->recent_head + k) % AIM_PHASE_RECENT];
        attribute(p, c->row, c->start_ns, c->end_ns, dev, t0_ns, t1_ns, de_j, reading_w, carbon_g);
    }
}

void aim__phases_record(aim_phases *p, int key, double value) {
    if (key < 0 || key >= AIM_PHASE_KEYS)
        return;
    for (int k = 0; k < p->depth; k++) {
        aim_phase_row *r = &p->rows[p->open[k].row];
        r->rec_sum[key] += value;
        r->rec_n[key]++;
    }
}

static void sample_one(aim_phase_row *r, int ch, int64_t a, int64_t b, int64_t t0, int64_t t1,
                       double value) {
    int64_t lo = a > t0 ? a : t0, hi = b < t1 ? b : t1;
    if (hi <= lo)
        return;
    double w = (double)(hi - lo) / 1e9;
    r->ch_sum[ch] += value * w;
    r->ch_w[ch] += w;
}

void aim__phases_sample(aim_phases *p, int ch, int64_t t0_ns, int64_t t1_ns, double value) {
    if (ch < 0 || ch >= AIM_PHASE_CHANNELS || t1_ns <= t0_ns)
        return;
    for (int k = 0; k < p->depth; k++)
        sample_one(&p->rows[p->open[k].row], ch, p->open[k].start_ns, INT64_MAX, t0_ns, t1_ns,
                   value);
    for (int k = 0; k < p->n_recent; k++) {
        const closed_phase *c = &p->recent[(p->recent_head + k) % AIM_PHASE_RECENT];
        sample_one(&p->rows[c->row], ch, c->start_ns, c->end_ns, t0_ns, t1_ns, value);
    }
}

void aim__phases_finish(aim_phases *p, int64_t t_ns) {
    while (p->depth > 0)
        close_top(p, t_ns, 1);
}

void aim__phases_prune(aim_phases *p, int64_t t_ns) {
    /* Keep the ring's order: drop from the front while the oldest ended by t, and compact
     * the rest (a few entries; this runs once per writer wake). */
    int kept = 0;
    for (int k = 0; k < p->n_recent; k++) {
        closed_phase c = p->recent[(p->recent_head + k) % AIM_PHASE_RECENT];
        if (c.end_ns > t_ns)
            p->recent[(p->recent_head + kept++) % AIM_PHASE_RECENT] = c;
    }
    p->n_recent = kept;
}

void aim__phases_set_carbon(aim_phases *p, size_t row, double carbon_g) {
    if (row < (size_t)p->n_rows)
        p->rows[row].carbon_g = carbon_g;
}

size_t aim__phases_rows(const aim_phases *p, const aim_phase_row **ret) {
    *ret = p->rows;
    return (size_t)p->n_rows;
}

size_t aim__phases_spans(const aim_phases *p, const aim_phase_span **ret) {
    *ret = p->spans;
    return p->n_spans;
}

size_t aim__phases_marks(const aim_phases *p, const aim_phase_mark **ret) {
    *ret = p->marks;
    return p->n_marks;
}

uint64_t aim__phases_dropped(const aim_phases *p) { return p->dropped; }

const char *aim__phases_current(const aim_phases *p) {
    return p->depth > 0 ? p->rows[p->open[p->depth - 1].row].name : NULL;
}
