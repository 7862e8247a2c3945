/* THROW-AWAY (branch i13-html only): stands in for the generated bundle of branch i13-web
 * until the merge, which deletes this file (docs: /work/i13/html-contract.md). */
#include <string.h>

#include "report/web_assets.h"

static const unsigned char js[] =
    "(function(){var e=document.getElementById('aimeter-data');"
    "var d=JSON.parse(e.textContent);var m=document.getElementById('aimeter-report');"
    "m.textContent='aimeter report '+d.report.run.id;})();";
static const unsigned char css[] = "body{font-family:sans-serif}";

static const aim_web_asset assets[] = {
    { "report.js", js, sizeof js - 1 },
    { "report.css", css, sizeof css - 1 },
};

const aim_web_asset *aim__web_asset(const char *name) {
    for (size_t i = 0; name && i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].name, name) == 0)
            return &assets[i];
    return NULL;
}
