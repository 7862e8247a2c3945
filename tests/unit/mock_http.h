/* A loopback HTTP/1.1 server for unit tests of the providers: one thread, one connection at
 * a time, answers scripted by a callback. It can delay an answer (timeouts), promise more
 * bytes than it sends (truncation) and add any header (Retry-After, Location). */
#ifndef AIM_TEST_MOCK_HTTP_H
#define AIM_TEST_MOCK_HTTP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mock_reply {
    int status;
    const char *headers; /* extra header lines, each ending in "\r\n", or NULL */
    const char *body;    /* NULL = "" */
    int delay_ms;        /* before answering */
    int truncate;        /* announce 100 bytes more than are sent, then close */
} mock_reply;

/* Called for every request with its path ("/v3/...?...") and raw header block; index counts
 * requests from 0. Fills *reply. */
typedef void (*mock_handler)(const char *path, const char *headers, int index, void *userdata,
                             mock_reply *reply);

typedef struct mock_http mock_http;

mock_http *mock_http_start(mock_handler fn, void *userdata);
int mock_http_port(const mock_http *m);
/* "http://127.0.0.1:PORT" + suffix into buf. */
void mock_http_url(const mock_http *m, const char *suffix, char *buf, size_t size);
int mock_http_count(mock_http *m);
/* Monotonic ms at which request i arrived (0 if none). */
int64_t mock_http_time_ms(mock_http *m, int i);
/* The path of request i (borrowed until stop; "" if none). */
const char *mock_http_path(mock_http *m, int i);
/* The headers of request i ("" if none). */
const char *mock_http_headers(mock_http *m, int i);
void mock_http_stop(mock_http *m);

#endif
