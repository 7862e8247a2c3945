/* The arithmetic of `aimeter whatif --hardware` (docs/methodology.md, "Other hardware"): the
 * run's GPUs grouped by their row of the hardware table, each alternative's energy ratio to
 * each measured model (hw_ratio.h), and the alternatives' energy and carbon from the carbon
 * of each model's GPUs, which the caller replays per model (engine/whatif_replay.h): with a
 * time-varying intensity the GPUs' share of the carbon is not their share of the energy.
 * No store, no I/O; errors are described in the caller's buffer. */
#ifndef AIM_PROCESSING_WHATIF_HW_H
#define AIM_PROCESSING_WHATIF_HW_H

#include <stddef.h>

#include "data/hw_spec.h"
#include "processing/whatif_result.h"

/* A device by name: one stated with --gpu-spec first (it may amend a table row), else the
 * table's (aim_gpu_lookup). 0, -ENOENT, -EEXIST (ambiguous), -EINVAL. */
int aim__whatif_hw_find_gpu(const aim_hw_spec *specs, size_t n_specs, const char *name,
                           const aim_gpu_info **ret);

/* Adds the alternative `name` to res->alt. 0, or -EINVAL with err set (not in the table,
 * ambiguous, too many). */
int aim__whatif_hw_add_alt(aim_whatif_hw_result *res, const aim_hw_spec *specs, size_t n_specs,
                          const char *name, char *err, size_t errlen);

/* Groups run's GPUs with an energy figure in the total by table row into res->model, and
 * sets model_of[d] (run->n_devices entries) to each device's model, -1 for the others.
 * -ENODATA (a model not found, too many models), -ENODEV (no GPU energy), err set. */
int aim__whatif_hw_models(aim_whatif_hw_result *res, const aim_run_summary *run,
                         const aim_hw_spec *specs, size_t n_specs, int *model_of, char *err,
                         size_t errlen);

/* Every alternative's ratio to every measured model. -ENODATA (no shared throughput figure),
 * err set. */
int aim__whatif_hw_ratios(aim_whatif_hw_result *res, char *err, size_t errlen);

/* With res->energy_j (the whole run), every model's energy_j and carbon_g filled: the GPU
 * energy and every alternative's energy and carbon (the rest of the machine as measured, its
 * carbon all_carbon[k] minus the GPUs'). all_carbon: the whole run's per scenario. */
void aim__whatif_hw_combine(aim_whatif_hw_result *res, const double *all_carbon);

#endif
