/* A two-device node for the job table's tests (test_jobs.c, test_control.c). */
#ifndef AIM_TEST_JOBS_FIXTURE_H
#define AIM_TEST_JOBS_FIXTURE_H

#include "engine/live.h"

/* The devices' names, gpu0 and cpu0. */
extern const char *const jobs_fixture_names[2];

/* Publishes that the node has used energy_j (gpu0 and cpu0 split 60/40) and carbon_g. */
void jobs_fixture_publish(aim_live *l, double energy_j, double carbon_g);

#endif
