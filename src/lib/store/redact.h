/* A store location as it may be shown (docs/store.md, "PostgreSQL"): every message that names
 * a store goes through here, so that a secret in a URL never reaches a terminal, a log, the
 * control socket or an HTTP answer — not even when the URL is malformed, of a mistyped
 * scheme, or refused for holding the secret. */
#ifndef AIM_STORE_REDACT_H
#define AIM_STORE_REDACT_H

#include <stddef.h>

/* The secret's stand-in. */
#define AIM_STORE_REDACTED "***"

/* Length of url's scheme when url starts "scheme:" (RFC 3986: a letter, then letters, digits,
 * '+', '-', '.'), else 0. */
size_t aim__store_scheme_len(const char *url);

/* url into out (size bytes with the NUL, truncated) with its secrets replaced by "***": in a
 * "scheme://" URL of any scheme, the password of its user information (user:SECRET@host) and
 * the values of its password= and sslpassword= query parameters (their names
 * percent-decoded, as libpq reads them). Anything else (a file path) is copied as it is. */
void aim__store_redact(const char *url, char *out, size_t size);

/* Replaces, in msg (size bytes), every occurrence of each of url's secrets (as they are
 * written in url) by "***": for text that quotes the URL or a part of it in a way of its own
 * (libpq's message about a malformed URL). */
void aim__store_scrub(char *msg, size_t size, const char *url);

#endif
