/* Provider secrets: from the environment, else from a credentials file that only its owner
 * can read, never from the command line (which every user of the machine can read in
 * /proc). Like ssh with its keys, a file that others can read is refused rather than used,
 * so that a leaked key is noticed before it is used. No function here ever puts a secret
 * into an error message. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimeter.h"
#include "providers/provider_impl.h"

#define CRED_FILE_MAX 65536

/* Every variable a provider passes to aim__credentials_get() (provider_em.c,
 * provider_watttime.c): a new provider with a key adds its variable here too. */
const char *const *aim_credential_env_names(void) {
    static const char *const names[] = { "ELECTRICITYMAPS_API_KEY", "WATTTIME_USERNAME",
                                         "WATTTIME_PASSWORD", NULL };
    return names;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int aim__credentials_parse(const char *text, size_t len, const char *key, char *out,
                          size_t outlen, int *ret_line) {
    int found = -ENOENT, line = 0;
    size_t klen = strlen(key);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        size_t b = i, e = end;
        i = end + 1;
        while (b < e && is_blank(text[b]))
            b++;
        while (e > b && (is_blank(text[e - 1]) || text[e - 1] == '\r'))
            e--;
        if (b == e || text[b] == '#' || text[b] == ';')
            continue;
        if (text[b] == '[') {
            if (text[e - 1] != ']')
                goto malformed;
            continue; /* sections only group lines for the reader */
        }
        size_t eq = b;
        while (eq < e && text[eq] != '=')
            eq++;
        if (eq == e || eq == b)
            goto malformed;
        size_t ke = eq;
        while (ke > b && is_blank(text[ke - 1]))
            ke--;
        size_t vb = eq + 1;
        while (vb < e && is_blank(text[vb]))
            vb++;
        size_t ve = e;
        if (ve - vb >= 2 && text[vb] == '"' && text[ve - 1] == '"') {
            vb++;
            ve--;
        }
        /* A NUL or CR inside would cut or inject a header; DEL is no header character either,
         * and is refused in the environment variable too (aim__credentials_get). */
        for (size_t k = b; k < e; k++)
            if (((unsigned char)text[k] < 0x20 && text[k] != '\t') || text[k] == 0x7f)
                goto malformed;
        if (ke - b != klen || strncasecmp(text + b, key, klen) != 0)
            continue;
        if (ve - vb + 1 > outlen) {
            if (ret_line)
                *ret_line = line;
            return -ENOBUFS;
        }
        memcpy(out, text + vb, ve - vb);
        out[ve - vb] = '\0';
        found = 0;
        continue;
    malformed:
        if (ret_line)
            *ret_line = line;
        return -EINVAL;
    }
    return found;
}

int aim__credentials_path(char *buf, size_t size) {
    const char *p = getenv("AIMETER_CREDENTIALS");
    int k;
    if (p && *p) {
        k = snprintf(buf, size, "%s", p);
    } else {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        const char *home = getenv("HOME");
        if (xdg && xdg[0] == '/')
            k = snprintf(buf, size, "%s/aimeter/credentials", xdg);
        else if (home && *home)
            k = snprintf(buf, size, "%s/.config/aimeter/credentials", home);
        else
            return -ENOENT;
    }
    return k > 0 && (size_t)k < size ? 0 : -ENAMETOOLONG;
}

int aim__credentials_get(const char *env_name, const char *key, char *out, size_t outlen,
                        char *err, size_t errlen) {
    const char *env = getenv(env_name);
    if (env && *env) {
        size_t n = strlen(env);
        if (n + 1 > outlen)
            return aim__prov_fail(err, errlen, -EACCES, "%s is too long", env_name);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)env[i] < 0x20 || env[i] == 0x7f)
                return aim__prov_fail(err, errlen, -EACCES, "%s contains control characters", env_name);
        memcpy(out, env, n + 1);
        return 0;
    }
    char path[4096];
    if (aim__credentials_path(path, sizeof path) < 0)
        return aim__prov_fail(err, errlen, -EACCES,
                             "no credentials: set %s (see docs/providers.md)", env_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return aim__prov_fail(err, errlen, -EACCES,
                                 "no credentials: set %s, or put '%s = ...' in %s (mode 600; see docs/providers.md)",
                                 env_name, key, path);
        return aim__prov_fail(err, errlen, -EACCES, "cannot read credentials file %s: %s", path,
                             strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return aim__prov_fail(err, errlen, -EACCES, "credentials file %s is not a regular file", path);
    }
    if (st.st_uid != geteuid()) {
        close(fd);
        return aim__prov_fail(err, errlen, -EACCES,
                             "credentials file %s belongs to uid %u, not to you (uid %u): refused",
                             path, (unsigned)st.st_uid, (unsigned)geteuid());
    }
    if (st.st_mode & 077) {
        close(fd);
        return aim__prov_fail(err, errlen, -EACCES,
                             "credentials file %s can be read or written by others: run chmod 600 %s",
                             path, path);
    }
    if (st.st_size > CRED_FILE_MAX) {
        close(fd);
        return aim__prov_fail(err, errlen, -EACCES, "credentials file %s is larger than %d bytes", path,
                             CRED_FILE_MAX);
    }
    char *text = malloc(CRED_FILE_MAX);
    if (!text) {
        close(fd);
        return aim__prov_fail(err, errlen, -ENOMEM, "out of memory");
    }
    size_t len = 0;
    ssize_t k;
    while (len < CRED_FILE_MAX && (k = read(fd, text + len, CRED_FILE_MAX - len)) > 0)
        len += (size_t)k;
    close(fd);
    int line = 0;
    int r = aim__credentials_parse(text, len, key, out, outlen, &line);
    explicit_bzero(text, CRED_FILE_MAX);
    free(text);
    if (r == -ENOENT)
        return aim__prov_fail(err, errlen, -EACCES, "no credentials: set %s, or put '%s = ...' in %s",
                             env_name, key, path);
    if (r == -EINVAL)
        return aim__prov_fail(err, errlen, -EACCES, "credentials file %s, line %d: expected 'key = value'",
                             path, line);
    if (r == -ENOBUFS)
        return aim__prov_fail(err, errlen, -EACCES, "credentials file %s, line %d: value too long", path,
                             line);
    return r;
}
