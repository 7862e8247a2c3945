/* The UI of `aimeter serve` compiled into the library: app.js and app.css, web/'s second
 * bundle (entry web/src/ui/main.js), written as the generated ui_assets.c by
 * tools/embed_assets.py at build time (web/meson.build). */
#ifndef AIM_SERVE_UI_ASSETS_H
#define AIM_SERVE_UI_ASSETS_H

#include "report/web_assets.h"

/* The asset of that name ("app.js", "app.css"), or NULL. */
const aim_web_asset *aim__ui_asset(const char *name);

#endif
