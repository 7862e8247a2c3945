/* The web-config file parser (serve/web_config.c) over arbitrary bytes: a refusal is -EINVAL
 * with one line "web.yml:LINE: ..." whose line is in the file; a success holds only valid
 * bcrypt hashes, user names without ':' or control characters, and both TLS paths or none. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "serve/web_config.h"
#include "util/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_copy_exact(data, size);
    if (!text)
        return 0;
    aim_web_config *c = NULL;
    char err[256] = "";
    int r = aim__web_config_parse(text, size, "web.yml", "/etc/aimeter", &c, err, sizeof err);
    if (r == 0) {
        if (!c || !c->cert_file != !c->key_file || c->min_version < 10 || c->min_version > 13)
            abort();
        for (int i = 0; i < c->n_users; i++) {
            const char *n = c->users[i].name;
            if (!*n || strchr(n, ':') || !aim__bcrypt_hash_valid(c->users[i].hash))
                abort();
            for (const unsigned char *u = (const unsigned char *)n; *u; u++)
                if (*u < 0x20 || *u == 0x7f)
                    abort();
        }
        for (int i = 0; i < c->n_tokens; i++)
            if (!aim__bcrypt_hash_valid(c->tokens[i]))
                abort();
        if (c->cert_file && c->cert_file[0] != '/')
            abort();
        aim__web_config_free(c);
    } else if (r == -EINVAL) {
        unsigned long line;
        if (c || sscanf(err, "web.yml:%lu: ", &line) != 1 || line < 1 || strchr(err, '\n'))
            abort();
    } else if (r != -ENOMEM) {
        abort();
    }
    free(text);
    return 0;
}
