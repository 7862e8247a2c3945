/* The UI of `aimeter serve` (docs/http-api.md, "The UI"): GET / answers a fixed HTML shell
 * that loads /ui/app.css and /ui/app.js (the embedded bundle, ui_assets.h) into its
 * <div id="app">, with nothing inline, so that the Content-Security-Policy of
 * AIM_UI_SECURITY_HEADERS forbids every inline script and style. No path reaches the file
 * system: the assets are a fixed table. */
#ifndef AIM_SERVE_UI_ROUTES_H
#define AIM_SERVE_UI_ROUTES_H

#include "serve/http_server.h"

/* The headers on every answer of `aimeter serve` (aim_http_options.headers): the
 * Content-Security-Policy (nothing from elsewhere, no inline script or style), nosniff and
 * no referrer. */
extern const char *const aim__ui_security_headers[];

/* Whether path is the UI's ("/" or under "/ui/") rather than the API's. */
int aim__ui_path(const char *path);

/* Answers a request for a UI path: the page or an asset (200), 404 (no such asset), 405
 * (not GET or HEAD, with Allow); text, never JSON. 0 or -ENOMEM. */
int aim__ui_handle(const aim_http_request *req, aim_http_response *resp);

#endif
