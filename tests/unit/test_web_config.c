/* The web-config file parser (serve/web_config.c) and bcrypt (util/password.c): good files,
 * and each refusal naming its line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/web_config.h"
#include "util/password.h"

#define HASH "$2b$10$6MU1l/4RZ7BS/CTV8V92IuKjuNcRoufi4RsBipJG3PIrWN2osUuLG"

static int parse(const char *text, aim_web_config **c, char *err) {
    return aim__web_config_parse(text, strlen(text), "web.yml", "/etc/aimeter", c, err, 256);
}

static void a_full_file(void **unused) {
    (void)unused;
    aim_web_config *c;
    char err[256];
    assert_int_equal(parse("# exporter-toolkit's layout\n"
                           "tls_server_config:\n"
                           "  cert_file: tls/cert.pem\n"
                           "  key_file: /abs/key.pem\n"
                           "  min_version: TLS13\n"
                           "basic_auth_users:\n"
                           "  alice: " HASH "\n"
                           "  'bob smith': '" HASH "'\n"
                           "bearer_tokens:\n"
                           "  - " HASH "\n", &c, err), 0);
    assert_string_equal(c->cert_file, "/etc/aimeter/tls/cert.pem");
    assert_string_equal(c->key_file, "/abs/key.pem");
    assert_int_equal(c->cert_line, 3);
    assert_int_equal(c->min_version, 13);
    assert_int_equal(c->n_users, 2);
    assert_string_equal(c->users[1].name, "bob smith");
    assert_string_equal(c->users[0].hash, HASH);
    assert_int_equal(c->n_tokens, 1);
    assert_true(aim__web_config_has_auth(c));
    assert_null(c->cert_pem); /* parse reads no file */
    aim__web_config_free(c);
}

static void empty_files_ask_for_nothing(void **unused) {
    (void)unused;
    static const char *const texts[] = { "", "# nothing\n", "---\n", "basic_auth_users:\n",
                                         "bearer_tokens: []\nbasic_auth_users: {}\n" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        aim_web_config *c = NULL;
        char err[256];
        assert_int_equal(parse(texts[i], &c, err), 0);
        assert_false(aim__web_config_has_auth(c));
        assert_null(c->cert_file);
        assert_int_equal(c->min_version, 12);
        aim__web_config_free(c);
    }
}

static void refusals_name_the_line(void **unused) {
    (void)unused;
    static const struct {
        const char *text, *err;
    } cases[] = {
        { "basic_auth_users:\n  alice: secret\n", "web.yml:2: the password hash of user 'alice' is not a bcrypt hash" },
        { "basic_auth_users:\n  alice: '$2b$03$6MU1l/4RZ7BS/CTV8V92IuKjuNcRoufi4RsBipJG3PIrWN2osUuLG'\n", "web.yml:2: the password hash" },
        { "basic_auth_users:\n  alice: '$2b$10$6MU1l/4RZ7BS/CTV8V92IuKjuNcRoufi4RsBipJG3PIrWN2osUuL!'\n", "web.yml:2: the password hash" },
        { "basic_auth_users:\n  'a:b': " HASH "\n", "web.yml:2: a user name must be" },
        { "basic_auth_users:\n  a: " HASH "\n  a: " HASH "\n", "web.yml:3: user 'a' is given twice" },
        { "basic_auth_users:\n  - a\n", "web.yml:2: basic_auth_users must be a mapping" },
        { "bearer_tokens:\n  - " HASH "\n  - nope\n", "web.yml:3: a bearer token is not a bcrypt hash" },
        { "bearer_tokens: " HASH "\n", "web.yml:1: bearer_tokens must be a list" },
        { "tls_server_config:\n  cert_file: a\n", "web.yml:2: tls_server_config needs both" },
        { "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n", "web.yml:4: unknown key 'cipher_suites' in tls_server_config" },
        { "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n", "web.yml:4: min_version must be" },
        { "tls_server_config:\n  cert_file: a\n  cert_file: b\n  key_file: c\n", "web.yml:3: cert_file is given twice" },
        { "tls_server_config: {}\n", "web.yml:1: tls_server_config without cert_file" },
        { "\n\nhttp_server_config:\n  http2: false\n", "web.yml:3: unknown key 'http_server_config'" },
        { "basic_auth_users: {}\nbasic_auth_users: {}\n", "web.yml:2: basic_auth_users is given twice" },
        { "just text\n", "web.yml:1: a web-config file is a mapping" },
        { "basic_auth_users:\n  a: [\n", "web.yml:3: not YAML" },
        { "bearer_tokens: []\n---\nbearer_tokens: []\n", "web.yml:3: a second YAML document" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_web_config *c = NULL;
        char err[256] = "";
        assert_int_equal(parse(cases[i].text, &c, err), -EINVAL);
        assert_null(c);
        if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
            fail_msg("case %zu: '%s', expected '%s...'", i, err, cases[i].err);
    }
}

static void load_resolves_against_the_folder_and_names_a_missing_key(void **unused) {
    (void)unused;
    char dir[] = "/tmp/aim-webcfg-XXXXXX", path[256], cert[256], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/web.yml", dir);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    FILE *f = fopen(path, "w");
    fputs("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n", f);
    fclose(f);
    f = fopen(cert, "w");
    fputs("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    aim_web_config *c = NULL;
    assert_int_equal(aim__web_config_load(path, &c, err, sizeof err), -EINVAL);
    char want[512];
    snprintf(want, sizeof want, "%s:3: cannot read the key %s/key.pem: No such file or directory",
             path, dir);
    assert_string_equal(err, want);
    unlink(cert);
    unlink(path);
    assert_int_equal(aim__web_config_load(path, &c, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "web.yml"));
    rmdir(dir);
}

static void bcrypt_hashes_and_checks(void **unused) {
    (void)unused;
    char h[AIM_BCRYPT_LEN + 1];
    assert_int_equal(aim__bcrypt_hash("pw", 4, h, sizeof h), 0);
    assert_true(aim__bcrypt_hash_valid(h));
    assert_true(aim__bcrypt_verify("pw", 2, h));
    assert_false(aim__bcrypt_verify("pW", 2, h));
    assert_false(aim__bcrypt_verify("pw\0x", 4, h)); /* not cut at the NUL */
    assert_false(aim__bcrypt_verify("pw", 2, "not a hash"));
    assert_int_equal(aim__bcrypt_hash("pw", 3, h, sizeof h), -EINVAL);
    assert_int_equal(aim__bcrypt_hash("pw", 4, h, 10), -ENOBUFS);
    assert_false(aim__bcrypt_hash_valid("$2b$10$short"));
    assert_false(aim__bcrypt_hash_valid("$1$10$6MU1l/4RZ7BS/CTV8V92IuKjuNcRoufi4RsBipJG3PIrWN2osUuLG"));
    assert_true(aim__equal_ct("abc", "abc", 3));
    assert_false(aim__equal_ct("abc", "abd", 3));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_file),
        cmocka_unit_test(empty_files_ask_for_nothing),
        cmocka_unit_test(refusals_name_the_line),
        cmocka_unit_test(load_resolves_against_the_folder_and_names_a_missing_key),
        cmocka_unit_test(bcrypt_hashes_and_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
