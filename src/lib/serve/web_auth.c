/* Authorization headers against bcrypt hashes, with a cache and a time budget (web_auth.h). */
#include "serve/web_auth.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define GOOD_ENTRIES 16 /* verdicts kept: a few scrapers with right credentials */
#define BAD_ENTRIES 64  /* and more wrong ones, so that repeating one stays cheap */
#define DIGEST 32       /* SHA-256 */
#define MAX_PASSWORD 72 /* bcrypt reads no further: a longer one would match its prefix */
#define ADDRESSES 64    /* client addresses with a budget of their own (web_auth.h) */

typedef struct entry {
    unsigned char digest[DIGEST];
    unsigned char used;
} entry;

/* One client address's budget; trusted once its credentials were right. */
typedef struct bucket {
    unsigned char addr[16], len, trusted;
    int64_t budget_ns, refilled_ns;
    uint64_t used; /* when last asked for (a count): the least recent is replaced */
} bucket;

struct aim_web_auth {
    aim_web_user users[AIM_WEB_MAX_USERS];
    int n_users;
    char tokens[AIM_WEB_MAX_TOKENS][AIM_BCRYPT_LEN + 1];
    int n_tokens;
    char dummy[AIM_BCRYPT_LEN + 1]; /* an unknown user name's, at the users' highest cost */
    const char *challenges[3];
    int64_t (*clock_ns)(void);
    pthread_mutex_t lock;  /* the cache, the budget and the counts */
    entry good[GOOD_ENTRIES], bad[BAD_ENTRIES];
    unsigned next_good, next_bad;
    int64_t budget_ns, refilled_ns;
    unsigned checks, cached;
    bucket addresses[ADDRESSES];
    uint64_t asked;
};

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int aim__web_auth_new(const aim_web_config *cfg, int64_t (*clock_ns)(void), aim_web_auth **ret) {
    *ret = NULL;
    if (!aim__web_config_has_auth(cfg))
        return 0;
    aim_web_auth *a = calloc(1, sizeof *a);
    if (!a)
        return -ENOMEM;
    memcpy(a->users, cfg->users, sizeof a->users);
    a->n_users = cfg->n_users;
    int cost = 4;
    for (int i = 0; i < a->n_users; i++)
        if (aim__bcrypt_cost(a->users[i].hash) > cost)
            cost = aim__bcrypt_cost(a->users[i].hash);
    aim__bcrypt_dummy(cost, a->dummy, sizeof a->dummy); /* 4-31: cannot fail */
    memcpy(a->tokens, cfg->tokens, sizeof a->tokens);
    a->n_tokens = cfg->n_tokens;
    int n = 0;
    if (a->n_users)
        a->challenges[n++] = "Basic realm=\"aimeter\", charset=\"UTF-8\"";
    if (a->n_tokens)
        a->challenges[n++] = "Bearer realm=\"aimeter\"";
    a->clock_ns = clock_ns ? clock_ns : monotonic_ns;
    pthread_mutex_init(&a->lock, NULL);
    a->budget_ns = AIM_AUTH_BURST_NS;
    a->refilled_ns = a->clock_ns();
    *ret = a;
    return 0;
}

void aim__web_auth_free(aim_web_auth *a) {
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a);
}

int aim__web_auth_dummy_cost(const aim_web_auth *a) {
    return aim__bcrypt_cost(a->dummy);
}

const char *const *aim__web_auth_challenges(const aim_web_auth *a) {
    return a->challenges;
}

void aim__web_auth_counts(aim_web_auth *a, unsigned *ret_checks, unsigned *ret_cached) {
    pthread_mutex_lock(&a->lock);
    *ret_checks = a->checks;
    *ret_cached = a->cached;
    pthread_mutex_unlock(&a->lock);
}

/* budget += rate per second of the time since it was last refilled, up to burst. */
static void refill(int64_t *budget, int64_t *refilled, int64_t now, int64_t rate, int64_t burst) {
    *budget += (now - *refilled) / (1000000000LL / rate);
    if (*budget > burst)
        *budget = burst;
    *refilled = now;
}

/* The bucket of addr (len bytes, at most 16), a new full one if it has none: the least
 * recently asked for is replaced, one never trusted before a trusted one. Under the lock. */
static bucket *bucket_of(aim_web_auth *a, const void *addr, size_t len, int64_t now) {
    bucket *victim = NULL;
    for (int i = 0; i < ADDRESSES; i++) {
        bucket *b = &a->addresses[i];
        if (b->len == len && memcmp(b->addr, addr, len) == 0) {
            b->used = ++a->asked;
            return b;
        }
        if (!victim || (victim->trusted && !b->trusted) ||
            (victim->trusted == b->trusted && b->used < victim->used))
            victim = b;
    }
    *victim = (bucket){ .len = (unsigned char)len, .budget_ns = AIM_AUTH_ADDRESS_BURST_NS,
                        .refilled_ns = now, .used = ++a->asked };
    memcpy(victim->addr, addr, len);
    return victim;
}

/* Every entry is compared, in constant time: how long a lookup takes says nothing. */
static int in_cache(const entry *e, int n, const unsigned char *digest) {
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= e[i].used & aim__equal_ct(e[i].digest, digest, DIGEST);
    return found;
}

static void remember(entry *e, unsigned *next, unsigned n, const unsigned char *digest) {
    memcpy(e[*next].digest, digest, DIGEST);
    e[*next].used = 1;
    *next = (*next + 1) % n;
}

static int b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 (RFC 4648; the padding may be left out, but what is there must be right)
 * into out; the length, or -1. */
static int b64_decode(const char *in, size_t len, char *out, size_t size) {
    size_t padded = len;
    while (len && padded - len < 2 && in[len - 1] == '=')
        len--;
    if (len % 4 == 1 || (padded != len && padded % 4 != 0))
        return -1;
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == size)
                return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    return (int)n;
}

/* After "Scheme", one or more spaces and the credential; NULL if another scheme. */
static const char *after_scheme(const char *h, const char *scheme) {
    size_t n = strlen(scheme);
    if (strncasecmp(h, scheme, n) != 0 || h[n] != ' ')
        return NULL;
    h += n;
    while (*h == ' ')
        h++;
    return h;
}

static int check_basic(const aim_web_auth *a, const char *cred) {
    char plain[AIM_AUTH_MAX_HEADER];
    int n = b64_decode(cred, strlen(cred), plain, sizeof plain - 1);
    if (n < 0)
        return 0;
    plain[n] = '\0';
    char *colon = memchr(plain, ':', (size_t)n);
    if (!colon)
        return 0;
    size_t user_len = (size_t)(colon - plain), pw_len = (size_t)n - user_len - 1;
    const char *hash = a->dummy; /* an unknown name: the dummy, at the users' cost, fails */
    int known = 0;
    for (int i = 0; i < a->n_users; i++) {
        size_t len = strlen(a->users[i].name);
        if (len == user_len && aim__equal_ct(a->users[i].name, plain, len)) {
            hash = a->users[i].hash;
            known = 1;
        }
    }
    int ok = pw_len <= MAX_PASSWORD && aim__bcrypt_verify(colon + 1, pw_len, hash);
    explicit_bzero(plain, sizeof plain);
    return ok && known;
}

static int check_bearer(const aim_web_auth *a, const char *token) {
    size_t len = strlen(token);
    int ok = 0;
    if (!len || len > MAX_PASSWORD)
        return 0;
    for (int i = 0; i < a->n_tokens; i++)
        ok |= aim__bcrypt_verify(token, len, a->tokens[i]);
    return ok;
}

aim_auth_verdict aim__web_auth_check(aim_web_auth *a, const char *authorization) {
    return aim__web_auth_check_from(a, authorization, NULL, 0);
}

aim_auth_verdict aim__web_auth_check_from(aim_web_auth *a, const char *authorization,
                                          const void *addr, size_t addr_len) {
    if (!authorization)
        return AIM_AUTH_DENIED;
    size_t len = strnlen(authorization, AIM_AUTH_MAX_HEADER);
    if (len == AIM_AUTH_MAX_HEADER)
        return AIM_AUTH_DENIED;
    const char *basic = a->n_users ? after_scheme(authorization, "Basic") : NULL;
    const char *bearer = a->n_tokens ? after_scheme(authorization, "Bearer") : NULL;
    if ((!basic || !*basic) && (!bearer || !*bearer))
        return AIM_AUTH_DENIED; /* nothing to check: no cost */
    unsigned char digest[DIGEST];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, authorization, len, digest) < 0)
        return AIM_AUTH_BUSY;
    if (!addr_len || addr_len > sizeof a->addresses[0].addr)
        addr = NULL;

    pthread_mutex_lock(&a->lock);
    int64_t now = a->clock_ns();
    refill(&a->budget_ns, &a->refilled_ns, now, AIM_AUTH_BUDGET_NS, AIM_AUTH_BURST_NS);
    bucket *b = addr ? bucket_of(a, addr, addr_len, now) : NULL;
    if (b)
        refill(&b->budget_ns, &b->refilled_ns, now, AIM_AUTH_ADDRESS_BUDGET_NS,
               AIM_AUTH_ADDRESS_BURST_NS);
    aim_auth_verdict v = AIM_AUTH_BUSY;
    int cached = 1;
    if (in_cache(a->good, GOOD_ENTRIES, digest))
        v = AIM_AUTH_OK;
    else if (in_cache(a->bad, BAD_ENTRIES, digest))
        v = AIM_AUTH_DENIED;
    else
        cached = 0;
    a->cached += (unsigned)cached;
    /* An address that was right before is held to its own budget only: a flood from many
     * addresses, which drains the shared one, does not shut it out. */
    int may_check = !cached && (!b || b->budget_ns > 0) &&
                    ((b && b->trusted) || a->budget_ns > 0);
    if (may_check)
        a->checks++;
    if (cached && v == AIM_AUTH_OK && b)
        b->trusted = 1;
    pthread_mutex_unlock(&a->lock);
    if (!may_check)
        return v;

    int64_t start = a->clock_ns();
    int ok = basic ? check_basic(a, basic) : check_bearer(a, bearer);
    int64_t spent = a->clock_ns() - start;

    pthread_mutex_lock(&a->lock);
    a->budget_ns -= spent;
    if (addr) { /* found again: another thread may have replaced it meanwhile */
        b = bucket_of(a, addr, addr_len, now);
        b->budget_ns -= spent;
        b->trusted |= (unsigned char)ok;
    }
    if (ok)
        remember(a->good, &a->next_good, GOOD_ENTRIES, digest);
    else
        remember(a->bad, &a->next_bad, BAD_ENTRIES, digest);
    pthread_mutex_unlock(&a->lock);
    return ok ? AIM_AUTH_OK : AIM_AUTH_DENIED;
}
