/* The web front end's bundle (web/, built by esbuild at build time), compiled into the
 * library so that an HTML report needs no file beside it. */
#ifndef AIM_REPORT_WEB_ASSETS_H
#define AIM_REPORT_WEB_ASSETS_H

#include <stddef.h>

typedef struct aim_web_asset {
    const char *name;             /* "report.js", "report.css" */
    const unsigned char *data;    /* not NUL-terminated */
    size_t len;
} aim_web_asset;

/* The asset of that name, or NULL. */
const aim_web_asset *aim__web_asset(const char *name);

#endif
