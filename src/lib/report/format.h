/* The report's words moved to processing/report_words.h (the report model needs them);
 * renderers that include this name keep compiling. */
#ifndef AIM_REPORT_FORMAT_FWD_H
#define AIM_REPORT_FORMAT_FWD_H

#include "processing/report_words.h"

#endif
