/* The web-config file (web_config.h), through libyaml's document loader: a tree of nodes,
 * each with the line it starts on, so every refusal names a line. The file is small and its
 * depth fixed (two levels), so nothing here recurses over what the file nests. */
#include "serve/web_config.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/fileio.h"

typedef struct parse {
    yaml_document_t *doc;
    const char *name, *dir;
    aim_web_config *c;
    char *err;
    size_t err_size;
} parse;

static int fail(parse *p, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(parse *p, const yaml_node_t *at, const char *fmt, ...) {
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->err_size, "%s:%lu: %s", p->name,
             at ? (unsigned long)at->start_mark.line + 1 : 1UL, what);
    return -EINVAL;
}

/* The scalar's text, or NULL for another kind of node. */
static const char *scalar(const yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A key with no value (`basic_auth_users:`) or null: an empty section. */
static int is_null(const yaml_node_t *n) {
    const char *s = scalar(n);
    return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

/* Printable text without control characters: what may go into a message or a header. */
static int plain_text(const char *s, size_t len) {
    if (strlen(s) != len) /* a NUL inside ("\0" in a quoted scalar) */
        return 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++)
        if (*u < 0x20 || *u == 0x7f)
            return 0;
    return 1;
}

static int path_value(parse *p, const yaml_node_t *v, const char *key, char **out, int *line) {
    const char *s = scalar(v);
    if (!s || !*s || !plain_text(s, v->data.scalar.length))
        return fail(p, v, "%s must be a file name", key);
    if (*out)
        return fail(p, v, "%s is given twice", key);
    size_t n = strlen(s) + strlen(p->dir) + 2;
    if (!(*out = malloc(n)))
        return -ENOMEM;
    if (s[0] == '/')
        snprintf(*out, n, "%s", s);
    else
        snprintf(*out, n, "%s/%s", p->dir, s);
    *line = (int)v->start_mark.line + 1;
    return 0;
}

static int tls_section(parse *p, const yaml_node_t *m) {
    if (m->type != YAML_MAPPING_NODE)
        return fail(p, m, "tls_server_config must be a mapping (cert_file, key_file)");
    int have_min = 0;
    for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        const char *key = scalar(k);
        int r;
        if (!key)
            return fail(p, k, "a key of tls_server_config must be a word");
        if (strcmp(key, "cert_file") == 0)
            r = path_value(p, v, "cert_file", &p->c->cert_file, &p->c->cert_line);
        else if (strcmp(key, "key_file") == 0)
            r = path_value(p, v, "key_file", &p->c->key_file, &p->c->key_line);
        else if (strcmp(key, "min_version") == 0) {
            static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
            const char *s = scalar(v);
            int version = 0;
            for (int i = 0; s && i < 4; i++)
                if (strcmp(s, names[i]) == 0)
                    version = 10 + i;
            if (have_min++)
                r = fail(p, v, "min_version is given twice");
            else if (!version)
                r = fail(p, v, "min_version must be TLS10, TLS11, TLS12 or TLS13");
            else {
                p->c->min_version = version;
                r = 0;
            }
        } else {
            char shown[40];
            snprintf(shown, sizeof shown, "%s", key);
            r = fail(p, k, "unknown key '%s' in tls_server_config (aimeter reads cert_file, "
                           "key_file, min_version)", plain_text(shown, strlen(shown)) ? shown : "?");
        }
        if (r < 0)
            return r;
    }
    if (!p->c->cert_file != !p->c->key_file)
        return fail(p, m, "tls_server_config needs both cert_file and key_file");
    if (!p->c->cert_file)
        return fail(p, m, "tls_server_config without cert_file and key_file");
    return 0;
}

static int hash_value(parse *p, const yaml_node_t *v, const char *what, char *out) {
    const char *s = scalar(v);
    if (!s || !aim__bcrypt_hash_valid(s))
        return fail(p, v, "%s is not a bcrypt hash ($2b$... of 60 characters; make one with "
                          "`aimeter hash-password`)", what);
    memcpy(out, s, AIM_BCRYPT_LEN + 1);
    return 0;
}

static int users_section(parse *p, const yaml_node_t *m) {
    if (m->type != YAML_MAPPING_NODE)
        return fail(p, m, "basic_auth_users must be a mapping of user names to bcrypt hashes");
    for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        const char *name = scalar(k);
        aim_web_config *c = p->c;
        if (!name || !*name || strlen(name) > AIM_WEB_MAX_NAME ||
            !plain_text(name, k->data.scalar.length) || strchr(name, ':'))
            return fail(p, k, "a user name must be 1-%d characters of text without ':'",
                        AIM_WEB_MAX_NAME);
        for (int i = 0; i < c->n_users; i++)
            if (strcmp(c->users[i].name, name) == 0)
                return fail(p, k, "user '%s' is given twice", name);
        if (c->n_users == AIM_WEB_MAX_USERS)
            return fail(p, k, "more than %d users", AIM_WEB_MAX_USERS);
        char what[AIM_WEB_MAX_NAME + 40];
        snprintf(what, sizeof what, "the password hash of user '%s'", name);
        int r = hash_value(p, v, what, c->users[c->n_users].hash);
        if (r < 0)
            return r;
        snprintf(c->users[c->n_users++].name, AIM_WEB_MAX_NAME + 1, "%s", name);
    }
    return 0;
}

static int tokens_section(parse *p, const yaml_node_t *s) {
    if (s->type != YAML_SEQUENCE_NODE)
        return fail(p, s, "bearer_tokens must be a list of bcrypt hashes");
    for (yaml_node_item_t *it = s->data.sequence.items.start; it < s->data.sequence.items.top; it++) {
        yaml_node_t *v = yaml_document_get_node(p->doc, *it);
        if (p->c->n_tokens == AIM_WEB_MAX_TOKENS)
            return fail(p, v, "more than %d bearer tokens", AIM_WEB_MAX_TOKENS);
        int r = hash_value(p, v, "a bearer token", p->c->tokens[p->c->n_tokens]);
        if (r < 0)
            return r;
        p->c->n_tokens++;
    }
    return 0;
}

static int top(parse *p) {
    yaml_node_t *root = yaml_document_get_root_node(p->doc);
    if (!root || is_null(root))
        return 0; /* an empty file: plain HTTP, no authentication */
    if (root->type != YAML_MAPPING_NODE)
        return fail(p, root, "a web-config file is a mapping (tls_server_config, "
                             "basic_auth_users, bearer_tokens)");
    unsigned seen = 0;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        static const char *const keys[] = { "tls_server_config", "basic_auth_users",
                                            "bearer_tokens" };
        const char *key = scalar(k);
        int which = -1;
        for (int i = 0; key && i < 3; i++)
            if (strcmp(key, keys[i]) == 0)
                which = i;
        if (which < 0) {
            char shown[40];
            snprintf(shown, sizeof shown, "%s", key ? key : "?");
            return fail(p, k, "unknown key '%s' (aimeter reads tls_server_config, "
                              "basic_auth_users, bearer_tokens)",
                        plain_text(shown, strlen(shown)) ? shown : "?");
        }
        if (seen & (1u << which))
            return fail(p, k, "%s is given twice", key);
        seen |= 1u << which;
        if (is_null(v))
            continue;
        int r = which == 0 ? tls_section(p, v) : which == 1 ? users_section(p, v)
                                                            : tokens_section(p, v);
        if (r < 0)
            return r;
    }
    return 0;
}

int aim__web_config_parse(const char *text, size_t len, const char *name, const char *dir,
                          aim_web_config **ret, char *err, size_t err_size) {
    parse p = { .name = name, .dir = dir && *dir ? dir : ".", .err = err,
                .err_size = err_size };
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!(p.c = calloc(1, sizeof *p.c)))
        return -ENOMEM;
    p.c->min_version = 12;
    if (!yaml_parser_initialize(&parser)) {
        free(p.c);
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int r;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, err_size, "%s:%lu: not YAML: %s", name,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "unreadable");
        r = parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
    } else {
        p.doc = &doc;
        r = top(&p);
        /* A second document ("---") would be ignored silently: refuse it. */
        yaml_document_t next;
        if (r == 0 && yaml_parser_load(&parser, &next)) {
            if (yaml_document_get_root_node(&next))
                r = fail(&p, yaml_document_get_root_node(&next),
                         "a second YAML document; a web-config file holds one");
            yaml_document_delete(&next);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (r < 0) {
        aim__web_config_free(p.c);
        return r;
    }
    *ret = p.c;
    return 0;
}

/* A certificate or key named at line: read into *out, or a line saying why not. */
static int read_pem(const char *path, int line, const char *name,
                    const char *what, char **out, size_t *ret_len, char *err, size_t err_size) {
    size_t len;
    /* The key (ret_len asked for) is a secret: no copy left in freed memory. */
    int r = ret_len ? aim__read_secret_alloc(path, AIM_WEB_MAX_FILE, out, &len)
                    : aim__read_file_alloc(path, AIM_WEB_MAX_FILE, out, &len);
    if (r < 0) {
        snprintf(err, err_size, "%s:%d: cannot read the %s %s: %s", name, line, what, path,
                 strerror(-r));
        return -EINVAL;
    }
    if (!strstr(*out, "-----BEGIN ")) {
        snprintf(err, err_size, "%s:%d: the %s %s is not PEM (-----BEGIN ...)", name, line,
                 what, path);
        return -EINVAL;
    }
    if (ret_len)
        *ret_len = len;
    return 0;
}

/* Whether GnuTLS takes the pair, as libmicrohttpd will: a refusal named here, with the
 * file's line, rather than a daemon that will not start without saying why. */
static int check_pair(aim_web_config *c, const char *name, char *err, size_t err_size) {
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return -ENOMEM;
    gnutls_datum_t cert = { (unsigned char *)c->cert_pem, (unsigned)strlen(c->cert_pem) };
    gnutls_datum_t key = { (unsigned char *)c->key_pem, (unsigned)c->key_len };
    int g = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
    gnutls_certificate_free_credentials(cred);
    if (g >= 0)
        return 0;
    snprintf(err, err_size, "%s:%d: the certificate %s and key %s cannot serve TLS: %s", name,
             c->cert_line, c->cert_file, c->key_file, gnutls_strerror(g));
    return -EINVAL;
}

int aim__web_config_load(const char *path, aim_web_config **ret, char *err, size_t err_size) {
    char *text;
    size_t len;
    int r = aim__read_secret_alloc(path, AIM_WEB_MAX_FILE, &text, &len); /* hashes */
    if (r < 0) {
        snprintf(err, err_size, "cannot read the web-config file %s: %s", path, strerror(-r));
        return r;
    }
    char *dir = strdup(path);
    if (!dir) {
        aim__free_secret(text, len);
        return -ENOMEM;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    aim_web_config *c = NULL;
    r = aim__web_config_parse(text, len, path, slash ? dir : ".", &c, err, err_size);
    aim__free_secret(text, len);
    free(dir);
    if (r == 0 && c->cert_file)
        r = read_pem(c->cert_file, c->cert_line, path, "certificate", &c->cert_pem, NULL,
                     err, err_size);
    if (r == 0 && c->key_file)
        r = read_pem(c->key_file, c->key_line, path, "key", &c->key_pem, &c->key_len, err,
                     err_size);
    if (r == 0 && c->cert_file)
        r = check_pair(c, path, err, err_size);
    if (r < 0) {
        aim__web_config_free(c);
        return r;
    }
    *ret = c;
    return 0;
}

int aim__web_config_has_auth(const aim_web_config *c) {
    return c && (c->n_users > 0 || c->n_tokens > 0);
}

void aim__web_config_free(aim_web_config *c) {
    if (!c)
        return;
    if (c->key_pem) {
        explicit_bzero(c->key_pem, c->key_len);
        free(c->key_pem);
    }
    free(c->cert_pem);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}
