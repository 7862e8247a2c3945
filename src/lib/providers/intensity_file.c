/* The step-function CSV parser (intensity_file.h). Every read is bounded by the buffer's
 * end: the input is a user's file, and the fuzz target feeds it arbitrary bytes. */
#include "providers/intensity_file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/iso8601.h"
#include "util/number.h"
#include "util/array.h"

/* 1970-01-01 .. 2200-01-01: grid data before the epoch does not exist, and the upper bound
 * keeps t_unix_ms × 1e6 (the accounting's nanoseconds) far from int64 overflow. */
#define MAX_UNIX_S 7258118400LL

static void say(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whylen, const char *fmt, ...) {
    if (!why || !whylen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* n digits at s[*i] as an integer; -1 when they are not all digits or run past len. */
static int digits(const char *s, size_t len, size_t *i, int n) {
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || !is_digit(s[*i]))
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

/* Fractional digits after a '.', as milliseconds (digits beyond the third are dropped). */
static int fraction_ms(const char *s, size_t len, size_t *i, int *ret_ms) {
    int ms = 0, n = 0;
    while (*i < len && is_digit(s[*i])) {
        if (n < 3)
            ms = ms * 10 + (s[*i] - '0');
        n++;
        (*i)++;
    }
    if (n == 0 || n > 9)
        return -1;
    for (; n < 3; n++)
        ms *= 10;
    *ret_ms = ms;
    return 0;
}

static int parse_unix(const char *s, size_t len, int64_t *ret, char *why, size_t whylen) {
    size_t i = 0;
    int64_t sec = 0;
    for (; i < len && is_digit(s[i]); i++) {
        if (i >= 16) { /* far beyond any date; stops the accumulation before overflow */
            say(why, whylen, "timestamp out of range");
            return -EINVAL;
        }
        sec = sec * 10 + (s[i] - '0');
    }
    int ms = 0;
    if (i < len && s[i] == '.') {
        i++;
        if (fraction_ms(s, len, &i, &ms) < 0) {
            say(why, whylen, "bad fraction of a second in the timestamp");
            return -EINVAL;
        }
    }
    if (i != len) {
        say(why, whylen, "bad timestamp: use ISO 8601 with a zone (2026-01-05T13:00:00Z) "
            "or Unix seconds");
        return -EINVAL;
    }
    if (sec >= MAX_UNIX_S) {
        /* 13 digits is the classic mistake. */
        say(why, whylen, "timestamp out of range (Unix seconds expected, between 1970 and "
            "2200%s)", sec >= 1000000000000LL ? "; this looks like milliseconds" : "");
        return -EINVAL;
    }
    *ret = sec * 1000 + ms;
    return 0;
}

int aim__step_parse_time(const char *s, size_t len, int64_t *ret_unix_ms, char *why,
                        size_t whylen) {
    if (!s || len == 0) {
        say(why, whylen, "empty timestamp");
        return -EINVAL;
    }
    /* ISO dates have '-' at position 4; anything else made of digits is Unix seconds. */
    if (len < 5 || s[4] != '-')
        return parse_unix(s, len, ret_unix_ms, why, whylen);

    size_t i = 0;
    int y = digits(s, len, &i, 4);
    int mo = -1, d = -1, h = -1, mi = -1, sec = 0, ms = 0;
    if (y >= 0 && i < len && s[i] == '-' && (i++, (mo = digits(s, len, &i, 2)) >= 0) &&
        i < len && s[i] == '-')
        i++, d = digits(s, len, &i, 2);
    if (y < 0 || mo < 0 || d < 0) {
        say(why, whylen, "bad date in the timestamp (YYYY-MM-DD expected)");
        return -EINVAL;
    }
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > aim__iso8601_days_in_month(y, (unsigned)mo)) {
        say(why, whylen, "no such date: %04d-%02d-%02d", y, mo, d);
        return -EINVAL;
    }
    if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) {
        say(why, whylen, "the timestamp has no time of day and zone (2026-01-05T13:00:00Z)");
        return -EINVAL;
    }
    i++;
    h = digits(s, len, &i, 2);
    if (h >= 0 && i < len && s[i] == ':')
        i++, mi = digits(s, len, &i, 2);
    if (h < 0 || mi < 0) {
        say(why, whylen, "bad time of day in the timestamp (HH:MM[:SS] expected)");
        return -EINVAL;
    }
    if (i < len && s[i] == ':') {
        i++;
        sec = digits(s, len, &i, 2);
        if (sec >= 0 && i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (fraction_ms(s, len, &i, &ms) < 0)
                sec = -1;
        }
    }
    if (sec < 0 || h > 23 || mi > 59 || sec > 59) {
        say(why, whylen, "bad time of day in the timestamp");
        return -EINVAL;
    }
    int offset_min = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        int oh = digits(s, len, &i, 2), om = 0;
        if (oh >= 0 && i < len && s[i] == ':')
            i++;
        if (oh >= 0 && i < len)
            om = digits(s, len, &i, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59) {
            say(why, whylen, "bad zone offset in the timestamp (+HH:MM expected)");
            return -EINVAL;
        }
        offset_min = sign * (oh * 60 + om);
    } else {
        say(why, whylen, "the timestamp has no zone: add Z (UTC) or an offset such as +01:00");
        return -EINVAL;
    }
    if (i != len) {
        say(why, whylen, "unexpected text after the timestamp");
        return -EINVAL;
    }
    int64_t secs = aim__iso8601_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                   h * 3600 + mi * 60 + sec -
                   (int64_t)offset_min * 60;
    if (secs < 0 || secs >= MAX_UNIX_S) {
        say(why, whylen, "timestamp out of range (1970 to 2200)");
        return -EINVAL;
    }
    *ret_unix_ms = secs * 1000 + ms;
    return 0;
}

/* A decimal number (util/number.h: no hex, "inf", "nan" or locale comma); negative values
 * are refused here, "-0" is 0. */
static int parse_value(const char *s, size_t len, double *ret, char *why, size_t whylen) {
    double v;
    int r = aim__parse_decimal(s, len, 1, &v);
    if (r == -ERANGE) {
        say(why, whylen, "value out of range: '%.*s'", (int)len, s);
        return -EINVAL;
    }
    if (r < 0) {
        say(why, whylen, "not a number: '%.*s'", (int)(len > 40 ? 40 : len), s);
        return -EINVAL;
    }
    if (s[0] == '-' && v != 0) {
        say(why, whylen, "negative value: %.*s", (int)len, s);
        return -EINVAL;
    }
    *ret = v == 0 ? 0.0 : v; /* "-0" is 0 */
    return 0;
}

#define MAX_FIELDS 4

typedef struct field {
    const char *s;
    size_t len;
} field;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Splits one line into fields, trimmed, quotes removed. Returns the count (up to
 * MAX_FIELDS + 1: more means "too many"). */
static int split(const char *line, size_t len, field *f) {
    int n = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        while (i < len && line[i] != ',')
            i++;
        size_t a = start, b = i;
        while (a < b && is_blank(line[a]))
            a++;
        while (b > a && is_blank(line[b - 1]))
            b--;
        if (b - a >= 2 && line[a] == '"' && line[b - 1] == '"')
            a++, b--;
        if (n < MAX_FIELDS) {
            f[n].s = line + a;
            f[n].len = b - a;
        }
        n++;
        if (i >= len || n > MAX_FIELDS)
            return n;
        i++; /* the comma */
    }
}

static int has_digit(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (is_digit(s[i]))
            return 1;
    return 0;
}

static int bad(aim_step_file *f, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(aim_step_file *f, int line, const char *fmt, ...) {
    f->error_line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
    return -EBADMSG;
}

static int push(aim_step_file *f, size_t *cap, int64_t t, double v) {
    if (AIM_ARRAY_RESERVE(f->points, *cap, f->n + 1, 64) < 0)
        return -ENOMEM;
    f->points[f->n].t_unix_ms = t;
    f->points[f->n].g_per_kwh = v;
    f->n++;
    return 0;
}

static int parse_rows(const char *buf, size_t len, int allow_signal, aim_step_file *f) {
    size_t pos = 0, cap = 0;
    int line_no = 0, seen_row = 0, columns = 0, prev_line = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        pos = 3;
    while (pos < len) {
        line_no++;
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (ll && line[ll - 1] == '\r')
            ll--;
        size_t a = 0;
        while (a < ll && is_blank(line[a]))
            a++;
        if (a == ll || line[a] == '#')
            continue;

        field fs[MAX_FIELDS];
        int nf = split(line, ll, fs);
        int max_cols = allow_signal ? 3 : 2;
        if (!seen_row && !has_digit(fs[0].s, fs[0].len)) {
            seen_row = 1; /* the header */
            if (nf < 2 || nf > max_cols)
                return bad(f, line_no, "the header has %d columns; expected timestamp,%s",
                           nf, allow_signal ? "g_per_kwh[,signal]" : "price_per_kwh");
            continue;
        }
        seen_row = 1;
        if (nf < 2 || nf > max_cols)
            return bad(f, line_no, "%d column%s; expected %s", nf, nf == 1 ? "" : "s",
                       allow_signal ? "timestamp,g_per_kwh[,signal]" : "timestamp,price_per_kwh");
        if (columns && nf != columns)
            return bad(f, line_no, "%d columns where the rows before have %d", nf, columns);
        columns = nf;

        char why[120];
        int64_t t;
        double v;
        if (aim__step_parse_time(fs[0].s, fs[0].len, &t, why, sizeof why) < 0)
            return bad(f, line_no, "%s", why);
        if (parse_value(fs[1].s, fs[1].len, &v, why, sizeof why) < 0)
            return bad(f, line_no, "%s", why);
        if (nf == 3) {
            char name[16];
            aim_signal sig;
            size_t n = fs[2].len < sizeof name - 1 ? fs[2].len : sizeof name - 1;
            memcpy(name, fs[2].s, n);
            name[n] = '\0';
            if (fs[2].len >= sizeof name || aim__signal_parse(name, &sig) < 0)
                return bad(f, line_no, "signal must be average or marginal, not '%.*s'",
                           (int)(fs[2].len > 24 ? 24 : fs[2].len), fs[2].s);
            if (f->has_signal && sig != f->signal)
                return bad(f, line_no, "signal %s where the rows before say %s",
                           aim__signal_name(sig), aim__signal_name(f->signal));
            f->has_signal = 1;
            f->signal = sig;
        }
        if (f->n && t <= f->points[f->n - 1].t_unix_ms)
            return bad(f, line_no, "timestamp %s the one on line %d: rows must be in strictly "
                       "increasing time order", t == f->points[f->n - 1].t_unix_ms
                       ? "repeats" : "is before", prev_line);
        if (push(f, &cap, t, v) < 0)
            return -ENOMEM;
        prev_line = line_no;
    }
    if (f->n == 0)
        return bad(f, 0, "no data rows (expected timestamp,%s)",
                   allow_signal ? "g_per_kwh[,signal]" : "price_per_kwh");
    return 0;
}

int aim__step_file_parse(const char *buf, size_t len, int allow_signal, aim_step_file *ret) {
    memset(ret, 0, sizeof *ret);
    if (!buf && len)
        return -EINVAL;
    return parse_rows(buf ? buf : "", len, allow_signal, ret);
}

void aim__step_file_clear(aim_step_file *f) {
    if (!f)
        return;
    free(f->points);
    f->points = NULL;
    f->n = 0;
}

int aim__step_file_load(const char *path, int allow_signal, aim_step_file *ret, char *err,
                       size_t errlen) {
    memset(ret, 0, sizeof *ret);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        say(err, errlen, "cannot read %s: %s", path, strerror(e));
        return -e;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        say(err, errlen, "cannot read %s: %s", path, strerror(EISDIR));
        return -EISDIR;
    }
    if (st.st_size > (off_t)AIM_STEP_FILE_MAX_BYTES) {
        close(fd);
        say(err, errlen, "%s: larger than %u MiB", path, AIM_STEP_FILE_MAX_BYTES >> 20);
        return -EFBIG;
    }
    /* Read to the end whatever st_size said (a FIFO or /proc file reports 0). */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, used = 0;
    char *buf = malloc(cap);
    int r = buf ? 0 : -ENOMEM;
    while (r == 0) {
        if (used == cap) {
            if (cap >= AIM_STEP_FILE_MAX_BYTES) {
                say(err, errlen, "%s: larger than %u MiB", path, AIM_STEP_FILE_MAX_BYTES >> 20);
                r = -EFBIG;
                break;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                r = -ENOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            say(err, errlen, "cannot read %s: %s", path, strerror(errno));
        } else if (n == 0) {
            break;
        } else {
            used += (size_t)n;
        }
    }
    close(fd);
    if (r == -ENOMEM)
        say(err, errlen, "%s: out of memory", path);
    if (r == 0) {
        r = aim__step_file_parse(buf, used, allow_signal, ret);
        if (r == -EBADMSG && ret->error_line > 0)
            say(err, errlen, "%s:%d: %s", path, ret->error_line, ret->error);
        else if (r == -EBADMSG)
            say(err, errlen, "%s: %s", path, ret->error);
        else if (r < 0)
            say(err, errlen, "%s: %s", path, strerror(-r));
    }
    free(buf);
    return r;
}
