/* The authentication of a request (serve/web_auth.c) over an arbitrary Authorization header:
 * only the right credentials (alice:s3cret, or the token tok-1) pass; anything else is
 * refused (401) or, past the budget of bcrypt checks, deferred (503). The hashes have cost 4
 * (~1 ms) so that the fuzzer still runs fast; the cache and the budget carry over between
 * inputs, as they do between requests. The client address comes from the input's length
 * (97 of them, more than the per-address budgets kept, or none), so that those budgets and
 * their replacement are driven too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_util.h"

#include "serve/web_auth.h"
#include "serve/web_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static aim_web_auth *authenticator(void) {
    static aim_web_auth *a;
    if (a)
        return a;
    static aim_web_config c;
    snprintf(c.users[0].name, sizeof c.users[0].name, "alice");
    if (aim__bcrypt_hash("s3cret", 4, c.users[0].hash, sizeof c.users[0].hash) < 0 ||
        aim__bcrypt_hash("tok-1", 4, c.tokens[0], sizeof c.tokens[0]) < 0)
        abort();
    c.n_users = c.n_tokens = 1;
    if (aim__web_auth_new(&c, NULL, &a) < 0 || !a)
        abort();
    return a;
}

/* Whether header holds the right credentials, decided without the code under test. */
static int rightful(const char *h) {
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        h += 7;
        while (*h == ' ')
            h++;
        return strcmp(h, "tok-1") == 0;
    }
    if (strncasecmp(h, "Basic ", 6) == 0) {
        h += 6;
        while (*h == ' ')
            h++;
        /* base64 of alice:s3cret, with or without its padding (it has none) */
        return strcmp(h, "YWxpY2U6czNjcmV0") == 0;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aim_web_auth *a = authenticator();
    char *h = fuzz_copy_cstr(data, size);
    if (!h)
        return 0;
    const unsigned char addr[4] = { 10, 0, 0, (unsigned char)(size % 97) };
    aim_auth_verdict v = size % 2 ? aim__web_auth_check_from(a, h, addr, sizeof addr)
                                  : aim__web_auth_check(a, h);
    if (v != AIM_AUTH_OK && v != AIM_AUTH_DENIED && v != AIM_AUTH_BUSY)
        abort();
    if (v == AIM_AUTH_OK && !rightful(h))
        abort();
    if (v == AIM_AUTH_DENIED && rightful(h))
        abort();
    free(h);
    return 0;
}
