/* The web-config file of the HTTP server (docs/cli.md "Web config"): the layout of the
 * Prometheus exporter-toolkit (tls_server_config, basic_auth_users with bcrypt hashes) plus
 * aimeter's bearer_tokens, a list of bcrypt hashes of tokens. Parsed with libyaml. */
#ifndef AIM_SERVE_WEB_CONFIG_H
#define AIM_SERVE_WEB_CONFIG_H

#include <stddef.h>

#include "util/password.h"

#define AIM_WEB_MAX_USERS 64
#define AIM_WEB_MAX_TOKENS 64
#define AIM_WEB_MAX_NAME 64     /* bytes of a basic-auth user name */
#define AIM_WEB_MAX_FILE (1 << 20) /* the web-config file, a certificate, a key */

typedef struct aim_web_user {
    char name[AIM_WEB_MAX_NAME + 1];
    char hash[AIM_BCRYPT_LEN + 1];
} aim_web_user;

typedef struct aim_web_config {
    aim_web_user users[AIM_WEB_MAX_USERS];
    int n_users;
    char tokens[AIM_WEB_MAX_TOKENS][AIM_BCRYPT_LEN + 1];
    int n_tokens;
    /* TLS: both paths set (resolved against the file's folder) or neither. */
    char *cert_file, *key_file;
    int cert_line, key_line;   /* where they were named, for messages */
    int min_version;           /* 10, 11, 12 (the default) or 13: TLS 1.x */
    /* What aim__web_config_load read from cert_file and key_file (PEM, NUL-terminated). */
    char *cert_pem, *key_pem;
    size_t key_len;
} aim_web_config;

/* Parses text (len bytes) as a web-config file called name (for messages), resolving
 * relative paths against dir. Reads no file. 0 with *ret (free with aim__web_config_free),
 * or -EINVAL / -ENOMEM with one line "NAME:LINE: what is wrong" in err. */
int aim__web_config_parse(const char *text, size_t len, const char *name, const char *dir,
                          aim_web_config **ret, char *err, size_t err_size);

/* Reads the file at path, parses it and reads the certificate and key it names.
 * 0, or -errno with one line in err naming the file (and the line where one is at fault):
 * -ENOENT / -EACCES / -EFBIG for the web-config file itself, -EINVAL for its content or a
 * certificate or key that cannot be read. */
int aim__web_config_load(const char *path, aim_web_config **ret, char *err, size_t err_size);

/* 1 when the file asks for authentication (a user or a token), else 0. */
int aim__web_config_has_auth(const aim_web_config *c);

/* Frees c (NULL is fine), wiping the key. */
void aim__web_config_free(aim_web_config *c);

#endif
