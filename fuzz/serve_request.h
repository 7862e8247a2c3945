/* The serve API fuzz targets' input as a request (fuzz_serve_api.c, fuzz_serve_analyses.c,
 * fuzz_serve_events.c): lines of text, the query parameters "key=value" lines, as
 * libmicrohttpd hands a handler its decoded request. */
#ifndef AIM_FUZZ_SERVE_REQUEST_H
#define AIM_FUZZ_SERVE_REQUEST_H

#include <stddef.h>

#include "aimeter.h"
#include "serve/http_server.h"

/* Lines: NUL-separated strings from text (NULL: none) up to end. */
typedef struct fuzz_lines { const char *text, *end; } fuzz_lines;

/* Cuts the NUL-terminated text into lines in place ('\n' becomes NUL); returns its end. */
const char *fuzz_serve_cut_lines(char *text);

/* The line after line, NULL when line is the last before end. */
const char *fuzz_serve_next_line(const char *line, const char *end);

/* A request method path whose query parameter key is the first of *params' lines that starts
 * with "key="; params must outlive it. */
aim_http_request fuzz_serve_request(fuzz_lines *params, const char *method,
                                    const char *path);

/* The request of an input whose first line is "[METHOD ]PATH" and each further line a query
 * parameter "key=value": text (NUL-terminated, cut in place) holds its strings, *params its
 * parameters' lines. */
aim_http_request fuzz_serve_parse(char *text, fuzz_lines *params);

/* Aborts unless resp is JSON with a status of 200, 400, 404 or 405, an error answer an object
 * with "error". */
void fuzz_serve_check_json(const aim_http_response *resp);

/* The golden store (tests/fixtures/store/golden.sql) loaded once into /tmp/aim-fuzz-NAME-PID.db
 * and opened read-only; at exit closed (no cache left for a leak checker) and removed. Aborts
 * when it cannot. */
aim_store *fuzz_serve_golden_store(const char *name);

#endif
