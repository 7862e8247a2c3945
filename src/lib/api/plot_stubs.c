#include <errno.h>
#include "api/plot_kinds.h"
#include "api/store_error.h"
#define STUB(name) int name(aim_store *store, const char *run_id, const aim_plot_request *req, aim_plot_style *st, aim_plot_file_format format) { (void)run_id; (void)req; (void)st; (void)format; aim__store_set_error(store, "not yet"); return -EINVAL; }
STUB(aim__plot_zones_render)
