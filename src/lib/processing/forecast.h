/* Least-squares straight line and the prediction interval of a sum of future values: the
 * arithmetic behind `aimeter forecast` (docs/methodology.md, "Forecasting"). Pure: no
 * allocation, no I/O, thread-safe.
 *
 * For points (x_i, y_i), i = 1..n, the fit y = a + b x minimises Σ (y_i - a - b x_i)²:
 *   x̄ = Σx/n, ȳ = Σy/n, Sxx = Σ(x - x̄)², Sxy = Σ(x - x̄)(y - ȳ),
 *   b = Sxy / Sxx, a = ȳ - b x̄,
 *   s² = Σ (y_i - a - b x_i)² / (n - 2)            (residual variance, n >= 3)
 *   se(b) = s / √Sxx, se(a) = s √(1/n + x̄²/Sxx).
 * The sum of m future values at x_1'..x_m' is predicted as Ŝ = Σ (a + b x_j'), and with
 * independent, equal-variance residuals the error Ŝ - S has variance
 *   s² (m + m²/n + (Σ_j (x_j' - x̄))² / Sxx)
 * (m new residuals, plus the uncertainty of the fitted line at those points). The 95 %
 * prediction interval is Ŝ ± t(0.975, n - 2) × s × √(that bracket). */
#ifndef AIM_FORECAST_H
#define AIM_FORECAST_H

#include <stddef.h>

typedef struct aim_linfit {
    size_t n;
    double a, b;          /* y = a + b x */
    double xbar, ybar, sxx;
    double s;             /* residual standard error; NaN when n < 3 */
    double se_a, se_b;    /* standard errors of a and b; NaN when n < 3 */
    double r2;            /* coefficient of determination; NaN when every y is equal */
} aim_linfit;

/* Fits y = a + b x to n points. -EINVAL when n < 2, a value is not finite, or every x is
 * the same (no slope can be fitted); *ret untouched then. */
int aim__linfit_compute(const double *x, const double *y, size_t n, aim_linfit *ret);

/* a + b x. */
double aim__linfit_at(const aim_linfit *f, double x);

/* Student's t quantile t(0.975, df): the two-sided 95 % critical value. Exact to the
 * printed digits for df <= 30 (table), a Cornish-Fisher expansion above (error < 1e-6).
 * NaN for df == 0. */
double aim__t975(unsigned df);

/* The predicted sum over the m points xs[0..m) and the half-width of its 95 % prediction
 * interval (formula above). m == 0 gives 0 and 0. The half-width is NaN when the fit has
 * no residual variance estimate (n < 3). */
void aim__linfit_sum(const aim_linfit *f, const double *xs, size_t m, double *ret_sum,
                    double *ret_half);

/* Whether a fitted line is fit to forecast with (docs/methodology.md, "Forecasting"):
 *   AIM_FORECAST_TOO_FEW   fewer than AIM_FORECAST_MIN_FIT instances fitted (a line through
 *                          two points has no residual, so no interval);
 *   AIM_FORECAST_FALLING   the slope is negative and the line reaches zero or below by the
 *                          target's last instance (an instance cannot cost nothing);
 *   AIM_FORECAST_POOR_FIT  R² below AIM_FORECAST_MIN_R2 while the trend moves the forecast:
 *                          |b| × |x_last - x̄| above AIM_FORECAST_TREND_SHARE × |ȳ| (a flat,
 *                          noisy series has a low R² and still forecasts well: its trend
 *                          does not matter; a trend the fit does not support does).
 * x_last: the last instance to forecast. */
typedef enum aim_forecast_verdict {
    AIM_FORECAST_OK = 0,
    AIM_FORECAST_TOO_FEW,
    AIM_FORECAST_FALLING,
    AIM_FORECAST_POOR_FIT,
} aim_forecast_verdict;
#define AIM_FORECAST_MIN_FIT 3
#define AIM_FORECAST_MIN_R2 0.5
#define AIM_FORECAST_TREND_SHARE 0.5
aim_forecast_verdict aim__forecast_check(const aim_linfit *f, double x_last);

/* A predicted sum of what is still to come and its 95 % interval, bounded at zero: nothing to
 * come costs less than nothing, so the total is never below what has been spent. half NaN:
 * low and high NaN. */
void aim__forecast_bound(double sum, double half, double *ret_value, double *ret_low,
                        double *ret_high);

/* Whether the phase instance called `name` is one of `phase`'s (aimeter forecast --phase):
 * AIM_INSTANCE_SAME when name is phase itself (instances counted in order), its number
 * (>= 0) when name is phase followed by an optional ' ', '_', '-', ':' or '#' and 1-9 digits
 * ("epoch 3", "epoch_3", "epoch3"), AIM_INSTANCE_OTHER otherwise. */
#define AIM_INSTANCE_OTHER (-1L)
#define AIM_INSTANCE_SAME (-2L)
long aim__forecast_instance(const char *phase, const char *name);

#endif
