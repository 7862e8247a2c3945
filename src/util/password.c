/* bcrypt through libxcrypt (password.h). */
#include "util/password.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int bcrypt_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '/';
}

int aim__bcrypt_hash_valid(const char *t) {
    if (!t || strlen(t) != AIM_BCRYPT_LEN || t[0] != '$' || t[1] != '2' ||
        (t[2] != 'a' && t[2] != 'b' && t[2] != 'y') || t[3] != '$' || t[6] != '$')
        return 0;
    if (t[4] < '0' || t[4] > '3' || t[5] < '0' || t[5] > '9')
        return 0;
    int cost = (t[4] - '0') * 10 + (t[5] - '0');
    if (cost < 4 || cost > 31)
        return 0;
    for (int i = 7; i < AIM_BCRYPT_LEN; i++)
        if (!bcrypt_char(t[i]))
            return 0;
    return 1;
}

int aim__bcrypt_hash(const char *password, int cost, char *out, size_t size) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (cost < 4 || cost > 31 || !password)
        return -EINVAL;
    if (size < AIM_BCRYPT_LEN + 1)
        return -ENOBUFS;
    /* NULL random bytes: libxcrypt takes them from the system (getrandom). */
    if (!crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, setting, sizeof setting))
        return -EIO;
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return -ENOMEM;
    const char *h = crypt_rn(password, setting, data, (int)sizeof *data);
    int r = h && aim__bcrypt_hash_valid(h) ? 0 : -EIO;
    if (r == 0)
        memcpy(out, h, AIM_BCRYPT_LEN + 1);
    explicit_bzero(data, sizeof *data); /* it held the password */
    free(data);
    return r;
}

int aim__bcrypt_cost(const char *hash) {
    if (!aim__bcrypt_hash_valid(hash))
        return -1;
    return (hash[4] - '0') * 10 + (hash[5] - '0');
}

/* Any salt and digest do: a verification only computes the hash at the setting's cost. */
static const char dummy[] = "$2b$10$6MU1l/4RZ7BS/CTV8V92IuKjuNcRoufi4RsBipJG3PIrWN2osUuLG";

int aim__bcrypt_dummy(int cost, char *out, size_t size) {
    if (cost < 4 || cost > 31)
        return -EINVAL;
    if (size < AIM_BCRYPT_LEN + 1)
        return -ENOBUFS;
    memcpy(out, dummy, AIM_BCRYPT_LEN + 1);
    out[4] = (char)('0' + cost / 10);
    out[5] = (char)('0' + cost % 10);
    return 0;
}

int aim__bcrypt_verify(const char *password, size_t len, const char *hash) {
    /* A hash that is not one is checked against the cost-10 dummy instead (still a
     * failure); callers that must not tell names apart pass aim__bcrypt_dummy's at their
     * users' cost (serve/web_auth.c). */
    int valid = aim__bcrypt_hash_valid(hash);
    if (!valid)
        hash = dummy;
    if (memchr(password, '\0', len))
        valid = 0; /* crypt would stop at the NUL: "a\0b" must not pass as "a" */
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return 0;
    /* len bytes, NULs included, so that all of them are wiped below (strndup would stop at
     * the first NUL and leave a shorter block). */
    char *phrase = malloc(len + 1);
    if (phrase) {
        memcpy(phrase, password, len);
        phrase[len] = '\0';
    }
    const char *h = phrase ? crypt_rn(phrase, hash, data, (int)sizeof *data) : NULL;
    int ok = valid && h && strlen(h) == AIM_BCRYPT_LEN && aim__equal_ct(h, hash, AIM_BCRYPT_LEN);
    if (phrase) {
        explicit_bzero(phrase, len);
        free(phrase);
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return ok;
}

int aim__equal_ct(const void *a, const void *b, size_t n) {
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}
