/* `aimeter devices` (aim_devices_describe): the sources' capability reports as text or JSON. */
#ifndef AIM_DEVICES_RENDER_H
#define AIM_DEVICES_RENDER_H

#include <stddef.h>

#include "model/probe.h"

/* json: 1 for JSON (an array, one object per source), 0 for text (a line per source, then
 * one per check). Caller frees *ret_text. -ENOMEM. */
int aim__devices_render(const aim_source_probe *probes, size_t n, int json, char **ret_text);

#endif
