/* The run's intensity (or price) series: storage, appends, step lookup (series.h). */
#include "model/intensity_series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

int aim__intensity_series_init(aim_intensity_series *s) {
    memset(s, 0, sizeof *s);
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return -ENOMEM;
    s->priced_until_ms = INT64_MIN;
    return 0;
}

void aim__intensity_series_destroy(aim_intensity_series *s) {
    if (!s)
        return;
    free(s->points);
    s->points = NULL;
    s->n = s->cap = 0;
    pthread_mutex_destroy(&s->lock);
}

int aim__intensity_series_append(aim_intensity_series *s, const aim_intensity_point *points,
                                size_t n) {
    if (n && !points)
        return -EINVAL;
    pthread_mutex_lock(&s->lock);
    int r = 0;
    /* Check everything first: an append is all or nothing. */
    int64_t last = s->n ? s->points[s->n - 1].t_unix_ms : INT64_MIN;
    for (size_t i = 0; i < n && r == 0; i++) {
        int64_t t = points[i].t_unix_ms;
        if (t < s->priced_until_ms)
            t = s->priced_until_ms;
        if (t <= last || !isfinite(points[i].g_per_kwh) || points[i].g_per_kwh < 0)
            r = -EINVAL;
        last = t;
    }
    if (r == 0 && AIM_ARRAY_RESERVE(s->points, s->cap, s->n + n, 16) < 0)
        r = -ENOMEM;
    for (size_t i = 0; i < n && r == 0; i++) {
        aim_intensity_point p = points[i];
        if (p.t_unix_ms < s->priced_until_ms) {
            p.t_unix_ms = s->priced_until_ms;
            s->moved++;
        }
        s->points[s->n++] = p;
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

int aim__intensity_series_replace(aim_intensity_series *s, const aim_intensity_point *points,
                                 size_t n) {
    if (n && !points)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((i && points[i].t_unix_ms <= points[i - 1].t_unix_ms) || !isfinite(points[i].g_per_kwh) ||
            points[i].g_per_kwh < 0)
            return -EINVAL;
    aim_intensity_point *copy = NULL;
    if (n && !(copy = malloc(n * sizeof *copy)))
        return -ENOMEM;
    if (n)
        memcpy(copy, points, n * sizeof *copy);
    pthread_mutex_lock(&s->lock);
    free(s->points);
    s->points = copy;
    s->n = s->cap = n;
    s->moved = 0;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

size_t aim__step_index(const aim_intensity_point *points, size_t n, int64_t t_unix_ms) {
    /* Binary search for the last point with t <= t_unix_ms. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (points[mid].t_unix_ms <= t_unix_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}
