/* A counter's efficiency figures (docs/methodology.md, "Records"): energy and carbon per unit
 * over a scope (the run or a phase), one computation for the text, Markdown and JSON reports
 * and the C accessors. */
#ifndef AIM_PROCESSING_EFFICIENCY_H
#define AIM_PROCESSING_EFFICIENCY_H

typedef struct aim_efficiency {
    double j_per_unit;
    double units_per_j;
    double kwh_per_1000;
    double g_per_1000;          /* g CO2e per 1000 units */
} aim_efficiency;

/* The figures of `units` counted over a scope that drew energy_j and emitted carbon_g; every
 * field NaN unless units > 0 and energy_j > 0. */
aim_efficiency aim__efficiency_of(double energy_j, double carbon_g, double units);

/* A recorded last/min/max as reported: NaN for a value never set (the store's sentinel). */
double aim__record_value(double v);

#endif
