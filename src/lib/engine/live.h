/* The live snapshot of a run: every series' latest value and validity, each device's energy
 * and the running totals, published by the writer thread (the live sink, sink_live.c) and
 * read by any other thread without a lock: the status line today, the Prometheus endpoint
 * and the web UI later (docs/architecture.md, "where to add a live output").
 *
 * A sequence lock: the writer makes the sequence odd, writes, makes it even again; a reader
 * copies between two reads of the sequence and keeps the copy only when both are the same
 * even number. Readers never block the writer and never keep a torn copy; the writer never
 * waits and never allocates after aim__live_new. Every word of the record is a relaxed
 * atomic, so the protocol is data-race free in C11 (and costs a plain move on x86-64). */
#ifndef AIM_ENGINE_LIVE_H
#define AIM_ENGINE_LIVE_H

#include <stdint.h>

#include "model/control_proto.h"
#include "processing/phases.h"

#define AIM_LIVE_PHASE_MAX (AIM_PHASE_NAME_MAX + 1)
/* The workload's counter records (tokens, samples, ...) a snapshot carries: the first this
 * many counter keys of the run, for J/unit in /api/live and `aimeter top`. A fixed number, so
 * the writer never allocates; later keys are in the report. */
#define AIM_LIVE_RECORDS 8
#define AIM_LIVE_KEY_MAX (AIM_CONTROL_KEY_MAX + 1)

typedef struct aim_live aim_live;

/* A counter record of the workload, by key. */
typedef struct aim_live_record {
    char key[AIM_LIVE_KEY_MAX];
    double total;            /* the counter's sum so far */
} aim_live_record;

/* The scalar part of a snapshot. */
typedef struct aim_live_totals {
    uint64_t generation;     /* publications so far (0: nothing published yet) */
    int64_t duration_ns;     /* the main group's last tick, from the run's start */
    uint64_t samples;        /* ticks of the main group the store will hold */
    double power_w;          /* summed latest power of the devices in the total */
    double energy_j;         /* summed energy of the devices in the total */
    double carbon_g;         /* the run's carbon so far (PUE included) */
    double intensity_g_per_kwh; /* the grid intensity in force now; NaN when unknown */
    char phase[AIM_LIVE_PHASE_MAX]; /* the innermost open phase, "" when none */
    int n_records;           /* the counter records so far, at most AIM_LIVE_RECORDS */
    aim_live_record records[AIM_LIVE_RECORDS];
} aim_live_totals;

/* Room for n_series values and n_devices energies. -ENOMEM, -EINVAL for negative sizes. */
int aim__live_new(int n_series, int n_devices, aim_live **ret);
void aim__live_free(aim_live *l);
int aim__live_n_series(const aim_live *l);
int aim__live_n_devices(const aim_live *l);

/* The writer (one thread): begin, set what changed, end. What is not set keeps its value
 * from the previous publication; the generation is counted by end. */
void aim__live_write_begin(aim_live *l);
void aim__live_set_totals(aim_live *l, int64_t duration_ns, uint64_t samples, double power_w,
                         double energy_j, double carbon_g, const char *phase);
void aim__live_set_intensity(aim_live *l, double g_per_kwh);
void aim__live_set_device(aim_live *l, int device, double energy_j);
void aim__live_set_series(aim_live *l, int slot, double value, int valid);
/* Record slot (0 .. AIM_LIVE_RECORDS - 1, others ignored) holds counter key at total. Slots
 * are taken in order, each key once for the run: a slot's key is written when the slot is
 * first set, later calls only change its total (so a publication costs one word per key). */
void aim__live_set_record(aim_live *l, int slot, const char *key, double total);
void aim__live_write_end(aim_live *l);

/* A reader that wants fresh figures says when it last read (monotonic ns); the writer
 * publishes four times a second while one did in the last two seconds, otherwise only at
 * its commits (writer.c). */
void aim__live_note_reader(aim_live *l, int64_t now_ns);
int64_t aim__live_reader_ns(const aim_live *l);

/* Readers (any thread). One attempt: 0 with a consistent copy, -EAGAIN when a publication
 * was under way or happened during the copy (nothing usable in the outputs then). values,
 * valid and device_energy_j may be NULL; otherwise they hold n_series, n_series and
 * n_devices entries. */
int aim__live_try_read(const aim_live *l, aim_live_totals *totals, double *device_energy_j,
                      double *values, unsigned char *valid);
/* Retries until a copy is consistent (the writer publishes a few times a second, so one or
 * two attempts). */
void aim__live_read(const aim_live *l, aim_live_totals *totals, double *device_energy_j,
                   double *values, unsigned char *valid);

#endif
