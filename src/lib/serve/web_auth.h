/* Authentication of HTTP requests against a web-config file (web_config.h): `Authorization:
 * Basic` against the users' bcrypt hashes, `Authorization: Bearer` against the tokens'. A
 * pure function of the header and the cache, no HTTP library: fuzz/fuzz_http_auth.c drives
 * it with arbitrary bytes.
 *
 * bcrypt costs ~50-100 ms a check, on purpose. The server answers from one polling thread,
 * so two things keep it answering:
 * - a cache of verdicts keyed by the SHA-256 of the header value (the credential itself is
 *   never kept): a scraper that sends the right credentials every second pays one check;
 *   the same wrong credential again is refused at once;
 * - a budget for checks not in the cache: at most a quarter of the time (250 ms of checking
 *   per second, up to 500 ms in a burst); beyond it a request is answered 503 with
 *   Retry-After at once, unchecked. A flood of new wrong credentials thus delays other
 *   clients by at most one check (~0.1 s) at a time;
 * - and within it, a budget per client address (the last 64 seen): 100 ms per second, up to
 *   200 ms, so that one address flooding new credentials cannot use up the shared budget
 *   and shut out a scraper from another address whose credentials are not cached yet. An
 *   address whose credentials were right once is held to its own budget only, so a flood
 *   from many addresses does not shut it out either. */
#ifndef AIM_SERVE_WEB_AUTH_H
#define AIM_SERVE_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "serve/web_config.h"

typedef enum aim_auth_verdict {
    AIM_AUTH_OK = 0,     /* go on */
    AIM_AUTH_DENIED,     /* 401 with the challenge */
    AIM_AUTH_BUSY,       /* 503: too many new credentials to check now; retry */
} aim_auth_verdict;

#define AIM_AUTH_BUDGET_NS 250000000LL /* checking time allowed per second */
#define AIM_AUTH_BURST_NS 500000000LL  /* the most that accumulates */
#define AIM_AUTH_ADDRESS_BUDGET_NS 100000000LL /* the same, per client address */
#define AIM_AUTH_ADDRESS_BURST_NS 200000000LL
#define AIM_AUTH_MAX_HEADER 1024       /* a longer Authorization header is refused unchecked */

typedef struct aim_web_auth aim_web_auth;

/* An authenticator over cfg's users and tokens (copied: cfg may be freed after).
 * clock_ns: a monotonic clock (NULL: CLOCK_MONOTONIC; tests pass their own). 0 or -ENOMEM.
 * *ret is NULL when cfg asks for no authentication. */
int aim__web_auth_new(const aim_web_config *cfg, int64_t (*clock_ns)(void), aim_web_auth **ret);
void aim__web_auth_free(aim_web_auth *a);

/* The verdict on a request whose Authorization header is authorization (NULL: none; any
 * bytes up to a NUL). Thread-safe. _from: from the client address addr (addr_len bytes, the
 * raw IPv4 or IPv6 address; NULL: unknown), held to its budget too. */
aim_auth_verdict aim__web_auth_check(aim_web_auth *a, const char *authorization);
aim_auth_verdict aim__web_auth_check_from(aim_web_auth *a, const char *authorization,
                                          const void *addr, size_t addr_len);

/* The WWW-Authenticate values of a 401: Basic and/or Bearer, as configured; NULL ends. */
const char *const *aim__web_auth_challenges(const aim_web_auth *a);

/* The cost of the hash an unknown user name is checked against: the configured users'
 * highest, so that a name's existence does not show in the time an answer takes (tests). */
int aim__web_auth_dummy_cost(const aim_web_auth *a);

/* Checks done and answers from the cache so far (tests). */
void aim__web_auth_counts(aim_web_auth *a, unsigned *ret_checks, unsigned *ret_cached);

#endif
