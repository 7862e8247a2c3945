/* The live snapshot's sequence lock (live.h). The record is one array of 64-bit words: the
 * scalars, the phase name, the counter records (keys and totals), the devices' energies, the series' values, then the validity
 * bits; doubles travel as their bit patterns so every word is one relaxed atomic. */
#include "engine/live.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { W_GEN, W_DURATION, W_SAMPLES, W_POWER, W_ENERGY, W_CARBON, W_INTENSITY, W_PHASE };
#define PHASE_WORDS ((AIM_LIVE_PHASE_MAX + 7) / 8)
/* Then the record count and each record slot: its key's words, then its total. */
#define W_N_RECORDS (W_PHASE + PHASE_WORDS)
#define KEY_WORDS ((AIM_LIVE_KEY_MAX + 7) / 8)
#define RECORD_WORD(k) (W_N_RECORDS + 1 + (size_t)(k) * (KEY_WORDS + 1))
#define HEADER_WORDS RECORD_WORD(AIM_LIVE_RECORDS)

struct aim_live {
    atomic_uint_fast64_t seq;     /* odd while the writer writes */
    uint64_t generation;          /* the writer's own count */
    int n_records;                /* the writer's own count of record slots set */
    atomic_int_fast64_t reader_ns;  /* aim__live_note_reader */
    int n_series, n_devices;
    size_t n_words;
    _Atomic uint64_t *w;
};

static size_t device_word(int d) { return HEADER_WORDS + (size_t)d; }
static size_t value_word(const aim_live *l, int i) { return HEADER_WORDS + (size_t)l->n_devices + (size_t)i; }
static size_t valid_word(const aim_live *l, int i) {
    return HEADER_WORDS + (size_t)l->n_devices + (size_t)l->n_series + (size_t)i / 64;
}

static uint64_t bits_of(double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double double_of(uint64_t u) {
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void put(aim_live *l, size_t i, uint64_t v) { atomic_store_explicit(&l->w[i], v, memory_order_relaxed); }
static uint64_t get(const aim_live *l, size_t i) {
    return atomic_load_explicit(&((aim_live *)l)->w[i], memory_order_relaxed);
}

/* A string of at most words * 8 - 1 bytes (NULL: ""), NUL-padded, into the words from first. */
static void put_text(aim_live *l, size_t first, int words, const char *text) {
    char buf[PHASE_WORDS * 8 > KEY_WORDS * 8 ? PHASE_WORDS * 8 : KEY_WORDS * 8] = { 0 };
    if (text)
        memcpy(buf, text, strnlen(text, (size_t)words * 8 - 1));
    for (int k = 0; k < words; k++) {
        uint64_t u;
        memcpy(&u, buf + 8 * k, sizeof u);
        put(l, first + (size_t)k, u);
    }
}

/* put_text's string back into out (size bytes, at most words * 8), NUL-terminated. */
static void get_text(const aim_live *l, size_t first, int words, char *out, size_t size) {
    char buf[PHASE_WORDS * 8 > KEY_WORDS * 8 ? PHASE_WORDS * 8 : KEY_WORDS * 8];
    for (int k = 0; k < words; k++) {
        uint64_t u = get(l, first + (size_t)k);
        memcpy(buf + 8 * k, &u, sizeof u);
    }
    memcpy(out, buf, size);
    out[size - 1] = '\0';
}

int aim__live_new(int n_series, int n_devices, aim_live **ret) {
    if (n_series < 0 || n_devices < 0)
        return -EINVAL;
    aim_live *l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->n_series = n_series;
    l->n_devices = n_devices;
    l->n_words = HEADER_WORDS + (size_t)n_devices + (size_t)n_series + ((size_t)n_series + 63) / 64;
    l->w = calloc(l->n_words, sizeof *l->w);
    if (!l->w) {
        free(l);
        return -ENOMEM;
    }
    for (size_t i = 0; i < l->n_words; i++)
        atomic_init(&l->w[i], 0);
    atomic_init(&l->w[W_INTENSITY], bits_of(NAN)); /* unknown until the writer says */
    atomic_init(&l->seq, 0);
    atomic_init(&l->reader_ns, 0);
    *ret = l;
    return 0;
}

void aim__live_free(aim_live *l) {
    if (!l)
        return;
    free((void *)l->w);
    free(l);
}

int aim__live_n_series(const aim_live *l) { return l->n_series; }
int aim__live_n_devices(const aim_live *l) { return l->n_devices; }

void aim__live_write_begin(aim_live *l) {
    uint_fast64_t s = atomic_load_explicit(&l->seq, memory_order_relaxed);
    atomic_store_explicit(&l->seq, s + 1, memory_order_relaxed);
    /* The odd sequence is visible before any word of the new record. */
    atomic_thread_fence(memory_order_release);
}

void aim__live_set_totals(aim_live *l, int64_t duration_ns, uint64_t samples, double power_w,
                         double energy_j, double carbon_g, const char *phase) {
    put(l, W_DURATION, (uint64_t)duration_ns);
    put(l, W_SAMPLES, samples);
    put(l, W_POWER, bits_of(power_w));
    put(l, W_ENERGY, bits_of(energy_j));
    put(l, W_CARBON, bits_of(carbon_g));
    put_text(l, W_PHASE, PHASE_WORDS, phase);
}

void aim__live_set_intensity(aim_live *l, double g_per_kwh) {
    put(l, W_INTENSITY, bits_of(g_per_kwh));
}

void aim__live_set_record(aim_live *l, int slot, const char *key, double total) {
    if (slot < 0 || slot >= AIM_LIVE_RECORDS || slot > l->n_records)
        return;
    if (slot == l->n_records) { /* a new key: its name once, then the count */
        put_text(l, RECORD_WORD(slot), KEY_WORDS, key);
        put(l, W_N_RECORDS, (uint64_t)++l->n_records);
    }
    put(l, RECORD_WORD(slot) + KEY_WORDS, bits_of(total));
}

void aim__live_set_device(aim_live *l, int device, double energy_j) {
    if (device >= 0 && device < l->n_devices)
        put(l, device_word(device), bits_of(energy_j));
}

void aim__live_set_series(aim_live *l, int slot, double value, int valid) {
    if (slot < 0 || slot >= l->n_series)
        return;
    put(l, value_word(l, slot), bits_of(value));
    size_t vw = valid_word(l, slot);
    uint64_t bit = (uint64_t)1 << (slot % 64), old = get(l, vw); /* one writer */
    put(l, vw, valid ? old | bit : old & ~bit);
}

void aim__live_write_end(aim_live *l) {
    put(l, W_GEN, ++l->generation);
    uint_fast64_t s = atomic_load_explicit(&l->seq, memory_order_relaxed);
    atomic_store_explicit(&l->seq, s + 1, memory_order_release);
}

void aim__live_note_reader(aim_live *l, int64_t now_ns) {
    atomic_store_explicit(&l->reader_ns, now_ns, memory_order_relaxed);
}

int64_t aim__live_reader_ns(const aim_live *l) {
    return atomic_load_explicit(&((aim_live *)l)->reader_ns, memory_order_relaxed);
}

int aim__live_try_read(const aim_live *l, aim_live_totals *t, double *device_energy_j,
                      double *values, unsigned char *valid) {
    aim_live *m = (aim_live *)l;
    uint_fast64_t s0 = atomic_load_explicit(&m->seq, memory_order_acquire);
    if (s0 & 1)
        return -EAGAIN;
    aim_live_totals c = { 0 };
    c.generation = get(l, W_GEN);
    c.duration_ns = (int64_t)get(l, W_DURATION);
    c.samples = get(l, W_SAMPLES);
    c.power_w = double_of(get(l, W_POWER));
    c.energy_j = double_of(get(l, W_ENERGY));
    c.carbon_g = double_of(get(l, W_CARBON));
    c.intensity_g_per_kwh = double_of(get(l, W_INTENSITY));
    get_text(l, W_PHASE, PHASE_WORDS, c.phase, sizeof c.phase);
    uint64_t n_rec = get(l, W_N_RECORDS);
    c.n_records = n_rec < AIM_LIVE_RECORDS ? (int)n_rec : AIM_LIVE_RECORDS;
    for (int k = 0; k < c.n_records; k++) {
        get_text(l, RECORD_WORD(k), KEY_WORDS, c.records[k].key, sizeof c.records[k].key);
        c.records[k].total = double_of(get(l, RECORD_WORD(k) + KEY_WORDS));
    }
    for (int d = 0; device_energy_j && d < l->n_devices; d++)
        device_energy_j[d] = double_of(get(l, device_word(d)));
    for (int i = 0; values && i < l->n_series; i++)
        values[i] = double_of(get(l, value_word(l, i)));
    for (int i = 0; valid && i < l->n_series; i++)
        valid[i] = (get(l, valid_word(l, i)) >> (i % 64)) & 1;
    /* Every load above happens before the sequence is read again. */
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&m->seq, memory_order_relaxed) != s0)
        return -EAGAIN;
    if (t)
        *t = c;
    return 0;
}

void aim__live_read(const aim_live *l, aim_live_totals *t, double *device_energy_j,
                   double *values, unsigned char *valid) {
    while (aim__live_try_read(l, t, device_energy_j, values, valid) < 0)
        sched_yield(); /* the writer is mid-publication: let it finish */
}
