/* Authentication of requests (serve/web_auth.c): basic and bearer credentials against bcrypt
 * hashes (cost 4 here, ~1 ms), the cache of verdicts, and the time budget for new
 * credentials, on a clock of the test's own (nothing here depends on real time). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/web_auth.h"
#include "serve/web_config.h"
#include "util/password.h"

/* alice:s3cret, and the tokens tok-1 and tok-2 */
#define ALICE "Basic YWxpY2U6czNjcmV0"
#define ALICE_WRONG "Basic YWxpY2U6czNjcmVU"    /* alice:s3creT */
#define BOB "Basic Ym9iOnMzY3JldA=="            /* bob:s3cret */
#define NO_COLON "Basic YWxpY2U="               /* alice */

static int64_t fake_now, fake_step;

/* Each reading moves the clock on by fake_step: a check (two readings) "takes" that long. */
static int64_t fake_clock(void) {
    int64_t t = fake_now;
    fake_now += fake_step;
    return t;
}

static aim_web_auth *make(int users, int tokens) {
    aim_web_config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    if (users) {
        snprintf(c->users[0].name, sizeof c->users[0].name, "alice");
        assert_int_equal(aim__bcrypt_hash("s3cret", 4, c->users[0].hash, AIM_BCRYPT_LEN + 1), 0);
        snprintf(c->users[1].name, sizeof c->users[1].name, "carol");
        assert_int_equal(aim__bcrypt_hash("other", 4, c->users[1].hash, AIM_BCRYPT_LEN + 1), 0);
        c->n_users = 2;
    }
    if (tokens) {
        assert_int_equal(aim__bcrypt_hash("tok-1", 4, c->tokens[0], AIM_BCRYPT_LEN + 1), 0);
        assert_int_equal(aim__bcrypt_hash("tok-2", 4, c->tokens[1], AIM_BCRYPT_LEN + 1), 0);
        c->n_tokens = 2;
    }
    fake_now = 0;
    fake_step = 0;
    aim_web_auth *a = NULL;
    assert_int_equal(aim__web_auth_new(c, fake_clock, &a), 0);
    aim__web_config_free(c); /* the authenticator keeps copies */
    return a;
}

static void right_and_wrong_credentials(void **unused) {
    (void)unused;
    aim_web_auth *a = make(1, 1);
    assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_OK);
    assert_int_equal(aim__web_auth_check(a, "basic   YWxpY2U6czNjcmV0"), AIM_AUTH_OK);
    assert_int_equal(aim__web_auth_check(a, "Basic YWxpY2U6czNjcmV0=="), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, "Basic Ym9iOnMzY3JldA"), AIM_AUTH_DENIED); /* bob */
    assert_int_equal(aim__web_auth_check(a, "Basic Y2Fyb2w6b3RoZXI="), AIM_AUTH_OK); /* carol */
    assert_int_equal(aim__web_auth_check(a, "Basic Y2Fyb2w6b3RoZXI"), AIM_AUTH_OK);
    assert_int_equal(aim__web_auth_check(a, "Basic Y2Fyb2w6b3RoZXI=="), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, ALICE_WRONG), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, BOB), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-2"), AIM_AUTH_OK);
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-3"), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-1x"), AIM_AUTH_DENIED);
    static const char *const refused[] = {
        NULL, "", "Basic", "Basic ", "Bearer", "Bearer ", "Basic !!!!", "Basic YWxpY2U6czNjcmV0!",
        NO_COLON, "Digest username=alice", "BasicYWxpY2U6czNjcmV0", "Basic YWxpY2U6czNjcmV0 x",
        "Basic Y", "Token tok-1",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(aim__web_auth_check(a, refused[i]), AIM_AUTH_DENIED);
    const char *const *ch = aim__web_auth_challenges(a);
    assert_string_equal(ch[0], "Basic realm=\"aimeter\", charset=\"UTF-8\"");
    assert_string_equal(ch[1], "Bearer realm=\"aimeter\"");
    assert_null(ch[2]);
    aim__web_auth_free(a);
}

static void a_scheme_not_configured_is_refused_unchecked(void **unused) {
    (void)unused;
    aim_web_auth *a = make(1, 0);
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-1"), AIM_AUTH_DENIED);
    unsigned checks, cached;
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(checks, 0);
    assert_null(aim__web_auth_challenges(a)[1]);
    aim__web_auth_free(a);
    a = make(0, 1);
    assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_DENIED);
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-1"), AIM_AUTH_OK);
    aim__web_auth_free(a);
    aim_web_config none = { .n_users = 0 };
    assert_int_equal(aim__web_auth_new(&none, NULL, &a), 0);
    assert_null(a); /* nothing asked for: no authenticator */
}

static void a_long_password_is_not_cut_to_its_prefix(void **unused) {
    (void)unused;
    /* bcrypt reads 72 bytes: "x"*72 + "y" would match a hash of "x"*72. */
    aim_web_config *c = calloc(1, sizeof *c);
    char pw[80];
    memset(pw, 'x', 72);
    pw[72] = '\0';
    assert_int_equal(aim__bcrypt_hash(pw, 4, c->tokens[0], AIM_BCRYPT_LEN + 1), 0);
    c->n_tokens = 1;
    aim_web_auth *a;
    assert_int_equal(aim__web_auth_new(c, fake_clock, &a), 0);
    char header[100];
    snprintf(header, sizeof header, "Bearer %s", pw);
    assert_int_equal(aim__web_auth_check(a, header), AIM_AUTH_OK);
    snprintf(header, sizeof header, "Bearer %sy", pw);
    assert_int_equal(aim__web_auth_check(a, header), AIM_AUTH_DENIED);
    aim__web_auth_free(a);
    free(c);
}

static void the_cache_answers_repeats_without_a_check(void **unused) {
    (void)unused;
    aim_web_auth *a = make(1, 1);
    unsigned checks, cached;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_OK);
        assert_int_equal(aim__web_auth_check(a, "Bearer tok-1"), AIM_AUTH_OK);
        assert_int_equal(aim__web_auth_check(a, ALICE_WRONG), AIM_AUTH_DENIED);
    }
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(checks, 3);
    assert_int_equal(cached, 297);
    /* A flood of different wrong ones does not push the right one out. */
    for (int i = 0; i < 200; i++) {
        char h[40];
        snprintf(h, sizeof h, "Bearer wrong-%d", i);
        assert_int_equal(aim__web_auth_check(a, h), AIM_AUTH_DENIED);
    }
    aim__web_auth_counts(a, &checks, &cached);
    unsigned before = checks;
    assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_OK);
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(checks, before);
    /* An oversized header is refused without a check. */
    char big[AIM_AUTH_MAX_HEADER + 10];
    memset(big, 'A', sizeof big - 1);
    memcpy(big, "Bearer ", 7);
    big[sizeof big - 1] = '\0';
    assert_int_equal(aim__web_auth_check(a, big), AIM_AUTH_DENIED);
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(checks, before);
    aim__web_auth_free(a);
}

static void new_credentials_beyond_the_budget_wait(void **unused) {
    (void)unused;
    aim_web_auth *a = make(1, 1);
    assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_OK); /* cached from now on */
    /* Each check now takes a second: 4 times the budget's rate. */
    fake_step = 1000000000LL;
    aim_auth_verdict v[6];
    int busy = 0, first_busy = -1;
    for (int i = 0; i < 6; i++) {
        char h[40];
        snprintf(h, sizeof h, "Bearer new-%d", i);
        v[i] = aim__web_auth_check(a, h);
        assert_true(v[i] == AIM_AUTH_DENIED || v[i] == AIM_AUTH_BUSY);
        if (v[i] == AIM_AUTH_BUSY && first_busy < 0)
            first_busy = i;
        busy += v[i] == AIM_AUTH_BUSY;
    }
    assert_int_equal(v[0], AIM_AUTH_DENIED); /* the burst lets the first ones through */
    assert_true(first_busy > 0 && first_busy < 4);
    assert_true(busy >= 1 && busy <= 6 - first_busy);
    /* Busy or not, what the cache knows is answered. */
    assert_int_equal(aim__web_auth_check(a, ALICE), AIM_AUTH_OK);
    /* Later, checks are allowed again. */
    fake_step = 0;
    fake_now += 60 * 1000000000LL;
    assert_int_equal(aim__web_auth_check(a, "Bearer tok-2"), AIM_AUTH_OK);
    aim__web_auth_free(a);
}

/* One address flooding new wrong credentials uses up its own budget, not the shared one: a
 * scraper from another address, its right credentials not cached yet, is checked and let in.
 * A flood from many addresses drains the shared budget: a new address then waits, but one
 * whose credentials were right before is still checked against its own budget. */
static void a_flood_from_one_address_does_not_shut_out_another(void **unused) {
    (void)unused;
    static const unsigned char a_addr[4] = { 127, 0, 0, 2 }, b_addr[4] = { 127, 0, 0, 3 },
                               d_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    aim_web_auth *a = make(1, 1);
    fake_step = 100000000LL; /* each check "takes" 100 ms */
    int busy = 0;
    for (int i = 0; i < 40; i++) {
        char h[40];
        snprintf(h, sizeof h, "Bearer guess-%d", i);
        aim_auth_verdict v = aim__web_auth_check_from(a, h, a_addr, sizeof a_addr);
        assert_true(v == AIM_AUTH_DENIED || v == AIM_AUTH_BUSY);
        busy += v == AIM_AUTH_BUSY;
    }
    assert_true(busy > 20); /* its own budget: about one check in ten */
    fake_step = 0;
    assert_int_equal(aim__web_auth_check_from(a, ALICE, b_addr, sizeof b_addr), AIM_AUTH_OK);
    unsigned checks, cached;
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(cached, 0); /* alice was checked, not answered from the cache */

    /* 100 addresses, each check "taking" 4 s: the shared budget is gone after each check. */
    fake_step = 4000000000LL;
    aim_auth_verdict last = AIM_AUTH_BUSY;
    for (int i = 0; i < 100 || last != AIM_AUTH_DENIED; i++) {
        assert_true(i < 1000);
        unsigned char addr[4] = { 10, 0, (unsigned char)(i / 256), (unsigned char)i };
        char h[40];
        snprintf(h, sizeof h, "Bearer many-%d", i);
        last = aim__web_auth_check_from(a, h, addr, sizeof addr);
    }
    fake_step = 0;
    assert_int_equal(aim__web_auth_check_from(a, "Bearer tok-1", d_addr, sizeof d_addr),
                     AIM_AUTH_BUSY); /* new, from a new address: waits */
    assert_int_equal(aim__web_auth_check_from(a, "Bearer tok-2", b_addr, sizeof b_addr),
                     AIM_AUTH_OK); /* new, from an address that was right before: checked */
    aim__web_auth_free(a);
}

/* An unknown user name is checked against a dummy at the users' highest cost (not a fixed
 * one), so that it takes as long as a known name's check; and it is still refused. */
static void an_unknown_name_costs_what_the_users_cost(void **unused) {
    (void)unused;
    static const int costs[][2] = { { 5, 5 }, { 4, 6 }, { 12, 12 }, { 11, 4 } };
    for (size_t k = 0; k < sizeof costs / sizeof costs[0]; k++) {
        aim_web_config *c = calloc(1, sizeof *c);
        assert_non_null(c);
        snprintf(c->users[0].name, sizeof c->users[0].name, "alice");
        snprintf(c->users[1].name, sizeof c->users[1].name, "carol");
        for (int i = 0; i < 2; i++) /* any hash at that cost: only its cost matters here */
            assert_int_equal(aim__bcrypt_dummy(costs[k][i], c->users[i].hash,
                                               AIM_BCRYPT_LEN + 1), 0);
        c->n_users = 2;
        aim_web_auth *a = NULL;
        assert_int_equal(aim__web_auth_new(c, NULL, &a), 0);
        aim__web_config_free(c);
        int want = costs[k][0] > costs[k][1] ? costs[k][0] : costs[k][1];
        assert_int_equal(aim__web_auth_dummy_cost(a), want);
        aim__web_auth_free(a);
    }
    aim_web_auth *a = make(1, 0); /* cost 4: bob is checked (a check is counted), refused */
    assert_int_equal(aim__web_auth_dummy_cost(a), 4);
    assert_int_equal(aim__web_auth_check(a, BOB), AIM_AUTH_DENIED);
    unsigned checks, cached;
    aim__web_auth_counts(a, &checks, &cached);
    assert_int_equal(checks, 1);
    aim__web_auth_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(right_and_wrong_credentials),
        cmocka_unit_test(a_scheme_not_configured_is_refused_unchecked),
        cmocka_unit_test(a_long_password_is_not_cut_to_its_prefix),
        cmocka_unit_test(the_cache_answers_repeats_without_a_check),
        cmocka_unit_test(new_credentials_beyond_the_budget_wait),
        cmocka_unit_test(an_unknown_name_costs_what_the_users_cost),
        cmocka_unit_test(a_flood_from_one_address_does_not_shut_out_another),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
