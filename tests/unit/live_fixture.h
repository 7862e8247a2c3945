/* A synthetic live snapshot (the aim_prom_input serve/ fills from the seqlock copy): two
 * GPUs with power, one of them with an invalid series, a host without energy. Rendered by
 * test_live_json.c and read back by test_top.c, so /api/live's writer and top's reader are
 * tested against the same document. */
#ifndef LIVE_FIXTURE_H
#define LIVE_FIXTURE_H

#include "report/live_json.h"

aim_prom_input live_fixture_input(void);
/* The rendered /api/live text with gpu0 at power_w (the caller frees it). */
char *live_fixture_json(double gpu0_power_w, double elapsed_s, double carbon_g);

/* The same as an agent's: two jobs (one ended, one in a phase) and the node's counter
 * records tokens 1000 and samples 8 (the caller frees it). */
char *live_fixture_agent_json(void);

#endif
