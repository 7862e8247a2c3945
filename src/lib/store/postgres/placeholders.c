/* ?N to $N (store/postgres/placeholders.h). A quote or comment left open runs to the end of
 * the text, copied as it is: the server then says what is wrong with it. */
#include "store/postgres/placeholders.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The end of a quoted run that starts at p (p[0] is the quote; a doubled quote stays in). */
static const char *quoted_end(const char *p) {
    char q = *p++;
    while (*p) {
        if (*p == q && p[1] == q)
            p += 2;
        else if (*p++ == q)
            return p;
    }
    return p;
}

/* The end of a block comment that starts at p ("/" "*"); PostgreSQL nests them. */
static const char *comment_end(const char *p) {
    int depth = 0;
    while (*p) {
        if (p[0] == '/' && p[1] == '*') {
            depth++;
            p += 2;
        } else if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else {
            p++;
        }
    }
    return p;
}

int aim__pg_placeholders(const char *sql, char **ret, int *ret_n) {
    size_t len = strlen(sql), bare = 0;
    for (const char *p = sql; *p; p++)
        bare += *p == '?';
    /* "?" may become "$65535": 5 more bytes each at most. */
    char *out = malloc(len + bare * 5 + 1);
    if (!out)
        return -ENOMEM;
    char *o = out;
    int max = 0;
    const char *p = sql;
    while (*p) {
        const char *end = NULL;
        if (*p == '\'' || *p == '"')
            end = quoted_end(p);
        else if (p[0] == '-' && p[1] == '-')
            end = p + strcspn(p, "\n");
        else if (p[0] == '/' && p[1] == '*')
            end = comment_end(p);
        if (end) {
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
            p = end;
            continue;
        }
        if (*p != '?') {
            *o++ = *p++;
            continue;
        }
        p++;
        long n = 0;
        if (*p >= '0' && *p <= '9') {
            while (*p >= '0' && *p <= '9') {
                n = n * 10 + (*p++ - '0');
                if (n > AIM_PG_MAX_PARAMS)
                    break;
            }
            if (n < 1 || n > AIM_PG_MAX_PARAMS) {
                free(out);
                return -EINVAL;
            }
        } else {
            n = max + 1;
            if (n > AIM_PG_MAX_PARAMS) {
                free(out);
                return -EINVAL;
            }
        }
        if (n > max)
            max = (int)n;
        /* Digits of n written backwards then turned, no printf for a hot path. */
        char digits[8];
        int k = 0;
        do {
            digits[k++] = (char)('0' + n % 10);
            n /= 10;
        } while (n);
        *o++ = '$';
        while (k)
            *o++ = digits[--k];
    }
    *o = '\0';
    *ret = out;
    *ret_n = max;
    return 0;
}
