/* aimeter whatif rendering (aim_whatif_render in aimeter.h) over the pricing of
 * processing/whatif.h. */
#ifndef AIM_API_WHATIF_H
#define AIM_API_WHATIF_H

#include "aimeter.h"
#include "report/renderers.h"
#include "processing/whatif.h"

/* The options every what-if rendering checks first: a format `out` has (else -EOPNOTSUPP)
 * and pue 0 (the run's own) or 1.0-5.0 (else -EINVAL), with the store's message set. */
int aim__whatif_check_options(aim_store *store, aim_output out, aim_format format, double pue);

/* A scenario for each item of zones ("FR,CA-SK@marginal,aws:us-east-1"; NULL or "" none)
 * appended at sc[*n_sc], priced from start_wall_ns; the k-th item's point is points[k]
 * (room for AIM_WHATIF_MAX_ZONES of each). -EINVAL with the store's message for a bad item,
 * an unknown zone or more than AIM_WHATIF_MAX_ZONES. */
int aim__whatif_add_zones(aim_store *store, const char *zones, int64_t start_wall_ns,
                         aim_intensity_point *points, aim_whatif_scenario *sc, size_t *n_sc);

/* The pricing behind aim_whatif_render, for other renderings of it (aimeter plot --kind
 * zones): the run's own scenario first, then each zone of the list, then the intensity file
 * (either may be NULL), replayed at pue (0: the run's). *ret_res borrows from *ret, freed
 * with aim__whatif_job_free. Errors as aim_whatif_render's, with the store's message set. */
typedef struct aim_whatif_job aim_whatif_job;
int aim__whatif_job_run(aim_store *store, const char *run_id, const char *zones,
                        const char *intensity_file, double pue, aim_whatif_job **ret,
                        aim_whatif_result *ret_res);
void aim__whatif_job_free(aim_whatif_job *job);
#endif
