/* bcrypt password hashes through libxcrypt (Debian libcrypt-dev): the web-config file's
 * hashes (serve/web_config.h) and `aimeter hash-password`. */
#ifndef AIM_PASSWORD_H
#define AIM_PASSWORD_H

#include <stddef.h>

/* The cost `aimeter hash-password` uses: 2^10 rounds, about 50-100 ms a check. */
#define AIM_BCRYPT_COST 10
/* A bcrypt hash is 60 characters: "$2b$10$" + 22 of salt + 31 of digest. */
#define AIM_BCRYPT_LEN 60

/* 1 when text is a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters of bcrypt's
 * base64), 0 otherwise. */
int aim__bcrypt_hash_valid(const char *text);

/* A new bcrypt hash of password (random salt from the system) into out (at least
 * AIM_BCRYPT_LEN + 1 bytes). 0, -EINVAL (cost out of 4-31), -ENOBUFS, -EIO. */
int aim__bcrypt_hash(const char *password, int cost, char *out, size_t size);

/* 1 when password (len bytes, no NUL inside) matches hash, 0 when not or when the hash is
 * not one (costs the same as a check). Slow on purpose: the hash's cost. Thread-safe. */
int aim__bcrypt_verify(const char *password, size_t len, const char *hash);

/* The cost of a bcrypt hash (4-31), -1 when text is not one. */
int aim__bcrypt_cost(const char *hash);

/* A hash that no password is known to match, at cost (4-31), into out (AIM_BCRYPT_LEN + 1
 * bytes): what an unknown user name is checked against, so that it costs as much as a
 * known one. 0, -EINVAL, -ENOBUFS. */
int aim__bcrypt_dummy(int cost, char *out, size_t size);

/* 1 when a and b (n bytes each) are equal, in a time that depends on n only. */
int aim__equal_ct(const void *a, const void *b, size_t n);

#endif
