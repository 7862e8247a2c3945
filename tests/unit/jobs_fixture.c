/* A two-device node for the job table's tests (jobs_fixture.h). */
#include "jobs_fixture.h"

const char *const jobs_fixture_names[2] = { "gpu0", "cpu0" };

void jobs_fixture_publish(aim_live *l, double energy_j, double carbon_g) {
    aim__live_write_begin(l);
    aim__live_set_totals(l, 0, 0, 0, energy_j, carbon_g, NULL);
    aim__live_set_device(l, 0, energy_j * 0.6);
    aim__live_set_device(l, 1, energy_j * 0.4);
    aim__live_write_end(l);
}
