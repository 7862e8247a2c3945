/* Sample chunk codec. The contract is in codec.h and the byte layout in docs/store.md:
 *
 *   u8      format version (1)
 *   uvarint n_series
 *   uvarint n_ticks
 *   section timestamps: uvarint (len << 2), then len bytes
 *   section per column: uvarint (len << 2 | flags), then len bytes
 *       flags bit 0: a validity bitmap (ceil(n_ticks / 8) bytes, LSB first) starts the body
 *       flags bit 1: values are raw little-endian IEEE-754 doubles instead of varints
 *
 * Every section carries its length so the decoder can walk all columns tick by tick with
 * one cursor each (no per-chunk value arrays), and so a damaged chunk is recognised before
 * a single value is read. All integer arithmetic is done in uint64_t modulo 2^64: the
 * encoder and decoder agree bit for bit on any input, and hostile input cannot overflow a
 * signed integer. */
#include "store/codec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_VERSION 1
/* Limits that keep a hostile header from making the decoder allocate or loop much. */
#define CHUNK_MAX_TICKS 65536
#define CHUNK_MAX_SERIES 65536
#define FLAG_BITMAP 1u
#define FLAG_RAW 2u
#define FLAG_MASK 3u
#define VARINT_MAX 10
/* Beyond 2^53 steps an integer no longer round-trips through a double exactly. */
#define QUANT_LIMIT 9007199254740992.0
#define SUMMARY_VERSION 1
/* A column's summary at most: its count and four (time, value) pairs of varints (or
 * a varint and a double). */
#define SUMMARY_COL_MAX (VARINT_MAX + 4 * 2 * VARINT_MAX)

struct aim_chunk_encoder {
    int n_series;
    int max_ticks;
    int n_ticks;
    aim_chunk_column *columns;
    int64_t *t;
    double *values;    /* column-major: values[col * max_ticks + tick] */
    uint8_t *valid;    /* same layout */
    uint8_t *scratch;  /* one section body */
    size_t scratch_cap;
    uint8_t *out;
    size_t out_cap;
    uint8_t *summary;  /* the last chunk's summary (codec.h) */
    size_t summary_cap, summary_len;
};

static uint64_t zz_enc(uint64_t v) { return (v << 1) ^ (0 - (v >> 63)); }
static uint64_t zz_dec(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }

static size_t put_uvarint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Bounds-checked; rejects encodings longer than 10 bytes or overflowing 64 bits. */
static int get_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *ret) {
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return -EBADMSG;
        uint8_t b = *p++;
        if (shift == 63 && b > 1)
            return -EBADMSG;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *ret = v;
            return 0;
        }
    }
    return -EBADMSG;
}

static int column_ok(const aim_chunk_column *c) {
    return isfinite(c->resolution) && c->resolution > 0;
}

int aim__chunk_encoder_new(int n_series, const aim_chunk_column *columns, int max_ticks,
                          aim_chunk_encoder **ret) {
    if (!ret || n_series < 0 || n_series > CHUNK_MAX_SERIES || max_ticks < 1 ||
        max_ticks > CHUNK_MAX_TICKS || (n_series > 0 && !columns))
        return -EINVAL;
    for (int i = 0; i < n_series; i++)
        if (!column_ok(&columns[i]))
            return -EINVAL;

    aim_chunk_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    size_t cells = (size_t)n_series * (size_t)max_ticks;
    e->n_series = n_series;
    e->max_ticks = max_ticks;
    /* A value costs at most VARINT_MAX bytes as a varint and 8 as a raw double. */
    e->scratch_cap = (size_t)(max_ticks + 7) / 8 + (size_t)max_ticks * VARINT_MAX;
    e->out_cap = 1 + 2 * VARINT_MAX + ((size_t)n_series + 1) * (VARINT_MAX + e->scratch_cap);
    e->columns = malloc(sizeof *e->columns * (size_t)(n_series ? n_series : 1));
    e->t = malloc(sizeof *e->t * (size_t)max_ticks);
    e->values = malloc(sizeof *e->values * (cells ? cells : 1));
    e->valid = malloc(cells ? cells : 1);
    e->scratch = malloc(e->scratch_cap);
    e->out = malloc(e->out_cap);
    e->summary_cap = 1 + 4 * VARINT_MAX + (size_t)n_series * SUMMARY_COL_MAX;
    e->summary = malloc(e->summary_cap);
    if (!e->columns || !e->t || !e->values || !e->valid || !e->scratch || !e->out ||
        !e->summary) {
        aim__chunk_encoder_free(e);
        return -ENOMEM;
    }
    if (n_series)
        memcpy(e->columns, columns, sizeof *columns * (size_t)n_series);
    *ret = e;
    return 0;
}

void aim__chunk_encoder_free(aim_chunk_encoder *e) {
    if (!e)
        return;
    free(e->columns);
    free(e->t);
    free(e->values);
    free(e->valid);
    free(e->scratch);
    free(e->out);
    free(e->summary);
    free(e);
}

int aim__chunk_encoder_add(aim_chunk_encoder *e, int64_t t_rel_ns, const double *values,
                          const uint8_t *valid) {
    if (!e || (e->n_series > 0 && !values))
        return -EINVAL;
    if (e->n_ticks >= e->max_ticks)
        return -ENOSPC;
    int k = e->n_ticks;
    e->t[k] = t_rel_ns;
    for (int i = 0; i < e->n_series; i++) {
        size_t cell = (size_t)i * (size_t)e->max_ticks + (size_t)k;
        e->values[cell] = values[i];
        e->valid[cell] = valid ? (valid[i] != 0) : 1;
    }
    e->n_ticks++;
    return 0;
}

int aim__chunk_encoder_ticks(const aim_chunk_encoder *e) { return e ? e->n_ticks : 0; }

int64_t aim__chunk_encoder_first_t(const aim_chunk_encoder *e) {
    return e && e->n_ticks ? e->t[0] : 0;
}

int64_t aim__chunk_encoder_last_t(const aim_chunk_encoder *e) {
    return e && e->n_ticks ? e->t[e->n_ticks - 1] : 0;
}

/* First value as is, first difference as is, then differences of differences. */
static size_t encode_timestamps(const aim_chunk_encoder *e, uint8_t *p) {
    size_t n = 0;
    uint64_t prev = 0, prev_d = 0;
    for (int i = 0; i < e->n_ticks; i++) {
        uint64_t t = (uint64_t)e->t[i];
        if (i == 0) {
            n += put_uvarint(p + n, zz_enc(t));
        } else {
            uint64_t d = t - prev;
            n += put_uvarint(p + n, zz_enc(i == 1 ? d : d - prev_d));
            prev_d = d;
        }
        prev = t;
    }
    return n;
}

static void put_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A column's summary (codec.h) as the indices of its ticks, gathered while the column is
 * encoded: the values are then written as the chunk holds them (a quantum, or a raw double)
 * and read back with the decoder's arithmetic. */
typedef struct col_picks {
    int count, dirty;
    int first[2], min, max;
    double lo, hi;
} col_picks;

/* Valid tick i, of value v as the decoder returns it; the decimator's tie rules: the first
 * occurrence of the minimum and of the maximum stays. */
static inline __attribute__((always_inline)) void pick(col_picks *cp, int i, double v) {
    if (!isfinite(v))
        cp->dirty = 1;
    if (cp->count < 2)
        cp->first[cp->count] = i;
    if (cp->count == 0 || v < cp->lo) {
        cp->lo = v;
        cp->min = i;
    }
    if (cp->count == 0 || v > cp->hi) {
        cp->hi = v;
        cp->max = i;
    }
    cp->count++;
}

/* The quantum the encoder stores for a value of a quantised column. */
static uint64_t quantum(double v, double resolution) {
    return (uint64_t)llround(v / resolution);
}

static size_t encode_column(const aim_chunk_encoder *e, int col, uint8_t *p, unsigned *flags,
                            col_picks *ret_picks) {
    const double *vals = &e->values[(size_t)col * (size_t)e->max_ticks];
    const uint8_t *ok = &e->valid[(size_t)col * (size_t)e->max_ticks];
    const aim_chunk_column *c = &e->columns[col];
    int n = e->n_ticks;
    size_t len = 0;

    *flags = 0;
    for (int i = 0; i < n; i++)
        if (!ok[i]) {
            *flags |= FLAG_BITMAP;
            break;
        }
    if (*flags & FLAG_BITMAP) {
        size_t bytes = (size_t)(n + 7) / 8;
        memset(p, 0, bytes);
        for (int i = 0; i < n; i++)
            if (ok[i])
                p[i >> 3] |= (uint8_t)(1u << (i & 7));
        len = bytes;
    }

    /* a local the compiler keeps in registers: the bytes written through p cannot alias it */
    col_picks picks = { .dirty = (*flags & FLAG_BITMAP) != 0 }, *cp = &picks;
    size_t start = len;
    uint64_t prev = 0, prev_d = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        double x = vals[i] / c->resolution;
        if (!(fabs(x) <= QUANT_LIMIT))  /* also catches NaN */
            goto raw;
        uint64_t q = (uint64_t)llround(x);
        pick(cp, i, (double)(int64_t)q * c->resolution); /* next_value's arithmetic */
        if (k == 0) {
            len += put_uvarint(p + len, zz_enc(q));
        } else {
            uint64_t d = q - prev;
            len += put_uvarint(p + len, zz_enc(c->counter && k > 1 ? d - prev_d : d));
            prev_d = d;
        }
        prev = q;
        k++;
    }
    *ret_picks = picks;
    return len;

raw:
    *flags |= FLAG_RAW;
    len = start;
    cp->count = 0;
    for (int i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        pick(cp, i, vals[i]);
        uint64_t bits;
        memcpy(&bits, &vals[i], sizeof bits);
        put_le64(p + len, bits);
        len += 8;
    }
    *ret_picks = picks;
    return len;
}

static size_t put_section(uint8_t *out, const uint8_t *body, size_t len, unsigned flags) {
    size_t n = put_uvarint(out, ((uint64_t)len << 2) | flags);
    memcpy(out + n, body, len);
    return n + len;
}

/* ------------------------------------------------------------------ summaries */

static size_t put_point(const aim_chunk_encoder *e, int col, int raw, int i, uint8_t *p) {
    size_t n = put_uvarint(p, zz_enc((uint64_t)e->t[i] - (uint64_t)e->t[0]));
    double v = e->values[(size_t)col * (size_t)e->max_ticks + (size_t)i];
    if (!raw)
        return n + put_uvarint(p + n, zz_enc(quantum(v, e->columns[col].resolution)));
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le64(p + n, bits);
    return n + 8;
}

/*   u8 version (1), uvarint n_series, uvarint n_ticks, zigzag t_first, zigzag t_last - t_first
 *   per column: uvarint (count << 2 | raw << 1 | dirty); unless dirty or count 0, the points
 *   first, second (count > 1), minimum, maximum: each zigzag (t - t_first), then the value as
 *   the chunk holds it: a zigzag quantum, or (raw) a little-endian double. */
static size_t summary_header(const aim_chunk_encoder *e, uint8_t *p) {
    size_t n = 0;
    int64_t t0 = e->n_ticks ? e->t[0] : 0, t1 = e->n_ticks ? e->t[e->n_ticks - 1] : 0;
    p[n++] = SUMMARY_VERSION;
    n += put_uvarint(p + n, (uint64_t)e->n_series);
    n += put_uvarint(p + n, (uint64_t)e->n_ticks);
    n += put_uvarint(p + n, zz_enc((uint64_t)t0));
    n += put_uvarint(p + n, zz_enc((uint64_t)t1 - (uint64_t)t0));
    return n;
}

static size_t summary_column(const aim_chunk_encoder *e, int col, int raw, const col_picks *cp,
                             uint8_t *p) {
    size_t n = put_uvarint(p, (uint64_t)cp->count << 2 | (uint64_t)raw << 1 |
                                  (uint64_t)(cp->dirty != 0));
    if (cp->dirty || cp->count == 0)
        return n;
    n += put_point(e, col, raw, cp->first[0], p + n);
    if (cp->count > 1)
        n += put_point(e, col, raw, cp->first[1], p + n);
    n += put_point(e, col, raw, cp->min, p + n);
    n += put_point(e, col, raw, cp->max, p + n);
    return n;
}

void aim__chunk_encoder_summary(const aim_chunk_encoder *e, const uint8_t **ret_blob,
                                size_t *ret_len) {
    *ret_blob = e ? e->summary : NULL;
    *ret_len = e ? e->summary_len : 0;
}

static int get_point(const uint8_t **pp, const uint8_t *end, int64_t t0, int raw,
                     const aim_chunk_column *col, int64_t *t, double *v) {
    uint64_t z, x;
    if (get_uvarint(pp, end, &z) < 0)
        return -EBADMSG;
    *t = (int64_t)((uint64_t)t0 + zz_dec(z));
    if (!raw) {
        if (get_uvarint(pp, end, &x) < 0)
            return -EBADMSG;
        *v = (double)(int64_t)zz_dec(x) * col->resolution;
        return 0;
    }
    if (end - *pp < 8)
        return -EBADMSG;
    x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)(*pp)[i] << (8 * i);
    *pp += 8;
    memcpy(v, &x, sizeof *v);
    return 0;
}

int aim__chunk_summary_decode(const uint8_t *blob, size_t len, int n_series,
                              const aim_chunk_column *columns, aim_chunk_summary *ret,
                              aim_chunk_col_summary *cols) {
    if (!blob || len < 1 || blob[0] != SUMMARY_VERSION || n_series < 0 || !ret ||
        (n_series > 0 && (!cols || !columns)))
        return -EBADMSG;
    const uint8_t *p = blob + 1, *end = blob + len;
    uint64_t ns, nt, z0, zd;
    if (get_uvarint(&p, end, &ns) < 0 || get_uvarint(&p, end, &nt) < 0 ||
        get_uvarint(&p, end, &z0) < 0 || get_uvarint(&p, end, &zd) < 0 ||
        ns != (uint64_t)n_series || nt > CHUNK_MAX_TICKS)
        return -EBADMSG;
    ret->n_series = n_series;
    ret->n_ticks = (int)nt;
    ret->t_first = (int64_t)zz_dec(z0);
    ret->t_last = (int64_t)((uint64_t)ret->t_first + zz_dec(zd));
    for (int i = 0; i < n_series; i++) {
        aim_chunk_col_summary *cs = &cols[i];
        const aim_chunk_column *c = &columns[i];
        uint64_t h;
        memset(cs, 0, sizeof *cs);
        if (get_uvarint(&p, end, &h) < 0 || (h >> 2) > nt)
            return -EBADMSG;
        cs->count = (int)(h >> 2);
        cs->dirty = (int)(h & 1);
        int raw = (int)((h >> 1) & 1);
        if (cs->dirty || cs->count == 0)
            continue;
        if (get_point(&p, end, ret->t_first, raw, c, &cs->t[0], &cs->v[0]) < 0 ||
            (cs->count > 1 && get_point(&p, end, ret->t_first, raw, c, &cs->t[1], &cs->v[1]) < 0) ||
            get_point(&p, end, ret->t_first, raw, c, &cs->t_min, &cs->v_min) < 0 ||
            get_point(&p, end, ret->t_first, raw, c, &cs->t_max, &cs->v_max) < 0)
            return -EBADMSG;
    }
    return p == end ? 0 : -EBADMSG;
}

int aim__chunk_encoder_finish(aim_chunk_encoder *e, const uint8_t **ret_blob, size_t *ret_len) {
    if (!e || !ret_blob || !ret_len)
        return -EINVAL;
    size_t pos = 0;
    size_t spos = summary_header(e, e->summary);
    e->out[pos++] = CHUNK_VERSION;
    pos += put_uvarint(e->out + pos, (uint64_t)e->n_series);
    pos += put_uvarint(e->out + pos, (uint64_t)e->n_ticks);
    size_t len = encode_timestamps(e, e->scratch);
    pos += put_section(e->out + pos, e->scratch, len, 0);
    for (int c = 0; c < e->n_series; c++) {
        unsigned flags;
        col_picks cp;
        len = encode_column(e, c, e->scratch, &flags, &cp);
        pos += put_section(e->out + pos, e->scratch, len, flags);
        spos += summary_column(e, c, (flags & FLAG_RAW) != 0, &cp, e->summary + spos);
    }
    e->summary_len = spos;
    e->n_ticks = 0;
    *ret_blob = e->out;
    *ret_len = pos;
    return 0;
}

/* ------------------------------------------------------------------ decoding */

typedef struct cursor {
    const uint8_t *p, *end;
    const uint8_t *bitmap;  /* NULL: every value present */
    unsigned flags;
    uint64_t prev, prev_d;
    uint64_t k;             /* values decoded so far */
} cursor;

static int open_section(const uint8_t **pp, const uint8_t *end, int n_ticks, int is_column,
                        cursor *c) {
    uint64_t h;
    int r = get_uvarint(pp, end, &h);
    if (r < 0)
        return r;
    uint64_t len = h >> 2;
    unsigned flags = (unsigned)(h & FLAG_MASK);
    if (len > (uint64_t)(end - *pp) || (!is_column && flags))
        return -EBADMSG;
    memset(c, 0, sizeof *c);
    c->p = *pp;
    c->end = *pp + len;
    c->flags = flags;
    *pp = c->end;
    if (flags & FLAG_BITMAP) {
        size_t bytes = (size_t)(n_ticks + 7) / 8;
        if (bytes > len)
            return -EBADMSG;
        /* Padding bits past the last tick must be clear: one encoding per chunk. */
        if ((n_ticks & 7) && (c->p[bytes - 1] >> (n_ticks & 7)))
            return -EBADMSG;
        c->bitmap = c->p;
        c->p += bytes;
    }
    return 0;
}

static int next_delta(cursor *c, int delta_of_delta, uint64_t *ret) {
    uint64_t z;
    int r = get_uvarint(&c->p, c->end, &z);
    if (r < 0)
        return r;
    uint64_t v = zz_dec(z);
    if (c->k == 0) {
        c->prev = v;
    } else {
        uint64_t d = delta_of_delta && c->k > 1 ? c->prev_d + v : v;
        c->prev_d = d;
        c->prev += d;
    }
    c->k++;
    *ret = c->prev;
    return 0;
}

static int next_value(cursor *c, const aim_chunk_column *col, double *ret) {
    if (c->flags & FLAG_RAW) {
        if (c->end - c->p < 8)
            return -EBADMSG;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits |= (uint64_t)c->p[i] << (8 * i);
        c->p += 8;
        memcpy(ret, &bits, sizeof *ret);
        return 0;
    }
    uint64_t q;
    int r = next_delta(c, col->counter, &q);
    if (r < 0)
        return r;
    *ret = (double)(int64_t)q * col->resolution;
    return 0;
}

int aim__chunk_decode(const uint8_t *blob, size_t len, int n_series,
                     const aim_chunk_column *columns, aim_chunk_tick_fn fn, void *userdata) {
    if (n_series < 0 || n_series > CHUNK_MAX_SERIES || (n_series > 0 && !columns) || !fn)
        return -EINVAL;
    for (int i = 0; i < n_series; i++)
        if (!column_ok(&columns[i]))
            return -EINVAL;
    if (!blob || len < 1 || blob[0] != CHUNK_VERSION)
        return -EBADMSG;

    const uint8_t *p = blob + 1, *end = blob + len;
    uint64_t hdr_series, hdr_ticks;
    if (get_uvarint(&p, end, &hdr_series) < 0 || get_uvarint(&p, end, &hdr_ticks) < 0 ||
        hdr_series != (uint64_t)n_series || hdr_ticks > CHUNK_MAX_TICKS)
        return -EBADMSG;
    int n_ticks = (int)hdr_ticks;

    size_t ns = (size_t)n_series;
    void *mem = malloc((ns + 1) * sizeof(cursor) + ns * sizeof(double) + ns + 1);
    if (!mem)
        return -ENOMEM;
    cursor *cur = mem;  /* cur[0] timestamps, cur[1 + i] column i */
    double *values = (double *)(void *)(cur + ns + 1);
    uint8_t *valid = (uint8_t *)(values + ns);

    int r = 0;
    for (size_t i = 0; i <= ns && r == 0; i++)
        r = open_section(&p, end, n_ticks, i > 0, &cur[i]);
    /* Every timestamp takes at least one byte: bounds the loop below by the input size. */
    if (r == 0 && (p != end || (size_t)(cur[0].end - cur[0].p) < (size_t)n_ticks))
        r = -EBADMSG;

    for (int t = 0; t < n_ticks && r == 0; t++) {
        uint64_t ts;
        r = next_delta(&cur[0], 1, &ts);
        for (size_t i = 0; i < ns && r == 0; i++) {
            cursor *c = &cur[i + 1];
            valid[i] = !c->bitmap || ((c->bitmap[t >> 3] >> (t & 7)) & 1);
            values[i] = 0;
            if (valid[i])
                r = next_value(c, &columns[i], &values[i]);
        }
        if (r == 0) {
            r = fn((int64_t)ts, values, valid, userdata);
            if (r > 0)
                r = 0;
        }
    }
    /* Trailing bytes inside a section mean the counts and the data disagree. */
    for (size_t i = 0; i <= ns && r == 0; i++)
        if (cur[i].p != cur[i].end)
            r = -EBADMSG;
    free(mem);
    return r;
}

double aim__codec_quantise(double value, double resolution) {
    double x = value / resolution;
    if (!(fabs(x) <= QUANT_LIMIT) || !(resolution > 0))
        return value;
    return (double)llround(x) * resolution;
}
