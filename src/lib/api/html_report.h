/* The HTML report's data (aim_report_render_html in aimeter.h) without its page: the object
 * (schema aimeter.html/1, docs/report-json.md) the page embeds, built by the same builder,
 * for the API's GET /api/runs/{id}/view. */
#ifndef AIM_API_HTML_REPORT_H
#define AIM_API_HTML_REPORT_H

#include "aimeter.h"

/* The JSON text aim_report_render_html(store, run_id, zones, buckets) embeds in its element
 * aimeter-data (before its <script>-escaping): a string the caller frees. Arguments and
 * errors as aim_report_render_html's, the message in aim_store_errmsg(). */
int aim__report_html_data(aim_store *store, const char *run_id, const char *zones,
                          unsigned buckets, char **ret_json);

#endif
