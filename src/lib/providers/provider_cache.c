/* The disk cache of provider answers: one JSON file per query, so that a report can be
 * reproduced offline, a second `aimeter intensity` costs no request, and a provider that is
 * down does not stop a run from having an intensity (a stale entry is served, and says so).
 *
 * Files are written to a temporary name, fsynced and renamed, so a reader sees the old or
 * the new entry, never half of one; mode 0600 because a cache shows where the user's
 * machines are. The file is read back as untrusted input and validated like an answer. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/provider_impl.h"
#include "util/json.h"
#include "util/numfmt.h"

#define CACHE_FORMAT "aimeter-intensity-cache"
#define CACHE_VERSION 1
#define CACHE_FILE_MAX (32u << 20)
#define FINAL_AFTER_MS (24LL * 3600 * 1000)

int aim__provider_default_cache_dir(char **ret_path) {
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    int k;
    if (xdg && xdg[0] == '/')
        k = snprintf(buf, sizeof buf, "%s/aimeter/intensity", xdg);
    else if (home && *home)
        k = snprintf(buf, sizeof buf, "%s/.cache/aimeter/intensity", home);
    else
        return -ENOENT;
    if (k < 0 || (size_t)k >= sizeof buf)
        return -ENAMETOOLONG;
    char *p = strdup(buf);
    if (!p)
        return -ENOMEM;
    *ret_path = p;
    return 0;
}

int aim__cache_name(const aim_provider_query *q, char *buf, size_t size) {
    char where[96], range[64], lat[AIM_NUM_MAX], lon[AIM_NUM_MAX];
    if (q->zone && *q->zone)
        snprintf(where, sizeof where, "%s", q->zone);
    else if (q->have_latlon)
        snprintf(where, sizeof where, "lat%s_lon%s", aim__fmt_fixed(lat, q->lat, 4),
                 aim__fmt_fixed(lon, q->lon, 4));
    else
        snprintf(where, sizeof where, "default");
    for (char *p = where; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
            *p = '-';
    if (q->from_unix_ms || q->to_unix_ms)
        snprintf(range, sizeof range, "%lld-%lld", (long long)q->from_unix_ms, (long long)q->to_unix_ms);
    else
        snprintf(range, sizeof range, "latest");
    int k = snprintf(buf, size, "%s_%s_%s_%s_%s.json", q->provider, where, aim__signal_name(q->signal),
                     q->basis == AIM_BASIS_DIRECT ? "direct" : "lifecycle", range);
    return k > 0 && (size_t)k < size ? 0 : -ENAMETOOLONG;
}

static int copy_str(json_t *root, const char *key, char *dst, size_t size, int required) {
    json_t *v = json_object_get(root, key);
    if (!v)
        return required ? -EPROTO : (dst[0] = '\0', 0);
    if (!json_is_string(v) || json_string_length(v) >= size)
        return -EPROTO;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    if (strlen(dst) != json_string_length(v))
        return -EPROTO; /* an embedded NUL */
    return 0;
}

int aim__cache_parse(const char *text, size_t len, aim_cache_entry *e) {
    memset(e, 0, sizeof *e);
    json_t *root = aim__json_parse(text, len, NULL, 0);
    if (!root)
        return -EPROTO;
    int r = -EPROTO;
    json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version");
    json_t *fetched = json_object_get(root, "fetched_unix_ms"), *pts = json_object_get(root, "points");
    json_t *sig = json_object_get(root, "signal"), *basis = json_object_get(root, "basis");
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), CACHE_FORMAT) != 0 ||
        !json_is_integer(ver) || json_integer_value(ver) != CACHE_VERSION ||
        !json_is_integer(fetched) || json_integer_value(fetched) <= 0 ||
        json_integer_value(fetched) > AIM_ISO8601_MAX_MS || !json_is_array(pts) ||
        !json_is_string(sig) || aim__signal_parse(json_string_value(sig), &e->signal) < 0 ||
        !json_is_string(basis) || aim__basis_parse(json_string_value(basis), &e->basis) < 0)
        goto out;
    e->fetched_ms = json_integer_value(fetched);
    if (copy_str(root, "zone", e->zone, sizeof e->zone, 1) < 0 ||
        copy_str(root, "source", e->source, sizeof e->source, 1) < 0 ||
        copy_str(root, "note", e->note, sizeof e->note, 0) < 0)
        goto out;
    size_t i;
    json_t *pt;
    int64_t prev = INT64_MIN;
    json_array_foreach(pts, i, pt) {
        json_t *t = json_array_get(pt, 0), *v = json_array_get(pt, 1);
        if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_integer(t) || !json_is_number(v))
            goto out;
        double g = json_number_value(v);
        int64_t tm = json_integer_value(t);
        if (!isfinite(g) || g < 0 || g > AIM_PROVIDER_MAX_G_PER_KWH || tm <= prev || tm < AIM_ISO8601_MIN_MS ||
            tm > AIM_ISO8601_MAX_MS)
            goto out;
        prev = tm;
        if (aim__prov_series_push(&e->series, tm, g) < 0)
            goto out;
    }
    r = 0;
out:
    json_decref(root);
    if (r < 0)
        aim__cache_entry_free(e);
    return r;
}

int aim__cache_load(const char *dir, const char *name, aim_cache_entry *e) {
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= sizeof path)
        return -ENAMETOOLONG;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? -ENOENT : -EPROTO;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)CACHE_FILE_MAX) {
        close(fd);
        return -EPROTO;
    }
    size_t size = (size_t)st.st_size;
    char *text = malloc(size + 1);
    if (!text) {
        close(fd);
        return -ENOMEM;
    }
    size_t len = 0;
    ssize_t n;
    while (len < size && (n = read(fd, text + len, size - len)) > 0)
        len += (size_t)n;
    close(fd);
    int r = aim__cache_parse(text, len, e);
    free(text);
    return r;
}

static int mkdir_p(const char *dir) {
    char buf[4096];
    int k = snprintf(buf, sizeof buf, "%s", dir);
    if (k <= 0 || (size_t)k >= sizeof buf)
        return -ENAMETOOLONG;
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                return -errno;
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

int aim__cache_store(const char *dir, const char *name, const aim_cache_entry *e) {
    int r = mkdir_p(dir);
    if (r < 0)
        return r;
    json_t *pts = json_array();
    for (size_t i = 0; pts && i < e->series.n; i++) {
        json_t *pt = json_pack("[If]", (json_int_t)e->series.p[i].t_unix_ms, e->series.p[i].g_per_kwh);
        if (!pt || json_array_append_new(pts, pt) < 0) {
            json_decref(pts);
            pts = NULL;
        }
    }
    if (!pts)
        return -ENOMEM;
    json_t *root = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "format", CACHE_FORMAT,
                             "version", CACHE_VERSION, "fetched_unix_ms", (json_int_t)e->fetched_ms,
                             "zone", e->zone, "signal", aim__signal_name(e->signal), "basis",
                             aim__basis_name(e->basis), "source", e->source, "note", e->note, "points", pts);
    if (!root)
        return -ENOMEM;
    /* A file for aimeter itself: compact, and 17 digits so every double reads back exact. */
    char *text = NULL;
    int dr = aim__json_dump_flags(root, JSON_COMPACT | JSON_REAL_PRECISION(17), 0, &text);
    json_decref(root);
    if (dr < 0)
        return dr;
    char tmp[4096], path[4096];
    int k1 = snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
    int k2 = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (k1 < 0 || (size_t)k1 >= sizeof tmp || k2 < 0 || (size_t)k2 >= sizeof path) {
        free(text);
        return -ENAMETOOLONG;
    }
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0) {
        r = -errno;
        free(text);
        return r;
    }
    size_t len = strlen(text), off = 0;
    r = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        off += (size_t)n;
    }
    free(text);
    if (r == 0 && (fchmod(fd, 0600) < 0 || fsync(fd) < 0))
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

int aim__cache_fresh(const aim_provider_query *q, const aim_cache_entry *e, int64_t now_ms) {
    if ((q->from_unix_ms || q->to_unix_ms) && q->to_unix_ms <= e->fetched_ms - FINAL_AFTER_MS)
        return 1;
    int64_t age = now_ms - e->fetched_ms;
    return age >= 0 && age < aim__provider_cadence_ms(q->provider);
}

void aim__cache_entry_free(aim_cache_entry *e) { aim__prov_series_free(&e->series); }
