/* A run's intensity series: the step function of g CO2e/kWh over wall-clock time that the
 * writer prices energy with, plus what it means (zone, signal, basis, source; the unit is
 * always g CO2e/kWh). The same type carries a time-of-use price series (value = price per
 * kWh in the run's currency).
 *
 * Threads: the session fills it before the threads start; afterwards a provider thread may
 * append points while the writer reads them. Every access after the start goes through
 * the mutex (the writer holds it for one device's accounting of one frame, or while it
 * stores new points at a commit, so an append never waits long). The metadata fields are
 * fixed once the run has started. */
#ifndef AIM_CARBON_SERIES_H
#define AIM_CARBON_SERIES_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "model/intensity.h"

/* Where the series came from, in the precedence order of aim__intensity_choose(). */
typedef enum aim_intensity_origin {
    AIM_ORIGIN_NONE = 0,     /* no data (no price given; no world row in the table) */
    AIM_ORIGIN_CONSTANT,     /* --intensity G / --price X */
    AIM_ORIGIN_FILE,         /* --intensity-file / --price-file */
    AIM_ORIGIN_PROVIDER,     /* a live provider (appended while the run goes) */
    AIM_ORIGIN_ZONE,         /* --zone, built-in table */
    AIM_ORIGIN_GUESS,        /* zone guessed from the time zone */
    AIM_ORIGIN_WORLD,        /* the world average */
} aim_intensity_origin;

typedef struct aim_intensity_series {
    pthread_mutex_t lock;
    aim_intensity_point *points; /* strictly increasing t_unix_ms */
    size_t n, cap;
    /* The latest wall time the writer has priced energy at. A point appended with an
     * earlier time is moved to it: energy already priced stays priced as it was, and what
     * is stored is exactly what was used (reports reproduce offline). */
    int64_t priced_until_ms;
    size_t moved;            /* points whose time was moved that way */

    aim_intensity_origin origin;
    char zone[24];           /* zone code, "" when none (a constant, a file) */
    aim_signal signal;
    aim_basis basis;
    char source[192];        /* in words: "constant given with --intensity", "file x.csv", … */
    char file[256];          /* the file it was read from, "" otherwise (coverage warnings) */
} aim_intensity_series;

/* Initialises an empty series (mutex included). -ENOMEM. */
int aim__intensity_series_init(aim_intensity_series *s);
void aim__intensity_series_destroy(aim_intensity_series *s);

/* Appends points (thread-safe). Each must be later than the last point already there;
 * times before priced_until_ms are moved up to it (see above). -EINVAL for a point not
 * after the last one or a value that is not finite and >= 0 (nothing is appended then),
 * -ENOMEM. */
int aim__intensity_series_append(aim_intensity_series *s, const aim_intensity_point *points,
                                size_t n);

/* Replaces every point by points[0..n) (thread-safe), strictly increasing, values finite
 * and >= 0; moved is reset. For the end of a run, once its energy has been priced again
 * with them (a provider's back-filled history): the step accumulators that priced the old
 * points are then stale, so the caller stops using them. -EINVAL (nothing changes), -ENOMEM. */
int aim__intensity_series_replace(aim_intensity_series *s, const aim_intensity_point *points,
                                 size_t n);

/* Index of the point in force at t (the last one at or before t; before the first point,
 * the first). n must be > 0. Pure; the caller holds the lock when the series is shared. */
size_t aim__step_index(const aim_intensity_point *points, size_t n, int64_t t_unix_ms);

#endif
