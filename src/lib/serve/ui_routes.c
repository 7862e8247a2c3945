/* The UI's routes (ui_routes.h). */
#include "serve/ui_routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "serve/ui_assets.h"

const char *const aim__ui_security_headers[] = {
    "Content-Security-Policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options", "nosniff",
    "Referrer-Policy", "no-referrer",
    NULL,
};

/* The page: the bundle does everything. The icon is an empty data: URL, so that the browser
 * asks for no /favicon.ico (a 404 in its console). */
static const char page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>aimeter</title>\n"
    "<link rel=\"icon\" href=\"data:,\">\n"
    "<link rel=\"stylesheet\" href=\"/ui/app.css\">\n"
    "<script src=\"/ui/app.js\" defer></script>\n"
    "</head>\n"
    "<body>\n"
    "<div id=\"app\"></div>\n"
    "</body>\n"
    "</html>\n";

static const struct {
    const char *path, *asset, *type;
} files[] = {
    { "/ui/app.js", "app.js", "text/javascript; charset=utf-8" },
    { "/ui/app.css", "app.css", "text/css; charset=utf-8" },
};

int aim__ui_path(const char *path) {
    return path && (strcmp(path, "/") == 0 || strncmp(path, "/ui/", 4) == 0);
}

static int bytes(aim_http_response *resp, const char *type, const void *data, size_t len) {
    char *copy = malloc(len ? len : 1); /* the server frees what it sends */
    if (!copy)
        return -ENOMEM;
    memcpy(copy, data, len);
    free(resp->body);
    resp->body = copy;
    resp->len = len;
    resp->status = 200;
    resp->type = type;
    /* the bundle changes with the binary only: the browser asks again, never stale */
    resp->cache_control = "no-cache";
    return 0;
}

int aim__ui_handle(const aim_http_request *req, aim_http_response *resp) {
    const char *text = "text/plain; charset=utf-8";
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        resp->allow = "GET, HEAD";
        return aim__http_respond(resp, 405, text, "method not allowed: GET or HEAD\n");
    }
    if (strcmp(req->path, "/") == 0)
        return bytes(resp, "text/html; charset=utf-8", page, sizeof page - 1);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(req->path, files[i].path) != 0)
            continue;
        const aim_web_asset *a = aim__ui_asset(files[i].asset);
        if (a)
            return bytes(resp, files[i].type, a->data, a->len);
    }
    return aim__http_respond(resp, 404, text, "no such page: the UI is at /\n");
}
