/* Least squares and prediction intervals (forecast.h). Two passes over the points (means
 * first, then centred sums): the one-pass Σx², Σxy form loses digits when x is an epoch
 * index in the thousands and y a energy in the megajoules. */
#include "processing/forecast.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int aim__linfit_compute(const double *x, const double *y, size_t n, aim_linfit *ret) {
    if (!x || !y || !ret || n < 2)
        return -EINVAL;
    double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -EINVAL;
        sx += x[i];
        sy += y[i];
    }
    double xbar = sx / (double)n, ybar = sy / (double)n;
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - xbar, dy = y[i] - ybar;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0))
        return -EINVAL;
    aim_linfit f = { .n = n, .xbar = xbar, .ybar = ybar, .sxx = sxx };
    f.b = sxy / sxx;
    f.a = ybar - f.b * xbar;
    f.s = f.se_a = f.se_b = NAN;
    if (n >= 3) {
        double ssr = 0;
        for (size_t i = 0; i < n; i++) {
            double e = y[i] - (f.a + f.b * x[i]);
            ssr += e * e;
        }
        f.s = sqrt(ssr / (double)(n - 2));
        f.se_b = f.s / sqrt(sxx);
        f.se_a = f.s * sqrt(1.0 / (double)n + xbar * xbar / sxx);
    }
    f.r2 = syy > 0 ? 1.0 - (syy - f.b * sxy) / syy : NAN;
    if (f.r2 < 0)
        f.r2 = 0; /* rounding when the line explains nothing */
    *ret = f;
    return 0;
}

double aim__linfit_at(const aim_linfit *f, double x) { return f->a + f->b * x; }

double aim__t975(unsigned df) {
    /* t(0.975, df) for df = 1..30. */
    static const double table[30] = {
        12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851,
        2.364624252,  2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830,
        2.160368656,  2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040,
        2.093024054,  2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562,
        2.059538553,  2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
    };
    if (df == 0)
        return NAN;
    if (df <= 30)
        return table[df - 1];
    /* Cornish-Fisher expansion of the t quantile around the normal one, z = z(0.975). */
    double z = 1.959963984540054, v = (double)df;
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
    return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

void aim__linfit_sum(const aim_linfit *f, const double *xs, size_t m, double *ret_sum,
                    double *ret_half) {
    double sum = 0, dev = 0;
    for (size_t j = 0; j < m; j++) {
        sum += aim__linfit_at(f, xs[j]);
        dev += xs[j] - f->xbar;
    }
    double half = 0;
    if (m > 0) {
        double md = (double)m, n = (double)f->n;
        double bracket = md + md * md / n + dev * dev / f->sxx;
        half = f->n >= 3 ? aim__t975((unsigned)(f->n - 2)) * f->s * sqrt(bracket) : NAN;
    }
    if (ret_sum)
        *ret_sum = sum;
    if (ret_half)
        *ret_half = half;
}

aim_forecast_verdict aim__forecast_check(const aim_linfit *f, double x_last) {
    if (f->n < AIM_FORECAST_MIN_FIT)
        return AIM_FORECAST_TOO_FEW;
    /* zero within rounding (1e-9 of the mean) is zero: an instance costs something */
    if (f->b < 0 && !(aim__linfit_at(f, x_last) > 1e-9 * fabs(f->ybar)))
        return AIM_FORECAST_FALLING;
    if (f->r2 < AIM_FORECAST_MIN_R2 && /* NaN (every value equal): a flat line, fine */
        fabs(f->b) * fabs(x_last - f->xbar) > AIM_FORECAST_TREND_SHARE * fabs(f->ybar))
        return AIM_FORECAST_POOR_FIT;
    return AIM_FORECAST_OK;
}

void aim__forecast_bound(double sum, double half, double *ret_value, double *ret_low,
                        double *ret_high) {
    *ret_value = sum > 0 ? sum : 0;
    *ret_low = isnan(half) ? NAN : sum - half > 0 ? sum - half : 0;
    *ret_high = isnan(half) ? NAN : sum + half > 0 ? sum + half : 0;
}

long aim__forecast_instance(const char *phase, const char *name) {
    size_t pl = strlen(phase);
    if (strncmp(name, phase, pl) != 0)
        return AIM_INSTANCE_OTHER;
    const char *p = name + pl;
    if (*p == '\0')
        return AIM_INSTANCE_SAME;
    if (*p == ' ' || *p == '_' || *p == '-' || *p == ':' || *p == '#')
        p++;
    long v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits == 9)
            return AIM_INSTANCE_OTHER;
        v = v * 10 + (*p - '0');
    }
    return digits > 0 && *p == '\0' ? v : AIM_INSTANCE_OTHER;
}
