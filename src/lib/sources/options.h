/* Which source takes an option set by name (aim_config_set_source_option): the options
 * are declared in each source's ops table (source.h), so the engine and the public API
 * know no vendor knob by name. */
#ifndef AIM_SOURCE_OPTIONS_H
#define AIM_SOURCE_OPTIONS_H

#include <stddef.h>

#include "sources/source.h"

/* How an option set under scope (a source's name or its vendor) reaches the source ops:
 * 2 by its own name, 1 by its vendor, 0 not at all (nor when ops does not declare key). A
 * value set by name wins over one set by vendor. */
int aim__source_option_rank(const aim_source_ops *ops, const char *scope, const char *key);

/* 0 when some compiled-in source takes key under scope and value suits every one that does.
 * -ENOENT for a scope or key no source declares, -EINVAL for a bad value; err then says why
 * and names what is valid ("dcgm takes: gpus, host"). */
int aim__source_option_check(const char *scope, const char *key, const char *value, char *err,
                            size_t errlen);

#endif
