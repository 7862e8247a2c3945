/* The Host and Origin checks of the HTTP server (serve/web_origin.c) over arbitrary headers:
 * the input is a Host value, then (after its first newline) an Origin value. A Host taken
 * must name loopback or the address listened on (127.0.0.2 here), decided by a reading of
 * the header written without the code under test; an Origin taken must be "http://" + Host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_util.h"

#include "serve/web_origin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether host is one of the names taken, with an optional port of 1 to 5 digits. */
static int rightful(const char *host) {
    static const char *const names[] = { "localhost", "127.0.0.1", "127.0.0.2", "[::1]" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(host, names[i], n) != 0)
            continue;
        const char *p = host + n;
        if (!*p)
            return 1;
        size_t d = *p == ':' ? strspn(p + 1, "0123456789") : 0;
        if (d >= 1 && d <= 5 && !p[1 + d])
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_cstr(data, size);
    if (!text)
        return 0;
    char *origin = strchr(text, '\n');
    if (origin)
        *origin++ = '\0';
    /* IPv6 spellings of ::1 other than "[::1]" are taken too: only the plain names judged */
    if (aim__web_host_ok(text, "127.0.0.2") && !rightful(text) && text[0] != '[')
        abort();
    if (rightful(text) && !aim__web_host_ok(text, "127.0.0.2"))
        abort();
    if (aim__web_origin_ok(origin, text, 0) && origin &&
        (strncasecmp(origin, "http://", 7) != 0 || strcasecmp(origin + 7, text) != 0))
        abort();
    free(text);
    return 0;
}
