/* The live snapshot's sequence lock (live.h). The record is one array of 64-bit words: the
 * scalars, the phase name, the devices' energies, the series' values, then the validity
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
#define HEADER_WORDS (W_PHASE + PHASE_WORDS)

struct aim_live {
    atomic_uint_fast64_t seq;     /* odd while the writer writes */
    uint64_t generation;          /* the writer's own count */
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
    char name[PHASE_WORDS * 8] = { 0 };
    if (phase)
        memcpy(name, phase, strnlen(phase, AIM_LIVE_PHASE_MAX - 1));
    for (int k = 0; k < PHASE_WORDS; k++) {
        uint64_t u;
        memcpy(&u, name + 8 * k, sizeof u);
        put(l, W_PHASE + (size_t)k, u);
    }
}

void aim__live_set_intensity(aim_live *l, double g_per_kwh) {
    put(l, W_INTENSITY, bits_of(g_per_kwh));
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
    aim_live_totals c;
    c.generation = get(l, W_GEN);
    c.duration_ns = (int64_t)get(l, W_DURATION);
    c.samples = get(l, W_SAMPLES);
    c.power_w = double_of(get(l, W_POWER));
    c.energy_j = double_of(get(l, W_ENERGY));
    c.carbon_g = double_of(get(l, W_CARBON));
    c.intensity_g_per_kwh = double_of(get(l, W_INTENSITY));
    char name[PHASE_WORDS * 8];
    for (int k = 0; k < PHASE_WORDS; k++) {
        uint64_t u = get(l, W_PHASE + (size_t)k);
        memcpy(name + 8 * k, &u, sizeof u);
    }
    memcpy(c.phase, name, sizeof c.phase);
    c.phase[sizeof c.phase - 1] = '\0';
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
