/* The report model moved to processing/report_model.h (issue 12: computed by processing,
 * rendered here); renderers that include this name keep compiling. */
#ifndef AIM_REPORT_MODEL_FWD_H
#define AIM_REPORT_MODEL_FWD_H

#include "processing/report_model.h"

#endif
