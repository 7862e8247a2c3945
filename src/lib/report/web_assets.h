/* The web front end's bundle compiled into the library (the generated web_assets.c, written
 * by tools/embed_assets.py at build time from web/; docs/architecture.md, "web/"). */
#ifndef AIM_REPORT_WEB_ASSETS_H
#define AIM_REPORT_WEB_ASSETS_H

#include <stddef.h>

/* The web front end's bundle (web/, built by esbuild at build time), compiled into the
 * library so that an HTML report needs no file beside it. */
typedef struct aim_web_asset {
    const char *name;             /* "report.js", "report.css" */
    const unsigned char *data;    /* not NUL-terminated */
    size_t len;
} aim_web_asset;

/* The asset of that name, or NULL. */
const aim_web_asset *aim__web_asset(const char *name);

#endif
