#include "summary.h"

#include <stdlib.h>

void aim_run_summary_clear(aim_run_summary *s) {
    if (!s)
        return;
    free(s->devices);
    free(s->series);
    s->devices = NULL;
    s->series = NULL;
    s->n_devices = 0;
    s->n_series = 0;
}
